/* SPDX-License-Identifier: MIT */
#include "config/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/ini.h"
#include "config/schema.h"
#include "config/secret.h"
#include "firewall/firewall.h"
#include "portmap/portmap.h"
#include "ddns/ddns.h"

#ifndef HE_SYSCONFDIR
#define HE_SYSCONFDIR "/etc"
#endif
#ifndef HE_LOCALSTATEDIR
#define HE_LOCALSTATEDIR "/var"
#endif
#ifndef HE_RUNSTATEDIR
#define HE_RUNSTATEDIR "/run"
#endif
#ifndef HE_DATADIR
#define HE_DATADIR "/usr/share"
#endif

#define C(field) offsetof(struct he_config, field), sizeof(((struct he_config *)0)->field)
#define D(field) offsetof(struct he_ddns_record, field), sizeof(((struct he_ddns_record *)0)->field)

static const char *const log_levels[] = {"error", "warning", "info", "debug", NULL};
static const char *const families[] = {"A", "AAAA", NULL};
static const char *const socks_tor[] = {"auto", "yes", "no", NULL};

static const struct he_key general_keys[] = {
    {"state-dir", HE_KT_PATH, C(state_dir), 0, 0, NULL},
    {"runtime-dir", HE_KT_PATH, C(runtime_dir), 0, 0, NULL},
    {"exposures-dir", HE_KT_PATH, C(exposures_dir), 0, 0, NULL},
    {"services-dir", HE_KT_PATH, C(services_dir), 0, 0, NULL},
    {"catalog-dir", HE_KT_PATH, C(catalog_dir), 0, 0, NULL},
    {"log-level", HE_KT_ENUM, C(log_level), 0, 0, log_levels},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const struct he_key router_keys[] = {
    {"enabled", HE_KT_BOOL, C(router_enabled), 0, 0, NULL},
    {"protocols", HE_KT_WORDS, C(router_protocols), 0, 0, he_pm_protocol_words},
    {"gateway", HE_KT_HOST, C(gateway), 0, 0, NULL},
    {"lease", HE_KT_UINT, C(lease), 0, 604800, NULL},
    {"probe-timeout", HE_KT_UINT, C(probe_timeout_ms), 20, 10000, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const struct he_key firewall_keys[] = {
    {"backend", HE_KT_ENUM, C(firewall_backend), 0, 0, he_firewall_backend_words},
    {"mark", HE_KT_STRING, C(firewall_mark), 0, 0, NULL},
    {"integrate", HE_KT_STRING, C(firewall_integrate), 0, 0, NULL},
    {"nftables-conf", HE_KT_STRING, C(firewall_nftables_conf), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const struct he_key publicip_keys[] = {
    {"stun-servers", HE_KT_STRING, C(stun_servers), 0, 0, NULL},
    {"http-urls", HE_KT_STRING, C(http_urls), 0, 0, NULL},
    {"sources-required", HE_KT_UINT, C(sources_required), 1, 4, NULL},
    {"ca-file", HE_KT_PATH, C(publicip_ca_file), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const struct he_key reflector_keys[] = {
    {"url", HE_KT_STRING, C(reflector_url), 0, 0, NULL},
    {"key-file", HE_KT_SECRET, C(reflector_key_file), 0, 0, NULL},
    {"socks", HE_KT_HOST, C(reflector_socks), 0, 0, NULL},
    {"socks-tor", HE_KT_ENUM, C(reflector_socks_tor), 0, 0, socks_tor},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const struct he_key agent_keys[] = {
    {"verify-interval", HE_KT_UINT, C(verify_interval), 2, 86400, NULL},
    {"drift-interval", HE_KT_UINT, C(drift_interval), 1, 86400, NULL},
    {"check-interval", HE_KT_UINT, C(check_interval), 1, 604800, NULL},
    {"outside-check-interval", HE_KT_UINT, C(outside_check_interval), 300, 604800, NULL},
    {"poll-interval", HE_KT_UINT, C(poll_interval), 1, 86400, NULL},
    {"release-on-stop", HE_KT_BOOL, C(release_on_stop), 0, 0, NULL},
    {"metrics-listen", HE_KT_HOST, C(metrics_listen), 0, 0, NULL},
    {"metrics-textfile", HE_KT_PATH, C(metrics_textfile), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const struct he_key ddns_keys[] = {
    /* provider and preset: checked against lib/ddns's tables in validate() */
    {"provider", HE_KT_STRING, D(provider), 0, 0, NULL},
    {"preset", HE_KT_STRING, D(preset), 0, 0, NULL},
    {"hostname", HE_KT_HOST, D(hostname), 0, 0, NULL},
    {"families", HE_KT_WORDS, D(families), 0, 0, families},
    {"server", HE_KT_STRING, D(server), 0, 0, NULL},
    {"username", HE_KT_STRING, D(username), 0, 0, NULL},
    {"password-file", HE_KT_SECRET, D(password_file), 0, 0, NULL},
    {"token-file", HE_KT_SECRET, D(token_file), 0, 0, NULL},
    {"zone", HE_KT_HOST, D(zone), 0, 0, NULL},
    {"tsig-key-file", HE_KT_SECRET, D(tsig_key_file), 0, 0, NULL},
    {"ca-file", HE_KT_PATH, D(ca_file), 0, 0, NULL},
    {"refresh-days", HE_KT_UINT, D(refresh_days), 1, 365, NULL},
    {"verify", HE_KT_BOOL, D(verify), 0, 0, NULL},
    {"verify-server", HE_KT_HOST, D(verify_server), 0, 0, NULL},
    {"verify-tries", HE_KT_UINT, D(verify_tries), 1, 10, NULL},
    {"publish-behind-nat", HE_KT_BOOL, D(publish_behind_nat), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* Keys that look like inline secrets: refused with a pointer to *-file. */
static const char *const inline_secrets[] = {"password", "token",   "secret",    "key",
					     "tsig-key", "api-key", "api-token", NULL};

static const struct {
	const char *name;
	const struct he_key *keys;
} sections[] = {
    {"general", general_keys},   {"router", router_keys},       {"firewall", firewall_keys},
    {"publicip", publicip_keys}, {"reflector", reflector_keys}, {"agent", agent_keys},
};

const char *he_config_default_path(void)
{
	return HE_SYSCONFDIR "/homeexpose/homeexpose.conf";
}

void he_config_defaults(struct he_config *cfg, const char *path)
{
	char dir[PATH_MAX];
	const char *slash;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	slash = strrchr(path, '/');
	if (slash && slash != path)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else if (slash)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s/lib/homeexpose", HE_LOCALSTATEDIR);
	snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s/homeexpose", HE_RUNSTATEDIR);
	/* Drop-ins and local profiles sit beside the config file, so -c relocates them. */
	snprintf(cfg->exposures_dir, sizeof(cfg->exposures_dir), "%.4000s/exposures.d", dir);
	snprintf(cfg->services_dir, sizeof(cfg->services_dir), "%.4000s/services", dir);
	snprintf(cfg->catalog_dir, sizeof(cfg->catalog_dir), "%s/homeexpose/services", HE_DATADIR);
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
	cfg->router_enabled = true;
	snprintf(cfg->router_protocols, sizeof(cfg->router_protocols), "pcp natpmp upnp");
	snprintf(cfg->gateway, sizeof(cfg->gateway), "auto");
	cfg->lease = 3600;
	cfg->probe_timeout_ms = 250;
	snprintf(cfg->firewall_backend, sizeof(cfg->firewall_backend), "auto");
	cfg->sources_required = 2;
	snprintf(cfg->reflector_socks_tor, sizeof(cfg->reflector_socks_tor), "auto");
	cfg->verify_interval = 300;
	cfg->drift_interval = 30;
	cfg->check_interval = 3600;
	cfg->outside_check_interval = 4 * 3600;
	cfg->poll_interval = 120;
}

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define NSLOTS    (NSECTIONS + HE_DDNS_MAX)
#define NKEYS     32 /* keys per section, at most (seen[] and the refused bits) */
_Static_assert(sizeof(ddns_keys) / sizeof(ddns_keys[0]) <= NKEYS, "too many ddns keys");
_Static_assert(sizeof(agent_keys) / sizeof(agent_keys[0]) <= NKEYS, "too many agent keys");

struct load_ctx {
	struct he_config *cfg;
	struct he_diags *d;
	const char *file;
	/* the section being read: a slot (a fixed section, then one per [ddns NAME]), or -1 */
	int slot;
	/* per slot and key: the line it was set at (0: not yet), and whether it was refused */
	int seen[NSLOTS][NKEYS];
	unsigned refused[NSLOTS];
};

static struct he_ddns_record *ddns_section(struct load_ctx *c, const char *name, int line)
{
	struct he_config *cfg = c->cfg;

	for (unsigned i = 0; i < cfg->nddns; i++)
		if (strcmp(cfg->ddns[i].name, name) == 0)
			return &cfg->ddns[i];
	if (cfg->nddns >= HE_DDNS_MAX) {
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
			     "too many [ddns ...] sections (at most %d)", HE_DDNS_MAX);
		return NULL;
	}
	struct he_ddns_record *r = &cfg->ddns[cfg->nddns++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->line = line;
	snprintf(r->families, sizeof(r->families), "A");
	r->refresh_days = 25;
	r->verify_tries = 3;
	return r;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= HE_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* A section header: say at its own line, once, what is wrong with it. */
static void on_section(void *user, const char *section, int line)
{
	struct load_ctx *c = user;
	const char *names[NSECTIONS + 1];
	const char *s;

	c->slot = -1;
	for (size_t i = 0; i < NSECTIONS; i++) {
		names[i] = sections[i].name;
		if (strcmp(section, sections[i].name) == 0)
			c->slot = (int)i;
	}
	names[NSECTIONS] = NULL;
	if (c->slot >= 0)
		return;
	if (strncmp(section, "ddns ", 5) == 0) {
		const char *nm = section + 5;
		struct he_ddns_record *r;

		while (*nm == ' ')
			nm++;
		if (!valid_name(nm)) {
			he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
				     "[%s]: record name '%s' may only use letters, digits, '-', "
				     "'_' and '.'",
				     section, nm);
			return;
		}
		r = ddns_section(c, nm, line);
		if (r)
			c->slot = (int)(NSECTIONS + (size_t)(r - c->cfg->ddns));
		return;
	}
	s = he_suggest(section, names);
	he_diags_add(c->d, HE_DIAG_ERROR, c->file, line, "unknown section [%s]%s%s%s", section,
		     s ? " (did you mean [" : "", s ? s : "",
		     s ? "]?)"
		       : " (known: general, router, firewall, publicip, reflector, agent, "
			 "ddns NAME)");
}

/* Where a secret key's line is kept, for the errors of he_config_check_secrets. */
static int *secret_line(struct load_ctx *c, const char *key)
{
	struct he_ddns_record *r;

	if (c->slot < (int)NSECTIONS)
		return strcmp(key, "key-file") == 0 ? &c->cfg->reflector_key_line : NULL;
	r = &c->cfg->ddns[c->slot - (int)NSECTIONS];
	if (strcmp(key, "password-file") == 0)
		return &r->password_file_line;
	if (strcmp(key, "token-file") == 0)
		return &r->token_file_line;
	return strcmp(key, "tsig-key-file") == 0 ? &r->tsig_key_file_line : NULL;
}

static void on_key(void *user, const char *section, const char *key, const char *value, int line)
{
	struct load_ctx *c = user;
	const struct he_key *keys, *k;
	void *target = c->cfg;
	char msg[512];
	int *at;

	if (!*section) {
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
			     "'%s' is outside any section; put it under its [section]", key);
		return;
	}
	if (c->slot < 0)
		return; /* the section header was reported */
	if ((size_t)c->slot < NSECTIONS) {
		keys = sections[c->slot].keys;
	} else {
		keys = ddns_keys;
		target = &c->cfg->ddns[c->slot - (int)NSECTIONS];
	}
	for (int i = 0; inline_secrets[i]; i++) {
		if (strcmp(key, inline_secrets[i]) == 0) {
			he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
				     "[%s] %s: secrets are never written inline; put it in a file "
				     "readable only by root (chmod 600) and name it with %s-file",
				     section, key,
				     strcmp(key, "password") == 0 ? "password" : "token");
			return;
		}
	}
	k = he_key_find(keys, key);
	if (k && k - keys < NKEYS) {
		int *seen = &c->seen[c->slot][k - keys];

		if (*seen) {
			he_diags_add(c->d, HE_DIAG_ERROR, c->file, line,
				     "[%s] %s: given twice (first at line %d); keep one", section,
				     key, *seen);
			return;
		}
		*seen = line;
	}
	if (k && !*value)
		return; /* "key =": the built-in default */
	if (he_key_set(keys, target, key, value, msg, sizeof(msg)) < 0) {
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, line, "[%s] %s", section, msg);
		if (k && k - keys < NKEYS)
			c->refused[c->slot] |= 1u << (k - keys);
		return;
	}
	at = k && k->type == HE_KT_SECRET ? secret_line(c, key) : NULL;
	if (at)
		*at = line;
}

/* Was KEY of ddns record i given, with a value refused? Then "needs KEY" is no news. */
static bool was_refused(const struct load_ctx *c, unsigned i, const char *key)
{
	const struct he_key *k = he_key_find(ddns_keys, key);

	return k && c->seen[NSECTIONS + i][k - ddns_keys] != 0 &&
	       (c->refused[NSECTIONS + i] & (1u << (k - ddns_keys)));
}

/* A [ddns NAME] record against its provider's table: known, required keys, families. */
static void validate_ddns(struct load_ctx *c, unsigned i)
{
	const struct he_ddns_record *r = &c->cfg->ddns[i];
	const struct he_ddns_provider *p = he_ddns_provider_find(r->provider);
	const struct he_ddns_provider *const *all;
	const char *names[64], *s;
	struct he_error err = {0};
	size_t n, k = 0;

	if (!*r->provider) {
		if (was_refused(c, i, "provider"))
			return; /* its refusal was reported at its line */
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, r->line,
			     "[ddns %s]: 'provider' is required (see 'homeexpose ddns providers')",
			     r->name);
		return;
	}
	if (!p) {
		all = he_ddns_providers(&n);
		for (; k < n && k + 1 < sizeof(names) / sizeof(names[0]); k++)
			names[k] = all[k]->name;
		names[k] = NULL;
		s = he_suggest(r->provider, names);
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, r->line,
			     "[ddns %s]: unknown provider '%s'%s%s%s (see 'homeexpose ddns "
			     "providers')",
			     r->name, r->provider, s ? " (did you mean '" : "", s ? s : "",
			     s ? "'?)" : "");
		return;
	}
	for (const struct he_ddns_key *pk = p->keys; pk && pk->name; pk++) {
		const struct he_key *key = he_key_find(ddns_keys, pk->name);

		if (!(pk->flags & HE_DDNS_KEY_REQUIRED) || !key || *((const char *)r + key->off) ||
		    was_refused(c, i, pk->name))
			continue; /* given, or given with a value refused at its own line */
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, r->line,
			     "[ddns %s]: provider %s needs '%s' (%s)", r->name, p->name, pk->name,
			     pk->help);
	}
	if (p->check && p->check(r, &err) < 0)
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, r->line, "%s", err.msg);
	if (p->families && (he_ddns_families(r) & ~p->families))
		he_diags_add(c->d, HE_DIAG_ERROR, c->file, r->line,
			     "[ddns %s]: %s cannot update %s records: set 'families = %s'", r->name,
			     p->name, (p->families & HE_DDNS_FAM_A) ? "AAAA" : "A",
			     (p->families & HE_DDNS_FAM_A) ? "A" : "AAAA");
}

static void validate(struct load_ctx *c)
{
	for (unsigned i = 0; i < c->cfg->nddns; i++)
		validate_ddns(c, i);
}

static void apply_env(struct he_config *cfg)
{
	const char *v;

	v = getenv("HOMEEXPOSE_STATE_DIR");
	if (v && *v)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", v);
	v = getenv("HOMEEXPOSE_RUNTIME_DIR");
	if (v && *v)
		snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s", v);
}

/* Parse text (or, when text is NULL, the file at cfg->path) and validate it. */
static int parse(struct he_config *cfg, const char *name, const char *text, struct he_diags *d)
{
	struct load_ctx *c = calloc(1, sizeof(*c)); /* a few KiB of per-key lines */
	int r;

	if (!c)
		return -ENOMEM;
	c->cfg = cfg;
	c->d = d;
	c->file = name;
	c->slot = -1;
	if (text)
		r = he_ini_parse_string_sections(name, text, on_key, on_section, c, d);
	else
		r = he_ini_parse_file_sections(name, on_key, on_section, c, d);
	if (r == 0)
		validate(c);
	free(c);
	return r;
}

int he_config_load_string(struct he_config *cfg, const char *name, const char *text,
			  struct he_diags *d)
{
	size_t before = d->nerrors;
	int r;

	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	r = parse(cfg, cfg->path, text, d);
	return r < 0 ? r : d->nerrors > before ? -EINVAL : 0;
}

int he_config_load(struct he_config *cfg, const char *path, bool explicit_path, struct he_diags *d)
{
	size_t before = d->nerrors;
	const char *env = getenv("HOMEEXPOSE_CONFIG");
	int r;

	if (!path && env && *env) {
		path = env;
		explicit_path = true;
	}
	if (!path)
		path = he_config_default_path();
	he_config_defaults(cfg, path);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		if (explicit_path) {
			he_diags_add(d, HE_DIAG_ERROR, path, 0,
				     "configuration file does not exist");
			return -ENOENT;
		}
		apply_env(cfg);
		return 0;
	}
	cfg->file_exists = true;
	r = parse(cfg, cfg->path, NULL, d);
	if (r < 0)
		return r; /* unreadable or a directory: nothing of it may be used */
	apply_env(cfg);
	return d->nerrors > before ? -EINVAL : 0;
}

/* A systemd credential can only be checked where the service's credentials are. */
static bool checkable(const char *path, struct he_diags *d, const char *file, int line)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");

	if (strncmp(path, "credential:", 11) != 0 || (dir && *dir))
		return true;
	he_diags_add(d, HE_DIAG_WARNING, file, line,
		     "%s is a systemd credential: it can only be checked inside the service "
		     "(LoadCredential=)",
		     path);
	return false;
}

void he_config_check_secrets(const struct he_config *cfg, struct he_diags *d)
{
	struct he_error err;
	const char *paths[8];

	int lines[3];

	if (*cfg->reflector_key_file &&
	    checkable(cfg->reflector_key_file, d, cfg->path, cfg->reflector_key_line) &&
	    he_secret_check(cfg->reflector_key_file, &err) < 0)
		he_diags_add(d, HE_DIAG_ERROR, cfg->path, cfg->reflector_key_line,
			     "[reflector] key-file: %s", err.msg);
	for (unsigned i = 0; i < cfg->nddns; i++) {
		const struct he_ddns_record *r = &cfg->ddns[i];
		size_t n = 0;

		lines[n] = r->password_file_line;
		paths[n++] = r->password_file;
		lines[n] = r->token_file_line;
		paths[n++] = r->token_file;
		lines[n] = r->tsig_key_file_line;
		paths[n++] = r->tsig_key_file;
		for (size_t j = 0; j < n; j++) {
			if (*paths[j] && checkable(paths[j], d, cfg->path, lines[j]) &&
			    he_secret_check(paths[j], &err) < 0)
				he_diags_add(d, HE_DIAG_ERROR, cfg->path, lines[j], "[ddns %s]: %s",
					     r->name, err.msg);
		}
	}
}
