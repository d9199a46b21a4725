/* SPDX-License-Identifier: MIT */
/*
 * ddns_internal.h - helpers the providers share (URL building, answers).
 *
 * Owner: lib/ddns. Not for use outside lib/ddns and its tests.
 */
#ifndef HE_DDNS_INTERNAL_H
#define HE_DDNS_INTERNAL_H

#include <stdbool.h>
#include <jansson.h>
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

/* ---- api.c: what the REST-API providers share ---- */

/* The zone: 'zone', else the last two labels of 'hostname' (no trailing dot). */
void he_ddns_zone(const struct he_ddns_record *rec, char *out, size_t outsz);
/* 'hostname' relative to zone ("home" for home.example.com), apex for the zone itself. */
void he_ddns_relname(const struct he_ddns_record *rec, const char *zone, const char *apex,
		     char *out, size_t outsz);
/* A two-part secret file: "A:B" or A and B on two lines. -EINVAL if not that shape. */
int he_ddns_secret_pair(const char *secret, char *a, size_t asz, char *b, size_t bsz);
/* req->body = obj as compact JSON (obj is consumed), content type JSON; -ENAMETOOLONG. */
int he_ddns_json_body(struct he_http_req *req, json_t *obj);
/* req->url = the formatted text; -ENAMETOOLONG if it does not fit. */
int he_ddns_urlf(struct he_http_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The next free req->header line; -ENAMETOOLONG, -ENOSPC. */
int he_ddns_header(struct he_http_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The reply's body as JSON, NULL if it is not JSON. */
json_t *he_ddns_json_reply(const struct he_http_resp *resp);
/* Two textual addresses of the same family and value (2001:db8::1 == 2001:DB8:0::1). */
bool he_ddns_same_addr(const char *a, const char *b);
/* An id from a reply that is safe in a URL path: 1..63 of [A-Za-z0-9_-]. */
bool he_ddns_safe_id(const char *s);
/* A JSON string or non-negative integer id into out; false unless safe (he_ddns_safe_id). */
bool he_ddns_json_id(json_t *v, char *out, size_t outsz);
/* The first object of arr whose key is val (case-insensitive) and, if type, whose "type" is type.
 */
json_t *he_ddns_json_find(json_t *arr, const char *key, const char *val, const char *type);
/* TRANSIENT "unexpected": "TITLE returned a malformed WHAT" (an id unsafe in a URL). */
int he_ddns_malformed(struct he_ddns_answer *ans, const char *title, const char *what);
/* FATAL "nozone": "TITLE has no zone 'ZONE' for these credentials ...". HE_DDNS_DONE. */
int he_ddns_nozone(struct he_ddns_answer *ans, const char *title, const char *zone);
/*
 * The zone of a listing: the object of arr whose KEY is zone, its id into
 * job->zone_id. False with ans saying why (no such zone: fatal; an id unsafe
 * in a URL: transient): the conversation is done. WHAT names the id ("zone id").
 */
bool he_ddns_zone_take(json_t *arr, const char *key, const char *zone, const char *title,
		       const char *what, struct he_ddns_job *job, struct he_ddns_answer *ans);
/* The text of the first <tag>...</tag> in an XML body, trimmed; false if absent or too long. */
bool he_ddns_xml_text(const char *body, size_t len, const char *tag, char *out, size_t outsz);
/*
 * A failed REST reply: 401/403 fatal "badauth" (auth_fix says what to fix), 429
 * retry later, 5xx back off, other 4xx fatal "rejected", anything else transient.
 * detail: the API's own message (NULL: a snippet of the body). Returns HE_DDNS_DONE.
 */
int he_ddns_api_fail(const struct he_http_resp *resp, const char *title, const char *what,
		     const char *detail, const char *auth_fix, struct he_ddns_answer *ans);
/* GOOD: "created the A record ADDR" or "updated the A record to ADDR". HE_DDNS_DONE. */
int he_ddns_written(struct he_ddns_answer *ans, bool created, const char *type, const char *addr);
/* NOCHG: "the A record already holds ADDR". HE_DDNS_DONE. */
int he_ddns_unchanged(struct he_ddns_answer *ans, const char *type, const char *addr);
/*
 * The common end of a step(): DONE redacts the secret from the answer; SEND
 * with rc != 0 becomes an error (-EINVAL: the secret's format, else too long).
 */
int he_ddns_step_end(const struct he_ddns_job *job, int ret, int rc, const char *title,
		     struct he_ddns_answer *ans, struct he_error *err);

extern const struct he_ddns_provider he_ddns_dyndns2;
extern const struct he_ddns_provider he_ddns_desec;
extern const struct he_ddns_provider he_ddns_cloudflare;
extern const struct he_ddns_provider he_ddns_duckdns;
extern const struct he_ddns_provider he_ddns_rfc2136;
extern const struct he_ddns_provider he_ddns_namecheap;
extern const struct he_ddns_provider he_ddns_dynv6;
extern const struct he_ddns_provider he_ddns_njalla;
extern const struct he_ddns_provider he_ddns_route53;
extern const struct he_ddns_provider he_ddns_porkbun;
extern const struct he_ddns_provider he_ddns_hetzner;
extern const struct he_ddns_provider he_ddns_gandi;
extern const struct he_ddns_provider he_ddns_godaddy;
extern const struct he_ddns_provider he_ddns_digitalocean;
extern const struct he_ddns_provider he_ddns_linode;
extern const struct he_ddns_provider he_ddns_ionos;
extern const struct he_ddns_provider he_ddns_netcup;

#endif
