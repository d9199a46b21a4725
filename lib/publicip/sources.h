/* SPDX-License-Identifier: MIT */
/*
 * sources.h - the outside sources of the public address: STUN servers
 * (stun.c) and HTTP check services (http.c), each asked concurrently on one
 * deadline.
 *
 * Owner: lib/publicip (internal to it and its tests). he_pubip_detect()
 * (publicip.c) fills the queries from the config, runs both kinds at once
 * and turns the results into he_pubip_answer entries. Nothing here prints.
 */
#ifndef HE_PUBLICIP_SOURCES_H
#define HE_PUBLICIP_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HE_PUBIP_HOST_MAX 256
#define HE_PUBIP_URL_MAX  512
/* An HTTP check service's body longer than this is not an address. */
#define HE_PUBIP_BODY_MAX 64

/* One STUN server asked over one family. */
struct he_stun_query {
	/* in */
	char server[HE_PUBIP_HOST_MAX]; /* "host", "host:port", "[v6]:port", "v6" */
	int family;                     /* AF_INET or AF_INET6 */
	/* out */
	int rc;        /* 0 when addr is set, else -errno */
	char addr[46]; /* the mapped (public) address */
	uint16_t port; /* the mapped port */
	char peer[64]; /* the server address used, "11.77.0.1:3478" */
	char software[64];
	unsigned ms;
	unsigned sent; /* requests sent (retransmissions included) */
	char error[HE_ERR_MSG_MAX / 2];
};

/*
 * Split "host", "host:port", "[v6addr]:port", "[v6addr]" or a bare IPv6
 * literal into host and port (3478 when none). -EINVAL with a message on
 * junk (empty host, bad port, unbalanced brackets).
 */
int he_stun_parse_server(const char *s, char *host, size_t hlen, uint16_t *port,
			 struct he_error *err);

/*
 * Ask every query's server at once, one UDP socket each, retransmitting per
 * RFC 8489 (RTO 500 ms, doubling, at most 7 requests) but never past
 * timeout_ms from the start. Host names are resolved with the system
 * resolver on a detached thread inside that deadline: a resolver that hangs
 * costs at most timeout_ms, and the query fails with "name resolution timed
 * out" (-ETIMEDOUT). Each query gets its own rc/addr/error; returns the
 * number that succeeded.
 */
size_t he_stun_query_all(struct he_stun_query *q, size_t n, int timeout_ms);

/* One HTTP check service asked over one family. */
struct he_http_query {
	/* in */
	char url[HE_PUBIP_URL_MAX];
	int family;          /* AF_INET or AF_INET6 (CURL_IPRESOLVE_V4/V6) */
	const char *ca_file; /* extra CA bundle ("" / NULL: the system's) */
	/* out */
	int rc;
	char addr[46];
	long status; /* HTTP status (0 if none) */
	unsigned ms;
	char error[HE_ERR_MSG_MAX / 2];
};

/*
 * A check service's body: one address of family, whitespace around it
 * trimmed, at most HE_PUBIP_BODY_MAX bytes. Writes the canonical text form
 * into out. -EBADMSG with a message otherwise (HTML, two addresses, the other
 * family).
 */
int he_pubip_parse_body(const char *body, size_t len, int family, char *out, size_t outlen,
			struct he_error *err);

/*
 * Ask every URL at once (libcurl multi), TLS verification always on, a
 * truthful User-Agent (homeexpose/VERSION), no redirects, http and https
 * only, everything within timeout_ms, name resolution included (libcurl's
 * threaded resolver; a resolver thread still running at the deadline is
 * left behind, CURLOPT_QUICK_EXIT, not waited for). Returns the number that succeeded;
 * a setup failure of libcurl itself fails every query.
 */
size_t he_http_query_all(struct he_http_query *q, size_t n, int timeout_ms);

#endif
