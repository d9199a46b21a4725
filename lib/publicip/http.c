/* SPDX-License-Identifier: MIT */
/*
 * http.c - HTTP(S) check services ("what is my IP"): every URL asked at once
 * through one libcurl multi handle on one deadline; the body must be one
 * address.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "publicip/sources.h"

#ifndef HE_VERSION
#define HE_VERSION "0"
#endif

#define MAX_QUERIES 32

struct body {
	char buf[HE_PUBIP_BODY_MAX + 1];
	size_t len;
	bool too_long;
};

int he_pubip_parse_body(const char *body, size_t len, int family, char *out, size_t outlen,
			struct he_error *err)
{
	char text[HE_PUBIP_BODY_MAX + 1];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t a = 0, b = len;

	if (len > HE_PUBIP_BODY_MAX)
		return he_error_set(err, -EBADMSG,
				    "the answer is longer than %d bytes: not a bare address "
				    "(is the URL a web page instead of a plain-text service?)",
				    HE_PUBIP_BODY_MAX);
	while (a < b && isspace((unsigned char)body[a]))
		a++;
	while (b > a && isspace((unsigned char)body[b - 1]))
		b--;
	if (a == b)
		return he_error_set(err, -EBADMSG, "the answer is empty");
	memcpy(text, body + a, b - a);
	text[b - a] = '\0';
	if (memchr(text, '\0', b - a) || inet_pton(family, text, bin) != 1) {
		int other = family == AF_INET ? AF_INET6 : AF_INET;

		if (!memchr(text, '\0', b - a) && inet_pton(other, text, bin) == 1)
			return he_error_set(err, -EBADMSG,
					    "the answer is an %s address, asked over %s",
					    other == AF_INET ? "IPv4" : "IPv6",
					    family == AF_INET ? "IPv4" : "IPv6");
		for (char *p = text; *p; p++)
			if (!isprint((unsigned char)*p))
				*p = '?';
		return he_error_set(err, -EBADMSG, "the answer '%.40s' is not an %s address", text,
				    family == AF_INET ? "IPv4" : "IPv6");
	}
	if (!inet_ntop(family, bin, out, (socklen_t)outlen))
		return he_error_set(err, -ENOSPC, "no room for the address");
	return 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb;

	if (n > HE_PUBIP_BODY_MAX - b->len) {
		b->too_long = true;
		return 0; /* abort the transfer: CURLE_WRITE_ERROR */
	}
	memcpy(b->buf + b->len, ptr, n);
	b->len += n;
	return n;
}

static unsigned ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static CURL *make_easy(struct he_http_query *q, struct body *b, long timeout_ms, char *errbuf)
{
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, q->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* at the deadline, do not wait for a hanging resolver thread to end */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	curl_easy_setopt(e, CURLOPT_IPRESOLVE,
			 q->family == AF_INET6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "homeexpose/" HE_VERSION);
	/* TLS verification is always on; ca-file only adds a private CA */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (q->ca_file && q->ca_file[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, q->ca_file);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	errbuf[0] = '\0';
	return e;
}

static void finish(struct he_http_query *q, CURL *e, CURLcode code, const struct body *b,
		   const char *errbuf)
{
	struct he_error err;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &q->status);
	if (code == CURLE_WRITE_ERROR && b->too_long) {
		q->rc = -EBADMSG;
		snprintf(q->error, sizeof(q->error),
			 "the answer is longer than %d bytes: not a bare address",
			 HE_PUBIP_BODY_MAX);
	} else if (code != CURLE_OK) {
		q->rc = code == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EHOSTUNREACH;
		if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE)
			q->rc = -EPERM;
		snprintf(q->error, sizeof(q->error), "%.100s%s%.270s", curl_easy_strerror(code),
			 errbuf[0] ? ": " : "", errbuf);
		if (q->rc == -EPERM)
			snprintf(q->error + strlen(q->error), sizeof(q->error) - strlen(q->error),
				 " (a private CA goes in [publicip] ca-file)");
	} else if (q->status != 200) {
		q->rc = -EPROTO;
		snprintf(q->error, sizeof(q->error), "HTTP status %ld (200 expected)", q->status);
	} else if (he_pubip_parse_body(b->buf, b->len, q->family, q->addr, sizeof(q->addr), &err) <
		   0) {
		q->rc = -EBADMSG;
		snprintf(q->error, sizeof(q->error), "%.380s", err.msg);
	} else {
		q->rc = 0;
	}
}

size_t he_http_query_all(struct he_http_query *q, size_t n, int timeout_ms)
{
	static const struct body bodies_init;
	struct body bodies[MAX_QUERIES];
	char errbufs[MAX_QUERIES][CURL_ERROR_SIZE];
	CURL *easy[MAX_QUERIES] = {0};
	struct timespec t0;
	CURLM *m;
	CURLMsg *msg;
	size_t i, ok = 0;
	int running = 0, left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (timeout_ms <= 0)
		timeout_ms = 1000;
	if (n > MAX_QUERIES)
		n = MAX_QUERIES;
	for (i = 0; i < n; i++) {
		q[i].rc = -ETIMEDOUT;
		q[i].addr[0] = q[i].error[0] = '\0';
		q[i].status = 0;
		q[i].ms = 0;
	}
	m = curl_multi_init();
	for (i = 0; m && i < n; i++) {
		bodies[i] = bodies_init;
		easy[i] = make_easy(&q[i], &bodies[i], timeout_ms, errbufs[i]);
		if (!easy[i] || curl_multi_add_handle(m, easy[i]) != CURLM_OK) {
			q[i].rc = -ENOMEM;
			snprintf(q[i].error, sizeof(q[i].error),
				 "libcurl could not start a request");
			curl_easy_cleanup(easy[i]);
			easy[i] = NULL;
		}
	}
	if (!m) {
		for (i = 0; i < n; i++) {
			q[i].rc = -ENOMEM;
			snprintf(q[i].error, sizeof(q[i].error), "libcurl could not start");
		}
		return 0;
	}
	do {
		unsigned el = ms_since(&t0);

		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < n; i++)
				if (easy[i] == msg->easy_handle) {
					finish(&q[i], easy[i], msg->data.result, &bodies[i],
					       errbufs[i]);
					q[i].ms = ms_since(&t0);
				}
		}
		if (!running || el >= (unsigned)timeout_ms + 50)
			break;
		curl_multi_poll(m, NULL, 0, 50, NULL);
	} while (1);
	for (i = 0; i < n; i++) {
		if (easy[i]) {
			if (q[i].rc == -ETIMEDOUT && !q[i].error[0]) {
				q[i].ms = ms_since(&t0);
				snprintf(q[i].error, sizeof(q[i].error), "no answer within %d ms",
					 timeout_ms);
			}
			curl_multi_remove_handle(m, easy[i]);
			curl_easy_cleanup(easy[i]);
		}
		if (q[i].rc == 0)
			ok++;
	}
	curl_multi_cleanup(m);
	return ok;
}
