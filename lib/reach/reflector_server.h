/* SPDX-License-Identifier: MIT */
/*
 * reflector_server.h - the outside probe server (homeexpose reflector).
 *
 * Owner: lib/reach. A small HTTP/1.1 server: one request per connection,
 * strict limits on the head (http_head.h) and the body (HE_RP_BODY_MAX), an
 * I/O deadline per connection, a cap on concurrent connections, and a
 * per-source token bucket (ratelimit.h) checked before anything is read:
 * past it the answer is HTTP 429 with Retry-After.
 *
 *   POST /v1/probe  run the probes of the request (reflector_proto.h) against
 *                   the CALLER'S OWN SOURCE ADDRESS, as accept() gave it; a
 *                   request naming an address is refused (403).
 *   GET  /v1/ip     the caller's address as text (a public-address source).
 *
 * TCP probes connect with a short timeout; for TLS-like ports (443, 8443,
 * 993, ...) a TLS handshake is tried as extra evidence (no certificate
 * verification: it only shows that TLS answers). UDP probes send the
 * client's token in one datagram and wait briefly for a reply.
 *
 * HTTPS natively with cert/key_file (reread when *reload is set: SIGHUP), or
 * plain HTTP (a TLS proxy in front must keep the caller's source address).
 *
 * Callers that are not global addresses (loopback, RFC 1918, CGNAT, ULA, link
 * local, ...) are refused (403) unless allow_private. Each probe has one
 * absolute deadline (connect and TLS handshake together). Concurrent requests
 * are capped in all and per IPv4 address / IPv6 /64; a request refused as
 * busy (503) gives its rate token back.
 *
 * Nothing here prints: each request produces one log line through the
 * caller's callback; refusals are summed up (one line per 10 s). Threads: one per connection
 * (detached), shared state under one mutex.
 */
#ifndef HE_REACH_REFLECTOR_SERVER_H
#define HE_REACH_REFLECTOR_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <stddef.h>

#include "core/error.h"

struct he_reflector_opts {
	const char *listen; /* "ADDR:PORT", "[ADDR]:PORT" or ":PORT" (all, dual-stack) */
	const void *key;    /* shared key; NULL: no authentication */
	size_t keylen;
	unsigned rate_per_min;         /* sustained requests per source; 0: 10 */
	unsigned burst;                /* at once; 0: 5 */
	int probe_timeout_ms;          /* one TCP connect / UDP wait; 0: 2000 */
	int io_timeout_ms;             /* reading the request, writing the answer; 0: 5000 */
	unsigned max_clients;          /* concurrent connections; 0: 32 */
	unsigned max_per_source;       /* concurrent from one IPv4 address or IPv6 /64; 0: 4 */
	bool allow_private;            /* probe loopback/private/other non-global callers too */
	const char *cert;              /* PEM certificate (chain) for HTTPS; NULL: plain HTTP */
	const char *key_file;          /* its PEM private key */
	volatile sig_atomic_t *reload; /* set (SIGHUP): reread cert and key; may be NULL */
	void (*log)(void *ctx, const char *line); /* may be NULL */
	void *log_ctx;
};

/* Parse "ADDR:PORT" / "[v6]:PORT" / ":PORT" into a socket address. */
int he_reflector_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *salen,
			      struct he_error *err);

/*
 * Bind, listen and serve until *stop becomes non-zero (checked at least
 * every 250 ms). Returns 0 after a stop, -errno when it cannot listen.
 */
int he_reflector_serve(const struct he_reflector_opts *o, const volatile sig_atomic_t *stop,
		       struct he_error *err);

#endif
