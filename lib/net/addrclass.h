/* SPDX-License-Identifier: MIT */
/*
 * addrclass.h - classify an IPv4/IPv6 address (public, RFC 1918, CGNAT, ...).
 *
 * Owner: lib/net. Used by portmap (the router's external address) and by
 * ddns/publicip. Pure functions: no I/O, no state.
 */
#ifndef HE_NET_ADDRCLASS_H
#define HE_NET_ADDRCLASS_H

#include <stdbool.h>
#include <stddef.h>

enum he_addr_class {
	HE_ADDR_PUBLIC = 0,  /* globally routable unicast */
	HE_ADDR_PRIVATE,     /* RFC 1918 10/8, 172.16/12, 192.168/16; IPv6 ULA fc00::/7 */
	HE_ADDR_CGNAT,       /* RFC 6598 shared address space 100.64.0.0/10 */
	HE_ADDR_LOOPBACK,    /* 127/8, ::1 */
	HE_ADDR_LINKLOCAL,   /* 169.254/16, fe80::/10 */
	HE_ADDR_DSLITE,      /* 192.0.0.0/29: DS-Lite B4 (RFC 6333), IPv4 via an AFTR */
	HE_ADDR_RESERVED,    /* any other special-purpose block (doc, TEST-NET, 0/8, ...) */
	HE_ADDR_UNSPECIFIED, /* 0.0.0.0, :: */
	HE_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
};

/*
 * Classify addr (struct in_addr or struct in6_addr, network order) of
 * family AF_INET or AF_INET6. IPv4-mapped IPv6 (::ffff:a.b.c.d) is
 * classified as the IPv4 address. Unknown family: HE_ADDR_RESERVED.
 */
enum he_addr_class he_addr_class(int family, const void *addr);

/* Same, from text ("100.64.1.2", "2001:db8::1"). Returns -EINVAL on junk. */
int he_addr_class_str(const char *s, enum he_addr_class *out);

/*
 * True for the classes of a router's external IPv4 address behind which no
 * IPv4 port forward can ever work, whatever is configured at home: the ISP's
 * own NAT (CGNAT, 100.64.0.0/10) or its AFTR (DS-Lite, 192.0.0.0/29). Only
 * IPv6 (a pinhole) or a tunnel reaches such a home. A private address (double
 * NAT) is not one of them: forwarding on the upstream router fixes that.
 */
bool he_addr_class_v4_impossible(enum he_addr_class c);

/*
 * One short reason for he_addr_class_v4_impossible() classes, for "IPv4: not
 * possible here (REASON)": "the ISP's carrier-grade NAT (CGNAT) sits in
 * front of the router" / "DS-Lite: IPv4 is tunnelled to the ISP's AFTR, a
 * carrier-grade NAT". NULL for every other class.
 */
const char *he_addr_class_v4_reason(enum he_addr_class c);

/* Short stable name: "public", "private", "cgnat", "loopback", ... */
const char *he_addr_class_name(enum he_addr_class c);

/*
 * A ready human explanation of what a non-public address means when it is the
 * router's external (WAN) address, naming cause and fix. Writes "" for
 * HE_ADDR_PUBLIC. what: e.g. "the router's external address" (NULL: that).
 */
void he_addr_class_explain(enum he_addr_class c, const char *addr_text, const char *what, char *buf,
			   size_t len);

#endif
