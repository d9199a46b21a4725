/* SPDX-License-Identifier: MIT */
/*
 * ddns_internal.h - helpers the providers share (URL building, answers).
 *
 * Owner: lib/ddns. Not for use outside lib/ddns and its tests.
 */
#ifndef HE_DDNS_INTERNAL_H
#define HE_DDNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ddns/ddns.h"

/*
 * Append s to out (size outsz, NUL-terminated) percent-encoded for a URL
 * query value (RFC 3986 unreserved kept). Returns -ENAMETOOLONG if it does
 * not fit (out then holds a truncated prefix).
 */
int he_ddns_urlenc_append(char *out, size_t outsz, const char *s);
/* Append a plain string; -ENAMETOOLONG if it does not fit. */
int he_ddns_append(char *out, size_t outsz, const char *s);

/* Fill ans and return HE_DDNS_DONE. */
int he_ddns_answer(struct he_ddns_answer *ans, enum he_ddns_outcome o, const char *code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Replace the secret in ans->message (a reply may echo it). Returns HE_DDNS_DONE. */
int he_ddns_answer_redact(struct he_ddns_answer *ans, const char *secret);

/* Copy at most n bytes of body into out as printable one-line text (for messages). */
void he_ddns_snippet(const char *body, size_t len, char *out, size_t outsz);

/* Base URL without a trailing slash; "https://" prepended when no scheme. */
void he_ddns_base_url(const char *server, const char *def, char *out, size_t outsz);

extern const struct he_ddns_provider he_ddns_dyndns2;
extern const struct he_ddns_provider he_ddns_desec;
extern const struct he_ddns_provider he_ddns_cloudflare;
extern const struct he_ddns_provider he_ddns_duckdns;
extern const struct he_ddns_provider he_ddns_rfc2136;

#endif
