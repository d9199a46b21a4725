/* SPDX-License-Identifier: MIT */
/*
 * homeexpose list [--router]: the exposures (desired state) beside what the
 * router and the host firewall hold (live state), and the drift between them.
 * Reads only: works without root as far as it can and says what it could not
 * read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/control_client.h"
#include "engine/engine.h"
#include "opreport.h"
#include "progress.h"
#include "cli.h"
#include "config/exposure.h"
#include "state/state.h"

static void usage(void)
{
	printf("Usage: homeexpose list [--router] [--protocol P] [--json]\n"
	       "\n"
	       "List the exposures with, per port, the router mapping (protocol, external\n"
	       "address:port, remaining lease) and the host firewall state, and DRIFT where\n"
	       "what homeexpose put in place is gone (fix: homeexpose open NAME).\n"
	       "When the agent runs, its view is added (it can read the firewall even\n"
	       "when you are not root).\n"
	       "\n"
	       "      --router       the router's whole port-mapping table (UPnP), ours marked\n"
	       "      --protocol P   with --router: ask through this protocol (default: the\n"
	       "                     first of [router] protocols that can list the table)\n"
	       "      --json         machine-readable output\n");
}

static void print_lease(json_int_t left)
{
	if (left == 0)
		printf("permanent");
	else if (left < 0)
		printf("EXPIRED");
	else
		printf("lease %lld s left", (long long)left);
}

static void print_map(json_t *m)
{
	const char *st = json_string_value(json_object_get(m, "state"));
	json_t *on = json_object_get(m, "on_router");

	if (!strcmp(json_string_value(json_object_get(m, "family")), "ipv6"))
		printf("  router    %-6s IPv6 pinhole [%s]:%lld/%s, ",
		       json_string_value(json_object_get(m, "protocol")),
		       json_string_value(json_object_get(m, "client")),
		       (long long)json_integer_value(json_object_get(m, "internal_port")),
		       json_string_value(json_object_get(m, "transport")));
	else
		printf("  router    %-6s %s:%lld/%s -> %s:%lld, ",
		       json_string_value(json_object_get(m, "protocol")),
		       *json_string_value(json_object_get(m, "external_address"))
			   ? json_string_value(json_object_get(m, "external_address"))
			   : "?",
		       (long long)json_integer_value(json_object_get(m, "external_port")),
		       json_string_value(json_object_get(m, "transport")),
		       json_string_value(json_object_get(m, "client")),
		       (long long)json_integer_value(json_object_get(m, "internal_port")));
	if (!strcmp(st, "vanished"))
		printf("GONE from the router");
	else
		print_lease(json_integer_value(json_object_get(m, "lease_remaining")));
	if (json_is_true(on))
		printf(" (confirmed on the router)");
	printf("\n");
}

static void print_exposure(json_t *x, const struct he_live *lv)
{
	json_t *v;
	size_t i;

	printf("%s  %s", json_string_value(json_object_get(x, "name")),
	       json_string_value(json_object_get(x, "ports")));
	if (json_is_string(json_object_get(x, "service")))
		printf("  service %s", json_string_value(json_object_get(x, "service")));
	if (json_is_string(json_object_get(x, "to")))
		printf("  to %s", json_string_value(json_object_get(x, "to")));
	if (strcmp(json_string_value(json_object_get(x, "family")), "both"))
		printf("  %s only", json_string_value(json_object_get(x, "family")));
	printf("\n");
	if (json_is_string(json_object_get(x, "refused")))
		printf("  REFUSED   %s\n", json_string_value(json_object_get(x, "refused")));
	if (!json_is_true(json_object_get(x, "router")))
		printf("  router    - (--no-router)\n");
	else if (!lv->o.router_read)
		printf("  router    ? (not read)\n");
	json_array_foreach(json_object_get(x, "mappings"), i, v)
	{
		print_map(v);
	}
	if (!json_is_true(json_object_get(x, "firewall")))
		printf("  firewall  - (--no-firewall)\n");
	else if (json_is_string(json_object_get(x, "to")))
		printf("  firewall  - (the service runs on %s, not here)\n",
		       json_string_value(json_object_get(x, "to")));
	json_array_foreach(json_object_get(x, "firewall_ports"), i, v)
	{
		const char *st = json_string_value(json_object_get(v, "state"));
		json_t *s;
		size_t k;

		printf("  firewall  %lld/%s %s",
		       (long long)json_integer_value(json_object_get(v, "port")),
		       json_string_value(json_object_get(v, "transport")),
		       !strcmp(st, "open")      ? "open"
		       : !strcmp(st, "missing") ? "NOT OPEN"
						: "? (not read)");
		if (strcmp(st, "unknown"))
			printf(" (%s)", lv->o.fw_backend);
		printf("\n");
		json_array_foreach(json_object_get(v, "dropped_by"), k, s)
		{
			printf("  WARNING   still %s by table %s %s, chain %s (%s). Fix: %s\n",
			       json_is_true(json_object_get(s, "certain")) ? "dropped"
									   : "maybe dropped",
			       json_string_value(json_object_get(s, "family")),
			       json_string_value(json_object_get(s, "table")),
			       json_string_value(json_object_get(s, "chain")),
			       json_string_value(json_object_get(s, "where")),
			       json_string_value(json_object_get(s, "fix")));
		}
	}
	json_array_foreach(json_object_get(x, "drift"), i, v)
	{
		printf("  DRIFT     %s\n", json_string_value(v));
	}
}

/* The running agent's view (read-only request: any user), or NULL. */
static json_t *agent_view(struct he_cli *cli)
{
	return he_cli_agent_ask(cli, HE_CTL_LIST);
}

/* The agent's last self-check of exposure name, one line. */
static void print_self_check(const json_t *ag, const char *name)
{
	const json_t *x = NULL, *v, *c;
	const char *state;
	size_t i;
	char when[32] = "?";
	time_t at;
	struct tm tm;

	json_array_foreach(json_object_get(ag, "exposures"), i, v)
	{
		if (!strcmp(json_string_value(json_object_get(v, "name")), name))
			x = v;
	}
	c = x ? json_object_get(x, "check") : NULL;
	state = c ? json_string_value(json_object_get(c, "state")) : NULL;
	if (!state)
		return;
	at = (time_t)json_integer_value(json_object_get(c, "at"));
	if (at && localtime_r(&at, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (!strcmp(state, "pending"))
		printf("  self-check: pending (the agent runs it shortly)\n");
	else if (!strcmp(state, "reachable"))
		printf("  self-check: reachable (at %s)\n", when);
	else if (!strcmp(state, "not reachable"))
		printf("  self-check: NOT reachable: broken link %s: %s (%lld/%s %s, at %s)%s%s\n",
		       json_string_value(json_object_get(c, "broken")),
		       json_string_value(json_object_get(c, "evidence")),
		       (long long)json_integer_value(json_object_get(c, "external_port")),
		       json_string_value(json_object_get(c, "transport")),
		       !strcmp(json_string_value(json_object_get(c, "family")), "ipv6") ? "IPv6"
											: "IPv4",
		       when, *json_string_value(json_object_get(c, "fix")) ? "; fix: " : "",
		       json_string_value(json_object_get(c, "fix")));
	else
		printf("  self-check: not proven reachable (at %s)%s\n", when,
		       json_is_true(json_object_get(c, "reflector"))
			   ? ": no failing link, but the outside probe could not confirm it"
			   : ": no reflector or socks proxy configured ([reflector] url or socks)");
}

/* How the agent learns of address changes, and what each source brought so far. */
static void print_events(const json_t *ev)
{
	const json_t *rx = json_object_get(ev, "received");
	const char *mode = json_string_value(json_object_get(ev, "mode"));

	if (!ev || !mode)
		return;
	printf("          address changes: ");
	if (!strcmp(mode, "polling"))
		printf("polling every %d s",
		       (int)json_integer_value(json_object_get(ev, "poll_interval")));
	else
		printf("%s", mode);
	printf(" (%s); received: %lld announcements, %lld UPnP events, %lld netlink, %lld "
	       "polls\n",
	       json_string_value(json_object_get(ev, "why")),
	       (long long)json_integer_value(json_object_get(rx, "announcements")),
	       (long long)json_integer_value(json_object_get(rx, "upnp_events")),
	       (long long)json_integer_value(json_object_get(rx, "netlink")),
	       (long long)json_integer_value(json_object_get(rx, "polls")));
}

static void print_agent(const json_t *ag)
{
	json_int_t sync = json_integer_value(json_object_get(ag, "firewall_in_sync"));
	const char *pub = json_string_value(json_object_get(ag, "public_v4"));

	printf("agent     running; firewall (%s) %s%s%s\n",
	       json_string_value(json_object_get(ag, "firewall_backend")),
	       sync == 1   ? "in place"
	       : sync == 0 ? "OUT OF SYNC"
			   : "not checked yet",
	       pub && *pub ? "; public address " : "", pub && *pub ? pub : "");
	print_events(json_object_get(ag, "address_events"));
}

static json_t *map_json(const struct he_pm_entry *m, const char *state)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:I, s:b, s:o, s:s}", "transport",
	    he_proto_name(m->proto), "family", he_family_id(m->family), "protocol",
	    he_pm_protocol_name(m->protocol), "external_address", m->ext_addr, "external_port",
	    m->ext_port, "client", m->client, "internal_port", m->int_port, "lease_remaining",
	    (json_int_t)m->lease_remaining, "permanent", m->lease_remaining == 0, "on_router",
	    m->router_checked ? json_boolean(m->on_router) : json_null(), "state", state);
}

static json_t *shadows_json(const struct he_live *lv, uint16_t port, unsigned proto)
{
	json_t *sh = json_array();

	for (size_t k = 0; lv->o.fw_read && k < lv->o.fw.n_shadow; k++) {
		const struct he_fw_shadow *s = &lv->o.fw.shadow[k];

		if (s->port != port || s->proto != proto)
			continue;
		json_array_append_new(sh, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "family",
						    s->family, "table", s->table, "chain", s->chain,
						    "where", s->where, "certain", s->certain, "fix",
						    s->fix));
	}
	return sh;
}

/*
 * One exposure: {name, ports, ..., mappings: [...], firewall_ports: [...],
 * drift: ["what is gone. Fix: homeexpose open NAME", ...]}.
 */
static json_t *exposure_json(const struct he_live *lv, size_t x)
{
	const struct he_exposure *e = &lv->d.ex[x];
	char ports[HE_PORTSPEC_MAX * 24];
	char drift[HE_DRIFT_MAX][HE_DRIFT_LEN];
	struct he_live_map m[HE_PORTS_MAX * 4];
	struct he_live_fw f[HE_PORTS_MAX * 2];
	json_t *maps = json_array(), *fwa = json_array(), *d = json_array();
	const struct he_eng_refusal *ref;
	size_t nm = 0, nf = 0, nd;

	he_portlist_format(&e->ports, ports, sizeof(ports));
	if (e->router && lv->o.router_read)
		nm = he_live_router(&lv->d, &lv->o, x, lv->have_v6, m, HE_PORTS_MAX * 4);
	for (size_t i = 0; i < nm; i++)
		if (m[i].have)
			json_array_append_new(maps,
					      map_json(m[i].have, he_live_state_name(m[i].state)));
	nf = he_live_firewall(&lv->d, &lv->o, x, f, HE_PORTS_MAX * 2);
	for (size_t i = 0; i < nf; i++)
		json_array_append_new(
		    fwa, json_pack("{s:i, s:s, s:s, s:o}", "port", f[i].port, "transport",
				   he_proto_name(f[i].proto), "state",
				   !lv->o.fw_read ? "unknown"
				   : f[i].missing ? "missing"
						  : "open",
				   "dropped_by", shadows_json(lv, f[i].port, f[i].proto)));
	nd = he_live_drift(lv, x, drift, HE_DRIFT_MAX);
	for (size_t i = 0; i < nd; i++)
		json_array_append_new(
		    d, json_sprintf("%s. Fix: homeexpose open %s", drift[i], e->name));
	ref = he_desired_refusal(&lv->d, e->name);
	/* missing values are null (docs/json.md) */
	return json_pack("{s:s, s:s, s:s?, s:b, s:b, s:s, s:s?, s:s, s:o, s:o, s:o, s:s?}", "name",
			 e->name, "ports", ports, "service", *e->service ? e->service : NULL,
			 "router", e->router, "firewall", e->firewall, "family", e->family, "to",
			 *e->to ? e->to : NULL, "file", e->file, "mappings", maps, "firewall_ports",
			 fwa, "drift", d, "refused", ref ? ref->msg : NULL);
}

/* Mappings in the state that belong to no exposure (e.g. after close --force). */
static json_t *leftovers_json(const struct he_live *lv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < lv->o.nmaps; i++) {
		const struct he_pm_entry *m = &lv->o.maps[i];
		json_t *o;
		bool known = false;

		for (size_t x = 0; x < lv->d.nex && !known; x++)
			known = !strcmp(lv->d.ex[x].name, m->name);
		if (known)
			continue;
		o = map_json(m, m->lease_remaining < 0 ? "expired" : "ok");
		json_object_set_new(o, "name", json_string(m->name));
		json_array_append_new(a, o);
	}
	return a;
}

static int list_exposures(struct he_cli *cli)
{
	json_t *ag;
	struct he_exposures l = {0};
	struct he_diags d = {0};
	struct he_live lv;
	json_t *arr = json_array(), *left;
	size_t ndrift = 0;
	int rc;

	he_exposures_load(cli->cfg.exposures_dir, &l, &d);
	he_cli_print_diags(cli, &d);
	he_live_read(&cli->cfg, &l, &lv);
	ag = agent_view(cli);
	for (size_t i = 0; i < l.n; i++) {
		json_t *x = exposure_json(&lv, i);

		ndrift += json_array_size(json_object_get(x, "drift"));
		json_array_append_new(arr, x);
	}
	left = leftovers_json(&lv);
	if (cli->json) {
		he_json_print(
		    json_pack("{s:o, s:o, s:{s:b, s:s?}, s:{s:s, s:b, s:s?}, s:i, s:i, s:O*}",
			      "exposures", arr, "leftover_mappings", left, "router_state", "read",
			      lv.o.router_read, "error", *lv.o.router_err ? lv.o.router_err : NULL,
			      "firewall_state", "backend", lv.o.fw_backend, "read", lv.o.fw_read,
			      "error", *lv.o.fw_err ? lv.o.fw_err : NULL, "drift", (int)ndrift,
			      "invalid_files", (int)d.nerrors, "agent", ag));
		arr = left = NULL;
	} else {
		size_t i;
		json_t *v;

		if (l.n == 0 && cli->verbosity >= 0)
			printf("no exposures (in %s)\n", cli->cfg.exposures_dir);
		json_array_foreach(arr, i, v)
		{
			print_exposure(v, &lv);
			if (ag)
				print_self_check(ag, json_string_value(json_object_get(v, "name")));
		}
		json_array_foreach(left, i, v)
		{
			printf("left over (no exposure '%s'): ",
			       json_string_value(json_object_get(v, "name")));
			print_map(v);
		}
		if (*lv.o.router_err)
			he_warnf(cli, "router: %s", lv.o.router_err);
		if (*lv.o.fw_err)
			he_warnf(cli, "firewall: %s", lv.o.fw_err);
		for (size_t k = 0; lv.o.fw_read && k < lv.o.fw.n_notes; k++)
			he_warnf(cli, "firewall: %s", lv.o.fw.notes[k]);
		if (ndrift && cli->verbosity >= 0)
			printf("%zu drift item%s: 'homeexpose open NAME' puts an exposure back\n",
			       ndrift, ndrift == 1 ? "" : "s");
		if (ag)
			print_agent(ag);
	}
	json_decref(ag);
	json_decref(arr);
	json_decref(left);
	rc = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	he_live_free(&lv);
	he_exposures_free(&l);
	he_diags_free(&d);
	return rc;
}

/*
 * The first protocol of [router] protocols that can list the router's table
 * (HE_PM_CAP_CONFIRM); with the default order (all three), the one that can.
 * HE_PM_NONE: the configured protocols cannot list it.
 */
static enum he_pm_protocol listing_protocol(const struct he_portmap_opts *o)
{
	if (o->order[0] == HE_PM_NONE)
		return he_pm_protocol_with(HE_PM_CAP_CONFIRM);
	for (size_t i = 0; i < HE_PM_NPROTO && o->order[i] != HE_PM_NONE; i++)
		if (he_pm_protocol_caps(o->order[i]) & HE_PM_CAP_CONFIRM)
			return o->order[i];
	return HE_PM_NONE;
}

/* The router's whole table (UPnP), ours marked. */
static int list_router(struct he_cli *cli, const char *protocol)
{
	struct he_progress *pg;
	struct he_portmap_opts o;
	struct he_portmap *pm = NULL;
	struct he_state *st = NULL;
	struct he_pm_entry *v = NULL;
	struct he_error err = {0};
	size_t n = 0;
	int rc = HE_EXIT_FAIL;

	if (he_cli_portmap_opts(cli, protocol, &o) < 0)
		return HE_EXIT_USAGE;
	if (!cli->cfg.router_enabled && !protocol) {
		he_errorf(cli, "the router is not handled ([router] enabled = no); pass "
			       "--protocol to ask it anyway");
		return HE_EXIT_FAIL;
	}
	if (!protocol) {
		/* only a protocol that can list the table, and only one [router] protocols names */
		o.force = listing_protocol(&o);
		if (o.force == HE_PM_NONE) {
			char words[64] = "";

			for (size_t i = 0; i < HE_PM_NPROTO && o.order[i] != HE_PM_NONE; i++)
				snprintf(words + strlen(words), sizeof(words) - strlen(words),
					 "%s%s", i ? " " : "", he_pm_protocol_name(o.order[i]));
			he_errorf(cli,
				  "the router's table cannot be listed with [router] protocols = "
				  "%s: only %s can list it (add it to protocols, or pass "
				  "--protocol %s)",
				  words,
				  he_pm_protocol_name(he_pm_protocol_with(HE_PM_CAP_CONFIRM)),
				  he_pm_protocol_name(he_pm_protocol_with(HE_PM_CAP_CONFIRM)));
			return HE_EXIT_FAIL;
		}
	}
	if (he_state_open(cli->cfg.state_dir, HE_STATE_READ, 2000, &st, &err) < 0) {
		he_warnf(cli,
			 "could not read the runtime state (%s): mappings made with PCP or "
			 "NAT-PMP cannot be marked as ours",
			 err.msg);
		st = NULL;
	}
	pg = he_progress_start(cli, "asking the router for its table");
	if (he_portmap_open(&o, st, &pm, &err) < 0 ||
	    he_portmap_list_router(pm, &v, &n, &err) < 0) {
		he_progress_stop(pg);
		he_errorf(cli, "router: %s", err.msg);
		goto out;
	}
	he_progress_stop(pg);
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(
			    a, json_pack("{s:s, s:i, s:s, s:i, s:s, s:b, s:I, s:s, s:b, s:s}",
					 "transport", he_proto_name(v[i].proto), "external_port",
					 v[i].ext_port, "client", v[i].client, "internal_port",
					 v[i].int_port, "description", v[i].desc, "enabled",
					 v[i].enabled, "lease_remaining",
					 (json_int_t)v[i].lease_remaining, "remote", v[i].remote,
					 "ours", v[i].ours, "name", v[i].name));
		he_json_print(json_pack("{s:s, s:s, s:o}", "gateway", he_portmap_gateway(pm),
					"protocol", he_pm_protocol_name(he_portmap_protocol(pm)),
					"mappings", a));
	} else {
		printf("router %s (%s): %zu mapping%s\n", he_portmap_gateway(pm),
		       he_pm_protocol_name(he_portmap_protocol(pm)), n, n == 1 ? "" : "s");
		if (n)
			printf("%-4s %-5s %-22s %-8s %-18s %s\n", "OURS", "PROTO", "INTERNAL",
			       "EXT", "LEASE", "DESCRIPTION");
		for (size_t i = 0; i < n; i++) {
			char in[64], lease[32];

			snprintf(in, sizeof(in), "%s:%u", v[i].client, v[i].int_port);
			if (v[i].lease_remaining == 0)
				snprintf(lease, sizeof(lease), "permanent");
			else
				snprintf(lease, sizeof(lease), "%lld s",
					 (long long)v[i].lease_remaining);
			printf("%-4s %-5s %-22s %-8u %-18s %s%s", v[i].ours ? "*" : "",
			       he_proto_name(v[i].proto), in, v[i].ext_port, lease, v[i].desc,
			       v[i].enabled ? "" : " (disabled)");
			if (v[i].ours &&
			    strncmp(v[i].desc, HE_PM_DESC_PREFIX, strlen(HE_PM_DESC_PREFIX)))
				printf(" (homeexpose:%s)", v[i].name);
			printf("\n");
		}
	}
	rc = HE_EXIT_OK;
out:
	free(v);
	he_portmap_close(pm);
	he_state_close(st);
	return rc;
}

int cmd_list(struct he_cli *cli, int argc, char **argv)
{
	enum { OPT_ROUTER = 256, OPT_PROTOCOL };
	static const struct option opts[] = {HE_COMMON_OPTS,
					     {"router", no_argument, NULL, OPT_ROUTER},
					     {"protocol", required_argument, NULL, OPT_PROTOCOL},
					     {NULL, 0, NULL, 0}};
	const char *protocol = NULL;
	bool router = false;
	int opt;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage();
			return HE_EXIT_OK;
		case OPT_ROUTER:
			router = true;
			break;
		case OPT_PROTOCOL:
			protocol = optarg;
			break;
		default:
			return he_usage_error(cli, "bad option");
		}
	}
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (protocol && !router)
		return he_usage_error(cli, "--protocol goes with --router");
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return router ? list_router(cli, protocol) : list_exposures(cli);
}
