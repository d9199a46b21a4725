/* SPDX-License-Identifier: MIT */
/*
 * import.c - what the ddclient and inadyn readers share: the table of what
 * their protocol and provider names become, and the mapping of one host onto
 * a new [ddns NAME] record, asking the provider table which keys it takes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/secret.h"
#include "ddns/ddns.h"
#include "ddns/dyndns2.h"
#include "ddns/import.h"

/*
 * Where the login and the password go (NULL: login -> username, password ->
 * the provider's secret): "zone", "secret", "path" (the value names a file
 * that stays where it is), "" (left out).
 */
struct route {
	const char *login_to, *password_to;
};

static const struct {
	struct he_ddns_import_map m;
	struct route r;
} map[] = {
    /* ddclient protocols (ddclient.in, %protocols) */
    {{"ddclient", "dyndns2", "dyndns2", NULL, NULL}, {NULL, NULL}},
    {{"ddclient", "noip", "dyndns2", "noip", NULL}, {NULL, NULL}},
    {{"ddclient", "dynu", "dyndns2", "dynu", NULL}, {NULL, NULL}},
    {{"ddclient", "freedns", "dyndns2", "freedns", NULL}, {NULL, NULL}},
    {{"ddclient", "changeip", "dyndns2", "changeip", NULL}, {NULL, NULL}},
    {{"ddclient", "ovh", "dyndns2", "ovh", NULL}, {NULL, NULL}},
    {{"ddclient", "inwx", "dyndns2", "inwx", NULL}, {NULL, NULL}},
    {{"ddclient", "infomaniak", "dyndns2", "infomaniak", NULL}, {NULL, NULL}},
    {{"ddclient", "cloudflare", "cloudflare", NULL, NULL}, {"", NULL}},
    {{"ddclient", "duckdns", "duckdns", NULL, NULL}, {"", NULL}},
    {{"ddclient", "nsupdate", "rfc2136", NULL, NULL}, {"", "path"}},
    {{"ddclient", "porkbun", "porkbun", NULL, NULL}, {NULL, NULL}},
    {{"ddclient", "hetzner", "hetzner", NULL, NULL}, {"", NULL}},
    {{"ddclient", "gandi", "gandi", NULL, NULL}, {"", NULL}},
    {{"ddclient", "godaddy", "godaddy", NULL, NULL}, {NULL, NULL}},
    {{"ddclient", "digitalocean", "digitalocean", NULL, NULL}, {"", NULL}},
    {{"ddclient", "namecheap", "namecheap", NULL, NULL}, {NULL, NULL}},
    {{"ddclient", "netcup", "netcup", NULL, NULL}, {NULL, NULL}},
    {{"ddclient", "njalla", "njalla", NULL, NULL}, {"", NULL}},
    {{"ddclient", "ionos", "ionos", NULL, NULL}, {"", NULL}},
    /* inadyn provider names (inadyn.conf(5), plugins/) */
    {{"inadyn", "default@dyndns.org", "dyndns2", "dyn", NULL}, {NULL, NULL}},
    {{"inadyn", "default@dnsomatic.com", "dyndns2", "dnsomatic", NULL}, {NULL, NULL}},
    {{"inadyn", "default@opendns.com", "dyndns2", "opendns", NULL}, {NULL, NULL}},
    {{"inadyn", "default@selfhost.de", "dyndns2", "selfhost", NULL}, {NULL, NULL}},
    {{"inadyn", "default@no-ip.com", "dyndns2", "noip", NULL}, {NULL, NULL}},
    {{"inadyn", "default@noip.com", "dyndns2", "noip", NULL}, {NULL, NULL}},
    {{"inadyn", "default@3322.org", "dyndns2", "3322", NULL}, {NULL, NULL}},
    {{"inadyn", "dyndns@3322.org", "dyndns2", "3322", NULL}, {NULL, NULL}},
    {{"inadyn", "default@he.net", "dyndns2", "he", NULL}, {NULL, NULL}},
    {{"inadyn", "dyndns@he.net", "dyndns2", "he", NULL}, {NULL, NULL}},
    {{"inadyn", "ipv6@he.net", "dyndns2", "he", "AAAA"}, {NULL, NULL}},
    {{"inadyn", "default@tunnelbroker.net", "dyndns2", "tunnelbroker", NULL}, {NULL, NULL}},
    {{"inadyn", "default@spdyn.de", "dyndns2", "spdyn", NULL}, {NULL, NULL}},
    {{"inadyn", "ipv6@spdyn.de", "dyndns2", "spdyn", "AAAA"}, {NULL, NULL}},
    {{"inadyn", "ipv4@nsupdate.info", "dyndns2", "nsupdate-info", NULL}, {NULL, NULL}},
    {{"inadyn", "default@loopia.com", "dyndns2", "loopia", NULL}, {NULL, NULL}},
    {{"inadyn", "default@dynu.com", "dyndns2", "dynu", NULL}, {NULL, NULL}},
    {{"inadyn", "default@dy.fi", "dyndns2", "dyfi", NULL}, {NULL, NULL}},
    {{"inadyn", "default@do.de", "dyndns2", "do-de", NULL}, {NULL, NULL}},
    {{"inadyn", "default@inwx.com", "dyndns2", "inwx", NULL}, {NULL, NULL}},
    {{"inadyn", "default@joker.com", "dyndns2", "joker", NULL}, {NULL, NULL}},
    {{"inadyn", "default@schokokeks.org", "dyndns2", "schokokeks", NULL}, {NULL, NULL}},
    {{"inadyn", "default@variomedia.de", "dyndns2", "variomedia", NULL}, {NULL, NULL}},
    {{"inadyn", "default@udmedia.de", "dyndns2", "udmedia", NULL}, {NULL, NULL}},
    {{"inadyn", "default@dyndns.it", "dyndns2", "dyndns-it", NULL}, {NULL, NULL}},
    {{"inadyn", "default@infomaniak.com", "dyndns2", "infomaniak", NULL}, {NULL, NULL}},
    {{"inadyn", "default@simply.com", "dyndns2", "simply", NULL}, {NULL, NULL}},
    {{"inadyn", "default@changeip.com", "dyndns2", "changeip", NULL}, {NULL, NULL}},
    {{"inadyn", "default@ovh.com", "dyndns2", "ovh", NULL}, {NULL, NULL}},
    {{"inadyn", "default@strato.com", "dyndns2", "strato", NULL}, {NULL, NULL}},
    {{"inadyn", "default@all-inkl.com", "dyndns2", "all-inkl", NULL}, {NULL, NULL}},
    {{"inadyn", "ipv4@ipv64.net", "dyndns2", "ipv64", "A"}, {NULL, NULL}},
    {{"inadyn", "ipv6@ipv64.net", "dyndns2", "ipv64", "AAAA"}, {NULL, NULL}},
    {{"inadyn", "default@freedns.afraid.org", "dyndns2", "freedns", NULL}, {NULL, NULL}},
    /* inadyn's DuckDNS, dynv6: the token is the username, the password unused */
    {{"inadyn", "default@duckdns.org", "duckdns", NULL, NULL}, {"secret", ""}},
    {{"inadyn", "default@dynv6.com", "dynv6", NULL, NULL}, {"secret", ""}},
    {{"inadyn", "ipv4@dynv6.com", "dynv6", NULL, "A"}, {"secret", ""}},
    {{"inadyn", "ipv6@dynv6.com", "dynv6", NULL, "AAAA"}, {"secret", ""}},
    /* inadyn's Cloudflare: username is the zone, password the API token */
    {{"inadyn", "default@cloudflare.com", "cloudflare", NULL, NULL}, {"zone", NULL}},
    {{"inadyn", "default@desec.io", "desec", NULL, NULL}, {"", NULL}},
    {{"inadyn", "ipv6@desec.io", "desec", NULL, "AAAA"}, {"", NULL}},
    {{"inadyn", "default@namecheap.com", "namecheap", NULL, NULL}, {NULL, NULL}},
    {{"inadyn", "default@porkbun.com", "porkbun", NULL, NULL}, {NULL, NULL}},
    /* inadyn's custom{} blocks speak dyndns2 to their ddns-server */
    {{"inadyn", "custom", "dyndns2", NULL, NULL}, {NULL, NULL}},
};

static size_t map_index(const char *tool, const char *name)
{
	size_t n = sizeof(map) / sizeof(map[0]), hit = n, hits = 0;

	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(map[i].m.tool, tool) && !strcasecmp(map[i].m.name, name))
			return i;
	/* inadyn: "a unique substring matching the provider" (inadyn.conf(5)) */
	if (!name || strcmp(tool, "inadyn") || strlen(name) < 3)
		return n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(map[i].m.tool, tool) && strcasestr(map[i].m.name, name)) {
			/* aliases of one target (no-ip.com, noip.com) are not ambiguous */
			if (hit == n || strcmp(map[hit].m.provider, map[i].m.provider) ||
			    strcmp(map[hit].m.preset ? map[hit].m.preset : "",
				   map[i].m.preset ? map[i].m.preset : "") ||
			    map[hit].m.families != map[i].m.families)
				hits++;
			if (hit == n)
				hit = i;
		}
	if (hits <= 1)
		return hits == 1 ? hit : n;
	/* several targets: the one inadyn calls default@ (spdyn.de: default@, not ipv6@) */
	hit = n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(map[i].m.tool, tool) && strcasestr(map[i].m.name, name) &&
		    !strncmp(map[i].m.name, "default@", 8)) {
			if (hit != n)
				return n;
			hit = i;
		}
	return hit;
}

const struct he_ddns_import_map *he_ddns_import_map_find(const char *tool, const char *name)
{
	size_t i = map_index(tool, name);

	return i < sizeof(map) / sizeof(map[0]) ? &map[i].m : NULL;
}

int he_ddns_import_skip(struct he_ddns_import *im, int line, bool dropped_record, const char *what,
			const char *fmt, ...)
{
	struct he_ddns_skip *s;
	va_list ap;

	if (im->nskip == im->capskip) {
		size_t cap = im->capskip ? im->capskip * 2 : 8;

		if (cap > 4096)
			return 0; /* enough said */
		s = realloc(im->skip, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		im->skip = s;
		im->capskip = cap;
	}
	s = &im->skip[im->nskip++];
	s->line = line;
	s->dropped_record = dropped_record;
	snprintf(s->what, sizeof(s->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return 0;
}

void he_ddns_import_free(struct he_ddns_import *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->n; i++)
		he_str_wipe_free(im->rec[i].secret);
	free(im->rec);
	free(im->skip);
	free(im->scratch);
	memset(im, 0, sizeof(*im));
}

static bool takes(const struct he_ddns_provider *p, const char *key)
{
	if (!p->keys) /* a provider that lists no keys: carry everything over */
		return true;
	for (const struct he_ddns_key *k = p->keys; k->name; k++)
		if (!strcmp(k->name, key))
			return true;
	return false;
}

static bool set(const char *v)
{
	return v && *v;
}

/* A record name from the hostname: the characters [ddns NAME] allows, unique in im. */
static void make_name(const struct he_ddns_import *im, const char *host, char *out, size_t outsz)
{
	char base[HE_DDNS_NAME_LEN - 4 + 1]; /* room for "-NNN" */
	size_t o = 0;

	for (const char *p = host; *p && o + 1 < sizeof(base); p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';

		base[o++] = ok ? c : '_';
	}
	while (o && base[o - 1] == '.')
		o--;
	base[o] = '\0';
	if (!o)
		snprintf(base, sizeof(base), "imported");
	snprintf(out, outsz, "%s", base);
	for (unsigned k = 2; k < 1000; k++) {
		bool taken = false;

		for (size_t i = 0; i < im->n && !taken; i++)
			taken = !strcmp(im->rec[i].name, out);
		if (!taken)
			return;
		snprintf(out, outsz, "%s-%u", base, k);
	}
}

/* A fully qualified name (a dot inside) of the characters DNS names use here. */
static bool host_ok(const char *h)
{
	size_t n = strlen(h);
	const char *dot = strchr(h, '.');

	if (!n || n >= HE_HOST_MAX || !dot || dot == h || dot[1] == '\0')
		return false;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		      (*h >= '0' && *h <= '9') || *h == '-' || *h == '_' || *h == '.'))
			return false;
	return true;
}

/* The value for a key the route sends it to; fills the record. */
static void route_value(struct he_ddns_new *r, const char *to, const char *v, bool *secret_set)
{
	if (!set(v) || !to || !*to)
		return;
	if (!strcmp(to, "username"))
		snprintf(r->username, sizeof(r->username), "%s", v);
	else if (!strcmp(to, "zone"))
		snprintf(r->zone, sizeof(r->zone), "%s", v);
	else if (!strcmp(to, "path"))
		snprintf(r->secret_path, sizeof(r->secret_path), "%s", v), *secret_set = true;
	else if (!strcmp(to, "secret") && !r->secret && (r->secret = strdup(v)))
		*secret_set = true;
}

/* A host left out: 1, or the skip's -ENOMEM. */
static int dropped(int rc)
{
	return rc < 0 ? rc : 1;
}

/* Fill r from in and the map entry; 0, or 1 when the host is dropped (skip added). */
static int fill(struct he_ddns_import *im, const struct he_ddns_import_in *in, size_t mi,
		struct he_ddns_new *r)
{
	const struct he_ddns_import_map *m = &map[mi].m;
	const struct route *rt = &map[mi].r;
	const struct he_ddns_provider *p = he_ddns_provider_find(m->provider);
	const struct he_dyndns2_preset *pre = NULL;
	bool secret_set = false, v6 = in->want_v6;
	char what[96];

	snprintf(what, sizeof(what), "host %.80s", in->hostname);
	if (!p)
		return dropped(he_ddns_import_skip(im, in->line, true, what,
						   "%s '%s' would be homeexpose's provider %s, "
						   "which this build does not have",
						   im->format, in->map_name, m->provider));
	snprintf(r->provider, sizeof(r->provider), "%s", m->provider);
	snprintf(r->hostname, sizeof(r->hostname), "%s", in->hostname);
	snprintf(r->secret_key, sizeof(r->secret_key), "%s", p->secret_key ? p->secret_key : "");
	r->line = in->line;
	if (m->preset)
		pre = he_dyndns2_preset(m->preset);
	else if (takes(p, "preset"))
		pre = he_dyndns2_preset_by_server(set(in->server) ? in->server
								  : "members.dyndns.org");
	if (pre)
		snprintf(r->preset, sizeof(r->preset), "%s", pre->name);
	/* A server the preset already names is left out; another one is kept. */
	if (set(in->server) && takes(p, "server") &&
	    (!pre || he_dyndns2_preset_by_server(in->server) != pre))
		snprintf(r->server, sizeof(r->server), "%s", in->server);
	route_value(r, rt->login_to ? rt->login_to : "username", in->login, &secret_set);
	route_value(r, rt->password_to ? rt->password_to : "secret", in->password, &secret_set);
	if (set(in->login) && set(r->username) && !takes(p, "username")) {
		r->username[0] = '\0';
		he_ddns_import_skip(im, in->line, false, "login",
				    "provider %s takes no username; left out", m->provider);
	}
	if (set(in->zone) && takes(p, "zone") && !*r->zone)
		snprintf(r->zone, sizeof(r->zone), "%s", in->zone);
	if (set(in->ca_file))
		snprintf(r->ca_file, sizeof(r->ca_file), "%s", in->ca_file);
	if (!secret_set && *r->secret_key)
		return dropped(he_ddns_import_skip(im, in->line, true, what,
						   "no password or token for it in the file (kept "
						   "elsewhere?): add it with 'ddns add'"));
	if (m->families)
		snprintf(r->families, sizeof(r->families), "%s", m->families);
	else if (pre && pre->v4_only && v6) {
		snprintf(r->families, sizeof(r->families), "A");
		if (he_ddns_import_skip(im, in->line, false, "IPv6 (AAAA)",
					"preset %s takes IPv4 only; the record keeps A", pre->name))
			return -ENOMEM;
	} else
		snprintf(r->families, sizeof(r->families), "%s",
			 v6 && in->want_v4 ? "A AAAA"
			 : v6              ? "AAAA"
					   : "A");
	make_name(im, in->hostname, r->name, sizeof(r->name));
	return 0;
}

int he_ddns_import_add(struct he_ddns_import *im, const struct he_ddns_import_in *in)
{
	size_t mi = map_index(im->format, in->map_name);
	char what[96];
	struct he_ddns_new *r;
	int rc;

	snprintf(what, sizeof(what), "host %.80s", in->hostname ? in->hostname : "");
	if (!set(in->hostname) || !host_ok(in->hostname))
		return he_ddns_import_skip(im, in->line, true, what,
					   "not a fully qualified host name homeexpose can keep "
					   "(a wildcard, or not a host at all?)");
	if (mi == sizeof(map) / sizeof(map[0]))
		return he_ddns_import_skip(im, in->line, true, what,
					   "unknown %s '%s': no homeexpose provider or "
					   "preset speaks it",
					   strcmp(im->format, "ddclient") ? "provider" : "protocol",
					   in->map_name ? in->map_name : "");
	if (im->n >= HE_DDNS_IMPORT_MAX)
		return he_ddns_import_skip(im, in->line, true, what,
					   "more than %d records (the configuration's limit)",
					   HE_DDNS_IMPORT_MAX);
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 4;

		r = realloc(im->rec, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		im->rec = r;
		im->cap = cap;
	}
	r = &im->rec[im->n];
	memset(r, 0, sizeof(*r));
	rc = fill(im, in, mi, r);
	if (!rc) {
		struct he_error e = {0};

		/* what the configuration would refuse, it does not get */
		if (!im->scratch)
			im->scratch = malloc(sizeof(*im->scratch));
		rc = im->scratch ? he_ddns_new_check_in(r, im->scratch, &e) : -ENOMEM;
		if (rc == -EINVAL)
			rc = dropped(he_ddns_import_skip(im, in->line, true, what, "%s", e.msg));
	}
	if (rc) {
		he_str_wipe_free(r->secret);
		r->secret = NULL;
		return rc < 0 ? rc : 0;
	}
	im->n++;
	return 0;
}

int he_ddns_import_text(const char *text, size_t len, struct he_ddns_import *out,
			struct he_error *err)
{
	/* inadyn: a "provider NAME {" or "custom NAME {" block; ddclient has neither */
	for (size_t i = 0; i < len; i++) {
		size_t j = i;

		while (j < len && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if ((len - j >= 9 && !strncmp(text + j, "provider ", 9)) ||
		    (len - j >= 7 && !strncmp(text + j, "custom ", 7))) {
			while (j < len && text[j] != '\n' && text[j] != '{' && text[j] != '=')
				j++;
			if (j < len && text[j] == '{')
				return he_ddns_import_inadyn(text, len, out, err);
		}
		while (i < len && text[i] != '\n')
			i++;
	}
	return he_ddns_import_ddclient(text, len, out, err);
}
