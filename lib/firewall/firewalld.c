/* SPDX-License-Identifier: MIT */
/*
 * firewalld.c - open ports through firewalld where it runs.
 *
 * Each exposure is one permanent firewalld service `homeexpose-NAME`
 * (description `homeexpose:NAME`) holding its ports, enabled in the default
 * zone; after a change `firewall-cmd --reload` makes runtime match permanent.
 * Services named homeexpose-* that are no longer wanted are removed from the
 * zone and deleted. Two exposures sharing a port are two services: the port
 * stays open while either exists.
 */
#include "firewall/fw_internal.h"

#include <systemd/sd-bus.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FWD_TIMEOUT_MS    30000
#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"
#define SVC_PREFIX        "homeexpose-"
#define MAX_ARGS          8

static const char *const fwd_denied[] = {"NOT_AUTHORIZED", "ermission denied", "AccessDenied",
					 NULL};
static const struct he_fw_tool fwd_tool = {
    .missing = "firewall-cmd is not installed, or choose another [firewall] backend",
    .what = "changing firewalld",
    .denied = fwd_denied,
    .timeout_ms = FWD_TIMEOUT_MS,
};

static int fwd_run(const char *const argv[], char **out, struct he_error *err)
{
	return he_fw_tool_run(&fwd_tool, argv, out, err);
}

/*
 * Without running firewall-cmd (Python): firewalld runs when its name is owned
 * on the system bus. No bus at all: not running.
 */
static int fwd_detect(const struct he_fw_options *o, struct he_error *err)
{
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int has = 0, rc;

	(void)o;
	(void)err; /* a missing firewall-cmd is reported by the first change */
	/* no system bus, no firewalld: not even libsystemd is loaded (lib/core/lazy.h) */
	if (!getenv("DBUS_SYSTEM_BUS_ADDRESS") && access(SYSTEM_BUS_SOCKET, F_OK) != 0)
		return 0;
	if (sd_bus_open_system(&bus) < 0)
		return 0;
	rc = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				"org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s",
				"org.fedoraproject.FirewallD1");
	if (rc >= 0 && sd_bus_message_read(reply, "b", &has) < 0)
		has = 0;
	sd_bus_message_unref(reply);
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
	return has ? 1 : 0;
}

/* "8443/tcp 60000-60002/udp" -> ports (a range is one entry, .last), each with COMMENT. */
int he_firewalld_parse_ports(const char *text, struct he_fw_ports *out, const char *comment)
{
	const char *s = text;

	memset(out, 0, sizeof(*out));
	while (s && *s) {
		unsigned port = 0, last = 0;
		char proto[8] = "";
		int used = 0, ok;

		while (*s == ' ' || *s == '\n' || *s == '\t')
			s++;
		if (!*s)
			break;
		ok = sscanf(s, "%u/%7[a-z]%n", &port, proto, &used) == 2;
		if (!ok && sscanf(s, "%u-%u/%7[a-z]%n", &port, &last, proto, &used) == 3)
			ok = last > port && last < 65536;
		if (ok && port > 0 && port < 65536 &&
		    (!strcmp(proto, "tcp") || !strcmp(proto, "udp"))) {
			struct he_fw_port *nv = realloc(out->v, (out->n + 1) * sizeof(*nv));

			if (!nv) {
				he_fw_ports_free(out);
				return -ENOMEM;
			}
			out->v = nv;
			memset(&nv[out->n], 0, sizeof(nv[out->n]));
			nv[out->n].port = (uint16_t)port;
			nv[out->n].last = (uint16_t)last;
			nv[out->n].proto = !strcmp(proto, "udp") ? HE_PROTO_UDP : HE_PROTO_TCP;
			snprintf(nv[out->n].comment, sizeof(nv[out->n].comment), "%s",
				 comment ? comment : "");
			out->n++;
		}
		while (*s && *s != ' ' && *s != '\n' && *s != '\t')
			s++;
	}
	return 0;
}

/* Does the space-separated WORDS list hold WORD? */
static int has_word(const char *words, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = words; p && (p = strstr(p, word)); p += n) {
		if ((p == words || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return 1;
	}
	return 0;
}

/* The ports exposure NAME wants (one protocol each). */
static int wanted_for(const struct he_fw_desired *d, const char *name, struct he_fw_desired *one,
		      struct he_fw_ports *out, struct he_error *err)
{
	memset(one, 0, sizeof(*one));
	for (size_t i = 0; d && i < d->n; i++) {
		if (strcmp(d->v[i].name, name))
			continue;
		if (he_fw_desired_add(one, name, d->v[i].port, d->v[i].proto, err) < 0)
			return -ENOMEM;
	}
	return he_fw_ports_from_desired(one, out, err);
}

struct plan {
	struct he_fw_text text; /* dry-run lines */
	char **argv;            /* flat: MAX_ARGS slots per command */
	size_t n, cap;
};

static int plan_add(struct plan *pl, const char *a0, const char *a1, const char *a2, const char *a3)
{
	const char *src[] = {"firewall-cmd", a0, a1, a2, a3, NULL};
	char **slot;

	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 16;
		char **nv = realloc(pl->argv, cap * MAX_ARGS * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		pl->argv = nv;
		pl->cap = cap;
	}
	slot = &pl->argv[pl->n * MAX_ARGS];
	memset(slot, 0, MAX_ARGS * sizeof(*slot));
	pl->n++; /* plan_free frees whatever got allocated */
	for (size_t k = 0; src[k]; k++) {
		slot[k] = strdup(src[k]);
		if (!slot[k])
			return -ENOMEM;
	}
	he_fw_text_argv(&pl->text, (const char *const *)slot);
	return 0;
}

static void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->n * MAX_ARGS; i++)
		free(pl->argv[i]);
	free(pl->argv);
	free(he_fw_text_take(&pl->text));
	memset(pl, 0, sizeof(*pl));
}

struct current {
	char *services; /* as `--permanent --get-services` */
	char *enabled;  /* as `--list-services` (runtime, default zone) */
	char *permzone; /* as `--permanent --list-services` */
};

static void current_free(struct current *c)
{
	free(c->services);
	free(c->enabled);
	free(c->permzone);
}

/* Read over D-Bus (firewalld_bus.c): firewall-cmd runs only to change something. */
static int current_read(struct current *c, struct he_error *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = he_fwd_query(HE_FWD_SERVICES, NULL, &c->services, err)) < 0 ||
	    (rc = he_fwd_query(HE_FWD_ENABLED, NULL, &c->enabled, err)) < 0 ||
	    (rc = he_fwd_query(HE_FWD_PERMZONE, NULL, &c->permzone, err)) < 0) {
		current_free(c);
		return rc;
	}
	return 0;
}

static int service_ports(const char *svc, struct he_fw_ports *out, struct he_error *err)
{
	char *text = NULL;
	int rc = he_fwd_query(HE_FWD_PORTS, svc, &text, err);

	if (rc < 0)
		return rc;
	rc = he_firewalld_parse_ports(text, out, "");
	free(text);
	return rc < 0 ? he_error_set(err, rc, "out of memory") : 0;
}

/* Names of our services: each word of services starting with homeexpose-. */
static size_t our_services(const char *services, char names[][HE_FW_NAME_MAX + 16], size_t max)
{
	size_t n = 0;
	const char *s = services;

	while (s && *s && n < max) {
		size_t len;

		while (*s == ' ' || *s == '\n')
			s++;
		len = strcspn(s, " \n");
		if (len > strlen(SVC_PREFIX) && len < HE_FW_NAME_MAX + 16 &&
		    !strncmp(s, SVC_PREFIX, strlen(SVC_PREFIX))) {
			memcpy(names[n], s, len);
			names[n][len] = '\0';
			n++;
		}
		s += len;
	}
	return n;
}

#define MAX_SVC 256

/* The last port of a firewalld entry (a port, or a range port..last). */
static uint16_t got_last(const struct he_fw_port *g)
{
	return g->last ? g->last : g->port;
}

/* The index of the entry for exactly port..last/proto in got, or got->n. */
static size_t got_exact(const struct he_fw_ports *got, uint16_t port, uint16_t last, unsigned proto)
{
	for (size_t i = 0; i < got->n; i++) {
		if (got->v[i].port == port && got_last(&got->v[i]) == last &&
		    got->v[i].proto == proto)
			return i;
	}
	return got->n;
}

static int got_covers(const struct he_fw_ports *got, uint16_t port, unsigned proto)
{
	for (size_t i = 0; i < got->n; i++) {
		if (got->v[i].port <= port && port <= got_last(&got->v[i]) &&
		    got->v[i].proto == proto)
			return 1;
	}
	return 0;
}

static void port_arg(char *buf, size_t size, const char *opt, uint16_t port, uint16_t last,
		     unsigned proto)
{
	if (last != port)
		snprintf(buf, size, "%s=%u-%u/%s", opt, port, last, he_proto_name(proto));
	else
		snprintf(buf, size, "%s=%u/%s", opt, port, he_proto_name(proto));
}

/*
 * The service's ports: each wanted run (a port, or a range's ports) is one
 * firewalld port entry. Entries no longer exactly a run are removed first
 * (permanent only: the one reload at the end changes the traffic at once).
 */
static int plan_ports(struct plan *pl, const char *arg, const char *svc,
		      const struct he_fw_ports *want, const struct he_fw_ports *got,
		      struct he_fw_report *rep, int *changed)
{
	unsigned char *keep = calloc(got->n + 1, 1);
	char pa[48];
	int rc = 0;

	if (!keep)
		return -ENOMEM;
	for (size_t k = 0; k < want->n; k++) {
		size_t j = he_fw_ports_run_end(want, k);
		size_t g = got_exact(got, want->v[k].port, want->v[j].port, want->v[k].proto);

		if (g < got->n)
			keep[g] = 1;
		k = j;
	}
	for (size_t k = 0; rc == 0 && k < got->n; k++) {
		if (keep[k])
			continue;
		port_arg(pa, sizeof(pa), "--remove-port", got->v[k].port, got_last(&got->v[k]),
			 got->v[k].proto);
		rc = plan_add(pl, "--permanent", arg, pa, NULL);
		*changed = 1;
		for (unsigned p = got->v[k].port; rc == 0 && rep && p <= got_last(&got->v[k]);
		     p++) {
			if (!he_fw_ports_find(want, (uint16_t)p, got->v[k].proto) &&
			    he_fw_report_add_extra(rep, (uint16_t)p, got->v[k].proto, svc) < 0)
				rc = -ENOMEM;
		}
	}
	for (size_t k = 0; rc == 0 && k < want->n; k++) {
		size_t j = he_fw_ports_run_end(want, k);
		uint16_t first = want->v[k].port, last = want->v[j].port;

		if (got_exact(got, first, last, want->v[k].proto) == got->n) {
			port_arg(pa, sizeof(pa), "--add-port", first, last, want->v[k].proto);
			rc = plan_add(pl, "--permanent", arg, pa, NULL);
			*changed = 1;
			for (size_t m = k; rc == 0 && rep && m <= j; m++) {
				if (!got_covers(got, want->v[m].port, want->v[m].proto) &&
				    he_fw_report_add_missing(rep, &want->v[m]) < 0)
					rc = -ENOMEM;
			}
		}
		k = j;
	}
	free(keep);
	return rc;
}

static int fwd_plan(const struct he_fw_desired *d, struct plan *pl, struct he_fw_report *rep,
		    struct he_error *err)
{
	char(*have)[HE_FW_NAME_MAX + 16] = calloc(MAX_SVC, sizeof(*have));
	struct current cur;
	size_t nhave;
	int rc, changed = 0;

	if (!have)
		return he_error_set(err, -ENOMEM, "out of memory");
	rc = current_read(&cur, err);
	if (rc < 0) {
		free(have);
		return rc;
	}
	nhave = our_services(cur.services, have, MAX_SVC);
	/* wanted exposures: create or fix their service */
	for (size_t i = 0; d && i < d->n && rc == 0; i++) {
		char svc[HE_FW_NAME_MAX + 16], arg[HE_FW_NAME_MAX + 32], desc[HE_FW_NAME_MAX + 32];
		struct he_fw_desired one;
		struct he_fw_ports want = {0}, got = {0};
		int seen = 0, exists;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(d->v[j].name, d->v[i].name);
		if (seen)
			continue;
		snprintf(svc, sizeof(svc), SVC_PREFIX "%s", d->v[i].name);
		snprintf(arg, sizeof(arg), "--service=%s", svc);
		exists = has_word(cur.services, svc);
		rc = wanted_for(d, d->v[i].name, &one, &want, err);
		if (rc == 0 && exists)
			rc = service_ports(svc, &got, err);
		if (rc == 0 && !exists) {
			char ns[HE_FW_NAME_MAX + 32];

			snprintf(ns, sizeof(ns), "--new-service=%s", svc);
			snprintf(desc, sizeof(desc), "--set-description=" HE_FW_TAG "%s",
				 d->v[i].name);
			rc = plan_add(pl, "--permanent", ns, NULL, NULL);
			if (rc == 0)
				rc = plan_add(pl, "--permanent", arg, desc, NULL);
			changed = 1;
		}
		if (rc == 0)
			rc = plan_ports(pl, arg, svc, &want, &got, rep, &changed);
		if (rc == 0 && !has_word(cur.permzone, svc)) {
			char as[HE_FW_NAME_MAX + 32];

			snprintf(as, sizeof(as), "--add-service=%s", svc);
			rc = plan_add(pl, "--permanent", as, NULL, NULL);
			changed = 1;
		}
		if (rc == 0 && !has_word(cur.enabled, svc)) {
			changed = 1; /* runtime lost it: the reload restores it */
			for (size_t k = 0; rep && k < want.n; k++) {
				if (he_fw_report_add_missing(rep, &want.v[k]) < 0)
					rc = -ENOMEM;
			}
		}
		he_fw_ports_free(&want);
		he_fw_ports_free(&got);
		he_fw_desired_free(&one);
	}
	/* services of exposures no longer wanted */
	for (size_t i = 0; i < nhave && rc == 0; i++) {
		const char *name = have[i] + strlen(SVC_PREFIX);
		char a[HE_FW_NAME_MAX + 32];
		int wanted = 0;

		if (rep)
			rep->present = 1;
		for (size_t j = 0; d && j < d->n; j++)
			wanted |= !strcmp(d->v[j].name, name);
		if (wanted)
			continue;
		if (has_word(cur.permzone, have[i])) {
			snprintf(a, sizeof(a), "--remove-service=%s", have[i]);
			rc = plan_add(pl, "--permanent", a, NULL, NULL);
		}
		snprintf(a, sizeof(a), "--delete-service=%s", have[i]);
		if (rc == 0)
			rc = plan_add(pl, "--permanent", a, NULL, NULL);
		changed = 1;
		if (rc == 0 && rep && he_fw_report_add_extra(rep, 0, 0, have[i]) < 0)
			rc = -ENOMEM;
	}
	if (rc == 0 && changed)
		rc = plan_add(pl, "--reload", NULL, NULL, NULL);
	if (rc == -ENOMEM)
		he_error_set(err, rc, "out of memory");
	if (rep)
		rep->in_sync = rc == 0 && !changed;
	current_free(&cur);
	free(have);
	return rc;
}

static int fwd_apply(const struct he_fw_env *env, const struct he_fw_desired *d,
		     const struct he_fw_ports *ports, unsigned flags, char **dry_run_text,
		     struct he_error *err)
{
	struct plan pl = {0};
	int rc;

	if (!(flags & HE_FW_DRY_RUN) && geteuid() != 0)
		return he_fw_eperm(err, "changing firewalld");
	rc = fwd_plan(d, &pl, NULL, err);
	if (rc == 0 && (flags & HE_FW_DRY_RUN)) {
		if (dry_run_text && !(*dry_run_text = he_fw_text_take(&pl.text)))
			rc = he_error_set(err, -ENOMEM, "out of memory");
	} else {
		for (size_t i = 0; rc == 0 && i < pl.n; i++)
			rc = fwd_run((const char *const *)&pl.argv[i * MAX_ARGS], NULL, err);
	}
	plan_free(&pl);
	return rc;
}

static int fwd_verify(const struct he_fw_env *env, const struct he_fw_desired *d,
		      const struct he_fw_ports *ports, struct he_fw_report *rep,
		      struct he_error *err)
{
	struct plan pl = {0};
	char *json = NULL;
	int rc = fwd_plan(d, &pl, rep, err);

	plan_free(&pl);
	if (rc < 0)
		return rc;
	if (he_nft_list_ruleset(&json, NULL) == 0) {
		rc = he_nft_analyze(json, strlen(json), ports,
				    HE_NFT_SKIP_OWN | HE_NFT_SKIP_FIREWALLD, &env->view, rep, err);
		free(json);
	}
	return rc;
}

const struct he_fw_backend he_fw_backend_firewalld = {
    .name = HE_FW_NAME_FIREWALLD,
    .why = "firewalld is running (it holds its D-Bus name)",
    .detect = fwd_detect,
    .apply = fwd_apply,
    .verify = fwd_verify,
};
