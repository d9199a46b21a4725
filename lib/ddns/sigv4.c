/* SPDX-License-Identifier: MIT */
/*
 * sigv4.c - AWS Signature Version 4:
 *
 *   canonical = METHOD \n PATH \n SORTED-QUERY \n host:H \n x-amz-date:D \n \n
 *               host;x-amz-date \n hex(sha256(payload))
 *   to_sign   = "AWS4-HMAC-SHA256" \n D \n DATE/REGION/SERVICE/aws4_request \n
 *               hex(sha256(canonical))
 *   key       = HMAC(HMAC(HMAC(HMAC("AWS4" secret, DATE), REGION), SERVICE),
 *               "aws4_request")
 *   signature = hex(HMAC(key, to_sign))
 */
#include "ddns/sigv4.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGV4_MAX_PAIRS 16

void he_sigv4_date(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, outsz, "%Y%m%dT%H%M%SZ", &tm))
		snprintf(out, outsz, "19700101T000000Z");
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hmac(const unsigned char *key, size_t keylen, const char *data, size_t len,
		unsigned char out[32])
{
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, len, out, &n) ||
	    n != 32)
		return -EIO;
	return 0;
}

/* By name, then by value. */
static int cmp_pair(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t xn = strcspn(x, "="), yn = strcspn(y, "=");
	int c = strncmp(x, y, xn < yn ? xn : yn);

	if (c)
		return c;
	if (xn != yn)
		return xn < yn ? -1 : 1;
	return strcmp(x + xn, y + yn);
}

/* The query's pairs sorted by name, then value; a bare name gets "=". */
static int sorted_query(const char *query, char *out, size_t outsz)
{
	char buf[1024], *pairs[SIGV4_MAX_PAIRS], *save = NULL;
	size_t n = 0;
	int len = 0;

	out[0] = '\0';
	if (snprintf(buf, sizeof(buf), "%s", query ? query : "") >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = strtok_r(buf, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
		if (n == SIGV4_MAX_PAIRS)
			return -E2BIG;
		pairs[n++] = p;
	}
	qsort(pairs, n, sizeof(pairs[0]), cmp_pair);
	for (size_t i = 0; i < n; i++) {
		len += snprintf(out + len, outsz - (size_t)len, "%s%s%s", i ? "&" : "", pairs[i],
				strchr(pairs[i], '=') ? "" : "=");
		if ((size_t)len >= outsz)
			return -ENAMETOOLONG;
	}
	return 0;
}

int he_sigv4_authorization(const struct he_sigv4_req *r, char *out, size_t outsz)
{
	char query[1024], canon[4096], to_sign[512], phash[65], chash[65], sig[65], date[9];
	char ksecret[256];
	unsigned char d[32], k[32];
	int n, rc;

	rc = sorted_query(r->query, query, sizeof(query));
	if (rc)
		return rc;
	SHA256((const unsigned char *)(r->payload ? r->payload : ""),
	       r->payload ? r->payload_len : 0, d);
	hex(d, 32, phash);
	n = snprintf(canon, sizeof(canon),
		     "%s\n%s\n%s\nhost:%s\nx-amz-date:%s\n\nhost;x-amz-date\n%s", r->method,
		     r->path, query, r->host, r->amz_date, phash);
	if (n < 0 || (size_t)n >= sizeof(canon))
		return -ENAMETOOLONG;
	SHA256((const unsigned char *)canon, (size_t)n, d);
	hex(d, 32, chash);
	snprintf(date, sizeof(date), "%.8s", r->amz_date);
	n = snprintf(to_sign, sizeof(to_sign), "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
		     r->amz_date, date, r->region, r->service, chash);
	if (n < 0 || (size_t)n >= sizeof(to_sign))
		return -ENAMETOOLONG;
	if (snprintf(ksecret, sizeof(ksecret), "AWS4%s", r->secret_key) >= (int)sizeof(ksecret))
		return -ENAMETOOLONG;
	rc = hmac((const unsigned char *)ksecret, strlen(ksecret), date, strlen(date), k);
	rc = rc ? rc : hmac(k, 32, r->region, strlen(r->region), k);
	rc = rc ? rc : hmac(k, 32, r->service, strlen(r->service), k);
	rc = rc ? rc : hmac(k, 32, "aws4_request", 12, k);
	rc = rc ? rc : hmac(k, 32, to_sign, (size_t)n, d);
	explicit_bzero(ksecret, sizeof(ksecret));
	explicit_bzero(k, sizeof(k));
	if (rc)
		return rc;
	hex(d, 32, sig);
	n = snprintf(out, outsz,
		     "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
		     "SignedHeaders=host;x-amz-date, Signature=%s",
		     r->access_key_id, date, r->region, r->service, sig);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}
