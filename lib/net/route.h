/* SPDX-License-Identifier: MIT */
/*
 * route.h - default gateway and this host's own address toward it (netlink).
 *
 * Owner: lib/net. Read-only rtnetlink queries through libmnl: the default
 * route of the main table, a route lookup for one destination (outgoing
 * interface and preferred source), and the host's global IPv6 address on an
 * interface. Nothing is ever changed.
 */
#ifndef HE_NET_ROUTE_H
#define HE_NET_ROUTE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "core/error.h"

union he_inaddr {
	struct in_addr v4;
	struct in6_addr v6;
};

struct he_route_info {
	int family;  /* AF_INET or AF_INET6 */
	int ifindex; /* outgoing interface */
	char ifname[IF_NAMESIZE];
	bool has_gw;
	union he_inaddr gw; /* next hop (the router) */
	bool has_src;
	union he_inaddr src; /* this host's address on that route */
};

/*
 * The default route's gateway for family (lowest metric in the main table)
 * and the preferred source address toward it. -ENETUNREACH with a message when
 * there is no default route.
 */
int he_route_default(int family, struct he_route_info *out, struct he_error *err);

/*
 * Route lookup toward dst (in_addr/in6_addr), like `ip route get`: fills
 * ifindex, gateway (if any) and preferred source. ifindex > 0 restricts the
 * lookup to that interface (needed for IPv6 link-local destinations).
 */
int he_route_get(int family, const void *dst, int ifindex, struct he_route_info *out,
		 struct he_error *err);

/*
 * This host's global IPv6 address on ifindex (0: any interface): a
 * HE_ADDR_PUBLIC address, permanent/stable preferred over temporary,
 * deprecated ones skipped. -EADDRNOTAVAIL when there is none.
 */
int he_net_global_ipv6(int ifindex, struct in6_addr *out, struct he_error *err);

/*
 * Parse a gateway string: "192.168.1.1", "2001:db8::1", "fe80::1%eth0".
 * Fills family, gw, has_gw and (for %IFNAME) ifindex/ifname.
 */
int he_route_parse_gateway(const char *s, struct he_route_info *out, struct he_error *err);

/* Text of an address of family into buf (INET6_ADDRSTRLEN is enough). */
const char *he_inaddr_str(int family, const union he_inaddr *a, char *buf, size_t len);

#endif
