/* SPDX-License-Identifier: MIT */
/*
 * sigv4.h - AWS Signature Version 4 (HMAC-SHA256 through OpenSSL), for the
 * Route 53 provider. Signs host and x-amz-date only, which is what Route 53
 * needs and what AWS's published test suite (get-vanilla, post-vanilla,
 * get-vanilla-query-order-key-case) uses.
 *
 * Owner: lib/ddns (sigv4.c). Pure: the clock is the caller's amz_date.
 */
#ifndef HE_DDNS_SIGV4_H
#define HE_DDNS_SIGV4_H

#include <stddef.h>
#include <time.h>

struct he_sigv4_req {
	const char *method;  /* "GET", "POST" */
	const char *host;    /* the Host header as sent: "route53.amazonaws.com", "h:8443" */
	const char *path;    /* absolute, already URI-encoded: "/2013-04-01/hostedzone/Z1/rrset/" */
	const char *query;   /* already URI-encoded name=value pairs joined by '&', any order; "" */
	const char *payload; /* the body, NULL for none */
	size_t payload_len;
	const char *amz_date; /* "20150830T123600Z" */
	const char *region;   /* "us-east-1" */
	const char *service;  /* "route53" */
	const char *access_key_id;
	const char *secret_key;
};

/* "YYYYMMDDTHHMMSSZ" of t (UTC) into out (at least 17 bytes). */
void he_sigv4_date(time_t t, char *out, size_t outsz);

/*
 * The Authorization header's value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=host;x-amz-date, Signature=...") into out. Returns 0,
 * -ENAMETOOLONG, -E2BIG (more than 16 query pairs) or -EIO (OpenSSL).
 */
int he_sigv4_authorization(const struct he_sigv4_req *r, char *out, size_t outsz);

#endif
