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
#include "apply.h"
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
	       "      --protocol P   with --router: ask through this protocol (default upnp)\n"
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
	if (*json_string_value(json_object_get(x, "service")))
		printf("  service %s", json_string_value(json_object_get(x, "service")));
	if (*json_string_value(json_object_get(x, "to")))
		printf("  to %s", json_string_value(json_object_get(x, "to")));
	if (strcmp(json_string_value(json_object_get(x, "family")), "both"))
		printf("  %s only", json_string_value(json_object_get(x, "family")));
	printf("\n");
	if (!json_is_true(json_object_get(x, "router")))
		printf("  router    - (--no-router)\n");
	else if (!lv->router_read)
		printf("  router    ? (not read)\n");
	json_array_foreach(json_object_get(x, "mappings"), i, v)
	{
		print_map(v);
	}
	if (!json_is_true(json_object_get(x, "firewall")))
		printf("  firewall  - (--no-firewall)\n");
	else if (*json_string_value(json_object_get(x, "to")))
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
			printf(" (%s)", lv->fw_backend);
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
	struct he_error err = {0};
	json_t *reply = NULL;

	if (he_ctl_call(cli->cfg.runtime_dir, HE_CTL_LIST, 2000, &reply, &err) == 0)
		return reply;
	if (err.code != -ENOENT && err.code != -ECONNREFUSED)
		he_warnf(cli, "%s", err.msg);
	json_decref(reply);
	return NULL;
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
		       (long long)json_integer_value(json_object_get(c, "port")),
		       json_string_value(json_object_get(c, "proto")),
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
	he_live_read(cli, &l, &lv);
	ag = agent_view(cli);
	for (size_t i = 0; i < l.n; i++) {
		json_t *x = he_live_exposure(&lv, &l.v[i]);

		ndrift += json_array_size(json_object_get(x, "drift"));
		json_array_append_new(arr, x);
	}
	left = he_live_leftovers(&lv, &l);
	if (cli->json) {
		he_json_print(
		    json_pack("{s:o, s:o, s:{s:b, s:s}, s:{s:s, s:b, s:s}, s:i, s:i, s:O*}",
			      "exposures", arr, "leftover_mappings", left, "router", "read",
			      lv.router_read, "error", lv.router_err, "firewall", "backend",
			      lv.fw_backend, "read", lv.fw_read, "error", lv.fw_err, "drift",
			      (int)ndrift, "invalid_files", (int)d.nerrors, "agent", ag));
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
		if (*lv.router_err)
			he_warnf(cli, "router: %s", lv.router_err);
		if (*lv.fw_err)
			he_warnf(cli, "firewall: %s", lv.fw_err);
		for (size_t k = 0; lv.fw_read && k < lv.fw.n_notes; k++)
			he_warnf(cli, "firewall: %s", lv.fw.notes[k]);
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

/* The router's whole table (UPnP), ours marked. */
static int list_router(struct he_cli *cli, const char *protocol)
{
	struct he_portmap_opts o;
	struct he_portmap *pm = NULL;
	struct he_state *st = NULL;
	struct he_pm_entry *v = NULL;
	struct he_error err = {0};
	size_t n = 0;
	int rc = HE_EXIT_FAIL;

	if (he_apply_portmap_opts(cli, protocol ? protocol : "upnp", &o) < 0)
		return HE_EXIT_USAGE;
	if (he_state_open(cli->cfg.state_dir, HE_STATE_READ, 2000, &st, &err) < 0) {
		he_warnf(cli,
			 "could not read the runtime state (%s): mappings made with PCP or "
			 "NAT-PMP cannot be marked as ours",
			 err.msg);
		st = NULL;
	}
	if (he_portmap_open(&o, st, &pm, &err) < 0 ||
	    he_portmap_list_router(pm, &v, &n, &err) < 0) {
		he_errorf(cli, "router: %s", err.msg);
		goto out;
	}
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
