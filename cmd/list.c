/* SPDX-License-Identifier: MIT */
/* homeexpose list: the exposures (desired state) and their live state. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "agent/control_client.h"
#include "cli.h"
#include "config/exposure.h"

static void usage(void)
{
	printf("Usage: homeexpose list [--json]\n"
	       "\n"
	       "List the exposures recorded in the exposures directory. When the agent\n"
	       "runs, its live view is added (router mappings and their remaining lease,\n"
	       "the firewall); no root needed for that.\n");
}

/* The agent's live entry for exposure name (borrowed), or NULL. */
static json_t *live_of(json_t *agent, const char *name)
{
	json_t *arr = json_object_get(agent, "exposures"), *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		const char *n = json_string_value(json_object_get(x, "name"));

		if (n && strcmp(n, name) == 0)
			return x;
	}
	return NULL;
}

/* "pcp 3412s", "upnp gone", "-" for the router column. */
static void router_state(json_t *live, char *buf, size_t len)
{
	json_t *maps = json_object_get(live, "mappings"), *m;
	size_t i, n = 0;
	json_int_t least = -1;
	const char *proto = NULL;
	int missing = 0;

	json_array_foreach(maps, i, m)
	{
		json_int_t left = json_integer_value(json_object_get(m, "lease_remaining"));

		n++;
		proto = json_string_value(json_object_get(m, "protocol"));
		if (json_integer_value(json_object_get(m, "on_router")) == 0)
			missing++;
		if (left >= 0 && (least < 0 || left < least))
			least = left;
	}
	if (!live || n == 0)
		snprintf(buf, len, "-");
	else if (missing)
		snprintf(buf, len, "%s %d gone", proto ? proto : "?", missing);
	else if (least >= 0)
		snprintf(buf, len, "%s %llds", proto ? proto : "?", (long long)least);
	else
		snprintf(buf, len, "%s perm", proto ? proto : "?");
}

int cmd_list(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct he_exposures l = {0};
	struct he_diags d = {0};
	struct he_error err = {0};
	json_t *agent = NULL;
	char ports[HE_PORTSPEC_MAX * 24];
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	he_exposures_load(cli->cfg.exposures_dir, &l, &d);
	he_cli_print_diags(cli, &d);
	/* the live view, when an agent runs (read-only: open to every user) */
	if (he_ctl_call(cli->cfg.runtime_dir, HE_CTL_LIST, 2000, &agent, &err) < 0) {
		if (err.code != -ENOENT && err.code != -ECONNREFUSED)
			he_warnf(cli, "%s", err.msg);
		json_decref(agent);
		agent = NULL;
	}
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++) {
			const struct he_exposure *e = &l.v[i];

			json_t *live = live_of(agent, e->name);

			he_portlist_format(&e->ports, ports, sizeof(ports));
			json_array_append_new(
			    a,
			    json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:O*}", "name", e->name,
				      "ports", ports, "service", e->service, "router", e->router,
				      "firewall", e->firewall, "family", e->family, "file", e->file,
				      "mappings", json_object_get(live, "mappings")));
		}
		he_json_print(json_pack("{s:o, s:i, s:b, s:O*, s:O*}", "exposures", a,
					"invalid_files", (int)d.nerrors, "agent", agent != NULL,
					"firewall_in_sync",
					json_object_get(agent, "firewall_in_sync"), "public_v4",
					json_object_get(agent, "public_v4")));
	} else if (l.n == 0) {
		if (cli->verbosity >= 0)
			printf("no exposures (in %s)\n", cli->cfg.exposures_dir);
	} else {
		printf("%-20s %-28s %-12s %-7s %-8s %-7s", "NAME", "PORTS", "SERVICE", "ROUTER",
		       "FIREWALL", "FAMILY");
		printf(agent ? " %s\n" : "\n", "LIVE (agent)");
		for (size_t i = 0; i < l.n; i++) {
			const struct he_exposure *e = &l.v[i];
			char live[64];

			he_portlist_format(&e->ports, ports, sizeof(ports));
			printf("%-20s %-28s %-12s %-7s %-8s %-7s", e->name, ports,
			       *e->service ? e->service : "-", e->router ? "yes" : "no",
			       e->firewall ? "yes" : "no", e->family);
			if (agent) {
				router_state(live_of(agent, e->name), live, sizeof(live));
				printf(" router %s, firewall %s", live,
				       !e->firewall ? "-"
				       : json_integer_value(
					     json_object_get(agent, "firewall_in_sync")) == 1
					   ? "ok"
					   : "drift");
			}
			printf("\n");
		}
		if (!agent && cli->verbosity > 0)
			printf("(no agent running: live state not shown)\n");
	}
	rc = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	json_decref(agent);
	he_exposures_free(&l);
	he_diags_free(&d);
	return rc;
}
