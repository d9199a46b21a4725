/* SPDX-License-Identifier: MIT */
/* reflector_http.c - the reflector's HTTP answers (reflector_http.h). */
#include "reach/reflector_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "reach/reflector_proto.h"

static const char *status_text(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 429:
		return "Too Many Requests";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

void he_rhttp_reply(struct he_rio *io, int code, const char *ctype, const char *body,
		    long retry_after_s, int timeout_ms, const char *auth)
{
	char head[256 + HE_RP_SIG_HEX + 32];
	size_t blen = strlen(body);
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Cache-Control: no-store\r\nConnection: close\r\n",
		     code, status_text(code), ctype, blen);
	if (retry_after_s > 0)
		n += snprintf(head + n, sizeof(head) - (size_t)n, "Retry-After: %ld\r\n",
			      retry_after_s);
	if (auth)
		n += snprintf(head + n, sizeof(head) - (size_t)n, "%s: %s\r\n", HE_RP_AUTH_HDR,
			      auth);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	{
		int64_t deadline = he_now_ms() + timeout_ms;

		if (he_rio_write(io, head, (size_t)n, deadline) == 0)
			he_rio_write(io, body, blen, deadline);
	}
}

void he_rhttp_error(struct he_rio *io, int code, const char *msg, long retry_after_s,
		    int timeout_ms)
{
	struct he_rp_response r = {0};
	struct he_error err;
	char *text = NULL;

	snprintf(r.error, sizeof(r.error), "%s", msg);
	if (he_rp_response_encode(&r, &text, &err) < 0)
		return;
	he_rhttp_reply(io, code, "application/json", text, retry_after_s, timeout_ms, NULL);
	free(text);
}
