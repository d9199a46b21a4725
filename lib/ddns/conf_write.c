/* SPDX-License-Identifier: MIT */
/*
 * conf_write.c - new [ddns NAME] sections into a configuration file, their
 * secrets into 0600 files beside it (DIR/secrets/NAME.password ...). The
 * configuration is appended to, never rewritten otherwise: comments and
 * order stay as the user has them.
 */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "ddns/import.h"
#include "state/state.h"

#define CONF_MAX (1024 * 1024)

void he_ddns_secrets_dir(const char *config_path, char *out, size_t outsz)
{
	char copy[PATH_MAX], abs[PATH_MAX];
	const char *dir;

	snprintf(copy, sizeof(copy), "%s", config_path);
	dir = dirname(copy);
	/* The configuration only takes absolute paths. */
	if (snprintf(out, outsz, "%s/secrets", realpath(dir, abs) ? abs : dir) >= (int)outsz)
		out[0] = '\0';
}

int he_ddns_secret_file(const struct he_ddns_new *rec, const char *secrets_dir, char *out,
			size_t outsz)
{
	int n;

	size_t kl = strcspn(rec->secret_key, "-"); /* "password-file" -> "password" */

	if (!strcmp(rec->secret_key, "tsig-key-file"))
		kl = strlen("tsig-key");
	n = snprintf(out, outsz, "%s/%s.%.*s", secrets_dir, rec->name, (int)kl, rec->secret_key);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

struct sbuf {
	char *p;
	size_t len, cap;
	int rc;
};

__attribute__((format(printf, 2, 3))) static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= b->cap - b->len) {
		size_t nc = (b->len + (size_t)n + 1) * 2;
		char *np = realloc(b->p, nc);

		if (!np) {
			b->rc = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = nc;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	if (n < 0)
		b->rc = -EINVAL;
	else
		b->len += (size_t)n;
}

static void kv(struct sbuf *b, const char *key, const char *val)
{
	if (val && *val)
		put(b, "%s = %s\n", key, val);
}

char *he_ddns_render(const struct he_ddns_new *recs, size_t n, const char *secrets_dir)
{
	struct sbuf b = {.p = malloc(256), .cap = 256};

	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct he_ddns_new *r = &recs[i];
		char file[PATH_MAX];

		if (r->secret)
			he_ddns_secret_file(r, secrets_dir, file, sizeof(file));
		else
			snprintf(file, sizeof(file), "%s", r->secret_path);
		put(&b, "%s[ddns %s]\n", i ? "\n" : "", r->name);
		kv(&b, "provider", r->provider);
		kv(&b, "preset", r->preset);
		kv(&b, "hostname", r->hostname);
		kv(&b, "families", r->families);
		kv(&b, "server", r->server);
		kv(&b, "username", r->username);
		kv(&b, "zone", r->zone);
		if (*r->secret_key)
			kv(&b, r->secret_key, file);
		kv(&b, "ca-file", r->ca_file);
	}
	if (b.rc) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

bool he_ddns_conf_has(const char *text, const char *name)
{
	for (const char *l = text; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		while (n && (*l == ' ' || *l == '\t'))
			l++, n--;
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
			n--;
		if (n > 2 && l[0] == '[' && l[n - 1] == ']') {
			const char *s = l + 1;
			size_t m = n - 2;

			while (m && (*s == ' ' || *s == '\t'))
				s++, m--;
			while (m && (s[m - 1] == ' ' || s[m - 1] == '\t'))
				m--;
			if (m > 5 && !strncmp(s, "ddns", 4) && (s[4] == ' ' || s[4] == '\t')) {
				s += 4, m -= 4;
				while (m && (*s == ' ' || *s == '\t'))
					s++, m--;
				if (m == strlen(name) && !strncmp(s, name, m))
					return true;
			}
		}
		l = e ? e + 1 : NULL;
	}
	return false;
}

/* A value the configuration's INI syntax keeps as it is. */
static bool plain(const char *v)
{
	size_t n = strlen(v);

	if (n && (v[0] == ' ' || v[n - 1] == ' '))
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    ((*p == '#' || *p == ';') && p > v && p[-1] == ' '))
			return false;
	return true;
}

int he_ddns_new_check(const struct he_ddns_new *r, struct he_error *err)
{
	return he_ddns_new_check_in(r, NULL, err);
}

int he_ddns_new_check_in(const struct he_ddns_new *r, struct he_config *scratch,
			 struct he_error *err)
{
	const char *vals[] = {r->name,   r->provider, r->preset, r->hostname, r->families,
			      r->server, r->username, r->zone,   r->ca_file,  r->secret_path};
	struct he_config *cfg;
	struct he_diags d = {0};
	char *text;
	int rc = 0;

	for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++)
		if (!plain(vals[j]))
			return he_error_set(err, -EINVAL,
					    "a value holds a control character, a comment mark or "
					    "blanks at its ends");
	cfg = scratch ? scratch : malloc(sizeof(*cfg));
	text = he_ddns_render(r, 1, "/secrets");
	if (!cfg || !text) {
		rc = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	he_config_defaults(cfg, "/homeexpose.conf");
	if (he_config_load_string(cfg, "new", text, &d) < 0) {
		for (size_t i = 0; i < d.n && !rc; i++)
			if (d.v[i].level == HE_DIAG_ERROR)
				rc = he_error_set(err, -EINVAL, "%s", d.v[i].msg);
		if (!rc)
			rc = he_error_set(err, -EINVAL, "the configuration refuses it");
	} else if (cfg->nddns != 1 || strcmp(cfg->ddns[0].name, r->name)) {
		/* inih cuts a long section header: the record would get another name */
		rc = he_error_set(err, -EINVAL,
				  "[ddns %s]: the name is too long (at most %d "
				  "characters)",
				  r->name, HE_DDNS_NAME_LEN);
	}
out:
	he_diags_free(&d);
	free(text);
	if (cfg != scratch)
		free(cfg);
	return rc;
}

static int check_recs(const char *text, const char *path, const struct he_ddns_new *recs, size_t n,
		      struct he_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct he_ddns_new *r = &recs[i];
		int rc;

		if (he_ddns_conf_has(text, r->name))
			return he_error_set(err, -EEXIST, "%s already has a [ddns %s] section",
					    path, r->name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(recs[j].name, r->name))
				return he_error_set(err, -EEXIST, "two records named %s", r->name);
		rc = he_ddns_new_check(r, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int he_ddns_conf_append(const char *path, const struct he_ddns_new *recs, size_t n,
			struct he_error *err)
{
	char dir[PATH_MAX], file[PATH_MAX];
	char *old = NULL, *add_text = NULL, *all = NULL;
	size_t written = 0;
	mode_t mode = 0644;
	struct stat st;
	int rc;

	rc = he_read_text(path, CONF_MAX, &old);
	if (rc == -ENOENT) {
		old = strdup("");
		rc = old ? 0 : -ENOMEM;
	} else if (rc == 0 && stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
	}
	if (rc < 0) {
		he_error_set(err, rc, "cannot read %s: %s", path, strerror(-rc));
		goto out;
	}
	rc = check_recs(old, path, recs, n, err);
	if (rc < 0)
		goto out;
	he_ddns_secrets_dir(path, dir, sizeof(dir));
	for (size_t i = 0; i < n; i++) {
		if (!recs[i].secret)
			continue;
		he_ddns_secret_file(&recs[i], dir, file, sizeof(file));
		if (lstat(file, &st) == 0) {
			rc = he_error_set(err, -EEXIST,
					  "%s exists already: remove it or choose another name",
					  file);
			goto out;
		}
	}
	add_text = he_ddns_render(recs, n, dir);
	if (!add_text) {
		rc = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = recs[i].secret;
		size_t sl;
		char *data;

		if (!s)
			continue;
		if (written == 0 && (rc = he_mkdir_p(dir, 0700, err)) < 0)
			goto out;
		he_ddns_secret_file(&recs[i], dir, file, sizeof(file));
		sl = strlen(s);
		data = malloc(sl + 2);
		if (!data) {
			rc = he_error_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		memcpy(data, s, sl);
		memcpy(data + sl, "\n", 2);
		rc = he_atomic_write(file, data, sl + 1, 0600, err);
		explicit_bzero(data, sl + 1);
		free(data);
		if (rc < 0)
			goto out;
		written = i + 1;
	}
	if (asprintf(&all, "%s%s%s%s", old, *old && old[strlen(old) - 1] != '\n' ? "\n" : "",
		     *old ? "\n" : "", add_text) < 0) {
		all = NULL;
		rc = he_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = he_atomic_write(path, all, strlen(all), mode, err);
out:
	if (rc < 0) /* nothing new stays behind */
		for (size_t i = 0; i < written; i++)
			if (recs[i].secret) {
				he_ddns_secret_file(&recs[i], dir, file, sizeof(file));
				unlink(file);
			}
	free(old);
	free(add_text);
	free(all);
	return rc;
}
