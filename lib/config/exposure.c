/* SPDX-License-Identifier: MIT */
#include "config/exposure.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/danger.h"
#include "config/ini.h"
#include "config/schema.h"
#include "core/file.h"
#include "state/state.h"

#define E(field) offsetof(struct he_exposure, field), sizeof(((struct he_exposure *)0)->field)

static const char *const family_names[] = {"both", "ipv4", "ipv6", NULL};

static const struct he_key exposure_keys[] = {
    {"ports", HE_KT_PORTS, E(ports), 0, 0, NULL},
    {"service", HE_KT_STRING, E(service), 0, 0, NULL},
    {"router", HE_KT_BOOL, E(router), 0, 0, NULL},
    {"firewall", HE_KT_BOOL, E(firewall), 0, 0, NULL},
    {"family", HE_KT_ENUM, E(family), 0, 0, family_names},
    {"lease", HE_KT_UINT, E(lease), 0, 604800, NULL},
    {"to", HE_KT_HOST, E(to), 0, 0, NULL},
    {"force", HE_KT_BOOL, E(force), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

bool he_exposure_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= HE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || !strchr("._-", ch)))
			return false;
	}
	return true;
}

void he_exposure_init(struct he_exposure *e, const char *name)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%.63s", name);
	e->router = true;
	e->firewall = true;
	snprintf(e->family, sizeof(e->family), "both");
}

struct parse_ctx {
	struct he_exposure *e;
	struct he_diags *d;
	const char *file;
	bool saw_ports;
	bool in_exposure;                                           /* the current section */
	int seen[sizeof(exposure_keys) / sizeof(exposure_keys[0])]; /* line of each key */
};

/* A section header: anything but [exposure] is reported once, at its line. */
static void on_section(void *user, const char *section, int line)
{
	struct parse_ctx *c = user;

	c->in_exposure = strcmp(section, "exposure") == 0;
	if (!c->in_exposure)
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
			     "unknown section [%s] (an exposure file has one [exposure] section)",
			     section);
}

static void on_key(void *user, const char *section, const char *key, const char *value, int line)
{
	struct parse_ctx *c = user;
	const struct he_key *k;
	char msg[512];

	if (!*section) {
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
			     "'%s' is outside any section; put it under [exposure]", key);
		return;
	}
	if (!c->in_exposure)
		return; /* the section header was reported */
	k = he_key_find(exposure_keys, key);
	if (k) {
		int *seen = &c->seen[k - exposure_keys];

		if (*seen) {
			he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
				     "[exposure] %s: given twice (first at line %d); keep one", key,
				     *seen);
			return;
		}
		*seen = line;
	}
	if (strcmp(key, "ports") == 0) {
		c->saw_ports = true;
		c->e->ports_line = line;
	}
	if (he_key_set(exposure_keys, c->e, key, value, msg, sizeof(msg)) < 0) {
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line, "[exposure] %s", msg);
		return;
	}
	/* ufw's FIRST:LAST is a forward here: say so */
	for (size_t i = 0; !strcmp(key, "ports") && i < c->e->ports.n; i++) {
		const struct he_portspec *ps = &c->e->ports.v[i];

		if (he_portspec_range_like(ps))
			he_diags_add(
			    c->d, HE_DIAG_WARNING, c->file, line,
			    "[exposure] ports: %u:%u forwards external port %u to internal "
			    "port %u; for the ports %u to %u write %u-%u",
			    ps->ext, ps->in, ps->ext, ps->in, ps->ext, ps->in, ps->ext, ps->in);
	}
}

/* "port N/PROTO (WHAT) is never exposed without force: REASON; ..." */
static void danger_msg(const struct he_danger_hit *h, char *buf, size_t n)
{
	snprintf(buf, n,
		 "port %u/%s (%s) is never exposed without force: %s; add 'force = yes' if "
		 "you really mean it",
		 h->port, he_proto_name(h->spec.proto), h->d->what, h->d->reason);
}

int he_exposure_parse(struct he_exposure *e, const char *file, const char *text, struct he_diags *d)
{
	struct parse_ctx c = {.e = e, .d = d, .file = file};
	size_t before = d->nerrors;

	he_ini_parse_string_sections(file, text, on_key, on_section, &c, d);
	if (!c.saw_ports)
		he_diags_add(d, HE_DIAG_ERROR, file, 0, "[exposure] 'ports' is required");
	if (d->nerrors == before) {
		struct he_danger_hit hits[HE_PORTSPEC_MAX];
		size_t n = e->force ? 0 : he_danger_check(&e->ports, hits, HE_PORTSPEC_MAX);
		char msg[400];

		for (size_t i = 0; i < n; i++) {
			danger_msg(&hits[i], msg, sizeof(msg));
			he_diags_add(d, HE_DIAG_ERROR, file, e->ports_line, "[exposure] %s", msg);
		}
	}
	return d->nerrors > before ? -EINVAL : 0;
}

int he_exposure_check_danger(const struct he_exposure *e, struct he_error *err)
{
	struct he_danger_hit hits[HE_PORTSPEC_MAX];
	size_t n = e->force ? 0 : he_danger_check(&e->ports, hits, HE_PORTSPEC_MAX);
	char msg[400];

	if (!n)
		return 0;
	danger_msg(&hits[0], msg, sizeof(msg));
	if (*e->file && e->ports_line > 0)
		return he_error_set(err, -EPERM, "%s:%d: %s", e->file, e->ports_line, msg);
	return he_error_set(err, -EPERM, "exposure %s: %s", e->name, msg);
}

static int cmp_exposure(const void *a, const void *b)
{
	return strcmp(((const struct he_exposure *)a)->name, ((const struct he_exposure *)b)->name);
}

int he_exposures_load(const char *dir, struct he_exposures *out, struct he_diags *d)
{
	struct he_exposures l = {0};
	size_t cap = 0;
	DIR *dh;
	struct dirent *de;

	dh = opendir(dir);
	if (!dh) {
		if (errno == ENOENT) {
			*out = l;
			return 0;
		}
		he_diags_add(d, HE_DIAG_ERROR, dir, 0, "cannot read exposures directory: %s",
			     strerror(errno));
		return -errno;
	}
	while ((de = readdir(dh))) {
		size_t len = strlen(de->d_name);
		char name[HE_NAME_MAX + 8];
		char path[PATH_MAX];
		char *text = NULL;
		struct he_exposure e;
		int r;

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (len - 5 >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		snprintf(path, sizeof(path), "%.4000s/%s", dir, de->d_name);
		if (!he_exposure_name_valid(name)) {
			he_diags_add(
			    d, HE_DIAG_ERROR, path, 0,
			    "'%s' is not a valid exposure name (letters, digits, '.', '_', "
			    "'-'; rename the file)",
			    name);
			continue;
		}
		r = he_read_text(path, 65536, &text);
		if (r == -EILSEQ) {
			he_diags_add(
			    d, HE_DIAG_ERROR, path, 0,
			    "holds a NUL byte: not a text file (the text after it would be "
			    "lost); rewrite the file");
			continue;
		}
		if (r < 0) {
			he_diags_add(d, HE_DIAG_ERROR, path, 0, "cannot read: %s", strerror(-r));
			continue;
		}
		he_exposure_init(&e, name);
		snprintf(e.file, sizeof(e.file), "%s", path);
		r = he_exposure_parse(&e, path, text, d);
		free(text);
		if (r < 0)
			continue;
		if (l.n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct he_exposure *v = realloc(l.v, ncap * sizeof(*v));

			if (!v) {
				closedir(dh);
				he_exposures_free(&l);
				return -ENOMEM;
			}
			l.v = v;
			cap = ncap;
		}
		l.v[l.n++] = e;
	}
	closedir(dh);
	if (l.n)
		qsort(l.v, l.n, sizeof(l.v[0]), cmp_exposure);
	*out = l;
	return 0;
}

void he_exposures_free(struct he_exposures *l)
{
	if (!l)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct he_exposure *he_exposures_find(struct he_exposures *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

char *he_exposure_format(const struct he_exposure *e)
{
	char ports[HE_PORTSPEC_MAX * 24];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	he_portlist_format(&e->ports, ports, sizeof(ports));
	fprintf(f,
		"# homeexpose exposure '%s' (written by homeexpose; edit freely,\n"
		"# then run 'homeexpose config check').\n[exposure]\n",
		e->name);
	fprintf(f, "ports = %s\n", ports);
	if (*e->service)
		fprintf(f, "service = %s\n", e->service);
	fprintf(f, "router = %s\nfirewall = %s\nfamily = %s\n", e->router ? "yes" : "no",
		e->firewall ? "yes" : "no", e->family);
	if (e->lease)
		fprintf(f, "lease = %u\n", e->lease);
	if (*e->to)
		fprintf(f, "to = %s\n", e->to);
	if (e->force)
		fprintf(f, "force = yes\n");
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int he_exposure_save(const char *dir, struct he_exposure *e, struct he_error *err)
{
	char path[PATH_MAX];
	char *text;
	int r;

	if (!he_exposure_name_valid(e->name))
		return he_error_set(err, -EINVAL, "'%s' is not a valid exposure name", e->name);
	r = he_mkdir_p(dir, 0755, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%.4000s/%s.conf", dir, e->name);
	text = he_exposure_format(e);
	if (!text)
		return he_error_set(err, -ENOMEM, "out of memory");
	r = he_atomic_write(path, text, strlen(text), 0644, err);
	free(text);
	if (r == 0)
		snprintf(e->file, sizeof(e->file), "%s", path);
	return r;
}

int he_exposure_remove(const char *dir, const char *name, struct he_error *err)
{
	char path[PATH_MAX];

	if (!he_exposure_name_valid(name))
		return he_error_set(err, -EINVAL, "'%s' is not a valid exposure name", name);
	snprintf(path, sizeof(path), "%.4000s/%s.conf", dir, name);
	if (unlink(path) < 0)
		return he_error_set(err, -errno, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}
