/* SPDX-License-Identifier: MIT */
/*
 * rfc2136_int.h - what the parts of the RFC 2136 client share (not public).
 *
 * Owner: lib/ddns (rfc2136). The client is split along its jobs:
 *   rfc2136_key.c   TSIG key files (parse, load, wipe) and the algorithm table
 *   rfc2136_tsig.c  HMAC, signing a message and verifying a signed reply
 *   rfc2136_msg.c   building the UPDATE / query and judging the replies
 *   rfc2136.c       transport (UDP, TCP), server lookup, update and query
 */
#ifndef HE_DDNS_RFC2136_INT_H
#define HE_DDNS_RFC2136_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "ddns/rfc2136.h"

#define HDR_LEN      12
#define TYPE_TSIG    250
#define CLASS_ANY    255
#define OPCODE_QUERY 0
#define OPCODE_UPD   5
#define UDP_MAX      4096
#define TCP_MAX      65535
#define MAC_MAX      64

struct he_tsig_alg {
	const char *name;
	unsigned block;
	unsigned digest;
};

/* The algorithm named NAME (a trailing dot allowed), NULL if unsupported. */
const struct he_tsig_alg *he_tsig_alg_find(const char *name);

/* Decode the base64 secret into OUT (at most MAX bytes); -1 if invalid. */
int he_tsig_secret_decode(const char *b64, uint8_t *out, size_t max);

/* Is S a DNS name ldns accepts, not longer than a TSIG key name may be? */
bool he_rfc2136_dname_ok(const char *s);

static inline uint64_t he_get48(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void he_put48(uint8_t *p, uint64_t v)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* A parsed TSIG record and where it starts. */
struct he_tsig_rr {
	size_t start;
	uint8_t owner[256];
	size_t owner_len;
	uint8_t alg[256];
	size_t alg_len;
	uint64_t when;
	uint16_t fudge, orig_id, error, mac_len, other_len;
	const uint8_t *mac, *other;
};

/* What the walk over a message found. */
struct he_dns_walk {
	bool has_tsig;
	struct he_tsig_rr t;
	ldns_rdf *zone;     /* first question's owner (the zone of an UPDATE) */
	ldns_rdf *up_owner; /* first authority (update) record's owner */
	uint16_t up_type;
};

/*
 * Sign MSG (LEN bytes in a buffer of CAP) in place: append the TSIG record and
 * bump ARCOUNT. Returns the new length or -errno.
 */
int he_tsig_append(uint8_t *msg, size_t len, size_t cap, const struct he_tsig_key *key,
		   uint64_t now);

/*
 * Walk every record of a message; when the last additional record is a TSIG,
 * parse it. -EBADMSG for anything malformed or trailing bytes.
 */
int he_dns_walk_msg(const uint8_t *w, size_t len, struct he_dns_walk *wk);
void he_dns_walk_free(struct he_dns_walk *wk);

/* Does the reply's MAC verify? REQ_MAC is the request's MAC. */
bool he_tsig_verify(const uint8_t *w, const struct he_tsig_rr *t, const struct he_tsig_key *key,
		    const uint8_t *req_mac, uint16_t req_mac_len);

/* The rdata field D as text without the trailing dot ("?" for NULL). */
void he_rfc2136_rdf_str(const ldns_rdf *d, char *buf, size_t n);

/* Check a request's fields (names, family, address, key). */
int he_rfc2136_check_req(const struct he_rfc2136_req *req, struct he_error *err);

/* "A" or "AAAA". */
const char *he_rfc2136_type_name(int family);

#endif
