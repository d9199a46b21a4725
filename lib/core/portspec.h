/* SPDX-License-Identifier: MIT */
/*
 * portspec.h - EXT[:INT][/tcp|/udp|/both] port specifications.
 *
 * Owner: lib/core. A list of port specs is what an exposure exposes.
 */
#ifndef HE_CORE_PORTSPEC_H
#define HE_CORE_PORTSPEC_H

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
};

#define HE_PORTSPEC_MAX 32

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

/* Format one spec canonically: "8443:8080/tcp", "443/tcp", "22000/both". */
void he_portspec_format(const struct he_portspec *ps, char *buf, size_t len);

/* Format a list space-separated. */
void he_portlist_format(const struct he_portlist *l, char *buf, size_t len);

#endif
