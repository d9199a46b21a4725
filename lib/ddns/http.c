/* SPDX-License-Identifier: MIT */
/*
 * http.c - the libcurl transport behind struct he_ddns_transport.
 *
 * HTTPS only, peer and host verification always on ('ca-file' replaces the
 * system's CAs for a private CA), no redirects, a connect and a total
 * timeout, a truthful User-Agent (homeexpose/VERSION) and a cap on the reply
 * size. Credentials go in curl options, never in messages; a URL shown in a
 * message is redacted first (DuckDNS carries its token in the URL).
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lazy.h"
#include "ddns/ddns.h"

#ifndef HE_VERSION
#define HE_VERSION "0"
#endif

struct sink {
	char *buf;
	size_t len;
	bool too_big;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;
	char *nb;

	if (s->len + n > HE_DDNS_REPLY_MAX) {
		s->too_big = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	nb = realloc(s->buf, s->len + n + 1);
	if (!nb)
		return 0;
	s->buf = nb;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static void wipe(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
}

static int curl_send(void *ctx, const struct he_http_req *req, struct he_http_resp *resp,
		     struct he_error *err)
{
	char shown[HE_DDNS_URL_MAX], ebuf[CURL_ERROR_SIZE] = "", emsg[CURL_ERROR_SIZE + 64];
	char auth[1024] = "";
	struct curl_slist *hdrs = NULL, *tmp;
	struct sink sink = {0};
	CURL *c;
	CURLcode cc;
	long status = 0;
	int rc = 0, tmo = req->timeout_ms > 0 ? req->timeout_ms : HE_DDNS_TIMEOUT_MS;

	(void)ctx;
	he_ddns_redact(req->url, req->redact, shown, sizeof(shown));
	if (strncmp(req->url, "https://", 8) != 0)
		return he_error_set(err, -EINVAL,
				    "%s: only https:// is allowed (TLS verification is always on)",
				    shown);
	rc = he_lazy_need(HE_LAZY_CURL, err);
	if (rc < 0)
		return rc;
	c = curl_easy_init();
	if (!c)
		return he_error_set(err, -ENOMEM, "cannot start libcurl");
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_file && *req->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)tmo);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(tmo < 5000 ? tmo : 5000));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "homeexpose/" HE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	if (req->user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	if (req->bearer) {
		if (snprintf(auth, sizeof(auth), "Authorization: Bearer %s", req->bearer) >=
		    (int)sizeof(auth)) {
			rc = he_error_set(err, -E2BIG, "the API token is too long");
			goto out;
		}
		hdrs = curl_slist_append(hdrs, auth);
	}
	for (int i = 0; i < HE_DDNS_HDRS; i++) {
		if (!req->header[i][0])
			continue;
		tmp = curl_slist_append(hdrs, req->header[i]);
		if (!tmp) {
			rc = he_error_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		hdrs = tmp;
	}
	if (req->content_type) {
		char ct[128];

		snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type);
		tmp = curl_slist_append(hdrs, ct);
		if (tmp)
			hdrs = tmp;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	}
	if (hdrs)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(req->method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);

	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		if (sink.too_big) {
			rc = he_error_set(err, -EMSGSIZE, "%s: the reply is larger than %d bytes",
					  shown, HE_DDNS_REPLY_MAX);
			goto out;
		}
		he_ddns_redact(*ebuf ? ebuf : curl_easy_strerror(cc), req->redact, emsg,
			       sizeof(emsg));
		rc = he_error_set(err, curl_errno(cc), "%s %s: %s", req->method, shown, emsg);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	resp->body = sink.buf;
	resp->len = sink.len;
	sink.buf = NULL;
out:
	free(sink.buf);
	curl_slist_free_all(hdrs);
	wipe(auth);
	curl_easy_cleanup(c);
	return rc;
}

const struct he_ddns_transport he_ddns_curl_transport = {
    .send = curl_send,
    .ctx = NULL,
};
