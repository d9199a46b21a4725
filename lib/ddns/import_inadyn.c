/* SPDX-License-Identifier: MIT */
/*
 * import_inadyn.c - read an inadyn.conf as inadyn.conf(5) defines it (the
 * libConfuse syntax): global "key = value" settings (period, allow-ipv6,
 * ca-trust-file, ...) and blocks
 *
 *   provider NAME[:ID] { username = U  password = P  hostname = H | { "H1", "H2" } ... }
 *   custom NAME[:ID]   { ddns-server = S  ddns-path = "/nic/update?..." ... }
 *
 * Values are words or quoted strings ("..." or '...', '\' escapes);
 * comments are '#' or '//' to the end of the line and C-style. What each
 * host becomes is import.c's business (the provider name through its
 * table, a custom block as dyndns2 to its server).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/secret.h"
#include "ddns/import.h"

#define VAL_MAX   1024
#define HOSTS_MAX 64

enum tok { T_END, T_WORD, T_STR, T_EQ, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_COMMA, T_BAD };

struct lex {
	const char *s;
	size_t len, i;
	int line;
	char val[VAL_MAX]; /* the word or string; may hold a password: wiped at the end */
	int tline;         /* the token's line */
};

/* Copy a token's value (cut to size). */
static void copy(char *dst, size_t dsz, const char *src)
{
	size_t n = strnlen(src, dsz - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool word_char(char c)
{
	return c && !strchr(" \t\r\n\f\v=,{}()[]\"'#", c);
}

static void skip_space(struct lex *x)
{
	while (x->i < x->len) {
		char c = x->s[x->i];

		if (c == '\n') {
			x->line++;
			x->i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			x->i++;
		} else if (c == '#' || (c == '/' && x->i + 1 < x->len && x->s[x->i + 1] == '/')) {
			while (x->i < x->len && x->s[x->i] != '\n')
				x->i++;
		} else if (c == '/' && x->i + 1 < x->len && x->s[x->i + 1] == '*') {
			x->i += 2;
			while (x->i + 1 < x->len && !(x->s[x->i] == '*' && x->s[x->i + 1] == '/')) {
				if (x->s[x->i] == '\n')
					x->line++;
				x->i++;
			}
			x->i = x->i + 2 < x->len ? x->i + 2 : x->len;
		} else {
			return;
		}
	}
}

static enum tok next(struct lex *x)
{
	static const char punct[] = "={}(),";
	static const enum tok ptok[] = {T_EQ, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_COMMA};
	const char *p;
	size_t o = 0;
	char c;

	skip_space(x);
	x->tline = x->line;
	x->val[0] = '\0';
	if (x->i >= x->len)
		return T_END;
	c = x->s[x->i];
	if (c && (p = strchr(punct, c))) {
		x->i++;
		return ptok[p - punct];
	}
	switch (c) {
	case '"':
	case '\'':
		x->i++;
		while (x->i < x->len && x->s[x->i] != c) {
			char ch = x->s[x->i++];

			if (ch == '\\' && x->i < x->len)
				ch = x->s[x->i++];
			if (ch == '\n')
				x->line++;
			if (o + 1 < sizeof(x->val))
				x->val[o++] = ch;
		}
		x->val[o] = '\0';
		if (x->i >= x->len)
			return T_BAD; /* unterminated string */
		x->i++;
		return T_STR;
	default:
		if (!word_char(c)) {
			x->i++;
			return T_BAD;
		}
		while (x->i < x->len && word_char(x->s[x->i])) {
			char ch = x->s[x->i++];

			if (ch == '\\' && x->i < x->len)
				ch = x->s[x->i++];
			if (o + 1 < sizeof(x->val))
				x->val[o++] = ch;
		}
		x->val[o] = '\0';
		return T_WORD;
	}
}

/* A block's settings, and the globals that reach into it. */
struct block {
	int line;
	bool custom;
	char name[128];
	char user[VAL_MAX], pass[VAL_MAX], server[256], path[512], ca[256];
	char hosts[HOSTS_MAX][HE_HOST_MAX];
	size_t nhosts;
	int ssl; /* -1 unset, 0, 1 */
};

struct globals {
	bool allow_v6;
	char ca[256];
};

static bool truth(const char *v)
{
	return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
	       !strcmp(v, "1");
}

/* Skip a value: a word/string, or a { list }, or a nested block. Returns false at a syntax error.
 */
static bool skip_value(struct lex *x, enum tok t)
{
	int depth = 0;

	if (t == T_WORD || t == T_STR)
		return true;
	if (t != T_LBRACE)
		return false;
	for (depth = 1; depth > 0;) {
		t = next(x);
		if (t == T_END || t == T_BAD)
			return false;
		depth += t == T_LBRACE ? 1 : t == T_RBRACE ? -1 : 0;
	}
	return true;
}

static const struct {
	const char *key, *why;
} block_notes[] = {
    {"checkip-command", "homeexpose finds the public address itself (router, STUN, [publicip]); "
			"the command is not run"},
    {"checkip-server", "homeexpose finds the public address itself ([publicip] http-urls)"},
    {"iface", "homeexpose asks the router and STUN for the public address, not an interface"},
    {"wildcard", "wildcard records are not updated by homeexpose; left out"},
    {"ttl", "the provider's record TTL stays as it is set there"},
    {"proxied", "Cloudflare's proxied flag stays as it is set there"},
    {"user-agent", "homeexpose sends its own User-Agent"},
};

static const char *const block_quiet[] = {
    "username",  "password",     "hostname",    "ssl",           "ddns-server",
    "ddns-path", "checkip-path", "checkip-ssl", "ddns-response", NULL};

static int block_key(struct he_ddns_import *im, struct lex *x, struct block *b, const char *key,
		     int kline)
{
	enum tok t = next(x);

	if (!strcmp(key, "hostname") && t == T_LBRACE) {
		while ((t = next(x)) != T_RBRACE) {
			if (t == T_COMMA)
				continue;
			if (t != T_WORD && t != T_STR)
				return -EINVAL;
			if (b->nhosts < HOSTS_MAX)
				copy(b->hosts[b->nhosts++], HE_HOST_MAX, x->val);
		}
		return 0;
	}
	if (t != T_WORD && t != T_STR)
		return skip_value(x, t) ? 0 : -EINVAL;
	if (!strcmp(key, "hostname") && b->nhosts < HOSTS_MAX)
		copy(b->hosts[b->nhosts++], HE_HOST_MAX, x->val);
	else if (!strcmp(key, "username"))
		copy(b->user, sizeof(b->user), x->val);
	else if (!strcmp(key, "password"))
		copy(b->pass, sizeof(b->pass), x->val);
	else if (!strcmp(key, "ddns-server"))
		copy(b->server, sizeof(b->server), x->val);
	else if (!strcmp(key, "ddns-path"))
		copy(b->path, sizeof(b->path), x->val);
	else if (!strcmp(key, "ssl"))
		b->ssl = truth(x->val);
	for (size_t i = 0; i < sizeof(block_notes) / sizeof(block_notes[0]); i++)
		if (!strcmp(block_notes[i].key, key) &&
		    (strcmp(key, "wildcard") && strcmp(key, "proxied") ? 1 : truth(x->val))) {
			char what[96];

			snprintf(what, sizeof(what), "%.30s = %.60s", key, x->val);
			return he_ddns_import_skip(im, kline, false, what, "%s",
						   block_notes[i].why);
		}
	for (size_t i = 0; block_quiet[i]; i++)
		if (!strcmp(block_quiet[i], key))
			return 0;
	for (size_t i = 0; i < sizeof(block_notes) / sizeof(block_notes[0]); i++)
		if (!strcmp(block_notes[i].key, key))
			return 0;
	return he_ddns_import_skip(im, kline, false, key,
				   "not a setting the import knows; left out");
}

/* A custom block's update URL: ddns-server plus the path without its query. */
static int custom_server(struct he_ddns_import *im, const struct block *b, char *out, size_t outsz)
{
	size_t plen = strcspn(b->path, "?");
	const char *q = b->path[plen] ? b->path + plen + 1 : "";

	/* https whatever ssl says: homeexpose speaks nothing else to a provider */
	snprintf(out, outsz, "%s%s%.*s", strstr(b->server, "://") ? "" : "https://", b->server,
		 (int)plen, b->path);
	/* dyndns2 sends hostname and myip itself; anything else in the query is lost */
	if (*q && !strstr(q, "%h") && !strstr(q, "%i"))
		return 0;
	for (const char *p = q; *p;) {
		size_t n = strcspn(p, "&");
		char what[96];

		if (strncmp(p, "hostname=%h", n) && strncmp(p, "myip=%i", n) &&
		    strncmp(p, "system=", 7) && n) {
			snprintf(what, sizeof(what), "ddns-path %.*s", (int)(n < 60 ? n : 60), p);
			if (he_ddns_import_skip(im, b->line, false, what,
						"homeexpose sends ?hostname=H&myip=ADDR "
						"(dyndns2); this part is not carried over"))
				return -ENOMEM;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return 0;
}

static int block_done(struct he_ddns_import *im, const struct block *b, const struct globals *g)
{
	char name[128], server[HE_URL_MAX] = "";
	int rc = 0;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(b->name, ":"), b->name);
	if (b->custom && !*b->server)
		return he_ddns_import_skip(im, b->line, true, b->name,
					   "custom block without ddns-server");
	if (b->custom && (rc = custom_server(im, b, server, sizeof(server))) < 0)
		return rc;
	if (b->ssl == 0 && he_ddns_import_skip(im, b->line, false, "ssl = false",
					       "homeexpose speaks HTTPS to the provider"))
		return -ENOMEM;
	if (!b->nhosts)
		return he_ddns_import_skip(im, b->line, true, b->name, "no hostname in the block");
	for (size_t i = 0; i < b->nhosts && !rc; i++) {
		struct he_ddns_import_in in = {
		    .line = b->line,
		    .hostname = b->hosts[i],
		    .map_name = b->custom ? "custom" : name,
		    .server = *server ? server : (*b->server ? b->server : NULL),
		    .login = b->user,
		    .password = b->pass,
		    .ca_file = g->ca,
		    .want_v4 = true,
		    .want_v6 = g->allow_v6,
		};

		rc = he_ddns_import_add(im, &in);
	}
	return rc;
}

static const struct {
	const char *key, *why;
} global_notes[] = {
    {"period", "the agent follows address changes as the router announces them, and checks "
	       "on its own intervals ([agent])"},
    {"forced-update", "homeexpose re-sends an unchanged address after refresh-days (25)"},
    {"iface", "homeexpose asks the router and STUN for the public address, not an interface"},
    {"checkip-command", "homeexpose finds the public address itself; the command is not run"},
    {"secure-ssl", "homeexpose always verifies the provider's certificate"},
    {"user-agent", "homeexpose sends its own User-Agent"},
    {"fake-address", "homeexpose never sends a fake address"},
};

static const char *const global_quiet[] = {
    "allow-ipv6", "ca-trust-file", "verify-address", "iterations",
    "broken-rtc", "cache-dir",     "startup-delay",  NULL};

static int global_key(struct he_ddns_import *im, struct lex *x, struct globals *g, const char *key,
		      int kline)
{
	enum tok t = next(x);
	char what[96];

	if (t != T_WORD && t != T_STR)
		return skip_value(x, t) ? 0 : -EINVAL;
	if (!strcmp(key, "allow-ipv6"))
		g->allow_v6 = truth(x->val);
	else if (!strcmp(key, "ca-trust-file"))
		copy(g->ca, sizeof(g->ca), x->val);
	for (size_t i = 0; global_quiet[i]; i++)
		if (!strcmp(global_quiet[i], key))
			return 0;
	snprintf(what, sizeof(what), "%.30s = %.60s", key, x->val);
	for (size_t i = 0; i < sizeof(global_notes) / sizeof(global_notes[0]); i++)
		if (!strcmp(global_notes[i].key, key))
			return (!strcmp(key, "secure-ssl") && truth(x->val))
				   ? 0
				   : he_ddns_import_skip(im, kline, false, what, "%s",
							 global_notes[i].why);
	return he_ddns_import_skip(im, kline, false, key,
				   "not a setting the import knows; left out");
}

/* include("file"): not followed (the file may hold the credentials). */
static int include(struct he_ddns_import *im, struct lex *x, int kline)
{
	char what[96];
	enum tok t;

	snprintf(what, sizeof(what), "include");
	while ((t = next(x)) != T_RPAREN) {
		if (t == T_END || t == T_BAD)
			return -EINVAL;
		if (t == T_STR || t == T_WORD)
			snprintf(what, sizeof(what), "include(\"%.80s\")", x->val);
	}
	return he_ddns_import_skip(im, kline, false, what,
				   "included files are not read: import them too, or add what "
				   "they hold with 'ddns add'");
}

/* The settings of a block up to its '}'. */
static int block_body(struct he_ddns_import *im, struct lex *x, struct block *b)
{
	enum tok t;
	int rc;

	while ((t = next(x)) != T_RBRACE) {
		char key[64];
		int kline = x->tline;

		if (t != T_WORD)
			return -EINVAL;
		copy(key, sizeof(key), x->val);
		t = next(x);
		if (t == T_LPAREN && !strcmp(key, "include"))
			rc = include(im, x, kline);
		else if (t == T_EQ)
			rc = block_key(im, x, b, key, kline);
		else
			rc = -EINVAL;
		if (rc)
			return rc;
	}
	return 0;
}

static int parse(struct he_ddns_import *im, struct lex *x, struct block *b)
{
	struct globals g = {0};
	enum tok t;
	int rc = 0;

	while (!rc && (t = next(x)) != T_END) {
		char key[64];
		int kline = x->tline;

		if (t != T_WORD)
			return -EINVAL;
		copy(key, sizeof(key), x->val);
		t = next(x);
		if (t == T_EQ) {
			rc = global_key(im, x, &g, key, kline);
		} else if (t == T_LPAREN && !strcmp(key, "include")) {
			rc = include(im, x, kline);
		} else if ((t == T_WORD || t == T_STR) &&
			   (!strcmp(key, "provider") || !strcmp(key, "custom"))) {
			memset(b, 0, sizeof(*b));
			b->line = kline;
			b->ssl = -1;
			b->custom = !strcmp(key, "custom");
			copy(b->name, sizeof(b->name), x->val);
			if (next(x) != T_LBRACE)
				return -EINVAL;
			rc = block_body(im, x, b);
			if (!rc)
				rc = block_done(im, b, &g);
			explicit_bzero(b, sizeof(*b));
		} else if (t == T_WORD || t == T_STR) {
			/* another titled section: not inadyn's */
			if (next(x) != T_LBRACE || !skip_value(x, T_LBRACE))
				return -EINVAL;
			rc =
			    he_ddns_import_skip(im, kline, false, key, "unknown section, left out");
		} else {
			return -EINVAL;
		}
	}
	return rc;
}

int he_ddns_import_inadyn(const char *text, size_t len, struct he_ddns_import *out,
			  struct he_error *err)
{
	struct lex *x = NULL;
	struct block *b = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->format = "inadyn";
	if (len > HE_DDNS_IMPORT_TEXT_MAX)
		return he_error_set(err, -EFBIG, "the file is larger than %d bytes",
				    HE_DDNS_IMPORT_TEXT_MAX);
	x = calloc(1, sizeof(*x));
	b = calloc(1, sizeof(*b));
	if (!x || !b) {
		free(x);
		free(b);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	x->s = text;
	x->len = len;
	x->line = 1;
	rc = parse(out, x, b);
	if (rc == -EINVAL)
		he_error_set(err, rc,
			     "line %d: syntax error (inadyn.conf(5): key = value, "
			     "provider NAME { ... })",
			     x->tline);
	else if (rc < 0)
		he_error_set(err, rc, "out of memory reading the inadyn configuration");
	explicit_bzero(x, sizeof(*x));
	explicit_bzero(b, sizeof(*b));
	free(x);
	free(b);
	if (rc < 0)
		he_ddns_import_free(out);
	return rc < 0 ? rc : 0;
}
