/* SPDX-License-Identifier: MIT */
/*
 * rfc2136_key.c - TSIG key files: BIND/Knot/one-line formats, load, wipe.
 * See rfc2136.h and rfc2136_int.h.
 */
#include "ddns/rfc2136_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/secret.h"

/* ------------------------------------------------------------------ */
/* TSIG key files                                                       */

static const struct he_tsig_alg tsig_algs[] = {
    {"hmac-sha256", LDNS_SHA256_BLOCK_LENGTH, LDNS_SHA256_DIGEST_LENGTH},
    {"hmac-sha512", LDNS_SHA512_BLOCK_LENGTH, LDNS_SHA512_DIGEST_LENGTH},
    {"hmac-sha1", LDNS_SHA1_BLOCK_LENGTH, LDNS_SHA1_DIGEST_LENGTH},
};

const struct he_tsig_alg *he_tsig_alg_find(const char *name)
{
	size_t n = strlen(name);

	if (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof(tsig_algs) / sizeof(tsig_algs[0]); i++)
		if (strlen(tsig_algs[i].name) == n && !strncasecmp(tsig_algs[i].name, name, n))
			return &tsig_algs[i];
	return NULL;
}

void he_tsig_key_wipe(struct he_tsig_key *key)
{
	if (key)
		explicit_bzero(key, sizeof(*key));
}

/* Decode the base64 secret into KEY (at most MAX bytes); -1 if invalid. */
int he_tsig_secret_decode(const char *b64, uint8_t *out, size_t max)
{
	ldns_rdf *rdf = NULL;
	int n = -1;

	if (!*b64 || ldns_str2rdf_b64(&rdf, b64) != LDNS_STATUS_OK || !rdf)
		return -1;
	if (ldns_rdf_size(rdf) > 0 && ldns_rdf_size(rdf) <= max) {
		memcpy(out, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
		n = (int)ldns_rdf_size(rdf);
	}
	explicit_bzero(ldns_rdf_data(rdf), ldns_rdf_size(rdf));
	ldns_rdf_deep_free(rdf);
	return n;
}

bool he_rfc2136_dname_ok(const char *s)
{
	ldns_rdf *d;

	if (!*s || strlen(s) > HE_TSIG_NAME_MAX)
		return false;
	d = ldns_dname_new_frm_str(s);
	if (!d)
		return false;
	ldns_rdf_deep_free(d);
	return true;
}

/* Check and store the three fields; the secret is never quoted back. */
static int key_set(struct he_tsig_key *key, const char *name, const char *alg, const char *secret,
		   int line, struct he_error *err)
{
	uint8_t raw[HE_TSIG_SECRET_MAX];
	const struct he_tsig_alg *a;
	int n;

	if (!name || !*name)
		return he_error_set(err, -EINVAL, "TSIG key file: no key name (line %d)", line);
	if (!he_rfc2136_dname_ok(name))
		return he_error_set(
		    err, -EINVAL,
		    "TSIG key file: key name '%.80s' is not a valid DNS name (line %d)", name,
		    line);
	a = he_tsig_alg_find(alg && *alg ? alg : "hmac-sha256");
	if (!a)
		return he_error_set(
		    err, -EINVAL,
		    "TSIG key file: algorithm '%.40s' of key '%.80s' is not supported; "
		    "use hmac-sha256 (or hmac-sha512, hmac-sha1) and generate a new "
		    "key with `tsig-keygen -a hmac-sha256 NAME` or `keymgr -t NAME`",
		    alg, name);
	if (!secret || !*secret)
		return he_error_set(err, -EINVAL, "TSIG key file: key '%.80s' has no secret", name);
	if (strlen(secret) > HE_TSIG_SECRET_MAX)
		return he_error_set(err, -EINVAL,
				    "TSIG key file: the secret of key '%.80s' is too long", name);
	n = he_tsig_secret_decode(secret, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	if (n <= 0)
		return he_error_set(err, -EINVAL,
				    "TSIG key file: the secret of key '%.80s' is not valid base64 "
				    "(line %d); copy it again from the server's key file",
				    name, line);
	snprintf(key->name, sizeof(key->name), "%s", name);
	snprintf(key->algorithm, sizeof(key->algorithm), "%s", a->name);
	snprintf(key->secret, sizeof(key->secret), "%s", secret);
	return 0;
}

/* A small tokenizer for the BIND syntax: words, "strings", { } ; and comments. */
struct tok {
	const char *p, *end;
	int line;
	char buf[HE_TSIG_SECRET_MAX + 2];
};

/* Next token into t->buf: 1 a token, 0 end, -1 error (too long/unterminated). */
static int tok_next(struct tok *t)
{
	size_t n = 0;

	for (;;) {
		while (t->p < t->end && isspace((unsigned char)*t->p)) {
			if (*t->p == '\n')
				t->line++;
			t->p++;
		}
		if (t->p >= t->end)
			return 0;
		if (*t->p == '#' || (*t->p == '/' && t->p + 1 < t->end && t->p[1] == '/')) {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
			continue;
		}
		if (*t->p == '/' && t->p + 1 < t->end && t->p[1] == '*') {
			t->p += 2;
			while (t->p + 1 < t->end && !(t->p[0] == '*' && t->p[1] == '/')) {
				if (*t->p == '\n')
					t->line++;
				t->p++;
			}
			if (t->p + 1 >= t->end)
				return -1;
			t->p += 2;
			continue;
		}
		break;
	}
	if (*t->p == '{' || *t->p == '}' || *t->p == ';') {
		t->buf[0] = *t->p++;
		t->buf[1] = '\0';
		return 1;
	}
	if (*t->p == '"') {
		t->p++;
		while (t->p < t->end && *t->p != '"' && *t->p != '\n') {
			if (n + 1 >= sizeof(t->buf))
				return -1;
			t->buf[n++] = *t->p++;
		}
		if (t->p >= t->end || *t->p != '"')
			return -1;
		t->p++;
		t->buf[n] = '\0';
		return 1;
	}
	while (t->p < t->end && !isspace((unsigned char)*t->p) && !strchr("{};\"", *t->p)) {
		if (n + 1 >= sizeof(t->buf))
			return -1;
		t->buf[n++] = *t->p++;
	}
	t->buf[n] = '\0';
	return 1;
}

static int parse_bind(const char *text, size_t len, struct he_tsig_key *key, struct he_error *err)
{
	struct tok t = {.p = text, .end = text + len, .line = 1};
	char name[HE_TSIG_NAME_MAX + 1] = "", alg[32] = "", secret[HE_TSIG_SECRET_MAX + 1] = "";
	char field[32];
	int r, ret, line = 1, depth = 0;

	/* key NAME { */
	if (tok_next(&t) != 1 || strcmp(t.buf, "key"))
		return he_error_set(err, -EINVAL, "TSIG key file: expected 'key'");
	if (tok_next(&t) != 1 || strlen(t.buf) > HE_TSIG_NAME_MAX || strchr("{};", t.buf[0]))
		return he_error_set(err, -EINVAL,
				    "TSIG key file: expected the key name after 'key' (line %d)",
				    t.line);
	snprintf(name, sizeof(name), "%s", t.buf);
	line = t.line;
	if (tok_next(&t) != 1 || strcmp(t.buf, "{"))
		return he_error_set(err, -EINVAL,
				    "TSIG key file: expected '{' after key \"%.80s\" (line %d)",
				    name, t.line);
	for (;;) {
		r = tok_next(&t);
		if (r != 1) {
			ret = he_error_set(err, -EINVAL,
					   "TSIG key file: key \"%.80s\" is not closed with '};' "
					   "(unterminated string, comment or block near line %d)",
					   name, t.line);
			goto out;
		}
		if (!strcmp(t.buf, "}"))
			break;
		if (!strcmp(t.buf, ";"))
			continue;
		snprintf(field, sizeof(field), "%s", t.buf);
		r = tok_next(&t);
		if (r == -1) {
			ret =
			    he_error_set(err, -EINVAL,
					 "TSIG key file: key \"%.80s\" is not closed: unterminated "
					 "string near line %d",
					 name, t.line);
			goto out;
		}
		if (r == 1 && !strcmp(t.buf, "{") && strcmp(field, "algorithm") &&
		    strcmp(field, "secret")) {
			depth = 1; /* a block we do not use: skipped below */
		} else if (r != 1 || strchr("{};", t.buf[0])) {
			ret = he_error_set(err, -EINVAL,
					   "TSIG key file: '%.31s' without a value (line %d)",
					   field, t.line);
			goto out;
		} else if (!strcmp(field, "algorithm"))
			snprintf(alg, sizeof(alg), "%s", t.buf);
		else if (!strcmp(field, "secret"))
			snprintf(secret, sizeof(secret), "%s", t.buf);
		/* other statements are skipped up to their ';' (blocks too) */
		for (;;) {
			r = tok_next(&t);
			if (r != 1)
				break;
			if (!strcmp(t.buf, "{"))
				depth++;
			else if (!strcmp(t.buf, "}") && depth > 0)
				depth--;
			else if (!strcmp(t.buf, ";") && depth == 0)
				break;
		}
		if (r != 1) {
			ret =
			    he_error_set(err, -EINVAL,
					 "TSIG key file: statement '%.31s' in key \"%.80s\" lacks "
					 "its ';'",
					 field, name);
			goto out;
		}
	}
	if (!alg[0]) {
		ret = he_error_set(err, -EINVAL,
				   "TSIG key file: key \"%.80s\" has no 'algorithm' (line %d)",
				   name, line);
		goto out;
	}
	ret = key_set(key, name, alg, secret, line, err);
out:
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(&t, sizeof(t));
	return ret;
}

/* Copy line [s, e) trimmed into buf; returns buf. */
static char *trim_copy(const char *s, const char *e, char *buf, size_t n)
{
	size_t l;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	l = (size_t)(e - s) < n - 1 ? (size_t)(e - s) : n - 1;
	memcpy(buf, s, l);
	buf[l] = '\0';
	return buf;
}

/* Strip one pair of matching quotes in place. */
static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/* Knot (keymgr -t) YAML: key:\n  - id: N\n    algorithm: A\n    secret: S */
static int parse_yaml(const char *text, size_t len, struct he_tsig_key *key, struct he_error *err)
{
	char name[HE_TSIG_NAME_MAX + 1] = "", alg[32] = "", secret[HE_TSIG_SECRET_MAX + 1] = "";
	char line[HE_TSIG_SECRET_MAX + 64];
	const char *p = text, *end = text + len;
	int ln = 0, first = 0, ids = 0, ret;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		char *l, *v;

		if (!e)
			e = end;
		ln++;
		l = trim_copy(p, e, line, sizeof(line));
		p = e + 1;
		if (!*l || *l == '#' || !strcmp(l, "key:"))
			continue;
		if (l[0] == '-' && (l[1] == ' ' || l[1] == '\t')) {
			l += 2;
			while (isspace((unsigned char)*l))
				l++;
		}
		v = strchr(l, ':');
		if (!v)
			continue;
		*v++ = '\0';
		while (isspace((unsigned char)*v))
			v++;
		v = unquote(v);
		if (!strcmp(l, "id")) {
			if (++ids > 1)
				break; /* the first key only */
			snprintf(name, sizeof(name), "%s", v);
			first = ln;
		} else if (!strcmp(l, "algorithm")) {
			snprintf(alg, sizeof(alg), "%s", v);
		} else if (!strcmp(l, "secret")) {
			snprintf(secret, sizeof(secret), "%s", v);
		}
	}
	explicit_bzero(line, sizeof(line));
	if (!alg[0])
		ret = he_error_set(
		    err, -EINVAL, "TSIG key file: Knot key '%.80s' has no 'algorithm:' line", name);
	else
		ret = key_set(key, name, alg, secret, first, err);
	explicit_bzero(secret, sizeof(secret));
	return ret;
}

/* One line: [ALG:]NAME:SECRET or NAME:ALG:SECRET. */
static int parse_colon(const char *l, int ln, struct he_tsig_key *key, struct he_error *err)
{
	char buf[HE_TSIG_NAME_MAX + HE_TSIG_SECRET_MAX + 64];
	char *f[3] = {NULL, NULL, NULL};
	char *s;
	int n = 0, ret;

	if (strlen(l) >= sizeof(buf))
		return he_error_set(err, -EINVAL, "TSIG key file: line %d is too long", ln);
	snprintf(buf, sizeof(buf), "%s", l);
	s = buf;
	f[n++] = s;
	while ((s = strchr(s, ':')) != NULL) {
		*s++ = '\0';
		if (n == 3) {
			n = 4;
			break;
		}
		f[n++] = s;
	}
	if (n == 2)
		ret = key_set(key, f[0], "hmac-sha256", f[1], ln, err);
	else if (n == 3 && !strncasecmp(f[0], "hmac-", 5))
		ret = key_set(key, f[1], f[0], f[2], ln, err);
	else if (n == 3 && !strncasecmp(f[1], "hmac-", 5))
		ret = key_set(key, f[0], f[1], f[2], ln, err);
	else
		ret = he_error_set(err, -EINVAL,
				   "TSIG key file: line %d is neither a BIND/Knot key block nor "
				   "'[ALGORITHM:]NAME:SECRET' (e.g. hmac-sha256:ddns-key:BASE64)",
				   ln);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int he_tsig_key_parse(const char *text, size_t len, struct he_tsig_key *key, struct he_error *err)
{
	const char *p, *end;
	char line[HE_TSIG_NAME_MAX + HE_TSIG_SECRET_MAX + 64];
	int ln = 0, ret;

	he_tsig_key_wipe(key);
	if (!text)
		return he_error_set(err, -EINVAL, "TSIG key file: empty");
	p = text;
	end = text + len;
	if (memchr(text, '\0', len))
		return he_error_set(err, -EINVAL, "TSIG key file: contains a NUL byte");
	/* the first line that is not blank or a comment decides the format */
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *l;

		if (!e)
			e = end;
		ln++;
		l = trim_copy(p, e, line, sizeof(line));
		if (*l && *l != '#' && strncmp(l, "//", 2)) {
			if (!strncmp(l, "key:", 4))
				ret = parse_yaml(text, len, key, err);
			else if (!strncmp(l, "/*", 2) ||
				 (!strncmp(l, "key", 3) &&
				  (isspace((unsigned char)l[3]) || l[3] == '"')))
				ret = parse_bind(text, len, key, err);
			else
				ret = parse_colon(l, ln, key, err);
			explicit_bzero(line, sizeof(line));
			if (ret)
				he_tsig_key_wipe(key);
			return ret;
		}
		p = e + 1;
	}
	return he_error_set(err, -EINVAL, "TSIG key file: no key in it");
}

int he_tsig_key_load(const char *path, struct he_tsig_key *key, struct he_error *err)
{
	char *s = NULL;
	size_t n = 0;
	int ret;

	he_tsig_key_wipe(key);
	ret = he_secret_read(path, &s, &n, err);
	if (ret)
		return ret;
	ret = he_tsig_key_parse(s, n, key, err);
	he_secret_free(s);
	if (ret)
		return he_error_prefix(err, ret, "%s", path);
	return 0;
}
