/* SPDX-License-Identifier: MIT */
/* http_head.c - strict HTTP/1.1 request head parser for the reflector. */
#include "reach/http_head.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Find "\r\n\r\n" (or "\n\n") within buf[0..len). Returns the head length or 0. */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n')
			return i + 2;
		if (i + 3 < len && !memcmp(buf + i, "\r\n\r\n", 4))
			return i + 4;
	}
	return 0;
}

static bool ctl_free(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return false;
		else if ((unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

static int request_line(const char *s, size_t n, struct he_http_head *h, struct he_error *err)
{
	const char *sp1 = memchr(s, ' ', n), *sp2;
	size_t mlen, plen;

	if (!sp1)
		return he_error_set(err, -EINVAL, "bad request line");
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - s));
	if (!sp2)
		return he_error_set(err, -EINVAL, "bad request line");
	mlen = (size_t)(sp1 - s);
	plen = (size_t)(sp2 - sp1 - 1);
	if (mlen == 0 || mlen >= sizeof(h->method))
		return he_error_set(err, -EINVAL, "bad method");
	if (plen == 0 || plen >= sizeof(h->path) || sp1[1] != '/')
		return he_error_set(err, -EINVAL, "bad request target");
	if (n - (size_t)(sp2 + 1 - s) != 8 ||
	    (memcmp(sp2 + 1, "HTTP/1.1", 8) && memcmp(sp2 + 1, "HTTP/1.0", 8)))
		return he_error_set(err, -EINVAL, "only HTTP/1.0 and HTTP/1.1");
	for (size_t i = 0; i < mlen; i++)
		if (!isupper((unsigned char)s[i]))
			return he_error_set(err, -EINVAL, "bad method");
	for (size_t i = 0; i < plen; i++)
		if (sp1[1 + i] <= ' ' || (unsigned char)sp1[1 + i] >= 0x7f)
			return he_error_set(err, -EINVAL, "bad request target");
	memcpy(h->method, s, mlen);
	h->method[mlen] = '\0';
	memcpy(h->path, sp1 + 1, plen);
	h->path[plen] = '\0';
	return 0;
}

static int header_line(const char *s, size_t n, struct he_http_head *h, struct he_error *err)
{
	const char *colon = memchr(s, ':', n);
	size_t klen, vlen;
	const char *v;

	if (s[0] == ' ' || s[0] == '\t')
		return he_error_set(err, -EINVAL, "folded header lines are not accepted");
	if (!colon || colon == s)
		return he_error_set(err, -EINVAL, "bad header line");
	klen = (size_t)(colon - s);
	for (size_t i = 0; i < klen; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("!#$%&'*+-.^_`|~", s[i]))
			return he_error_set(err, -EINVAL, "bad header name");
	v = colon + 1;
	vlen = n - klen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (klen == 17 && !strncasecmp(s, "transfer-encoding", klen))
		return he_error_set(err, -ENOSYS,
				    "Transfer-Encoding is not accepted: send Content-Length");
	if (klen == 14 && !strncasecmp(s, "content-length", klen)) {
		long cl = 0;

		if (h->content_length >= 0)
			return he_error_set(err, -EINVAL, "repeated Content-Length");
		if (vlen == 0 || vlen > 9)
			return he_error_set(err, -EINVAL, "bad Content-Length");
		for (size_t i = 0; i < vlen; i++) {
			if (!isdigit((unsigned char)v[i]))
				return he_error_set(err, -EINVAL, "bad Content-Length");
			cl = cl * 10 + (v[i] - '0');
		}
		h->content_length = cl;
	} else if (klen == 17 && !strncasecmp(s, "x-homeexpose-auth", klen)) {
		if (*h->auth || vlen >= sizeof(h->auth))
			return he_error_set(err, -EINVAL, "bad X-Homeexpose-Auth header");
		memcpy(h->auth, v, vlen);
		h->auth[vlen] = '\0';
	}
	return 0;
}

int he_http_head_parse(const char *buf, size_t len, struct he_http_head *out, struct he_error *err)
{
	struct he_http_head h = {.content_length = -1};
	size_t end = head_end(buf, len < HE_HTTP_HEAD_MAX ? len : HE_HTTP_HEAD_MAX);
	size_t pos = 0, lines = 0;
	int ret;

	if (!end)
		return len >= HE_HTTP_HEAD_MAX
			   ? he_error_set(err, -EMSGSIZE, "request head over %d bytes",
					  HE_HTTP_HEAD_MAX)
			   : -EAGAIN;
	if (memchr(buf, '\0', end))
		return he_error_set(err, -EINVAL, "NUL in the request head");
	while (pos < end) {
		const char *nl = memchr(buf + pos, '\n', end - pos);
		size_t n = (size_t)(nl - (buf + pos));

		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (n == 0)
			break; /* the blank line */
		if (++lines > HE_HTTP_LINES_MAX)
			return he_error_set(err, -EMSGSIZE, "more than %d header lines",
					    HE_HTTP_LINES_MAX);
		if (!ctl_free(buf + pos, n))
			return he_error_set(err, -EINVAL, "control character in the request head");
		ret = lines == 1 ? request_line(buf + pos, n, &h, err)
				 : header_line(buf + pos, n, &h, err);
		if (ret < 0)
			return ret;
		pos += (size_t)(nl - (buf + pos)) + 1;
	}
	if (lines == 0)
		return he_error_set(err, -EINVAL, "empty request");
	h.head_len = end;
	*out = h;
	return 0;
}
