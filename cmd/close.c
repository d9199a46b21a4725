/* SPDX-License-Identifier: MIT */
/* homeexpose close NAME|PORTSPEC: remove an exposure. */
#include <ctype.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config/exposure.h"
#include "engine/engine.h"
#include "opreport.h"
#include "target.h"

static void usage(void)
{
	printf("Usage: homeexpose close NAME|PORTSPEC|SERVICE [--json]\n"
	       "\n"
	       "Remove an exposure: the router mapping, the host firewall rule and its\n"
	       "drop-in. A PORTSPEC or SERVICE (catalog or /etc/services) names the\n"
	       "exposure that holds its external port.\n"
	       "\n"
	       "      --force     remove the drop-in even when the router cannot be reached\n"
	       "      --dry-run   show what would be removed (the router mappings recorded,\n"
	       "                  the firewall commands), change nothing\n");
}

/* The router's removals: one line each, or a JSON object. */
static void report_router(struct he_cli *cli, const struct he_op_report *rep, json_t *jout)
{
	for (size_t i = 0; i < rep->router.n; i++) {
		const struct he_eng_result *r = &rep->router.v[i];

		if (r->rc < 0) {
			he_errorf(cli, "router: removing %u/%s%s: %s", r->ext_port,
				  he_proto_name(r->proto), r->family == AF_INET6 ? " (IPv6)" : "",
				  r->msg);
			continue;
		}
		if (jout)
			json_array_append_new(json_object_get(jout, "mappings"),
					      json_pack("{s:i, s:s, s:s, s:b}", "external_port",
							r->ext_port, "transport",
							he_proto_name(r->proto), "family",
							he_family_id(r->family), "removed", true));
		else if (cli->verbosity >= 0)
			printf("router: removed %u/%s%s\n", r->ext_port, he_proto_name(r->proto),
			       r->family == AF_INET6 ? " (IPv6 pinhole)" : "");
	}
}

/* --dry-run: the engine's plan for e's recorded mappings and the firewall commands. */
static int dry_run(struct he_cli *cli, const struct he_exposure *e, const struct he_op_report *rep)
{
	const char *t = rep->fw_text ? rep->fw_text : "";
	json_t *jr = cli->json ? json_array() : NULL;

	if (rep->failed != HE_OP_DONE) {
		if (rep->failed == HE_OP_FIREWALL)
			he_report_firewall(cli, rep, NULL);
		else
			he_errorf(cli, "%s", rep->msg);
		json_decref(jr);
		return HE_EXIT_FAIL;
	}
	if (!jr)
		printf("dry run: would remove %s\n", e->file);
	for (size_t i = 0; i < rep->router.n; i++) {
		const struct he_eng_result *r = &rep->router.v[i];
		const char *what = r->family == AF_INET6 ? "IPv6 pinhole" : "IPv4 forward";

		if (jr)
			json_array_append_new(
			    jr,
			    json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}", "action",
				      he_eng_act_name(r->act), "external_port", r->ext_port,
				      "internal_port", r->int_port, "transport",
				      he_proto_name(r->proto), "family", he_family_id(r->family),
				      "protocol", he_pm_protocol_name(r->res.protocol)));
		else
			printf("dry run: router (%s) would %s the %s %u/%s\n",
			       he_pm_protocol_name(r->res.protocol), he_eng_act_name(r->act), what,
			       (unsigned)(r->family == AF_INET6 ? r->int_port : r->ext_port),
			       he_proto_name(r->proto));
	}
	if (!jr && rep->router.n == 0 && e->router)
		printf("dry run: no router mapping of '%s' is recorded\n", e->name);
	if (jr) {
		he_json_print(json_pack("{s:s, s:s, s:b, s:o, s:s?, s:s?}", "name", e->name,
					"drop_in", e->file, "dry_run", true, "mappings", jr,
					"firewall_backend",
					rep->fw_backend[0] ? rep->fw_backend : NULL,
					"firewall_commands", rep->fw_backend[0] ? t : NULL));
	} else if (rep->fw_backend[0]) {
		printf("firewall (%s) would run:\n%s%s", rep->fw_backend,
		       *t ? t : "(nothing: already as wanted)\n",
		       *t && t[strlen(t) - 1] != '\n' ? "\n" : "");
	}
	return HE_EXIT_OK;
}

int cmd_close(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS,
					     {"force", no_argument, NULL, 'f'},
					     {"dry-run", no_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	struct he_exposures l = {0};
	struct he_op_opts oo = {0};
	struct he_op_report *rep = NULL;
	json_t *jout = NULL;
	struct he_exposure *e;
	struct he_cli_target t;
	struct he_diags d = {0};
	int opt, rc;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return HE_EXIT_OK;
		}
		if (opt == 'f') {
			oo.forget = true;
			continue;
		}
		if (opt == 'n') {
			oo.dry_run = true;
			continue;
		}
		return he_usage_error(cli, "bad option");
	}
	if (argc - optind != 1)
		return he_usage_error(cli, "expected one NAME, PORTSPEC or SERVICE");
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	he_exposures_load(cli->cfg.exposures_dir, &l, &d);
	he_diags_free(&d);
	rc = he_cli_target(cli, &l, argv[optind], &t);
	if (rc) {
		he_exposures_free(&l);
		return rc;
	}
	e = t.ex;
	if (!e) {
		he_errorf(cli, "no exposure holds '%s' in %s (see 'homeexpose list')", argv[optind],
			  cli->cfg.exposures_dir);
		he_exposures_free(&l);
		return HE_EXIT_FAIL;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		he_exposures_free(&l);
		return HE_EXIT_FAIL;
	}
	if (oo.dry_run) {
		he_op_close(&cli->cfg, e, &l, &oo, rep);
		rc = dry_run(cli, e, rep);
		goto out;
	}
	if (cli->json)
		jout = json_pack("{s:s, s:[]}", "name", e->name, "mappings");
	he_op_close(&cli->cfg, e, &l, &oo, rep);
	if (rep->failed == HE_OP_STATE || rep->failed == HE_OP_SAVE || rep->failed == HE_OP_REFUSED)
		he_errorf(cli, "%s", rep->msg);
	if (rep->failed == HE_OP_ROUTER && *rep->msg)
		he_errorf(cli, "router: %s", rep->msg);
	report_router(cli, rep, jout);
	if (rep->failed == HE_OP_FIREWALL)
		he_report_firewall(cli, rep, NULL);
	else if (e->firewall && !*e->to)
		he_report_firewall(cli, rep, jout);
	if (rep->failed != HE_OP_DONE && !rep->kept_failed) {
		if (rep->failed != HE_OP_STATE && rep->failed != HE_OP_SAVE)
			fprintf(stderr,
				"exposure '%s' is kept (%s); fix the cause and close again, or "
				"'close --force' to forget it anyway\n",
				e->name, e->file);
		rc = HE_EXIT_FAIL;
		goto out;
	}
	if (rep->kept_failed)
		he_warnf(cli,
			 "forgot exposure '%s' because of --force; what could not be removed "
			 "is named above",
			 e->name);
	rc = HE_EXIT_OK;
	he_cli_notify_agent(cli);
	if (jout) {
		json_object_set_new(jout, "closed", json_true());
		he_json_print(jout);
		jout = NULL;
	} else if (cli->verbosity >= 0) {
		printf("closed exposure '%s'\n", e->name);
	}
out:
	json_decref(jout);
	he_op_report_free(rep);
	free(rep);
	he_exposures_free(&l);
	return rc;
}
