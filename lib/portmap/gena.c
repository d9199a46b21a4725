/* SPDX-License-Identifier: MIT */
/* gena.c - UPnP eventing: SUBSCRIBE / renew / UNSUBSCRIBE and the NOTIFY parser (gena.h). */
#include "core/lazy.h"
#include "portmap/gena.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- the requests (libcurl with a custom method) --- */

struct sub_ctx {
	struct he_gena_sub *out;
};

static size_t on_header(char *buf, size_t size, size_t n, void *ctx)
{
	struct sub_ctx *c = ctx;

	he_gena_sub_header(buf, size * n, c->out);
	return size * n;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx)
{
	(void)buf;
	(void)ctx;
	return size * n; /* a GENA reply has no body worth reading */
}

static int request(const char *method, const char *url, const char *const hdr[], size_t nhdr,
		   int op_timeout_ms, struct he_gena_sub *out, struct he_error *err)
{
	struct he_gena_sub tmp = {0};
	struct sub_ctx c = {.out = out ? out : &tmp};
	struct curl_slist *h = NULL;
	long status = 0;
	CURLcode cc;
	CURL *cu;
	int r = 0;

	if (strncmp(url, "http://", 7) != 0)
		return he_error_set(err, -EINVAL, "UPnP events: event URL %.200s is not http://",
				    url);
	r = he_lazy_need(HE_LAZY_CURL, err);
	if (r < 0)
		return r;
	cu = curl_easy_init();
	if (!cu)
		return he_error_set(err, -ENOMEM, "UPnP events: out of memory");
	for (size_t i = 0; i < nhdr; i++) {
		struct curl_slist *n = curl_slist_append(h, hdr[i]);

		if (!n) {
			r = he_error_set(err, -ENOMEM, "UPnP events: out of memory");
			goto out;
		}
		h = n;
	}
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(cu, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (long)(op_timeout_ms > 0 ? op_timeout_ms : 1000));
	curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(cu, CURLOPT_HEADERDATA, &c);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu, CURLOPT_MAXFILESIZE, 65536L);
	cc = curl_easy_perform(cu);
	if (cc != CURLE_OK) {
		r = he_error_set(err, cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED,
				 "UPnP events: %s %.200s: %s", method, url, curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		r = he_error_set(err, -EPROTO, "UPnP events: %s %.200s: the router answered %ld%s",
				 method, url, status,
				 status == 412 ? " (it does not know the subscription)" : "");
	else if (out && !out->sid[0])
		r = he_error_set(err, -EPROTO,
				 "UPnP events: %s %.200s: the router's answer has no SID", method,
				 url);
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(cu);
	return r;
}

int he_gena_subscribe(const char *event_url, const char *callback, unsigned timeout_s,
		      int op_timeout_ms, struct he_gena_sub *out, struct he_error *err)
{
	char cb[300], to[48];
	const char *hdr[] = {cb, "NT: upnp:event", to};

	if (snprintf(cb, sizeof(cb), "CALLBACK: <%s>", callback) >= (int)sizeof(cb))
		return he_error_set(err, -EINVAL, "UPnP events: callback URL too long");
	snprintf(to, sizeof(to), "TIMEOUT: Second-%u", timeout_s);
	memset(out, 0, sizeof(*out));
	return request("SUBSCRIBE", event_url, hdr, 3, op_timeout_ms, out, err);
}

int he_gena_renew(const char *event_url, const char *sid, unsigned timeout_s, int op_timeout_ms,
		  struct he_gena_sub *out, struct he_error *err)
{
	char s[HE_GENA_SID_MAX + 8], to[48];
	const char *hdr[] = {s, to};

	snprintf(s, sizeof(s), "SID: %s", sid);
	snprintf(to, sizeof(to), "TIMEOUT: Second-%u", timeout_s);
	memset(out, 0, sizeof(*out));
	return request("SUBSCRIBE", event_url, hdr, 2, op_timeout_ms, out, err);
}

int he_gena_unsubscribe(const char *event_url, const char *sid, int op_timeout_ms,
			struct he_error *err)
{
	char s[HE_GENA_SID_MAX + 8];
	const char *hdr[] = {s};

	snprintf(s, sizeof(s), "SID: %s", sid);
	return request("UNSUBSCRIBE", event_url, hdr, 1, op_timeout_ms, NULL, err);
}

/* --- header lines --- */

/* "NAME: value" with NAME matched case-insensitively; value trimmed, else NULL. */
static const char *header_value(const char *line, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	len -= n + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
		len--;
	*vlen = len;
	return line;
}

static bool token_ok(const char *v, size_t n, size_t max)
{
	if (!n || n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)v[i]))
			return false;
	return true;
}

void he_gena_sub_header(const char *line, size_t len, struct he_gena_sub *out)
{
	const char *v;
	size_t n;

	if ((v = header_value(line, len, "SID", &n)) && token_ok(v, n, sizeof(out->sid))) {
		memcpy(out->sid, v, n);
		out->sid[n] = '\0';
	} else if ((v = header_value(line, len, "TIMEOUT", &n))) {
		if (n > 7 && strncasecmp(v, "Second-", 7) == 0 && isdigit((unsigned char)v[7])) {
			unsigned long t = 0;

			for (size_t i = 7; i < n && isdigit((unsigned char)v[i]); i++)
				t = t > 1000000 ? t : t * 10 + (unsigned long)(v[i] - '0');
			out->timeout = t > 604800 ? 604800 : (unsigned)t;
		} else if (n == 8 && strncasecmp(v, "infinite", 8) == 0) {
			out->timeout = 0;
		}
	}
}

/* --- NOTIFY --- */

static bool value_is(const char *v, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(v, want, n) == 0;
}

/* The request's start line and headers up to the blank line; 0, -EAGAIN or -EBADMSG. */
static int parse_head(const char *buf, size_t hlen, struct he_gena_notify *out, size_t *clen)
{
	const char *p = buf, *end = buf + hlen, *eol;
	bool nt = false, nts = false, have_len = false;
	const char *sp;
	size_t n;

	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol || eol == p || eol[-1] != '\r' || strncmp(p, "NOTIFY /", 8) != 0)
		return -EBADMSG;
	sp = memchr(p + 7, ' ', (size_t)(eol - p - 7));
	if (!sp || (size_t)(sp - p - 7) >= sizeof(out->path) ||
	    (strncmp(sp, " HTTP/1.1\r", 10) != 0 && strncmp(sp, " HTTP/1.0\r", 10) != 0) ||
	    sp + 10 != eol)
		return -EBADMSG;
	memcpy(out->path, p + 7, (size_t)(sp - p - 7));
	out->path[sp - p - 7] = '\0';
	if (!token_ok(out->path, strlen(out->path), sizeof(out->path)))
		return -EBADMSG;
	for (p = eol + 1; p < end; p = eol + 1) {
		const char *v;
		size_t len;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol || eol == p || eol[-1] != '\r')
			return -EBADMSG;
		len = (size_t)(eol - p - 1);
		if (len == 0)
			break;
		if (!memchr(p, ':', len) || *p == ' ' || *p == '\t')
			return -EBADMSG; /* no header folding, no garbage */
		if ((v = header_value(p, len, "NT", &n))) {
			if (nt || !value_is(v, n, "upnp:event"))
				return -EBADMSG;
			nt = true;
		} else if ((v = header_value(p, len, "NTS", &n))) {
			if (nts || !value_is(v, n, "upnp:propchange"))
				return -EBADMSG;
			nts = true;
		} else if ((v = header_value(p, len, "SID", &n))) {
			if (out->sid[0] || !token_ok(v, n, sizeof(out->sid)))
				return -EBADMSG;
			memcpy(out->sid, v, n);
			out->sid[n] = '\0';
		} else if ((v = header_value(p, len, "SEQ", &n))) {
			unsigned long s = 0;

			if (!n || n > 10)
				return -EBADMSG;
			for (size_t i = 0; i < n; i++) {
				if (!isdigit((unsigned char)v[i]))
					return -EBADMSG;
				s = s * 10 + (unsigned long)(v[i] - '0');
			}
			if (s > UINT32_MAX)
				return -EBADMSG;
			out->seq = (uint32_t)s;
		} else if ((v = header_value(p, len, "CONTENT-LENGTH", &n))) {
			size_t l = 0;

			if (have_len || !n || n > 5)
				return -EBADMSG;
			for (size_t i = 0; i < n; i++) {
				if (!isdigit((unsigned char)v[i]))
					return -EBADMSG;
				l = l * 10 + (size_t)(v[i] - '0');
			}
			have_len = true;
			*clen = l;
		} else if (header_value(p, len, "TRANSFER-ENCODING", &n)) {
			return -EBADMSG; /* chunked bodies are not GENA's */
		}
	}
	if (!nt || !nts || !out->sid[0] || !have_len)
		return -EBADMSG;
	return 0;
}

/* --- the propertyset body: a tiny strict XML walk --- */

struct xcur {
	const char *p, *end;
};

static void skip_ws(struct xcur *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n'))
		x->p++;
}

static bool lit(struct xcur *x, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(x->end - x->p) < n || memcmp(x->p, s, n) != 0)
		return false;
	x->p += n;
	return true;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':';
}

/* An element name at x->p into name (with its prefix); false if none or too long. */
static bool xname(struct xcur *x, char *name, size_t max)
{
	size_t n = 0;

	while (x->p < x->end && name_char(*x->p)) {
		if (n + 1 >= max)
			return false;
		name[n++] = *x->p++;
	}
	name[n] = '\0';
	return n > 0;
}

/* Skip attributes up to '>' (no '<' inside); *empty for "/>". */
static bool tag_rest(struct xcur *x, bool *empty)
{
	*empty = false;
	while (x->p < x->end && *x->p != '>') {
		if (*x->p == '<')
			return false;
		x->p++;
	}
	if (x->p >= x->end)
		return false;
	*empty = x->p[-1] == '/';
	x->p++;
	return true;
}

static bool close_tag(struct xcur *x, const char *name)
{
	if (!lit(x, "</") || !lit(x, name))
		return false;
	skip_ws(x);
	return lit(x, ">");
}

/* One <e:property><Name>value</Name></e:property>; the address when Name is ExternalIPAddress. */
static int property(struct xcur *x, const char *prop, struct he_gena_notify *out)
{
	char name[64];
	const char *v, *vend;
	bool empty;

	skip_ws(x);
	if (!lit(x, "<") || !xname(x, name, sizeof(name)) || !tag_rest(x, &empty))
		return -EBADMSG;
	v = vend = x->p;
	if (!empty) {
		while (x->p < x->end && *x->p != '<')
			x->p++;
		vend = x->p;
		if (!close_tag(x, name))
			return -EBADMSG;
	}
	if (strcmp(name, "ExternalIPAddress") == 0) {
		size_t n = (size_t)(vend - v);
		struct in_addr a;

		while (n && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
			v++, n--;
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
			     v[n - 1] == '\n'))
			n--;
		if (out->has_ext_addr || n >= sizeof(out->ext_addr))
			return -EBADMSG;
		memcpy(out->ext_addr, v, n);
		out->ext_addr[n] = '\0';
		if (n && inet_pton(AF_INET, out->ext_addr, &a) != 1)
			return -EBADMSG;
		out->has_ext_addr = true;
	}
	skip_ws(x);
	return close_tag(x, prop) ? 0 : -EBADMSG;
}

static int parse_body(const char *body, size_t len, struct he_gena_notify *out)
{
	struct xcur x = {body, body + len};
	char root[64], prefix[32], want[64];
	const char *colon;
	bool empty;

	skip_ws(&x);
	if (lit(&x, "<?xml")) {
		while (x.p + 1 < x.end && !(x.p[0] == '?' && x.p[1] == '>'))
			x.p++;
		if (!lit(&x, "?>"))
			return -EBADMSG;
		skip_ws(&x);
	}
	if (!lit(&x, "<") || !xname(&x, root, sizeof(root)) || !tag_rest(&x, &empty) || empty)
		return -EBADMSG;
	colon = strchr(root, ':');
	if (strcmp(colon ? colon + 1 : root, "propertyset") != 0)
		return -EBADMSG;
	snprintf(prefix, sizeof(prefix), "%.*s", colon ? (int)(colon - root + 1) : 0, root);
	snprintf(want, sizeof(want), "<%sproperty", prefix);
	for (;;) {
		char prop[64];
		int r;

		skip_ws(&x);
		if (x.end - x.p >= 2 && x.p[0] == '<' && x.p[1] == '/')
			break;
		if (!lit(&x, want) || !tag_rest(&x, &empty) || empty)
			return -EBADMSG;
		snprintf(prop, sizeof(prop), "%sproperty", prefix);
		r = property(&x, prop, out);
		if (r < 0)
			return r;
	}
	if (!close_tag(&x, root))
		return -EBADMSG;
	skip_ws(&x);
	return x.p == x.end ? 0 : -EBADMSG;
}

int he_gena_parse_notify(const char *buf, size_t len, struct he_gena_notify *out)
{
	const char *hend = NULL;
	size_t clen = 0, hlen;
	int r;

	memset(out, 0, sizeof(*out));
	for (size_t i = 3; i < len && !hend; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' &&
		    buf[i - 3] == '\r')
			hend = buf + i + 1;
	if (!hend)
		return len >= HE_GENA_NOTIFY_MAX ? -EMSGSIZE : -EAGAIN;
	hlen = (size_t)(hend - buf);
	r = parse_head(buf, hlen, out, &clen);
	if (r < 0)
		return r;
	if (hlen + clen > HE_GENA_NOTIFY_MAX)
		return -EMSGSIZE;
	if (len < hlen + clen)
		return -EAGAIN;
	if (len > hlen + clen)
		return -EBADMSG; /* one request per connection */
	out->total = hlen + clen;
	return parse_body(hend, clen, out);
}
