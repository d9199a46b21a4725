/* SPDX-License-Identifier: MIT */
/* homeexpose config check: every problem as file:line: message. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli.h"
#include "config/exposure.h"
#include "ddns/ddns.h"

static void usage(void)
{
	printf("Usage: homeexpose [-c FILE] config check [--json]\n"
	       "\n"
	       "Validate homeexpose.conf, every exposure drop-in, the local service profiles\n"
	       "and the secret files they name. Every problem is reported as file:line:\n"
	       "message. Exit 0 when all is well, 2 on any error.\n");
}

void he_cli_config_collect(struct he_cli *cli, struct he_diags *d, size_t *nexp, size_t *nprof)
{
	struct he_exposures ex = {0};
	struct he_catalog cat = {0};
	const char *dirs[1] = {cli->cfg.services_dir};

	int r = he_config_load(&cli->cfg, cli->config_path, cli->config_path != NULL, d);

	if (r < 0 && r != -EINVAL)
		return; /* missing, unreadable or a directory: there is nothing more to check */
	he_config_check_secrets(&cli->cfg, d);
	/* what each record's provider says of its settings (a preset's families ...) */
	for (unsigned i = 0; i < cli->cfg.nddns; i++) {
		const struct he_ddns_record *rec = &cli->cfg.ddns[i];
		const struct he_ddns_provider *p = he_ddns_provider_find(rec->provider);
		struct he_error err = {0};

		if (p && p->check && p->check(rec, &err) < 0)
			he_diags_add(d, HE_DIAG_ERROR, cli->cfg.path, rec->line, "%s", err.msg);
	}
	he_exposures_load(cli->cfg.exposures_dir, &ex, d);
	*nexp = ex.n;
	he_exposures_free(&ex);
	/* Only the local profiles are the user's to fix; the shipped ones are tested. */
	he_catalog_load(dirs, 1, &cat, d);
	*nprof = cat.n;
	he_catalog_free(&cat);
}

int cmd_config(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct he_diags d = {0};
	size_t nexp = 0, nprof = 0;
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind >= argc)
		return he_usage_error(cli, "missing subcommand (config check)");
	if (strcmp(argv[optind], "check") != 0) {
		static const char *const subs[] = {"check", NULL};

		return he_unknown_subcommand(cli, argv[optind], subs);
	}
	if (argc - optind > 1)
		return he_usage_error(cli, "too many arguments");

	he_cli_config_collect(cli, &d, &nexp, &nprof);
	rc = d.nerrors ? HE_EXIT_USAGE : HE_EXIT_OK;
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < d.n; i++)
			json_array_append_new(
			    a,
			    json_pack("{s:s, s:s?, s:i, s:s}", "level",
				      d.v[i].level == HE_DIAG_ERROR ? "error" : "warning", "file",
				      d.v[i].file, "line", d.v[i].line, "message", d.v[i].msg));
		he_json_print(json_pack("{s:s, s:b, s:i, s:i, s:b, s:o}", "config", cli->cfg.path,
					"config_exists", cli->cfg.file_exists, "exposures",
					(int)nexp, "local_profiles", (int)nprof, "ok",
					d.nerrors == 0, "diagnostics", a));
	} else {
		he_cli_print_diags(cli, &d);
		if (d.nerrors == 0 && cli->verbosity >= 0)
			printf("%s: ok (%s; %zu exposure%s in %s; %zu local profile%s)\n",
			       cli->cfg.path,
			       cli->cfg.file_exists ? "read" : "not present, built-in defaults",
			       nexp, nexp == 1 ? "" : "s", cli->cfg.exposures_dir, nprof,
			       nprof == 1 ? "" : "s");
		else if (d.nerrors)
			fprintf(stderr, "%zu error%s\n", d.nerrors, d.nerrors == 1 ? "" : "s");
	}
	he_diags_free(&d);
	return rc;
}
