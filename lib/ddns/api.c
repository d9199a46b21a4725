/* SPDX-License-Identifier: MIT */
/*
 * api.c - what the REST-API providers share: the zone and the name inside
 * it, two-part secrets, JSON bodies, URLs, address comparison and the
 * meaning of a failed reply.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddns/ddns_internal.h"

static size_t trimmed_len(const char *h)
{
	size_t n = strlen(h);

	while (n && h[n - 1] == '.')
		n--;
	return n;
}

void he_ddns_zone(const struct he_ddns_record *rec, char *out, size_t outsz)
{
	const char *h = rec->hostname, *last = NULL, *prev = NULL;
	size_t n = trimmed_len(h);

	if (*rec->zone) {
		snprintf(out, outsz, "%.*s", (int)trimmed_len(rec->zone), rec->zone);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (h[i] == '.') {
			prev = last;
			last = h + i;
		}
	if (prev)
		snprintf(out, outsz, "%.*s", (int)(n - (size_t)(prev + 1 - h)), prev + 1);
	else
		snprintf(out, outsz, "%.*s", (int)n, h);
}

void he_ddns_relname(const struct he_ddns_record *rec, const char *zone, const char *apex,
		     char *out, size_t outsz)
{
	size_t n = trimmed_len(rec->hostname), zl = strlen(zone);

	if (n == zl && !strncasecmp(rec->hostname, zone, n)) {
		snprintf(out, outsz, "%s", apex);
		return;
	}
	if (n > zl + 1 && rec->hostname[n - zl - 1] == '.' &&
	    !strncasecmp(rec->hostname + n - zl, zone, zl))
		n -= zl + 1;
	snprintf(out, outsz, "%.*s", (int)n, rec->hostname);
}

static void trim_copy(const char *s, size_t n, char *out, size_t outsz)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	snprintf(out, outsz, "%.*s", (int)n, s);
}

int he_ddns_secret_pair(const char *secret, char *a, size_t asz, char *b, size_t bsz)
{
	const char *sep = secret ? strpbrk(secret, ":\n") : NULL;

	a[0] = b[0] = '\0';
	if (!sep)
		return -EINVAL;
	trim_copy(secret, (size_t)(sep - secret), a, asz);
	trim_copy(sep + 1, strcspn(sep + 1, "\n"), b, bsz);
	return *a && *b && strlen(a) + 1 < asz && strlen(b) + 1 < bsz ? 0 : -EINVAL;
}

int he_ddns_json_body(struct he_http_req *req, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	int rc = 0;

	json_decref(obj);
	if (!s || strlen(s) >= sizeof(req->body))
		rc = -ENAMETOOLONG;
	else
		snprintf(req->body, sizeof(req->body), "%s", s);
	if (s)
		explicit_bzero(s, strlen(s)); /* may hold a credential (Porkbun, Netcup) */
	free(s);
	req->content_type = "application/json";
	return rc;
}

int he_ddns_urlf(struct he_http_req *req, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(req->url, sizeof(req->url), fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= sizeof(req->url) ? -ENAMETOOLONG : 0;
}

int he_ddns_header(struct he_http_req *req, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int i = 0; i < HE_DDNS_HDRS; i++) {
		if (req->header[i][0])
			continue;
		va_start(ap, fmt);
		n = vsnprintf(req->header[i], sizeof(req->header[i]), fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= sizeof(req->header[i])) {
			explicit_bzero(req->header[i], sizeof(req->header[i]));
			return -ENAMETOOLONG;
		}
		return 0;
	}
	return -ENOSPC;
}

json_t *he_ddns_json_reply(const struct he_http_resp *resp)
{
	return resp->body ? json_loadb(resp->body, resp->len, 0, NULL) : NULL;
}

bool he_ddns_same_addr(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (!a || !b)
		return false;
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && !memcmp(x, y, 4);
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && !memcmp(x, y, 16);
	return false;
}

bool he_ddns_safe_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

bool he_ddns_json_id(json_t *v, char *out, size_t outsz)
{
	if (json_is_string(v))
		snprintf(out, outsz, "%s", json_string_value(v));
	else if (json_is_integer(v) && json_integer_value(v) >= 0)
		snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
	else
		out[0] = '\0';
	return he_ddns_safe_id(out);
}

int he_ddns_api_fail(const struct he_http_resp *resp, const char *title, const char *what,
		     const char *detail, const char *auth_fix, struct he_ddns_answer *ans)
{
	char snip[160];

	if (detail && *detail)
		he_ddns_snippet(detail, strlen(detail), snip, sizeof(snip));
	else
		he_ddns_snippet(resp->body, resp->len, snip, sizeof(snip));
	if (resp->status == 401 || resp->status == 403)
		return he_ddns_answer(ans, HE_DDNS_FATAL, "badauth",
				      "badauth: %s refused the credentials (HTTP %ld: %s): %s; "
				      "then 'ddns update --force'",
				      title, resp->status, snip, auth_fix);
	if (he_ddns_http_status_outcome(resp->status, ans))
		return HE_DDNS_DONE;
	if (resp->status >= 400 && resp->status < 500)
		return he_ddns_answer(ans, HE_DDNS_FATAL, "rejected",
				      "%s rejected %s (HTTP %ld: %s); the record stays disabled "
				      "until its configuration changes or 'ddns update --force'",
				      title, what, resp->status, snip);
	return he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected",
			      "unexpected reply from %s to %s (HTTP %ld): '%s'; will try again "
			      "later",
			      title, what, resp->status, snip);
}

int he_ddns_step_end(const struct he_ddns_job *job, int ret, int rc, const char *title,
		     struct he_ddns_answer *ans, struct he_error *err)
{
	if (ret == HE_DDNS_DONE)
		return he_ddns_answer_redact(ans, job->secret);
	if (ret == HE_DDNS_SEND && rc)
		return he_error_set(
		    err, rc, "[ddns %s]: the %s request cannot be built (%s)", job->rec->name,
		    title, rc == -EINVAL ? "the secret file's format is wrong" : "too long");
	return ret;
}

bool he_ddns_xml_text(const char *body, size_t len, const char *tag, char *out, size_t outsz)
{
	char open[64], close[64];
	const char *b, *e;
	size_t ol;

	out[0] = '\0';
	if (!body || snprintf(open, sizeof(open), "<%s>", tag) >= (int)sizeof(open))
		return false;
	snprintf(close, sizeof(close), "</%s>", tag);
	ol = strlen(open);
	b = memmem(body, len, open, ol);
	if (!b)
		return false;
	b += ol;
	e = memmem(b, len - (size_t)(b - body), close, strlen(close));
	if (!e)
		return false;
	trim_copy(b, (size_t)(e - b), out, outsz);
	return (size_t)(e - b) < outsz;
}

int he_ddns_written(struct he_ddns_answer *ans, bool created, const char *type, const char *addr)
{
	if (created)
		return he_ddns_answer(ans, HE_DDNS_GOOD, "created", "created the %s record %s",
				      type, addr);
	return he_ddns_answer(ans, HE_DDNS_GOOD, "good", "updated the %s record to %s", type, addr);
}

int he_ddns_unchanged(struct he_ddns_answer *ans, const char *type, const char *addr)
{
	return he_ddns_answer(ans, HE_DDNS_NOCHG, "nochg", "the %s record already holds %s", type,
			      addr);
}

json_t *he_ddns_json_find(json_t *arr, const char *key, const char *val, const char *type)
{
	json_t *r;
	size_t i;

	json_array_foreach(arr, i, r)
	{
		const char *v = json_string_value(json_object_get(r, key));
		const char *t = json_string_value(json_object_get(r, "type"));

		if (v && !strcasecmp(v, val) && (!type || (t && !strcmp(t, type))))
			return r;
	}
	return NULL;
}

int he_ddns_malformed(struct he_ddns_answer *ans, const char *title, const char *what)
{
	return he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected", "%s returned a malformed %s",
			      title, what);
}

int he_ddns_nozone(struct he_ddns_answer *ans, const char *title, const char *zone)
{
	return he_ddns_answer(ans, HE_DDNS_FATAL, "nozone",
			      "%s has no zone '%s' for these credentials: set 'zone' or create "
			      "the zone there",
			      title, zone);
}

bool he_ddns_zone_take(json_t *arr, const char *key, const char *zone, const char *title,
		       const char *what, struct he_ddns_job *job, struct he_ddns_answer *ans)
{
	json_t *z = he_ddns_json_find(arr, key, zone, NULL);

	if (!z) {
		he_ddns_nozone(ans, title, zone);
		return false;
	}
	if (!he_ddns_json_id(json_object_get(z, "id"), job->zone_id, sizeof(job->zone_id))) {
		he_ddns_malformed(ans, title, what);
		return false;
	}
	return true;
}
