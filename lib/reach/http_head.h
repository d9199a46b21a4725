/* SPDX-License-Identifier: MIT */
/*
 * http_head.h - a strict parser for one HTTP/1.1 request head (pure).
 *
 * Owner: lib/reach, for the reflector's small HTTP server. Only what the
 * reflector needs: GET or POST, an origin-form path, Content-Length, the
 * X-Homeexpose-Auth header. Refused: heads over HE_HTTP_HEAD_MAX bytes or
 * HE_HTTP_LINES_MAX lines, Transfer-Encoding (no chunked bodies), a repeated
 * or malformed Content-Length, obs-fold, control characters, HTTP other than
 * 1.0/1.1.
 */
#ifndef HE_REACH_HTTP_HEAD_H
#define HE_REACH_HTTP_HEAD_H

#include <stddef.h>

#include "core/error.h"

#define HE_HTTP_HEAD_MAX  4096
#define HE_HTTP_LINES_MAX 32

struct he_http_head {
	char method[8];
	char path[128];
	long content_length; /* -1 when absent */
	char auth[128];      /* X-Homeexpose-Auth value ("" when absent) */
	size_t head_len;     /* bytes up to and including the blank line */
};

/*
 * Parse the head at the start of buf (len bytes read so far). 0 when a
 * complete head was parsed (out->head_len says where the body starts),
 * -EAGAIN when more bytes are needed, -EMSGSIZE when over a cap, -EINVAL
 * when malformed, -ENOSYS for Transfer-Encoding.
 */
int he_http_head_parse(const char *buf, size_t len, struct he_http_head *out, struct he_error *err);

#endif
