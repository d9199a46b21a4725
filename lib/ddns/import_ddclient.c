/* SPDX-License-Identifier: MIT */
/*
 * import_ddclient.c - read a ddclient.conf as ddclient(8) defines it:
 *
 *   [opt=value, ...] [host[,host ...] [login [password]]]
 *
 * '#' starts a comment (outside quotes and password= values), a line
 * ending in '\' continues on the next (joined without it), values
 * may be quoted ('...' or "...") or escaped with '\'. A line without hosts
 * sets the defaults for the lines after it; a line with hosts applies its
 * options to them on top of those defaults (host= adds a host too). What a
 * host becomes is import.c's business; here only the syntax and ddclient's
 * own options (use=, usev4=, usev6=, protocol=, server=, script=, login=,
 * password=, zone=, ssl=, ssl_ca_file=) are read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/secret.h"
#include "ddns/import.h"

#define MAX_VARS  64
#define MAX_HOSTS 256

struct var {
	char *k, *v;
	int line;
};

struct scope {
	struct var v[MAX_VARS];
	size_t n;
};

struct host {
	char *name;
	int line;
	struct scope s;
};

struct ctx {
	struct ddc_state {
		struct scope globals;
		struct host *hosts;
		size_t nhosts, cap;
	} st;
	struct he_ddns_import *im;
};

static void scope_free(struct scope *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].k);
		he_str_wipe_free(s->v[i].v); /* a value may be a password */
	}
	s->n = 0;
}

static const char *get(const struct scope *s, const char *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].k, k))
			return s->v[i].v;
	return NULL;
}

static int get_line(const struct scope *s, const char *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].k, k))
			return s->v[i].line;
	return 0;
}

/* Set k (replace = false: only when absent). 0 or -ENOMEM; a full scope drops the variable. */
static int put(struct scope *s, const char *k, const char *v, int line, bool replace)
{
	char *nv;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].k, k)) {
			if (!replace)
				return 0;
			nv = strdup(v);
			if (!nv)
				return -ENOMEM;
			he_str_wipe_free(s->v[i].v);
			s->v[i].v = nv;
			s->v[i].line = line;
			return 0;
		}
	if (s->n == MAX_VARS)
		return 0;
	s->v[s->n].k = strdup(k);
	s->v[s->n].v = strdup(v);
	s->v[s->n].line = line;
	if (!s->v[s->n].k || !s->v[s->n].v) {
		free(s->v[s->n].k);
		free(s->v[s->n].v);
		return -ENOMEM;
	}
	s->n++;
	return 0;
}

/* Copy src's variables into dst (replace as put()). */
static int merge(struct scope *dst, const struct scope *src, bool replace)
{
	for (size_t i = 0; i < src->n; i++)
		if (put(dst, src->v[i].k, src->v[i].v, src->v[i].line, replace) < 0)
			return -ENOMEM;
	return 0;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && ((c >= '0' && c <= '9') || c == '_' || c == '-'));
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * One assignment at *p (leading blanks and commas skipped): name into k,
 * the unquoted value into v (both at most sizes). Returns true and moves *p
 * past it, or false (nothing moved) when *p holds no assignment.
 */
static bool assignment(const char **p, char *k, size_t ksz, char *v, size_t vsz)
{
	const char *s = *p;
	size_t n = 0, o = 0;
	char quote = 0;
	bool esc = false;

	while (blank(*s) || *s == ',')
		s++;
	if (!name_char(*s, true))
		return false;
	while (name_char(s[n], n == 0))
		n++;
	if (s[n] != '=' || n >= ksz)
		return false;
	memcpy(k, s, n);
	k[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (k[i] >= 'A' && k[i] <= 'Z')
			k[i] = (char)(k[i] - 'A' + 'a');
	s += n + 1;
	for (; *s; s++) {
		if (esc) {
			esc = false;
		} else if (*s == '\\') {
			esc = true;
			continue;
		} else if (quote && *s == quote) {
			quote = 0;
			continue;
		} else if (!quote && (*s == '\'' || *s == '"')) {
			quote = *s;
			continue;
		} else if (!quote && (blank(*s) || *s == ',')) {
			break;
		}
		if (o + 1 < vsz)
			v[o++] = *s;
	}
	v[o] = '\0';
	*p = s;
	return true;
}

static struct host *host_get(struct ctx *c, const char *name, int line, bool *created)
{
	struct host *h;

	*created = false;
	for (size_t i = 0; i < c->st.nhosts; i++)
		if (!strcmp(c->st.hosts[i].name, name))
			return &c->st.hosts[i];
	if (c->st.nhosts == MAX_HOSTS)
		return NULL;
	if (c->st.nhosts == c->st.cap) { /* grows as hosts appear */
		size_t cap = c->st.cap ? c->st.cap * 2 : 4;

		h = realloc(c->st.hosts, cap * sizeof(*h));
		if (!h)
			return NULL;
		c->st.hosts = h;
		c->st.cap = cap;
	}
	h = &c->st.hosts[c->st.nhosts];
	memset(h, 0, sizeof(*h));
	h->name = strdup(name);
	if (!h->name)
		return NULL;
	h->line = line;
	c->st.nhosts++;
	*created = true;
	return h;
}

/* One logical line (comments and continuations gone). 0 or -ENOMEM. */
static int logical_line(struct ctx *c, const char *text, int line)
{
	static const char *const sep = " \t\r\f\v";
	struct scope locals = {.n = 0};
	char k[64], *v = NULL, *rest = NULL, *save = NULL, *hosts, *login, *pw;
	const char *p = text;
	size_t vsz = strlen(text) + 1;
	int rc = -ENOMEM;

	v = calloc(1, vsz);
	if (!v)
		goto out;
	while (assignment(&p, k, sizeof(k), v, vsz))
		if (put(&locals, k, v, line, true) < 0)
			goto out;
	/* the rest: hosts[,...] [login [password]] ("a , b" is "a,b") */
	rest = calloc(1, strlen(p) + 1);
	if (!rest)
		goto out;
	{
		size_t o = 0;

		for (const char *s = p; *s; s++) {
			if (blank(*s)) {
				const char *t = s;

				while (blank(*t))
					t++;
				if (*t == ',' || (o && rest[o - 1] == ','))
					continue;
			}
			rest[o++] = *s;
		}
		rest[o] = '\0';
	}
	hosts = strtok_r(rest, sep, &save);
	login = strtok_r(NULL, sep, &save);
	pw = strtok_r(NULL, sep, &save);
	if (login && put(&locals, "login", login, line, true) < 0)
		goto out;
	if (pw && put(&locals, "password", pw, line, true) < 0)
		goto out;
	if (!hosts && !get(&locals, "host")) {
		rc = merge(&c->st.globals, &locals, true);
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		char *list = pass ? (char *)get(&locals, "host") : hosts, *hsave = NULL, *copy;

		if (!list)
			continue;
		copy = strdup(list);
		if (!copy)
			goto out;
		for (char *h = strtok_r(copy, ",", &hsave); h; h = strtok_r(NULL, ",", &hsave)) {
			bool created;
			struct host *hh = host_get(c, h, line, &created);

			if (!hh) {
				if (c->st.nhosts == MAX_HOSTS) {
					rc = he_ddns_import_skip(c->im, line, true, "host",
								 "more than %d hosts", MAX_HOSTS);
					free(copy);
					goto out;
				}
				free(copy);
				goto out;
			}
			/* ddclient: the first definition of a host wins, later ones only add */
			if (merge(&hh->s, &locals, created) < 0 ||
			    (created && merge(&hh->s, &c->st.globals, false) < 0)) {
				free(copy);
				goto out;
			}
		}
		free(copy);
	}
	rc = 0;
out:
	scope_free(&locals);
	he_str_wipe_free(v);
	he_str_wipe_free(rest);
	return rc;
}

/* Options read by evaluate() or without meaning here (the address sources, logging, timers). */
static const char *const quiet_opts[] = {"protocol",
					 "server",
					 "login",
					 "password",
					 "zone",
					 "host",
					 "script",
					 "ssl",
					 "ssl_ca_file",
					 "use",
					 "usev4",
					 "usev6",
					 "ip",
					 "ipv4",
					 "ipv6",
					 "web",
					 "web-skip",
					 "webv4",
					 "webv4-skip",
					 "webv6",
					 "webv6-skip",
					 "if",
					 "ifv4",
					 "ifv6",
					 "fw",
					 "fw-skip",
					 "fwv4",
					 "fwv4-skip",
					 "fwv6",
					 "fwv6-skip",
					 "fw-login",
					 "fw-password",
					 "fw-ssl-validate",
					 "web-ssl-validate",
					 "cmd",
					 "cmd-skip",
					 "cmdv4",
					 "cmdv6",
					 "daemon",
					 "syslog",
					 "facility",
					 "priority",
					 "mail",
					 "mail-failure",
					 "pid",
					 "cache",
					 "timeout",
					 "retry",
					 "quiet",
					 "verbose",
					 "debug",
					 "query",
					 "foreground",
					 "max-warn",
					 "min-interval",
					 "min-error-interval",
					 "max-interval",
					 "ssl_ca_dir",
					 "geturl",
					 "exec",
					 "force",
					 "file",
					 "noquiet",
					 "redirect",
					 NULL};

/* Options that change what the provider does, which homeexpose does not carry. */
static const struct {
	const char *opt, *why;
} noted_opts[] = {
    {"wildcard", "wildcard records are not updated by homeexpose; left out"},
    {"mx", "MX updates are not carried over"},
    {"backupmx", "MX updates are not carried over"},
    {"ttl", "the provider's record TTL stays as it is set there"},
    {"postscript", "homeexpose runs no script after an update"},
    {"static", "static-host updates are not carried over"},
    {"custom", "custom-domain flag is not carried over"},
};

static bool disabled(const char *v)
{
	return !v || !*v || !strcasecmp(v, "disabled") || !strcasecmp(v, "no");
}

/* A setting note, said once per option and line. */
static int note(struct he_ddns_import *im, int line, const char *what, const char *why)
{
	for (size_t i = 0; i < im->nskip; i++)
		if (im->skip[i].line == line && !strcmp(im->skip[i].what, what))
			return 0;
	return he_ddns_import_skip(im, line, false, what, "%s", why);
}

static int notes(struct he_ddns_import *im, const struct scope *s)
{
	char what[96];
	int rc = 0;

	for (size_t i = 0; i < s->n && !rc; i++) {
		const char *k = s->v[i].k, *v = s->v[i].v;
		bool known = false;
		size_t kl = strlen(k);

		for (size_t j = 0; quiet_opts[j] && !known; j++)
			known = !strcmp(quiet_opts[j], k);
		if (kl > 4 && !strcmp(k + kl - 4, "_env")) {
			snprintf(what, sizeof(what), "%s", k);
			rc = note(im, s->v[i].line, what,
				  "taken from an environment variable by ddclient; not carried "
				  "over (add the secret with 'ddns add')");
			continue;
		}
		for (size_t j = 0; j < sizeof(noted_opts) / sizeof(noted_opts[0]); j++)
			if (!strcmp(noted_opts[j].opt, k)) {
				known = true;
				if (!disabled(v)) {
					snprintf(what, sizeof(what), "%s=%.60s", k, v);
					rc = note(im, s->v[i].line, what, noted_opts[j].why);
				}
			}
		if (!known) {
			snprintf(what, sizeof(what), "%.60s", k);
			rc = note(im, s->v[i].line, what,
				  "not a setting the import knows; left out");
		}
	}
	/* how ddclient found the address: homeexpose finds it itself ([publicip], the router) */
	for (const char *const *u = (const char *const[]){"use", "usev4", "usev6", NULL}; *u && !rc;
	     u++) {
		const char *v = get(s, *u);

		if (!v)
			continue;
		snprintf(what, sizeof(what), "%s=%.60s", *u, v);
		if (!strncmp(v, "cmd", 3))
			rc = note(im, get_line(s, *u), what,
				  "homeexpose finds the public address itself (router, STUN, "
				  "[publicip]); the command is not run");
		else if (!strncmp(v, "if", 2))
			rc = note(im, get_line(s, *u), what,
				  "homeexpose asks the router and STUN for the public address, "
				  "not an interface");
	}
	if (!rc && get(s, "ssl") && disabled(get(s, "ssl")))
		rc = note(im, get_line(s, "ssl"), "ssl=no",
			  "homeexpose speaks HTTPS unless 'server' names http://");
	return rc;
}

static int evaluate(struct ctx *c, const struct host *h)
{
	const struct scope *s = &h->s;
	const char *use = get(s, "use"), *u4 = get(s, "usev4"), *u6 = get(s, "usev6");
	const char *server = get(s, "server"), *script = get(s, "script");
	char srv[HE_URL_MAX];
	struct he_ddns_import_in in = {
	    .line = h->line,
	    .hostname = h->name,
	    .map_name = get(s, "protocol") ? get(s, "protocol") : "dyndns2",
	    .login = get(s, "login"),
	    .password = get(s, "password"),
	    .zone = get(s, "zone"),
	    .ca_file = get(s, "ssl_ca_file"),
	};
	int rc = notes(c->im, s);

	if (rc)
		return rc;
	in.want_v6 = !disabled(u6);
	in.want_v4 = !disabled(u4) || !disabled(use) || (!u4 && !use && !u6);
	/* script= is the update path on server (ddclient's default /nic/update) */
	if (server && script && strcmp(script, "/nic/update")) {
		snprintf(srv, sizeof(srv), "%s%s%s", server, *script == '/' ? "" : "/", script);
		server = srv;
	}
	in.server = server;
	return he_ddns_import_add(c->im, &in);
}

/*
 * Cut a comment as ddclient does: '#' outside quotes ends the line, except
 * inside the value of a password= (ddclient reads that one whole, '#' and
 * all, up to the next blank or, quoted, to the closing quote).
 */
static void uncomment(char *s)
{
	char quote = 0;
	bool pw = false; /* in a password value */

	for (size_t i = 0; s[i]; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '\'' || s[i] == '"') {
			quote = s[i];
		} else if (blank(s[i])) {
			pw = false;
		} else if (s[i] == '=' && i >= 8 && !strncmp(s + i - 8, "password", 8)) {
			pw = true;
		} else if (s[i] == '#' && !pw) {
			s[i] = '\0';
			return;
		}
	}
}

int he_ddns_import_ddclient(const char *text, size_t len, struct he_ddns_import *out,
			    struct he_error *err)
{
	struct ctx c = {.im = out};
	char *logical = NULL;
	size_t loglen = 0;
	int rc = 0, start = 0, line = 0;

	memset(out, 0, sizeof(*out));
	out->format = "ddclient";
	if (len > HE_DDNS_IMPORT_TEXT_MAX)
		return he_error_set(err, -EFBIG, "the file is larger than %d bytes",
				    HE_DDNS_IMPORT_TEXT_MAX);
	logical = calloc(1, len + 2);
	if (!logical) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < len && !rc;) {
		size_t e = i, n;
		char *phys = logical + loglen;

		while (e < len && text[e] != '\n')
			e++;
		line++;
		if (!loglen)
			start = line;
		n = e - i;
		memcpy(phys, text + i, n);
		phys[n] = '\0';
		for (size_t k = 0; k < n; k++)
			if (phys[k] == '\0') /* a NUL byte ends the physical line */
				n = k;
		uncomment(phys);
		n = strlen(phys);
		while (n && blank(phys[n - 1]))
			n--;
		i = e + 1;
		if (n && phys[n - 1] == '\\') {
			loglen += n - 1; /* ddclient joins the lines, backslash dropped */
			logical[loglen] = '\0';
			if (i < len)
				continue;
		} else {
			loglen += n;
		}
		logical[loglen] = '\0';
		rc = logical_line(&c, logical, start);
		loglen = 0;
		logical[0] = '\0';
	}
	for (size_t h = 0; h < c.st.nhosts && !rc; h++)
		rc = evaluate(&c, &c.st.hosts[h]);
out:
	if (c.st.hosts)
		for (size_t h = 0; h < c.st.nhosts; h++) {
			free(c.st.hosts[h].name);
			scope_free(&c.st.hosts[h].s);
		}
	free(c.st.hosts);
	scope_free(&c.st.globals);
	he_str_wipe_free(logical);
	if (rc < 0) {
		he_ddns_import_free(out);
		return he_error_set(err, rc, "out of memory reading the ddclient configuration");
	}
	return 0;
}
