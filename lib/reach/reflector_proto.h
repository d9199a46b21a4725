/* SPDX-License-Identifier: MIT */
/*
 * reflector_proto.h - the reflector's wire protocol (pure: no I/O).
 *
 * Owner: lib/reach. A client POSTs a JSON request to the reflector's
 * /v1/probe; the reflector probes the ports named in it AT THE CALLER'S OWN
 * SOURCE ADDRESS and answers with JSON. A request never names an address: one
 * that does (keys "target", "host", "addr", "address", "ip") is refused, so
 * the reflector cannot be used to scan third parties.
 *
 *   request:  {"v":1, "ts":UNIX_SECONDS, "nonce":"16-64 hex",
 *              "probes":[{"proto":"tcp","port":443},
 *                        {"proto":"udp","port":51820,"token":"[A-Za-z0-9]{8,64}"}]}
 *   response: {"v":1, "source":"ADDR", "family":"ipv4"|"ipv6",
 *              "results":[{"proto","port","result","ms","detail","tls"?}]}
 *   error:    {"v":1, "error":"why"}  (with HTTP 400/401/403/413/429)
 *
 * Authentication (optional, when the reflector has a key): header
 * "X-Homeexpose-Auth: hmac-sha256=HEX" over the exact body bytes, HMAC-SHA256
 * with the shared key (OpenSSL libcrypto). The body's ts must be within
 * HE_RP_SKEW seconds of the reflector's clock and its nonce unseen within that
 * window (he_rp_replay), so a captured request cannot be replayed.
 *
 * Caps: body <= HE_RP_BODY_MAX bytes, <= HE_RP_PROBES_MAX probes, unknown keys
 * refused. Every parser fills err and returns -EINVAL (malformed), -EMSGSIZE
 * (over a cap) or -EPERM (names a target).
 */
#ifndef HE_REACH_REFLECTOR_PROTO_H
#define HE_REACH_REFLECTOR_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HE_RP_VERSION    1
#define HE_RP_PATH       "/v1/probe"
#define HE_RP_IP_PATH    "/v1/ip" /* GET: the caller's address as text */
#define HE_RP_AUTH_HDR   "X-Homeexpose-Auth"
#define HE_RP_BODY_MAX   4096
#define HE_RP_PROBES_MAX 8
#define HE_RP_NONCE_MIN  16
#define HE_RP_NONCE_MAX  64
#define HE_RP_TOKEN_MIN  8
#define HE_RP_TOKEN_MAX  64
#define HE_RP_SKEW       300 /* seconds of clock difference accepted */
#define HE_RP_SIG_HEX    64  /* hex digits of an HMAC-SHA256 */
#define HE_RP_ADDR_MAX   46

struct he_rp_probe {
	unsigned proto;                  /* HE_PROTO_TCP or HE_PROTO_UDP */
	uint16_t port;                   /* 1..65535 */
	char token[HE_RP_TOKEN_MAX + 1]; /* UDP: sent in the datagram ("" for TCP) */
};

struct he_rp_request {
	int64_t ts;
	char nonce[HE_RP_NONCE_MAX + 1];
	size_t n;
	struct he_rp_probe v[HE_RP_PROBES_MAX];
};

/* Parse and validate a request body (len bytes, need not be NUL-terminated). */
int he_rp_request_parse(const char *body, size_t len, struct he_rp_request *out,
			struct he_error *err);
/* Encode (compact JSON, malloc'ed into *out). The request is validated first. */
int he_rp_request_encode(const struct he_rp_request *r, char **out, struct he_error *err);

/* Random lowercase hex of n digits into buf (n+1 bytes), from the kernel's CSPRNG. */
int he_rp_random_hex(char *buf, size_t n, struct he_error *err);

/* HMAC-SHA256 of body with key, as 64 lowercase hex digits + NUL into hex. */
int he_rp_sign(const void *key, size_t keylen, const void *body, size_t len,
	       char hex[HE_RP_SIG_HEX + 1]);
/*
 * Check an auth header value ("hmac-sha256=HEX") against body, in constant
 * time. -EACCES (missing, malformed or wrong) with a message.
 */
int he_rp_verify(const void *key, size_t keylen, const void *body, size_t len, const char *header,
		 struct he_error *err);

/*
 * The answer is signed too when a key is shared, so an on-path party cannot
 * forge "reachable": HE_RP_AUTH_HDR on the 200 reply carries hmac-sha256= of
 * NONCE "\n" BODY (the request's nonce binds the answer to its request).
 */
int he_rp_sign_response(const void *key, size_t keylen, const char *nonce, const char *body,
			size_t len, char hex[HE_RP_SIG_HEX + 1]);
/* -EACCES with a message when HEADER is missing or does not match. */
int he_rp_verify_response(const void *key, size_t keylen, const char *nonce, const char *body,
			  size_t len, const char *header, struct he_error *err);

/* Replay protection: nonces seen within HE_RP_SKEW, oldest overwritten. */
#define HE_RP_REPLAY_SLOTS 4096
struct he_rp_replay {
	size_t next;
	struct {
		int64_t ts;
		char nonce[HE_RP_NONCE_MAX + 1];
	} v[HE_RP_REPLAY_SLOTS];
};

/*
 * Accept (and remember) nonce when ts is within HE_RP_SKEW of now and the
 * nonce is unseen; -ETIME (clock skew, message gives both times) or
 * -EALREADY (a replay).
 */
int he_rp_replay_check(struct he_rp_replay *c, const char *nonce, int64_t ts, int64_t now,
		       struct he_error *err);

enum he_rp_result {
	HE_RP_OPEN = 0, /* TCP: connection accepted */
	HE_RP_CLOSED,   /* TCP RST / ICMP port unreachable */
	HE_RP_FILTERED, /* no answer within the timeout */
	HE_RP_SENT,     /* UDP: datagram sent, no reply (arrival unknown) */
	HE_RP_REPLY,    /* UDP: the service answered */
	HE_RP_ERROR,    /* the reflector could not probe (detail says why) */
};
/* "open", "closed", "filtered", "sent", "reply", "error". */
const char *he_rp_result_name(enum he_rp_result r);

struct he_rp_item {
	unsigned proto;
	uint16_t port;
	enum he_rp_result result;
	unsigned ms;
	char detail[160];
	char tls[160]; /* TLS handshake evidence ("" when not tried) */
};

struct he_rp_response {
	char source[HE_RP_ADDR_MAX]; /* the caller's address as the reflector saw it */
	int family;                  /* AF_INET / AF_INET6 */
	size_t n;
	struct he_rp_item v[HE_RP_PROBES_MAX];
	char error[256]; /* set in an error response */
};

int he_rp_response_encode(const struct he_rp_response *r, char **out, struct he_error *err);
/* Parse a response; an error response returns 0 with r->error set. */
int he_rp_response_parse(const char *body, size_t len, struct he_rp_response *out,
			 struct he_error *err);

#endif
