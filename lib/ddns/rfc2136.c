/* SPDX-License-Identifier: MIT */
/*
 * rfc2136.c - DNS UPDATE with TSIG through ldns: key files, the signed
 * message, its transport and the judgement of the reply. See rfc2136.h.
 *
 * ldns builds and parses the messages. The TSIG MAC (RFC 8945 4.3) is computed
 * here, with ldns's SHA functions, so that the time signed is a parameter
 * (testable) and the reply's MAC and time are checked by the same code.
 */
#include "core/bytes.h"
#include "core/clock.h"
#include "ddns/rfc2136.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "config/secret.h"

#define HDR_LEN      12
#define TYPE_TSIG    250
#define CLASS_ANY    255
#define OPCODE_QUERY 0
#define OPCODE_UPD   5
#define UDP_MAX      4096
#define TCP_MAX      65535
#define MAC_MAX      64

/* ------------------------------------------------------------------ */
/* TSIG key files                                                       */

struct he_tsig_alg {
	const char *name;
	unsigned block;
	unsigned digest;
};

static const struct he_tsig_alg tsig_algs[] = {
    {"hmac-sha256", LDNS_SHA256_BLOCK_LENGTH, LDNS_SHA256_DIGEST_LENGTH},
    {"hmac-sha512", LDNS_SHA512_BLOCK_LENGTH, LDNS_SHA512_DIGEST_LENGTH},
    {"hmac-sha1", LDNS_SHA1_BLOCK_LENGTH, LDNS_SHA1_DIGEST_LENGTH},
};

static const struct he_tsig_alg *alg_find(const char *name)
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
static int secret_decode(const char *b64, uint8_t *out, size_t max)
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

static bool dname_ok(const char *s)
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
	if (!dname_ok(name))
		return he_error_set(
		    err, -EINVAL,
		    "TSIG key file: key name '%.80s' is not a valid DNS name (line %d)", name,
		    line);
	a = alg_find(alg && *alg ? alg : "hmac-sha256");
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
	n = secret_decode(secret, raw, sizeof(raw));
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

/* ------------------------------------------------------------------ */
/* HMAC over ldns's hash functions                                      */

union hctx {
	ldns_sha1_ctx s1;
	ldns_sha256_CTX s256;
	ldns_sha512_CTX s512;
};

static void h_init(const struct he_tsig_alg *a, union hctx *c)
{
	if (a->digest == LDNS_SHA1_DIGEST_LENGTH)
		ldns_sha1_init(&c->s1);
	else if (a->digest == LDNS_SHA256_DIGEST_LENGTH)
		ldns_sha256_init(&c->s256);
	else
		ldns_sha512_init(&c->s512);
}

static void h_update(const struct he_tsig_alg *a, union hctx *c, const uint8_t *d, size_t n)
{
	if (a->digest == LDNS_SHA1_DIGEST_LENGTH)
		ldns_sha1_update(&c->s1, d, (unsigned)n);
	else if (a->digest == LDNS_SHA256_DIGEST_LENGTH)
		ldns_sha256_update(&c->s256, d, n);
	else
		ldns_sha512_update(&c->s512, d, n);
}

static void h_final(const struct he_tsig_alg *a, union hctx *c, uint8_t *out)
{
	if (a->digest == LDNS_SHA1_DIGEST_LENGTH)
		ldns_sha1_final(out, &c->s1);
	else if (a->digest == LDNS_SHA256_DIGEST_LENGTH)
		ldns_sha256_final(out, &c->s256);
	else
		ldns_sha512_final(out, &c->s512);
}

/* A keyed MAC in progress: inner hash started with K ^ ipad. */
struct hmac {
	const struct he_tsig_alg *alg;
	union hctx c;
	uint8_t k[LDNS_SHA512_BLOCK_LENGTH];
};

static int hmac_start(struct hmac *h, const struct he_tsig_key *key)
{
	uint8_t raw[HE_TSIG_SECRET_MAX], pad[LDNS_SHA512_BLOCK_LENGTH];
	int n;

	memset(h, 0, sizeof(*h));
	h->alg = alg_find(key->algorithm);
	n = secret_decode(key->secret, raw, sizeof(raw));
	if (!h->alg || n <= 0) {
		explicit_bzero(raw, sizeof(raw));
		return -EINVAL;
	}
	if ((unsigned)n > h->alg->block) {
		h_init(h->alg, &h->c);
		h_update(h->alg, &h->c, raw, (size_t)n);
		h_final(h->alg, &h->c, h->k);
	} else {
		memcpy(h->k, raw, (size_t)n);
	}
	explicit_bzero(raw, sizeof(raw));
	for (unsigned i = 0; i < h->alg->block; i++)
		pad[i] = h->k[i] ^ 0x36;
	h_init(h->alg, &h->c);
	h_update(h->alg, &h->c, pad, h->alg->block);
	explicit_bzero(pad, sizeof(pad));
	return 0;
}

static void hmac_add(struct hmac *h, const uint8_t *d, size_t n)
{
	h_update(h->alg, &h->c, d, n);
}

static unsigned hmac_end(struct hmac *h, uint8_t *mac)
{
	uint8_t pad[LDNS_SHA512_BLOCK_LENGTH], inner[LDNS_SHA512_DIGEST_LENGTH];
	unsigned n = h->alg->digest;

	h_final(h->alg, &h->c, inner);
	for (unsigned i = 0; i < h->alg->block; i++)
		pad[i] = h->k[i] ^ 0x5c;
	h_init(h->alg, &h->c);
	h_update(h->alg, &h->c, pad, h->alg->block);
	h_update(h->alg, &h->c, inner, n);
	h_final(h->alg, &h->c, mac);
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(h, sizeof(*h));
	return n;
}

/* ------------------------------------------------------------------ */
/* wire helpers                                                         */

static uint64_t get48(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = (v << 8) | p[i];
	return v;
}

static void put48(uint8_t *p, uint64_t v)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* NAME as canonical (lower-case, uncompressed) wire form into OUT (256 bytes). */
static int name_wire(const char *name, uint8_t *out, size_t *len)
{
	ldns_rdf *d = ldns_dname_new_frm_str(name);

	if (!d)
		return -EINVAL;
	ldns_dname2canonical(d);
	if (ldns_rdf_size(d) > 255) {
		ldns_rdf_deep_free(d);
		return -EINVAL;
	}
	memcpy(out, ldns_rdf_data(d), ldns_rdf_size(d));
	*len = ldns_rdf_size(d);
	ldns_rdf_deep_free(d);
	return 0;
}

/* The TSIG variables (RFC 8945 4.3.3) after the message. */
static void mac_vars(struct hmac *h, const uint8_t *kname, size_t klen, const uint8_t *aname,
		     size_t alen, uint64_t when, uint16_t fudge, uint16_t error,
		     const uint8_t *other, uint16_t olen)
{
	uint8_t b[10];

	hmac_add(h, kname, klen);
	he_put16(b, CLASS_ANY);
	memset(b + 2, 0, 4); /* TTL */
	hmac_add(h, b, 6);
	hmac_add(h, aname, alen);
	put48(b, when);
	he_put16(b + 6, fudge);
	he_put16(b + 8, error);
	hmac_add(h, b, 10);
	he_put16(b, olen);
	hmac_add(h, b, 2);
	if (olen)
		hmac_add(h, other, olen);
}

/*
 * Sign MSG (LEN bytes in a buffer of CAP) in place: append the TSIG record and
 * bump ARCOUNT. Returns the new length or -errno.
 */
static int tsig_append(uint8_t *msg, size_t len, size_t cap, const struct he_tsig_key *key,
		       uint64_t now)
{
	uint8_t kname[256], aname[256], mac[MAC_MAX];
	size_t klen, alen, need;
	struct hmac h;
	unsigned mlen;
	uint8_t *p;

	if (name_wire(key->name, kname, &klen) || name_wire(key->algorithm, aname, &alen))
		return -EINVAL;
	if (hmac_start(&h, key))
		return -EINVAL;
	hmac_add(&h, msg, len);
	mac_vars(&h, kname, klen, aname, alen, now, HE_RFC2136_FUDGE, 0, NULL, 0);
	mlen = hmac_end(&h, mac);
	need = klen + 10 + alen + 10 + mlen + 6;
	if (len + need > cap)
		return -EMSGSIZE;
	p = msg + len;
	memcpy(p, kname, klen);
	p += klen;
	he_put16(p, TYPE_TSIG);
	he_put16(p + 2, CLASS_ANY);
	memset(p + 4, 0, 4);
	he_put16(p + 8, (uint16_t)(alen + 10 + mlen + 6));
	p += 10;
	memcpy(p, aname, alen);
	p += alen;
	put48(p, now);
	he_put16(p + 6, HE_RFC2136_FUDGE);
	he_put16(p + 8, (uint16_t)mlen);
	p += 10;
	memcpy(p, mac, mlen);
	p += mlen;
	memcpy(p, msg, 2);  /* original ID */
	he_put16(p + 2, 0); /* error */
	he_put16(p + 4, 0); /* other len */
	he_put16(msg + 10, (uint16_t)(he_get16(msg + 10) + 1));
	explicit_bzero(mac, sizeof(mac));
	return (int)(len + need);
}

/* A parsed TSIG record and where it starts. */
struct tsig_rr {
	size_t start;
	uint8_t owner[256];
	size_t owner_len;
	uint8_t alg[256];
	size_t alg_len;
	uint64_t when;
	uint16_t fudge, orig_id, error, mac_len, other_len;
	const uint8_t *mac, *other;
};

/* Read a (possibly compressed) name at *pos into canonical wire form. */
static int read_name(const uint8_t *w, size_t len, size_t *pos, uint8_t *out, size_t *olen)
{
	ldns_rdf *d = NULL;

	if (ldns_wire2dname(&d, w, len, pos) != LDNS_STATUS_OK || !d)
		return -EBADMSG;
	ldns_dname2canonical(d);
	if (ldns_rdf_size(d) > 255) {
		ldns_rdf_deep_free(d);
		return -EBADMSG;
	}
	memcpy(out, ldns_rdf_data(d), ldns_rdf_size(d));
	*olen = ldns_rdf_size(d);
	ldns_rdf_deep_free(d);
	return 0;
}

/* What the walk over a message found. */
struct walk {
	bool has_tsig;
	struct tsig_rr t;
	ldns_rdf *zone;     /* first question's owner (the zone of an UPDATE) */
	ldns_rdf *up_owner; /* first authority (update) record's owner */
	uint16_t up_type;
};

static void walk_free(struct walk *wk)
{
	ldns_rdf_deep_free(wk->zone);
	ldns_rdf_deep_free(wk->up_owner);
	wk->zone = wk->up_owner = NULL;
}

/*
 * Walk every record of a message; when the last additional record is a TSIG,
 * parse it. -EBADMSG for anything malformed or trailing bytes.
 */
static int walk_msg(const uint8_t *w, size_t len, struct walk *wk)
{
	static const ldns_pkt_section secs[4] = {LDNS_SECTION_QUESTION, LDNS_SECTION_ANSWER,
						 LDNS_SECTION_AUTHORITY, LDNS_SECTION_ADDITIONAL};
	size_t pos = HDR_LEN, start;
	struct tsig_rr *t = &wk->t;

	memset(wk, 0, sizeof(*wk));
	if (len < HDR_LEN)
		return -EBADMSG;
	for (int s = 0; s < 4; s++) {
		unsigned cnt = he_get16(w + 4 + 2 * s);

		for (unsigned i = 0; i < cnt; i++) {
			ldns_rr *rr = NULL;

			start = pos;
			if (ldns_wire2rr(&rr, w, len, &pos, secs[s]) != LDNS_STATUS_OK || !rr)
				goto bad;
			if (s == 0 && !wk->zone)
				wk->zone = ldns_rdf_clone(ldns_rr_owner(rr));
			if (s == 2 && !wk->up_owner) {
				wk->up_owner = ldns_rdf_clone(ldns_rr_owner(rr));
				wk->up_type = (uint16_t)ldns_rr_get_type(rr);
			}
			if (s == 3 && ldns_rr_get_type(rr) == TYPE_TSIG) {
				ldns_rr_free(rr);
				if (i + 1 != cnt)
					goto bad; /* TSIG must be the last record */
				wk->has_tsig = true;
				t->start = start;
				continue;
			}
			ldns_rr_free(rr);
		}
	}
	if (pos != len)
		goto bad;
	if (wk->has_tsig) {
		size_t p = t->start, rdend;

		if (read_name(w, len, &p, t->owner, &t->owner_len) || p + 10 > len)
			goto bad;
		if (he_get16(w + p + 2) != CLASS_ANY)
			goto bad;
		rdend = p + 10 + he_get16(w + p + 8);
		p += 10;
		if (rdend != len || read_name(w, len, &p, t->alg, &t->alg_len) || p + 10 > rdend)
			goto bad;
		t->when = get48(w + p);
		t->fudge = he_get16(w + p + 6);
		t->mac_len = he_get16(w + p + 8);
		p += 10;
		if (p + t->mac_len + 6 > rdend)
			goto bad;
		t->mac = w + p;
		p += t->mac_len;
		t->orig_id = he_get16(w + p);
		t->error = he_get16(w + p + 2);
		t->other_len = he_get16(w + p + 4);
		p += 6;
		if (p + t->other_len != rdend)
			goto bad;
		t->other = w + p;
	}
	return 0;
bad:
	walk_free(wk);
	return -EBADMSG;
}

/* Does the reply's MAC verify? REQ_MAC is the request's MAC. */
static bool tsig_verify(const uint8_t *w, const struct tsig_rr *t, const struct he_tsig_key *key,
			const uint8_t *req_mac, uint16_t req_mac_len)
{
	uint8_t mac[MAC_MAX], b[2];
	struct hmac h;
	unsigned n, diff = 0;

	if (hmac_start(&h, key))
		return false;
	if (t->mac_len != h.alg->digest) {
		explicit_bzero(&h, sizeof(h));
		return false; /* truncated MACs are not accepted */
	}
	he_put16(b, req_mac_len);
	hmac_add(&h, b, 2);
	hmac_add(&h, req_mac, req_mac_len);
	/* the message as before signing: original ID, ARCOUNT - 1, no TSIG */
	he_put16(b, t->orig_id);
	hmac_add(&h, b, 2);
	hmac_add(&h, w + 2, 8);
	he_put16(b, (uint16_t)(he_get16(w + 10) - 1));
	hmac_add(&h, b, 2);
	hmac_add(&h, w + HDR_LEN, t->start - HDR_LEN);
	mac_vars(&h, t->owner, t->owner_len, t->alg, t->alg_len, t->when, t->fudge, t->error,
		 t->other, t->other_len);
	n = hmac_end(&h, mac);
	for (unsigned i = 0; i < n; i++)
		diff |= mac[i] ^ t->mac[i];
	return diff == 0;
}

const char *he_rfc2136_rcode_name(int rcode, char *buf, size_t len)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	if (rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		return names[rcode];
	snprintf(buf, len, "RCODE %d", rcode);
	return buf;
}

/* ------------------------------------------------------------------ */
/* building                                                             */

static uint16_t rr_type(int family)
{
	return family == AF_INET6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
}

static const char *type_name(int family)
{
	return family == AF_INET6 ? "AAAA" : "A";
}

/* MSG from ldns into a malloc'ed buffer with room for a TSIG. */
static int pkt_to_buf(ldns_pkt *pkt, size_t room, uint8_t **out, size_t *len)
{
	uint8_t *wire = NULL, *b;
	size_t n = 0;

	if (ldns_pkt2wire(&wire, pkt, &n) != LDNS_STATUS_OK || !wire)
		return -ENOMEM;
	b = malloc(n + room);
	if (!b) {
		free(wire);
		return -ENOMEM;
	}
	memcpy(b, wire, n);
	free(wire);
	*out = b;
	*len = n;
	return 0;
}

static int check_req(const struct he_rfc2136_req *req, struct he_error *err)
{
	unsigned char a[16];

	if (!req || !req->zone || !*req->zone || !req->name || !*req->name)
		return he_error_set(err, -EINVAL, "rfc2136: zone and record name must be set");
	if (!dname_ok(req->zone))
		return he_error_set(err, -EINVAL, "rfc2136: zone '%.200s' is not a valid DNS name",
				    req->zone);
	if (!dname_ok(req->name))
		return he_error_set(err, -EINVAL,
				    "rfc2136: record name '%.200s' is not a valid DNS name",
				    req->name);
	if (req->family != AF_INET && req->family != AF_INET6)
		return he_error_set(err, -EINVAL,
				    "rfc2136: family must be IPv4 (A) or IPv6 (AAAA)");
	if (!req->remove && (!req->address || inet_pton(req->family, req->address, a) != 1))
		return he_error_set(err, -EINVAL, "rfc2136: '%.64s' is not an IPv%c address",
				    req->address ? req->address : "",
				    req->family == AF_INET6 ? '6' : '4');
	if (!req->key || !req->key->name[0] || !alg_find(req->key->algorithm) ||
	    !req->key->secret[0])
		return he_error_set(err, -EINVAL,
				    "rfc2136: no usable TSIG key (set key-file to a BIND/Knot key "
				    "file)");
	return 0;
}

int he_rfc2136_build(const struct he_rfc2136_req *req, uint16_t id, time_t now, uint8_t **out,
		     size_t *len, struct he_error *err)
{
	ldns_rr_list *up = NULL;
	ldns_rr *del = NULL, *add = NULL;
	ldns_rdf *addr = NULL;
	ldns_pkt *pkt = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	*len = 0;
	ret = check_req(req, err);
	if (ret)
		return ret;
	ret = -ENOMEM;
	up = ldns_rr_list_new();
	del = ldns_rr_new();
	add = ldns_rr_new();
	addr = ldns_rdf_new_frm_str(req->family == AF_INET6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
				    req->remove ? (req->family == AF_INET6 ? "::" : "0.0.0.0")
						: req->address);
	if (!up || !del || !add || !addr)
		goto fail;
	/* delete the RRset: NAME 0 ANY TYPE (no data) */
	ldns_rr_set_owner(del, ldns_dname_new_frm_str(req->name));
	ldns_rr_set_type(del, rr_type(req->family));
	ldns_rr_set_class(del, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(del, 0);
	ldns_rr_set_question(del, false);
	/* add NAME TTL IN TYPE ADDRESS */
	ldns_rr_set_owner(add, ldns_dname_new_frm_str(req->name));
	ldns_rr_set_type(add, rr_type(req->family));
	ldns_rr_set_class(add, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(add, req->ttl ? req->ttl : HE_RFC2136_TTL);
	ldns_rr_push_rdf(add, addr);
	addr = NULL;
	if (!ldns_rr_owner(del) || !ldns_rr_owner(add))
		goto fail;
	ldns_rr_list_push_rr(up, del);
	del = NULL;
	if (!req->remove)
		ldns_rr_list_push_rr(up, add);
	else
		ldns_rr_free(add);
	add = NULL;
	pkt = ldns_update_pkt_new(ldns_dname_new_frm_str(req->zone), LDNS_RR_CLASS_IN, NULL, up,
				  NULL);
	if (!pkt)
		goto fail;
	ldns_pkt_set_rd(pkt, false);
	ldns_pkt_set_id(pkt, id);
	ret = pkt_to_buf(pkt, 600, &buf, &n);
	if (ret)
		goto fail;
	ret = tsig_append(buf, n, n + 600, req->key, (uint64_t)now);
	if (ret < 0) {
		he_error_set(err, ret, "rfc2136: cannot sign the update with key '%.80s'",
			     req->key->name);
		goto out;
	}
	*out = buf;
	*len = (size_t)ret;
	buf = NULL;
	ret = 0;
	goto out;
fail:
	he_error_set(err, ret, "rfc2136: cannot build the update message");
out:
	free(buf);
	ldns_pkt_free(pkt);
	ldns_rr_list_deep_free(up);
	ldns_rr_free(del);
	ldns_rr_free(add);
	ldns_rdf_deep_free(addr);
	return ret;
}

int he_rfc2136_build_query(const char *name, int family, uint16_t id, uint8_t **out, size_t *len,
			   struct he_error *err)
{
	ldns_rdf *d;
	ldns_pkt *pkt;
	int ret;

	*out = NULL;
	*len = 0;
	if (!name || !dname_ok(name))
		return he_error_set(err, -EINVAL, "rfc2136: '%.200s' is not a valid DNS name",
				    name ? name : "");
	d = ldns_dname_new_frm_str(name);
	pkt = d ? ldns_pkt_query_new(d, rr_type(family), LDNS_RR_CLASS_IN, 0) : NULL;
	if (!pkt)
		return he_error_set(err, -ENOMEM, "rfc2136: cannot build the query");
	ldns_pkt_set_id(pkt, id);
	ret = pkt_to_buf(pkt, 0, out, len);
	ldns_pkt_free(pkt);
	if (ret)
		return he_error_set(err, ret, "rfc2136: cannot build the query");
	return 0;
}

/* ------------------------------------------------------------------ */
/* judging the reply                                                    */

/* Names for messages, from the request walk. */
struct ctx {
	char zone[256], name[256], key[HE_TSIG_NAME_MAX + 1];
	const char *type;
};

static void rdf_str(const ldns_rdf *d, char *buf, size_t n)
{
	char *s = d ? ldns_rdf2str(d) : NULL;
	size_t l;

	snprintf(buf, n, "%s", s ? s : "?");
	l = strlen(buf);
	if (l > 1 && buf[l - 1] == '.')
		buf[l - 1] = '\0';
	free(s);
}

static int map_rcode(int rcode, const struct ctx *c, struct he_rfc2136_result *res,
		     struct he_error *err)
{
	char nb[16];
	const char *rn = he_rfc2136_rcode_name(rcode, nb, sizeof(nb));

	res->permanent = true;
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		res->permanent = false;
		return 0;
	case LDNS_RCODE_NOTAUTH:
		return he_error_set(err, -EACCES,
				    "the server answered NOTAUTH: it is not authoritative for zone "
				    "'%s' or did not accept key '%s'; check that zone names the "
				    "server's zone and that the key file matches the server's key",
				    c->zone, c->key);
	case LDNS_RCODE_REFUSED:
		return he_error_set(err, -EPERM,
				    "the server REFUSED the update: its update policy does not let "
				    "key '%s' change %s %s in zone '%s'; allow it there (Knot: an "
				    "acl with action: update and key: %s; BIND: update-policy "
				    "{ grant %s name %s A AAAA; };)",
				    c->key, c->name, c->type, c->zone, c->key, c->key, c->name);
	case LDNS_RCODE_NOTZONE:
		return he_error_set(err, -ENOTDIR,
				    "the server answered NOTZONE: %s is not inside zone '%s'; set "
				    "zone to the zone that contains the name",
				    c->name, c->zone);
	case LDNS_RCODE_SERVFAIL:
		res->permanent = false;
		return he_error_set(
		    err, -EAGAIN,
		    "the server failed to apply the update (SERVFAIL): a problem on "
		    "the server (its log says which, e.g. the zone file not "
		    "writable); will retry");
	case LDNS_RCODE_NOTIMPL:
		return he_error_set(
		    err, -EOPNOTSUPP,
		    "the server does not implement DNS UPDATE (NOTIMP): point server "
		    "at the primary of zone '%s'",
		    c->zone);
	case LDNS_RCODE_FORMERR:
		return he_error_set(err, -EPROTO,
				    "the server could not parse the update (FORMERR): it may not "
				    "support TSIG algorithm of key '%s'",
				    c->key);
	default:
		return he_error_set(err, -EPROTO,
				    "the server answered %s to an update without prerequisites: "
				    "unexpected, see the server's log",
				    rn);
	}
}

static int map_tsig_error(const struct tsig_rr *t, const struct ctx *c, time_t now,
			  struct he_rfc2136_result *res, struct he_error *err)
{
	long long skew;

	switch (t->error) {
	case HE_TSIG_BADSIG:
		res->permanent = true;
		return he_error_set(
		    err, -EACCES,
		    "the server rejected the signature (NOTAUTH, TSIG BADSIG): the "
		    "secret of key '%s' differs from the server's; copy the key file "
		    "from the server again",
		    c->key);
	case HE_TSIG_BADKEY:
		res->permanent = true;
		return he_error_set(
		    err, -EACCES,
		    "the server did not accept key '%s' for %s %s (NOTAUTH, TSIG "
		    "BADKEY): either it does not know the key (name and algorithm "
		    "must match its key definition) or its policy does not allow "
		    "this key to update that name and type in zone '%s' (Knot "
		    "answers BADKEY for both: allow it in an acl with action: update "
		    "and key: %s)",
		    c->key, c->name, c->type, c->zone, c->key);
	case HE_TSIG_BADTIME:
		/* in a BADTIME reply the server's own time is in Other Data */
		skew = t->other_len == 6 ? (long long)get48(t->other) - (long long)now : 0;
		res->permanent = false;
		if (skew)
			return he_error_set(
			    err, -ETIME,
			    "the server rejected the signature's time (NOTAUTH, TSIG "
			    "BADTIME): its clock and this host's differ by %lld s "
			    "(%d allowed); fix the clock (NTP) on one of them",
			    skew, HE_RFC2136_FUDGE);
		return he_error_set(err, -ETIME,
				    "the server rejected the signature's time (NOTAUTH, TSIG "
				    "BADTIME): its clock and this host's differ by more than %d s; "
				    "fix the clock (NTP)",
				    HE_RFC2136_FUDGE);
	default:
		res->permanent = true;
		return he_error_set(err, -EACCES,
				    "the server rejected the signature of key '%s' (TSIG error %u)",
				    c->key, t->error);
	}
}

int he_rfc2136_classify(const uint8_t *reply, size_t len, const uint8_t *request, size_t req_len,
			const struct he_tsig_key *key, time_t now, struct he_rfc2136_result *res,
			struct he_error *err)
{
	struct he_rfc2136_result dummy;
	struct walk rq, rp;
	struct ctx c;
	int rcode;
	long long off;

	if (!res)
		res = &dummy;
	res->rcode = -1;
	res->tsig_error = 0;
	res->permanent = false;
	memset(&c, 0, sizeof(c));
	if (!request || walk_msg(request, req_len, &rq) || !rq.has_tsig)
		return he_error_set(err, -EINVAL, "rfc2136: the request is not a signed message");
	rdf_str(rq.zone, c.zone, sizeof(c.zone));
	rdf_str(rq.up_owner, c.name, sizeof(c.name));
	c.type = rq.up_type == LDNS_RR_TYPE_AAAA ? "AAAA" : "A";
	snprintf(c.key, sizeof(c.key), "%s", key->name);
	walk_free(&rq);
	if (!reply || len < HDR_LEN)
		return he_error_set(err, -EBADMSG,
				    "the reply (%zu bytes) is shorter than a DNS "
				    "header",
				    reply ? len : 0);
	if (he_get16(reply) != he_get16(request))
		return he_error_set(err, -EBADMSG, "the reply's ID does not match the update's");
	if (!(reply[2] & 0x80) || ((reply[2] >> 3) & 0x0f) != OPCODE_UPD)
		return he_error_set(err, -EBADMSG, "the reply is not an answer to an UPDATE");
	if (reply[2] & 0x02)
		return he_error_set(err, -EMSGSIZE, "the reply is truncated (TC): retry over TCP");
	if (walk_msg(reply, len, &rp))
		return he_error_set(err, -EBADMSG, "the reply is malformed");
	walk_free(&rp);
	rcode = reply[3] & 0x0f;
	res->rcode = rcode;
	if (!rp.has_tsig) {
		if (rcode == LDNS_RCODE_NOERROR)
			return he_error_set(err, -EBADMSG,
					    "the server's success reply is not signed: not trusted "
					    "(does the server know TSIG key '%s'?)",
					    c.key);
		return map_rcode(rcode, &c, res, err);
	}
	res->tsig_error = rp.t.error;
	if (rp.t.error)
		return map_tsig_error(&rp.t, &c, now, res, err);
	/* rq.t.mac points into REQUEST: still valid after walk_free() */
	if (!tsig_verify(reply, &rp.t, key, rq.t.mac, rq.t.mac_len)) {
		char nb[16];

		res->permanent = false;
		return he_error_set(
		    err, -EBADMSG,
		    "the reply's TSIG signature does not verify with key '%s' (%s): "
		    "the answer was altered or not sent by the server",
		    c.key, he_rfc2136_rcode_name(rcode, nb, sizeof(nb)));
	}
	off = (long long)rp.t.when - (long long)now;
	if (off > rp.t.fudge || -off > rp.t.fudge) {
		res->permanent = false;
		return he_error_set(err, -ETIME,
				    "the reply was signed %lld s away from this host's clock (%u "
				    "allowed): fix the clock (NTP)",
				    off, rp.t.fudge);
	}
	return map_rcode(rcode, &c, res, err);
}

int he_rfc2136_parse_answer(const uint8_t *reply, size_t len, uint16_t id, const char *name,
			    int family, struct he_rfc2136_addrs *out, struct he_error *err)
{
	ldns_pkt *pkt = NULL;
	ldns_rdf *want;
	ldns_rr_list *an;
	char nb[16];
	int rcode, ret = 0;

	memset(out, 0, sizeof(*out));
	if (len < HDR_LEN || he_get16(reply) != id || !(reply[2] & 0x80))
		return he_error_set(err, -EBADMSG, "the query's reply is not an answer to it");
	if (ldns_wire2pkt(&pkt, reply, len) != LDNS_STATUS_OK || !pkt)
		return he_error_set(err, -EBADMSG, "the query's reply is malformed");
	rcode = (int)ldns_pkt_get_rcode(pkt);
	if (rcode == LDNS_RCODE_NXDOMAIN) {
		ldns_pkt_free(pkt);
		return 0;
	}
	if (rcode != LDNS_RCODE_NOERROR) {
		ldns_pkt_free(pkt);
		return he_error_set(err, rcode == LDNS_RCODE_REFUSED ? -EPERM : -EPROTO,
				    "the server answered %s to the query for %.200s (is it "
				    "authoritative for the name?)",
				    he_rfc2136_rcode_name(rcode, nb, sizeof(nb)), name);
	}
	want = ldns_dname_new_frm_str(name);
	if (!want) {
		ldns_pkt_free(pkt);
		return he_error_set(err, -EINVAL, "'%.200s' is not a valid DNS name", name);
	}
	an = ldns_pkt_answer(pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		const ldns_rdf *d = ldns_rr_rdf(rr, 0);
		size_t want_len = family == AF_INET6 ? 16 : 4;

		if (ldns_rr_get_type(rr) != rr_type(family) ||
		    ldns_dname_compare(ldns_rr_owner(rr), want) || !d ||
		    ldns_rdf_size(d) != want_len || out->n >= HE_RFC2136_MAX_ADDR)
			continue;
		inet_ntop(family, ldns_rdf_data(d), out->addr[out->n], HE_RFC2136_ADDRLEN);
		out->n++;
	}
	ldns_rdf_deep_free(want);
	ldns_pkt_free(pkt);
	return ret;
}

/* ------------------------------------------------------------------ */
/* transport                                                            */

struct server {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];
};

static int server_resolve(const char *spec, struct server *sv, struct he_error *err)
{
	char host[256], port[8] = "53";
	struct addrinfo hints = {0}, *ai = NULL;
	const char *colon = strrchr(spec, ':');
	char addr[INET6_ADDRSTRLEN];
	int rc;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || (size_t)(rb - spec - 1) >= sizeof(host) ||
		    (rb[1] && (rb[1] != ':' || !rb[2] || strlen(rb + 2) >= sizeof(port))))
			return he_error_set(err, -EINVAL,
					    "rfc2136: server '%.100s' is not [ADDRESS]:PORT", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(rb - spec - 1), spec + 1);
		if (rb[1])
			snprintf(port, sizeof(port), "%s", rb + 2);
	} else if (colon && strchr(spec, ':') == colon) {
		if ((size_t)(colon - spec) >= sizeof(host) || !colon[1] ||
		    strlen(colon + 1) >= sizeof(port))
			return he_error_set(err, -EINVAL,
					    "rfc2136: server '%.100s' is not ADDRESS[:PORT]", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else {
		if (strlen(spec) >= sizeof(host))
			return he_error_set(err, -EINVAL, "rfc2136: server name too long");
		snprintf(host, sizeof(host), "%s", spec);
	}
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc || !ai)
		return he_error_set(err, -EHOSTUNREACH,
				    "rfc2136: cannot resolve server '%.100s' (%s): give its "
				    "address in server",
				    host, gai_strerror(rc));
	memcpy(&sv->ss, ai->ai_addr, ai->ai_addrlen);
	sv->len = ai->ai_addrlen;
	if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;

		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		snprintf(sv->text, sizeof(sv->text), "[%s]:%u", addr, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ai->ai_addr;

		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		snprintf(sv->text, sizeof(sv->text), "%s:%u", addr, ntohs(s4->sin_port));
	}
	freeaddrinfo(ai);
	return 0;
}

/* Wait for EV on FD until DEADLINE (monotonic ms): 1 ready, 0 timeout, -errno. */
static int wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = ev};
	long long left = deadline - he_now_ms();
	int r;

	if (left <= 0)
		return 0;
	r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r > 0;
}

static int io_error(int e, const struct server *sv, bool tcp, struct he_error *err)
{
	if (e == ECONNREFUSED)
		return he_error_set(
		    err, -ECONNREFUSED,
		    "nothing answers DNS on %s (%s: connection refused): is the DNS "
		    "server running and listening there?",
		    sv->text, tcp ? "TCP" : "UDP");
	if (e == ENETUNREACH || e == EHOSTUNREACH)
		return he_error_set(err, -e, "no route to the DNS server %s: %s", sv->text,
				    strerror(e));
	return he_error_set(err, -e, "talking to the DNS server %s over %s: %s", sv->text,
			    tcp ? "TCP" : "UDP", strerror(e));
}

static int timeout_error(const struct server *sv, int ms, bool tcp, struct he_error *err)
{
	return he_error_set(err, -ETIMEDOUT,
			    "no reply from the DNS server %s within %d ms over %s: the server "
			    "is unreachable or drops the packets (firewall, wrong address)",
			    sv->text, ms, tcp ? "TCP" : "UDP");
}

/* UDP: send, resend once at half time, accept only a reply with our ID. */
static int udp_exchange(const struct server *sv, const uint8_t *q, size_t qlen, int ms,
			uint8_t *buf, size_t cap, size_t *rlen, struct he_error *err)
{
	long long start = he_now_ms(), deadline = start + ms, resend = start + ms / 2;
	int fd, r, ret;
	ssize_t n;

	fd = socket(sv->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return io_error(errno, sv, false, err);
	if (connect(fd, (const struct sockaddr *)&sv->ss, sv->len) < 0 ||
	    send(fd, q, qlen, 0) < 0) {
		ret = io_error(errno, sv, false, err);
		goto out;
	}
	for (;;) {
		r = wait_fd(fd, POLLIN, resend ? resend : deadline);
		if (r < 0) {
			ret = io_error(-r, sv, false, err);
			goto out;
		}
		if (r == 0) {
			if (he_now_ms() >= deadline) {
				ret = timeout_error(sv, ms, false, err);
				goto out;
			}
			if (resend && he_now_ms() >= resend) {
				resend = 0;
				if (send(fd, q, qlen, 0) < 0) {
					ret = io_error(errno, sv, false, err);
					goto out;
				}
			}
			continue;
		}
		n = recv(fd, buf, cap, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = io_error(errno, sv, false, err);
			goto out;
		}
		if (n >= 2 && !memcmp(buf, q, 2)) {
			*rlen = (size_t)n;
			ret = 0;
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

static int tcp_io(int fd, bool wr, uint8_t *p, size_t n, long long deadline)
{
	while (n) {
		ssize_t k;
		int r = wait_fd(fd, wr ? POLLOUT : POLLIN, deadline);

		if (r <= 0)
			return r < 0 ? r : -ETIMEDOUT;
		k = wr ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ECONNRESET;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int tcp_exchange(const struct server *sv, const uint8_t *q, size_t qlen, int ms,
			uint8_t *buf, size_t cap, size_t *rlen, struct he_error *err)
{
	long long deadline = he_now_ms() + ms;
	uint8_t *out = NULL, lb[2];
	int fd, r;
	size_t want;

	fd = socket(sv->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return io_error(errno, sv, true, err);
	if (connect(fd, (const struct sockaddr *)&sv->ss, sv->len) < 0 && errno != EINPROGRESS) {
		r = io_error(errno, sv, true, err);
		goto out;
	}
	r = wait_fd(fd, POLLOUT, deadline);
	if (r <= 0) {
		r = r < 0 ? io_error(-r, sv, true, err) : timeout_error(sv, ms, true, err);
		goto out;
	}
	{
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			r = io_error(soerr, sv, true, err);
			goto out;
		}
	}
	out = malloc(qlen + 2);
	if (!out) {
		r = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	he_put16(out, (uint16_t)qlen);
	memcpy(out + 2, q, qlen);
	r = tcp_io(fd, true, out, qlen + 2, deadline);
	if (!r)
		r = tcp_io(fd, false, lb, 2, deadline);
	want = he_get16(lb);
	if (!r && (want < 2 || want > cap))
		r = -EBADMSG;
	if (!r)
		r = tcp_io(fd, false, buf, want, deadline);
	if (r == -ETIMEDOUT)
		r = timeout_error(sv, ms, true, err);
	else if (r == -EBADMSG)
		r = he_error_set(err, r, "the DNS server %s sent a bad TCP length", sv->text);
	else if (r)
		r = io_error(-r, sv, true, err);
	else
		*rlen = want;
out:
	free(out);
	close(fd);
	return r;
}

/* Send Q: UDP first, TCP when the answer is truncated. *REPLY malloc'ed. */
static int exchange(const struct server *sv, const uint8_t *q, size_t qlen, int ms, uint8_t **reply,
		    size_t *rlen, bool *tcp, struct he_error *err)
{
	uint8_t *buf = malloc(TCP_MAX);
	int ret;

	*reply = NULL;
	*tcp = false;
	if (!buf)
		return he_error_set(err, -ENOMEM, "out of memory");
	if (qlen > 512) {
		*tcp = true;
		ret = tcp_exchange(sv, q, qlen, ms, buf, TCP_MAX, rlen, err);
	} else {
		ret = udp_exchange(sv, q, qlen, ms, buf, UDP_MAX, rlen, err);
		if (!ret && *rlen >= HDR_LEN && (buf[2] & 0x02)) {
			*tcp = true;
			ret = tcp_exchange(sv, q, qlen, ms, buf, TCP_MAX, rlen, err);
		}
	}
	if (ret) {
		free(buf);
		return ret;
	}
	*reply = buf;
	return 0;
}

static uint16_t random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		id = (uint16_t)(he_now_ms() ^ getpid());
	return id;
}

/*
 * The first rdata field of the zone's TYPE records (SOA: MNAME, NS: the
 * server's name), through the system resolver: up to max into out, *n set.
 * -ENOENT without a resolver (*n = 0) or without an answer.
 */
static int system_lookup(const char *zone, ldns_rr_type type, int ms, char (*out)[HE_HOST_NAME_MAX],
			 size_t max, size_t *n)
{
	ldns_resolver *r = NULL;
	ldns_rdf *z = NULL;
	ldns_pkt *p = NULL;
	ldns_rr_list *rrs = NULL;

	*n = 0;
	if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK || !r)
		return -ENOENT;
	ldns_resolver_set_timeout(r, (struct timeval){.tv_sec = ms / 1000 ? ms / 1000 : 1});
	ldns_resolver_set_retry(r, 1);
	z = ldns_dname_new_frm_str(zone);
	if (z)
		p = ldns_resolver_query(r, z, type, LDNS_RR_CLASS_IN, LDNS_RD);
	if (p)
		rrs = ldns_pkt_rr_list_by_type(p, type, LDNS_SECTION_ANSWER);
	for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs) && *n < max; i++)
		rdf_str(ldns_rr_rdf(ldns_rr_list_rr(rrs, i), 0), out[(*n)++], HE_HOST_NAME_MAX);
	ldns_rr_list_deep_free(rrs);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(z);
	ldns_resolver_deep_free(r);
	return *n ? 0 : -ENOENT;
}

/* The zone's primary from its SOA MNAME, through the system resolver. */
static int find_primary(const char *zone, int ms, char *out, size_t n, struct he_error *err)
{
	char name[1][HE_HOST_NAME_MAX];
	size_t got;

	if (system_lookup(zone, LDNS_RR_TYPE_SOA, ms, name, 1, &got) < 0)
		return he_error_set(err, -ENOENT,
				    "rfc2136: no server set and the system resolver gave no SOA "
				    "for zone '%.200s': set server to the zone's primary",
				    zone);
	snprintf(out, n, "%s", name[0]);
	return 0;
}

int he_rfc2136_zone_ns(const char *zone, int timeout_ms, struct he_rfc2136_names *out,
		       struct he_error *err)
{
	if (system_lookup(zone, LDNS_RR_TYPE_NS, timeout_ms, out->name, HE_RFC2136_MAX_NS,
			  &out->n) < 0)
		return he_error_set(
		    err, -ENOENT,
		    "the system resolver gave no NS records for zone '%.200s' "
		    "(no resolver, or the zone is not delegated): set verify-server",
		    zone);
	return 0;
}

int he_rfc2136_update(const struct he_rfc2136_req *req, struct he_rfc2136_result *res,
		      struct he_error *err)
{
	struct he_rfc2136_result dummy;
	char primary[256];
	const char *spec;
	struct server sv;
	uint8_t *q = NULL, *reply = NULL;
	size_t qlen = 0, rlen = 0;
	int ms, ret;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	res->rcode = -1;
	ret = check_req(req, err);
	if (ret) {
		res->permanent = true;
		return ret;
	}
	ms = req->timeout_ms > 0 ? req->timeout_ms : HE_RFC2136_TIMEOUT;
	spec = req->server;
	if (!spec || !*spec) {
		ret = find_primary(req->zone, ms, primary, sizeof(primary), err);
		if (ret)
			return ret;
		spec = primary;
	}
	ret = server_resolve(spec, &sv, err);
	if (ret)
		return ret;
	snprintf(res->server, sizeof(res->server), "%s", sv.text);
	ret = he_rfc2136_build(req, random_id(), time(NULL), &q, &qlen, err);
	if (ret) {
		res->permanent = true;
		return ret;
	}
	ret = exchange(&sv, q, qlen, ms, &reply, &rlen, &res->tcp, err);
	if (!ret)
		ret = he_rfc2136_classify(reply, rlen, q, qlen, req->key, time(NULL), res, err);
	free(q);
	free(reply);
	if (ret)
		he_error_prefix(err, ret, "DNS UPDATE of %s %s at %s", req->name,
				type_name(req->family), sv.text);
	return ret;
}

int he_rfc2136_query(const char *server, const char *name, int family, int timeout_ms,
		     struct he_rfc2136_addrs *out, struct he_error *err)
{
	struct server sv;
	uint8_t *q = NULL, *reply = NULL;
	size_t qlen = 0, rlen = 0;
	uint16_t id = random_id();
	bool tcp;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!server || !*server)
		return he_error_set(err, -EINVAL, "rfc2136: query needs a server");
	ret = server_resolve(server, &sv, err);
	if (ret)
		return ret;
	ret = he_rfc2136_build_query(name, family, id, &q, &qlen, err);
	if (ret)
		return ret;
	ret = exchange(&sv, q, qlen, timeout_ms > 0 ? timeout_ms : HE_RFC2136_TIMEOUT, &reply,
		       &rlen, &tcp, err);
	if (!ret)
		ret = he_rfc2136_parse_answer(reply, rlen, id, name, family, out, err);
	free(q);
	free(reply);
	return ret;
}
