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
	char ports[HE_PORTSPEC_MAX * 24], line[1400];
	int opt;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return HE_EXIT_OK;
		}
		return he_usage_error(cli, "bad option");
	}
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	he_exposures_load(cli->cfg.exposures_dir, &l, &d);
	for (size_t i = 0; i < d.n; i++) {
		he_diag_format(&d.v[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
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
	opt = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	he_exposures_free(&l);
	he_diags_free(&d);
	return opt;
}
