/* SPDX-License-Identifier: MIT */
/*
 * portspec.h - EXT[:INT][/tcp|/udp|/both] port specifications, and port
 * ranges FIRST-LAST[/tcp|/udp|/both] of at most HE_PORTRANGE_MAX ports, each
 * port mapped to itself (no :INT). lib/engine expands a range into one router
 * mapping, firewall opening and check target per port.
 *
 * Owner: lib/core. A list of port specs is what an exposure exposes.
 */
#ifndef HE_CORE_PORTSPEC_H
#define HE_CORE_PORTSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Transport protocols as bit flags so "both" is TCP|UDP. */
enum he_proto {
	HE_PROTO_TCP = 1,
	HE_PROTO_UDP = 2,
	HE_PROTO_BOTH = HE_PROTO_TCP | HE_PROTO_UDP,
};

struct he_portspec {
	uint16_t ext;   /* external (router/public) port */
	uint16_t in;    /* internal (service) port on the host */
	unsigned proto; /* enum he_proto flags */
	uint16_t last;  /* a range ext..last (in == ext); 0: one port */
};

#define HE_PORTSPEC_MAX 32
/* Ports in one range (FIRST-LAST), and ports of one exposure, ranges expanded. */
#define HE_PORTRANGE_MAX 100
#define HE_PORTS_MAX     128

struct he_portlist {
	size_t n;
	struct he_portspec v[HE_PORTSPEC_MAX];
};

/* "tcp", "udp", "tcp+udp" */
const char *he_proto_name(unsigned proto);

/*
 * The one set of family names: "ipv4" / "ipv6" (JSON, state, config) and
 * "IPv4" / "IPv6" (messages) for AF_INET / AF_INET6.
 */
const char *he_family_id(int family);
const char *he_family_label(int family);
/* The DNS record type of a family's address: "A" / "AAAA". */
const char *he_family_rr(int family);

/* How many ports ps stands for (1, or the range's length). */
unsigned he_portspec_count(const struct he_portspec *ps);
/* The i-th port of ps (0 <= i < count) as a single-port spec. */
struct he_portspec he_portspec_at(const struct he_portspec *ps, unsigned i);
/* Do a and b share an external port on a transport? */
bool he_portspec_overlap(const struct he_portspec *a, const struct he_portspec *b);
/* Ports of l, ranges expanded. */
unsigned he_portlist_count(const struct he_portlist *l);
/*
 * Does an EXT:INT forward look like ufw's range syntax (60000:61000), i.e. a
 * range written with ':'? Both ports unprivileged, INT above EXT, at most
 * HE_PORTRANGE_MAX * 10 apart. The caller warns and names FIRST-LAST.
 */
bool he_portspec_range_like(const struct he_portspec *ps);

/* Parse one spec. Errors: 0, 65536, junk, bad protocol, internal port. */
int he_portspec_parse(const char *s, struct he_portspec *out, struct he_error *err);

/*
 * Append a parsed spec to a list; refuses a duplicate (the same external
 * port and protocol twice) naming both specs. Overlap on one protocol of a
 * "both" spec counts as a duplicate.
 */
int he_portlist_add(struct he_portlist *l, const struct he_portspec *ps, struct he_error *err);

/* Parse a whitespace- or comma-separated list into l (appending). */
int he_portlist_parse(struct he_portlist *l, const char *s, struct he_error *err);

/* Format one spec canonically: "8443:8080/tcp", "443/tcp", "22000/both", "60000-60010/udp". */
void he_portspec_format(const struct he_portspec *ps, char *buf, size_t len);

/* Format a list space-separated. */
void he_portlist_format(const struct he_portlist *l, char *buf, size_t len);

#endif
