/* SPDX-License-Identifier: MIT */
#include "catalog/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/exposure.h"
#include "config/ini.h"
#include "config/schema.h"
#include "core/file.h"

#define P(field) offsetof(struct he_profile, field), sizeof(((struct he_profile *)0)->field)

static const struct he_key profile_keys[] = {
    {"title", HE_KT_STRING, P(title), 0, 0, NULL},
    {"note", HE_KT_STRING, P(note), 0, 0, NULL},
    {"ports", HE_KT_PORTS, P(ports), 0, 0, NULL},
    {"local-only", HE_KT_BOOL, P(local_only), 0, 0, NULL},
    {"reason", HE_KT_STRING, P(reason), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

struct parse_ctx {
	/* profiles parsed from this text, validated at the end */
	struct he_profile *local;
	size_t nlocal, caplocal;
	struct he_diags *d;
	const char *file;
	char bad[HE_NAME_MAX];
};

static struct he_profile *local_profile(struct parse_ctx *c, const char *name, int line)
{
	for (size_t i = 0; i < c->nlocal; i++)
		if (strcmp(c->local[i].name, name) == 0)
			return &c->local[i];
	if (!he_exposure_name_valid(name)) {
		if (strcmp(c->bad, name) != 0)
			he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
				     "[%.64s]: not a valid profile name", name);
		snprintf(c->bad, sizeof(c->bad), "%.63s", name);
		return NULL;
	}
	if (c->nlocal == c->caplocal) {
		size_t cap = c->caplocal ? c->caplocal * 2 : 4;
		struct he_profile *v = realloc(c->local, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->local = v;
		c->caplocal = cap;
	}
	struct he_profile *p = &c->local[c->nlocal++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%.63s", name);
	snprintf(p->file, sizeof(p->file), "%s", c->file);
	p->line = line;
	return p;
}

static void on_key(void *user, const char *section, const char *key, const char *value, int line)
{
	struct parse_ctx *c = user;
	struct he_profile *p;
	char msg[512];

	if (!*section) {
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
			     "'%s' is outside any [profile] section", key);
		return;
	}
	p = local_profile(c, section, line);
	if (!p)
		return;
	if (strcmp(key, "ports") == 0)
		p->ports_line = line;
	if (he_key_set(profile_keys, p, key, value, msg, sizeof(msg)) < 0)
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line, "[%s] %s", section, msg);
}

static int put(struct he_catalog *cat, const struct he_profile *p)
{
	struct he_profile *v;

	for (size_t i = 0; i < cat->n; i++) {
		if (strcmp(cat->v[i].name, p->name) == 0) {
			cat->v[i] = *p;
			return 0;
		}
	}
	v = realloc(cat->v, (cat->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	cat->v = v;
	cat->v[cat->n++] = *p;
	return 0;
}

int he_catalog_parse(struct he_catalog *cat, const char *file, const char *text, struct he_diags *d)
{
	struct parse_ctx c = {.d = d, .file = file};
	size_t before = d->nerrors;
	int r = 0;

	he_ini_parse_string(file, text, on_key, &c, d);
	for (size_t i = 0; i < c.nlocal; i++) {
		struct he_profile *p = &c.local[i];

		if (p->ports.n == 0) {
			if (p->ports_line) /* given but bad: already reported */
				continue;
			he_diags_add(d, HE_DIAG_ERROR, file, p->line, "[%s]: 'ports' is required",
				     p->name);
			continue;
		}
		if (p->local_only && !*p->reason)
			he_diags_add(d, HE_DIAG_WARNING, file, p->line,
				     "[%s]: local-only profile without a 'reason'", p->name);
		if (put(cat, p) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	free(c.local);
	if (r < 0)
		return r;
	return d->nerrors > before ? -EINVAL : 0;
}

static int cmp_profile(const void *a, const void *b)
{
	return strcmp(((const struct he_profile *)a)->name, ((const struct he_profile *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_dir(struct he_catalog *cat, const char *dir, struct he_diags *d)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char *names[512];
	size_t n = 0;

	if (!dh)
		return;
	while ((de = readdir(dh)) && n < 512) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] != '.' && len > 5 && strcmp(de->d_name + len - 5, ".conf") == 0)
			names[n++] = strdup(de->d_name);
		if (n && !names[n - 1])
			n--;
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		char *text = NULL;
		int r;

		snprintf(path, sizeof(path), "%.3800s/%s", dir, names[i]);
		free(names[i]);
		r = he_read_text(path, 16383, &text);
		if (r == -EFBIG) {
			he_diags_add(d, HE_DIAG_ERROR, path, 0, "profile file too large");
			continue;
		}
		if (r < 0) {
			he_diags_add(d, HE_DIAG_ERROR, path, 0, "cannot read: %s", strerror(-r));
			continue;
		}
		he_catalog_parse(cat, path, text, d);
		free(text);
	}
}

int he_catalog_load(const char *const *dirs, size_t ndirs, struct he_catalog *out,
		    struct he_diags *d)
{
	struct he_catalog cat = {0};
	size_t before = d->nerrors;

	for (size_t i = 0; i < ndirs; i++)
		if (dirs[i] && *dirs[i])
			load_dir(&cat, dirs[i], d);
	if (cat.n)
		qsort(cat.v, cat.n, sizeof(cat.v[0]), cmp_profile);
	*out = cat;
	return d->nerrors > before ? -EINVAL : 0;
}

void he_catalog_free(struct he_catalog *cat)
{
	if (!cat)
		return;
	free(cat->v);
	cat->v = NULL;
	cat->n = 0;
}

const struct he_profile *he_catalog_find(const struct he_catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->n; i++)
		if (strcasecmp(cat->v[i].name, name) == 0)
			return &cat->v[i];
	return NULL;
}

int he_service_resolve(const struct he_catalog *cat, const char *name, struct he_portlist *ports,
		       const struct he_profile **profile, char *origin, size_t originlen,
		       struct he_error *err)
{
	const struct he_profile *p = he_catalog_find(cat, name);
	struct servent *se;
	struct he_portspec ps = {0};

	if (p) {
		*ports = p->ports;
		*profile = p;
		snprintf(origin, originlen, "catalog profile %s", p->file);
		return 0;
	}
	/* /etc/services: TCP first, so "https" means 443/tcp. */
	se = getservbyname(name, "tcp");
	ps.proto = HE_PROTO_TCP;
	if (!se) {
		se = getservbyname(name, "udp");
		ps.proto = HE_PROTO_UDP;
	}
	endservent();
	if (!se)
		return he_error_set(
		    err, -ENOENT,
		    "'%s' is neither a port nor a known service: not in the catalog "
		    "(see 'homeexpose services') nor in /etc/services",
		    name);
	ps.ext = ps.in = ntohs((uint16_t)se->s_port);
	memset(ports, 0, sizeof(*ports));
	ports->v[0] = ps;
	ports->n = 1;
	*profile = NULL;
	snprintf(origin, originlen, "/etc/services entry %s", name);
	return 0;
}
