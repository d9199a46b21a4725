/* SPDX-License-Identifier: MIT */
/* homeexpose close NAME|PORTSPEC: remove an exposure. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config/exposure.h"

static void usage(void)
{
	printf("Usage: homeexpose close NAME|PORTSPEC [--json]\n"
	       "\n"
	       "Remove an exposure: the router mapping, the host firewall rule and its\n"
	       "drop-in. A PORTSPEC names the exposure that holds that external port.\n");
}

/* The exposure named by NAME or holding the external port of PORTSPEC. */
static struct he_exposure *find(struct he_cli *cli, struct he_exposures *l, const char *what,
				int *rc)
{
	struct he_portspec ps;
	struct he_error err;
	struct he_exposure *found = NULL;

	*rc = 0;
	if (!isdigit((unsigned char)what[0]))
		return he_exposures_find(l, what);
	if (he_portspec_parse(what, &ps, &err) < 0) {
		*rc = he_usage_error(cli, "%s", err.msg);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; j < l->v[i].ports.n; j++) {
			const struct he_portspec *q = &l->v[i].ports.v[j];

			if (q->ext != ps.ext || !(q->proto & ps.proto))
				continue;
			if (found && found != &l->v[i]) {
				he_errorf(cli,
					  "port %s is in more than one exposure ('%s', '%s'); "
					  "close one by name",
					  what, found->name, l->v[i].name);
				*rc = HE_EXIT_USAGE;
				return NULL;
			}
			found = &l->v[i];
		}
	}
	return found;
}

int cmd_close(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct he_exposures l = {0};
	struct he_exposure *e;
	struct he_diags d = {0};
	struct he_error err;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return HE_EXIT_OK;
		}
		return he_usage_error(cli, "bad option");
	}
	if (argc - optind != 1)
		return he_usage_error(cli, "expected one NAME or PORTSPEC");
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	he_exposures_load(cli->cfg.exposures_dir, &l, &d);
	he_diags_free(&d);
	e = find(cli, &l, argv[optind], &rc);
	if (rc) {
		he_exposures_free(&l);
		return rc;
	}
	if (!e) {
		he_errorf(cli, "no exposure '%s' in %s (see 'homeexpose list')", argv[optind],
			  cli->cfg.exposures_dir);
		he_exposures_free(&l);
		return HE_EXIT_FAIL;
	}
	if (e->router || e->firewall) {
		he_exposures_free(&l);
		return he_not_available(cli, "removing router mappings and firewall rules (close)");
	}
	rc = he_exposure_remove(cli->cfg.exposures_dir, e->name, &err);
	if (rc < 0)
		he_errorf(cli, "%s", err.msg);
	else if (cli->json)
		he_json_print(json_pack("{s:s, s:b}", "name", e->name, "closed", true));
	else if (cli->verbosity >= 0)
		printf("closed exposure '%s'\n", e->name);
	he_exposures_free(&l);
	return rc < 0 ? HE_EXIT_FAIL : HE_EXIT_OK;
}
