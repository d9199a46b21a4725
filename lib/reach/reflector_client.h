/* SPDX-License-Identifier: MIT */
/*
 * reflector_client.h - asking a reflector to probe this host from outside.
 *
 * Owner: lib/reach. libcurl POST of a reflector_proto request to the
 * reflector's /v1/probe over one address family (so IPv4 and IPv6 are
 * checked separately), with the HMAC header when a key is given. TLS
 * verification stays on for https URLs. The reflector probes the address the
 * request came from, which is this home's public address for that family.
 *
 * UDP arrival: when nothing is bound to a UDP port, he_udp_catch_open()
 * binds it for the duration of the probe and he_udp_catch_wait() reports
 * whether the reflector's datagram (carrying the token) arrived.
 * Nothing here prints.
 */
#ifndef HE_REACH_REFLECTOR_CLIENT_H
#define HE_REACH_REFLECTOR_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "reach/reflector_proto.h"

struct he_reflector_client {
	const char *url; /* "http(s)://host:port" (HE_RP_PATH is appended unless present) */
	const void *key; /* NULL: no key */
	size_t keylen;
	int family;          /* AF_INET or AF_INET6: which address family to ask over */
	int timeout_ms;      /* whole request; 0: 20000 */
	const char *ca_file; /* extra CA for https (NULL: the system's) */
};

/*
 * Send req and fill out. -ENETUNREACH (cannot reach the reflector over that
 * family), -EACCES (key refused), -EPERM (request refused), -EBUSY (rate
 * limit: HTTP 429), -ETIMEDOUT, -EPROTO (answer not understood); the message
 * names the reflector and the fix.
 */
int he_reflector_query(const struct he_reflector_client *c, const struct he_rp_request *req,
		       struct he_rp_response *out, struct he_error *err);

/* Fill ts (now) and a fresh random nonce. */
int he_rp_request_init(struct he_rp_request *r, struct he_error *err);

/* Bind UDP port on the wildcard address of family; fd or -errno (-EADDRINUSE when taken). */
int he_udp_catch_open(int family, uint16_t port, struct he_error *err);
/* 1 when a datagram containing token arrived within timeout_ms, else 0. Closes nothing. */
int he_udp_catch_wait(int fd, const char *token, int timeout_ms);

#endif
