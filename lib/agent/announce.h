/* SPDX-License-Identifier: MIT */
/*
 * announce.h - NAT-PMP and PCP announcements: the router telling its clients
 * that its address changed or that it restarted (RFC 6886 3.2.1, RFC 6887
 * 14.1.3), multicast to 224.0.0.1:5350 and [ff02::1]:5350.
 *
 * Owner: lib/agent. Sockets for both groups, and a decoder over lib/portmap's
 * wire decoders (pcp_wire.h, natpmp_wire.h). The caller checks that the
 * datagram came from its gateway and compares the epoch (he_portmap_epoch_reset, lib/portmap).
 */
#ifndef HE_AGENT_ANNOUNCE_H
#define HE_AGENT_ANNOUNCE_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HE_ANNOUNCE_PORT 5350

enum he_announce_kind {
	HE_ANNOUNCE_PCP = 1, /* PCP ANNOUNCE response (epoch only) */
	HE_ANNOUNCE_NATPMP,  /* NAT-PMP public address notice (epoch and address) */
};

struct he_announce {
	enum he_announce_kind kind;
	uint32_t epoch;
	bool has_addr;
	struct in_addr addr; /* NAT-PMP: the router's new external address */
	char from[46];       /* sender address as text */
};

/* Decode one datagram: 0 for an announcement, -EBADMSG for anything else. */
int he_announce_decode(const uint8_t *buf, size_t len, struct he_announce *out);

/*
 * A UDP socket bound to port 5350 (SO_REUSEADDR/SO_REUSEPORT: other clients on
 * the host may listen too) that joined 224.0.0.1 (family AF_INET) or ff02::1
 * (AF_INET6) on ifindex (0: the kernel's choice). Non-blocking. fd or -errno.
 */
int he_announce_open(int family, int ifindex, struct he_error *err);

/*
 * Read one datagram from fd and decode it; the sender's address in out->from.
 * 1: an announcement; 0: nothing (more) to read or not an announcement; -errno.
 */
int he_announce_read(int fd, struct he_announce *out);

/*
 * Did AN come from the router? Its sender must be GATEWAY (the default
 * route's next hop, as text), or, for an IPv6 link-local sender, exactly
 * ROUTER_LL: the router's own link-local address (the IPv6 default route's
 * next hop; NULL or "" when unknown: then no link-local sender is accepted).
 * Any other host on the link could otherwise make the agent remap everything.
 */
bool he_announce_from_router(const struct he_announce *an, const char *gateway,
			     const char *router_ll);

#define HE_ANNOUNCE_REMAP_MS 10000 /* at most one remap from announcements per 10 s */

/*
 * Rate limit of the remaps announcements cause: 0 when one may start now
 * (recorded in *last_ms), else the milliseconds to wait (the remap is then
 * due at the end of the period, recorded too, so a burst makes one remap).
 */
int64_t he_announce_remap_delay(int64_t *last_ms, int64_t now_ms);

#endif
