/* SPDX-License-Identifier: MIT */
/* reflector_client.c - the reflector's client side (libcurl) and UDP arrival. */
#include "core/lazy.h"
#include "core/clock.h"
#include "reach/reflector_client.h"
#include "core/portspec.h"
#include "core/wait.h"

#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RESP_MAX (64 * 1024)

struct buf {
	char *p;
	size_t n;
};

/* The value of the answer's HE_RP_AUTH_HDR header, if any. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	static const char name[] = HE_RP_AUTH_HDR ":";
	char *auth = ud;
	size_t len = size * nmemb, nl = sizeof(name) - 1, v;

	if (len > nl && !strncasecmp(ptr, name, nl)) {
		ptr += nl;
		len -= nl;
		while (len && (*ptr == ' ' || *ptr == '\t')) {
			ptr++;
			len--;
		}
		for (v = len; v && (ptr[v - 1] == '\r' || ptr[v - 1] == '\n' || ptr[v - 1] == ' ');)
			v--;
		if (v < HE_RP_SIG_HEX + 32) {
			memcpy(auth, ptr, v);
			auth[v] = '\0';
		}
	}
	return size * nmemb;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t len = size * nmemb;
	char *np;

	if (b->n + len > RESP_MAX)
		return 0; /* aborts the transfer */
	np = realloc(b->p, b->n + len + 1);
	if (!np)
		return 0;
	memcpy(np + b->n, ptr, len);
	b->n += len;
	np[b->n] = '\0';
	b->p = np;
	return len;
}

int he_rp_request_init(struct he_rp_request *r, struct he_error *err)
{
	memset(r, 0, sizeof(*r));
	r->ts = (int64_t)time(NULL);
	return he_rp_random_hex(r->nonce, 32, err);
}

static int http_error(long status, const char *url, const struct he_rp_response *r,
		      struct he_error *err)
{
	const char *why = *r->error ? r->error : "no reason given";

	switch (status) {
	case 401:
		return he_error_set(err, -EACCES,
				    "reflector %s refused the request (HTTP 401): %s; check that "
				    "[reflector] key-file holds the reflector's key",
				    url, why);
	case 403:
		return he_error_set(err, -EPERM, "reflector %s refused the request (HTTP 403): %s",
				    url, why);
	case 429:
		return he_error_set(err, -EBUSY, "reflector %s: rate limit reached (HTTP 429): %s",
				    url, why);
	default:
		return he_error_set(err, -EPROTO, "reflector %s answered HTTP %ld: %s", url, status,
				    why);
	}
}

int he_reflector_query(const struct he_reflector_client *c, const struct he_rp_request *req,
		       struct he_rp_response *out, struct he_error *err)
{
	char url[1024], auth[HE_RP_SIG_HEX + 64], sig[HE_RP_SIG_HEX + 1];
	char rauth[HE_RP_SIG_HEX + 32] = "";
	const char *fam = he_family_label(c->family);
	struct curl_slist *hdrs = NULL;
	struct buf b = {0};
	struct he_rp_response r;
	char *body = NULL;
	CURLcode cc;
	long status = 0;
	CURL *h = NULL;
	size_t ulen = strlen(c->url);
	int ret;

	if (strncmp(c->url, "http://", 7) && strncmp(c->url, "https://", 8))
		return he_error_set(err, -EINVAL, "[reflector] url '%s': http:// or https://",
				    c->url);
	if (ulen >= sizeof(url) - sizeof(HE_RP_PATH))
		return he_error_set(err, -EINVAL, "[reflector] url too long");
	if (ulen >= strlen(HE_RP_PATH) && !strcmp(c->url + ulen - strlen(HE_RP_PATH), HE_RP_PATH))
		snprintf(url, sizeof(url), "%s", c->url);
	else
		snprintf(url, sizeof(url), "%.*s%s",
			 (int)(ulen && c->url[ulen - 1] == '/' ? ulen - 1 : ulen), c->url,
			 HE_RP_PATH);
	ret = he_rp_request_encode(req, &body, err);
	if (ret < 0)
		return ret;
	ret = he_lazy_need(HE_LAZY_CURL, err);
	if (ret < 0)
		goto out;
	h = curl_easy_init();
	if (!h) {
		ret = he_error_set(err, -ENOMEM, "curl_easy_init failed");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (c->key) {
		if (he_rp_sign(c->key, c->keylen, body, strlen(body), sig) < 0) {
			ret = he_error_set(err, -EIO, "HMAC computation failed");
			goto out;
		}
		snprintf(auth, sizeof(auth), "%s: hmac-sha256=%s", HE_RP_AUTH_HDR, sig);
		hdrs = curl_slist_append(hdrs, auth);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_IPRESOLVE,
			 c->family == AF_INET6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout_ms > 0 ? c->timeout_ms : 20000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file && *c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rauth);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "homeexpose/" HE_VERSION);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		int code = cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ENETUNREACH;

		ret = he_error_set(err, code, "cannot reach reflector %s over %s: %s", url, fam,
				   curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	memset(&r, 0, sizeof(r));
	ret = he_rp_response_parse(b.p ? b.p : "", b.n, &r, err);
	if (status != 200) {
		ret = http_error(status, url, &r, err);
		goto out;
	}
	if (ret < 0) {
		ret = he_error_prefix(err, -EPROTO, "reflector %s", url);
		goto out;
	}
	/* with a shared key the answer must be signed: "reachable" cannot be forged */
	if (c->key && he_rp_verify_response(c->key, c->keylen, req->nonce, b.p ? b.p : "", b.n,
					    rauth, err) < 0) {
		ret = he_error_prefix(err, -EACCES, "reflector %s", url);
		goto out;
	}
	if (*r.error) {
		ret = he_error_set(err, -EPROTO, "reflector %s: %s", url, r.error);
		goto out;
	}
	*out = r;
	ret = 0;
out:
	curl_slist_free_all(hdrs);
	if (h)
		curl_easy_cleanup(h);
	free(b.p);
	free(body);
	return ret;
}

int he_udp_catch_open(int family, uint16_t port, struct he_error *err)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int one = 1;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return he_error_set(err, -errno, "socket: %s", strerror(errno));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		close(fd);
		return he_error_set(err, -e, "cannot bind UDP port %u: %s", port, strerror(e));
	}
	return fd;
}

int he_udp_catch_wait(int fd, const char *token, int timeout_ms)
{
	int64_t deadline = he_now_ms() + timeout_ms;
	char buf[512];

	for (;;) {
		ssize_t n;

		if (he_wait_fd(fd, POLLIN, deadline) <= 0)
			return 0;
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, token))
			return 1;
	}
}
