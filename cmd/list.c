/* SPDX-License-Identifier: MIT */
/* homeexpose list: the exposures (desired state) and their live state. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "config/exposure.h"

static void usage(void)
{
	printf("Usage: homeexpose list [--json]\n"
	       "\n"
	       "List the exposures recorded in the exposures directory.\n");
}

int cmd_list(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct he_exposures l = {0};
	struct he_diags d = {0};
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
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < l.n; i++) {
			const struct he_exposure *e = &l.v[i];

			he_portlist_format(&e->ports, ports, sizeof(ports));
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s}",
							   "name", e->name, "ports", ports,
							   "service", e->service, "router",
							   e->router, "firewall", e->firewall,
							   "family", e->family, "file", e->file));
		}
		he_json_print(
		    json_pack("{s:o, s:i}", "exposures", a, "invalid_files", (int)d.nerrors));
	} else if (l.n == 0) {
		if (cli->verbosity >= 0)
			printf("no exposures (in %s)\n", cli->cfg.exposures_dir);
	} else {
		printf("%-20s %-28s %-12s %-7s %-8s %s\n", "NAME", "PORTS", "SERVICE", "ROUTER",
		       "FIREWALL", "FAMILY");
		for (size_t i = 0; i < l.n; i++) {
			const struct he_exposure *e = &l.v[i];

			he_portlist_format(&e->ports, ports, sizeof(ports));
			printf("%-20s %-28s %-12s %-7s %-8s %s\n", e->name, ports,
			       *e->service ? e->service : "-", e->router ? "yes" : "no",
			       e->firewall ? "yes" : "no", e->family);
		}
	}
	rc = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	he_exposures_free(&l);
	he_diags_free(&d);
	return rc;
}
