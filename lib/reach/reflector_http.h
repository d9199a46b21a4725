/* SPDX-License-Identifier: MIT */
/*
 * reflector_http.h - the reflector's HTTP/1.1 answers on one connection
 * (plain or TLS, reflector_tls.h), every write bounded by timeout_ms.
 *
 * Owner: lib/reach. Used by reflector_server.c only.
 */
#ifndef HE_REACH_REFLECTOR_HTTP_H
#define HE_REACH_REFLECTOR_HTTP_H

#include "reach/reflector_tls.h"

/* Status line, headers (Retry-After when > 0; HE_RP_AUTH_HDR: AUTH unless NULL), body. */
void he_rhttp_reply(struct he_rio *io, int code, const char *ctype, const char *body,
		    long retry_after_s, int timeout_ms, const char *auth);
/* A JSON error answer ({"error": MSG}). */
void he_rhttp_error(struct he_rio *io, int code, const char *msg, long retry_after_s,
		    int timeout_ms);

#endif
