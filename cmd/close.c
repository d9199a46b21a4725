/* SPDX-License-Identifier: MIT */
/* homeexpose close NAME|PORTSPEC: remove an exposure. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config/exposure.h"
#include "apply.h"
#include "state/state.h"

static void usage(void)
{
	printf("Usage: homeexpose close NAME|PORTSPEC [--json]\n"
	       "\n"
	       "Remove an exposure: the router mapping, the host firewall rule and its\n"
	       "drop-in. A PORTSPEC names the exposure that holds that external port.\n"
	       "\n"
	       "      --force   remove the drop-in even when the router cannot be reached\n");
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
	static const struct option opts[] = {
	    HE_COMMON_OPTS, {"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct he_exposures l = {0};
	struct he_state *st = NULL;
	json_t *jout = NULL;
	bool force = false;
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
		if (opt == 'f') {
			force = true;
			continue;
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
	if (cli->json)
		jout = json_pack("{s:s, s:[]}", "name", e->name, "router");
	if (he_state_open(cli->cfg.state_dir, HE_STATE_WRITE, 10000, &st, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		rc = HE_EXIT_FAIL;
		goto out;
	}
	rc = HE_EXIT_OK;
	if (e->router)
		rc = he_apply_router_remove(cli, st, e, jout);
	if (e->firewall && he_apply_firewall(cli, &l, NULL, e->name, false, jout) != HE_EXIT_OK)
		rc = HE_EXIT_FAIL;
	if (rc != HE_EXIT_OK && !force) {
		fprintf(stderr,
			"exposure '%s' is kept (%s); fix the cause and close again, or "
			"'close --force' to forget it anyway\n",
			e->name, e->file);
		goto out;
	}
	if (he_exposure_remove(cli->cfg.exposures_dir, e->name, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		rc = HE_EXIT_FAIL;
		goto out;
	}
	if (rc != HE_EXIT_OK)
		he_warnf(cli,
			 "forgot exposure '%s' because of --force; what could not be removed "
			 "is named above",
			 e->name);
	rc = HE_EXIT_OK;
	he_apply_notify_agent(cli);
	if (jout) {
		json_object_set_new(jout, "closed", json_true());
		he_json_print(jout);
		jout = NULL;
	} else if (cli->verbosity >= 0) {
		printf("closed exposure '%s'\n", e->name);
	}
out:
	json_decref(jout);
	he_state_close(st);
	he_exposures_free(&l);
	return rc;
}
