/* SPDX-License-Identifier: MIT */
/*
 * rfc2136.h - dynamic DNS by DNS UPDATE (RFC 2136) signed with TSIG (RFC 8945),
 * natively with ldns (no nsupdate program).
 *
 * Owner: lib/ddns (rfc2136). Owns: the TSIG key file parser, building the
 * signed UPDATE, sending it (UDP, TCP when the reply is truncated), checking
 * the reply's signature and turning its RCODE / TSIG error into a message that
 * names cause and fix, and a plain query to read the record back. The ddns
 * engine wraps he_rfc2136_update() in its provider adapter.
 *
 * Key files (he_tsig_key_parse), one key, any of:
 *   BIND / Knot tsig-keygen:  key "NAME" { algorithm hmac-sha256; secret "BASE64"; };
 *   Knot keymgr -t (YAML):    key:\n  - id: NAME\n    algorithm: hmac-sha256\n    secret: BASE64
 *   one line (knsupdate -y):  [ALG:]NAME:BASE64   (NAME:ALG:BASE64 is accepted too)
 * Algorithms: hmac-sha256 (default), hmac-sha512, hmac-sha1. '#' starts a comment
 * line. The secret never appears in an error message.
 *
 * The pure parts (build, classify, parse_answer) take and return byte buffers
 * and are unit tested and fuzzed; he_rfc2136_update / he_rfc2136_query do I/O.
 */
#ifndef HE_DDNS_RFC2136_H
#define HE_DDNS_RFC2136_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

#define HE_TSIG_NAME_MAX    255
#define HE_TSIG_SECRET_MAX  512 /* base64 text */
#define HE_RFC2136_TTL      60
#define HE_RFC2136_TIMEOUT  5000 /* ms */
#define HE_RFC2136_FUDGE    300  /* seconds of clock difference the TSIG allows */
#define HE_RFC2136_MAX_ADDR 16
#define HE_RFC2136_ADDRLEN  46 /* INET6_ADDRSTRLEN */

/* TSIG error codes carried in the TSIG record (RFC 8945) */
#define HE_TSIG_BADSIG   16
#define HE_TSIG_BADKEY   17
#define HE_TSIG_BADTIME  18
#define HE_TSIG_BADTRUNC 22

struct he_tsig_key {
	char name[HE_TSIG_NAME_MAX + 1];     /* key name as written (no trailing dot needed) */
	char algorithm[16];                  /* "hmac-sha256", "hmac-sha512" or "hmac-sha1" */
	char secret[HE_TSIG_SECRET_MAX + 1]; /* base64; wipe with he_tsig_key_wipe() */
};

/*
 * Parse one key from TEXT (LEN bytes, need not be NUL-terminated) in one of the
 * formats above. On error the message names the line and what is wrong, never
 * the secret; KEY is wiped.
 */
int he_tsig_key_parse(const char *text, size_t len, struct he_tsig_key *key, struct he_error *err);

/* Read a key file (lib/config/secret.h rules: not group/world-readable;
 * "credential:NAME" for systemd credentials) and parse it. */
int he_tsig_key_load(const char *path, struct he_tsig_key *key, struct he_error *err);

/* Zero the key (the secret above all). Accepts NULL. */
void he_tsig_key_wipe(struct he_tsig_key *key);

struct he_rfc2136_req {
	/* "ADDR", "ADDR:PORT", "[V6ADDR]:PORT" or a host name; port 53 by
	 * default. NULL or "" asks the system resolver for the zone's SOA and
	 * sends to its primary (MNAME). */
	const char *server;
	const char *zone;    /* e.g. "home.example" */
	const char *name;    /* FQDN of the record, inside zone */
	uint32_t ttl;        /* 0 = HE_RFC2136_TTL */
	int family;          /* AF_INET (A record) or AF_INET6 (AAAA) */
	const char *address; /* the new address, text (unused with remove) */
	const struct he_tsig_key *key;
	/* Only delete the name's A|AAAA RRset, add nothing (a stale A behind CGNAT/DS-Lite). */
	bool remove;
	int timeout_ms; /* whole exchange; 0 = HE_RFC2136_TIMEOUT */
};

struct he_rfc2136_result {
	int rcode;       /* DNS RCODE of the reply, -1 when no usable reply */
	int tsig_error;  /* TSIG error in the reply (HE_TSIG_*), 0 if none */
	bool permanent;  /* retrying cannot help until the configuration changes */
	bool tcp;        /* the exchange ended over TCP (UDP reply truncated) */
	char server[64]; /* address:port the update went to */
};

/*
 * Replace the record: one UPDATE deleting the name's RRset of that type and
 * adding NAME TTL IN A|AAAA ADDRESS (with req->remove: deleting only), signed
 * with the key; the reply must carry
 * a valid signature. Returns 0 when the server applied it, otherwise -errno:
 *   -EACCES  NOTAUTH / BADSIG / BADKEY: wrong key (name, algorithm, secret) or
 *            the server is not authoritative for the zone   (permanent)
 *   -EPERM   REFUSED: the server's update policy does not allow this key for
 *            that name and type                              (permanent)
 *   -ENOTDIR NOTZONE: the name is not inside the zone        (permanent)
 *   -EOPNOTSUPP NOTIMP, -EPROTO FORMERR/prerequisite codes   (permanent)
 *   -EAGAIN  SERVFAIL; -ETIME BADTIME (clock skew)           (transient)
 *   -ETIMEDOUT no reply; -ECONNREFUSED nothing on the port   (transient)
 *   -EBADMSG reply malformed, unsigned or failing the signature check
 *   -EINVAL  bad request (address, names, key)
 * "(permanent)" holds only for an answer whose TSIG verifies with the key: an
 * unsigned or unverified error answer (NOTAUTH, REFUSED, BADSIG, BADKEY, ...)
 * returns the same code with permanent false, since anyone can send one.
 * RES is filled in every case (may be NULL).
 */
int he_rfc2136_update(const struct he_rfc2136_req *req, struct he_rfc2136_result *res,
		      struct he_error *err);

struct he_rfc2136_addrs {
	size_t n;
	char addr[HE_RFC2136_MAX_ADDR][HE_RFC2136_ADDRLEN];
};

/*
 * Ask SERVER (as in the request; must be given) for NAME's A (AF_INET) or AAAA
 * (AF_INET6) records, without recursion. 0 with out->n == 0 when there are
 * none (NXDOMAIN or no data); -errno on failure.
 */
int he_rfc2136_query(const char *server, const char *name, int family, int timeout_ms,
		     struct he_rfc2136_addrs *out, struct he_error *err);

#define HE_RFC2136_MAX_NS 8
#define HE_HOST_NAME_MAX  256

struct he_rfc2136_names {
	size_t n;
	char name[HE_RFC2136_MAX_NS][HE_HOST_NAME_MAX];
};

/*
 * The zone's authoritative servers (its NS records' names, without the
 * trailing dot) through the system resolver. -ENOENT with a
 * message naming verify-server when there is no resolver or no answer.
 */
int he_rfc2136_zone_ns(const char *zone, int timeout_ms, struct he_rfc2136_names *out,
		       struct he_error *err);

/* --- pure parts (no I/O), for tests, fuzzing and the adapter --- */

/*
 * Build the signed UPDATE with message ID ID, signed at time NOW (seconds
 * since the epoch; the TSIG's time signed). *OUT is malloc'ed (free()).
 */
int he_rfc2136_build(const struct he_rfc2136_req *req, uint16_t id, time_t now, uint8_t **out,
		     size_t *len, struct he_error *err);

/*
 * Judge REPLY (LEN bytes) to the signed REQUEST (as built above) with KEY at
 * time NOW: same ID, an UPDATE response, RCODE and TSIG error mapped as for
 * he_rfc2136_update, and a success must carry a valid TSIG over the reply.
 * Returns 0 or -errno as above; RES filled (may be NULL).
 */
int he_rfc2136_classify(const uint8_t *reply, size_t len, const uint8_t *request, size_t req_len,
			const struct he_tsig_key *key, time_t now, struct he_rfc2136_result *res,
			struct he_error *err);

/* Build a non-recursive query for NAME A|AAAA with ID. *OUT malloc'ed. */
int he_rfc2136_build_query(const char *name, int family, uint16_t id, uint8_t **out, size_t *len,
			   struct he_error *err);

/* Collect the A|AAAA answers for NAME from a reply with ID into OUT. */
int he_rfc2136_parse_answer(const uint8_t *reply, size_t len, uint16_t id, const char *name,
			    int family, struct he_rfc2136_addrs *out, struct he_error *err);

/* "NOERROR", "NOTAUTH", ... for an RCODE; "RCODE n" for unknown ones. */
const char *he_rfc2136_rcode_name(int rcode, char *buf, size_t len);

#endif
