/* SPDX-License-Identifier: MIT */
/*
 * homeexpose firewall integrate [FAMILY TABLE CHAIN] [--remove]
 * homeexpose firewall status [--json]
 *
 * integrate: one rule in another table's chain accepts what homeexpose's own
 * mark chain marked (the ports of its exposures); status: the backend and
 * why, our table, the integration rule, and every other table or chain that
 * still drops an exposed port.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config/exposure.h"
#include "firewall/firewall.h"

static int remove_flag;

static void usage(void)
{
	printf("Usage: homeexpose firewall integrate [FAMILY TABLE CHAIN] [--remove]\n"
	       "       homeexpose firewall status [--json]\n"
	       "\n"
	       "integrate  add ONE rule to another nftables table's chain (default: the chain\n"
	       "           found dropping the exposed ports): accept what homeexpose's own\n"
	       "           table marked, `meta mark & BIT == BIT accept comment \"homeexpose\"`.\n"
	       "           --remove deletes exactly that rule. Set [firewall] integrate =\n"
	       "           FAMILY TABLE CHAIN to have open, close and the agent keep it.\n"
	       "status     the backend in use and why, homeexpose's own rules, the\n"
	       "           integration rule, and what still drops an exposed port.\n");
}

/* Every exposure's openings on this host (not --to ones). */
static int desired(struct he_cli *cli, struct he_fw_desired *want, struct he_error *err)
{
	struct he_exposures all = {0};
	struct he_diags d = {0};
	int rc = 0;

	he_exposures_load(cli->cfg.exposures_dir, &all, &d);
	he_cli_print_diags(cli, &d);
	he_diags_free(&d);
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		if (all.v[i].firewall && !*all.v[i].to)
			rc = he_fw_desired_add_list(want, all.v[i].name, &all.v[i].ports, err);
	}
	he_exposures_free(&all);
	return rc;
}

/* The chain the analysis finds certainly dropping: an nftables filter input chain. */
static int pick_chain(struct he_firewall *fw, const struct he_fw_desired *want, char *fam,
		      char *table, char *chain, struct he_error *err)
{
	struct he_fw_desired probe = {0};
	const struct he_fw_desired *d = want;
	struct he_fw_report rep;
	int rc;

	if (!want->n) { /* nothing exposed yet: ask about a port nobody opens */
		if (he_fw_desired_add(&probe, "probe", 65534, HE_PROTO_TCP, err) < 0)
			return -1;
		d = &probe;
	}
	rc = he_firewall_verify(fw, d, &rep, err);
	he_fw_desired_free(&probe);
	if (rc < 0)
		return rc;
	rc = -1;
	for (size_t i = 0; i < rep.n_shadow && rc < 0; i++) {
		const struct he_fw_shadow *s = &rep.shadow[i];

		if (!s->certain || strcmp(s->owner, "nftables") || strcmp(s->hook, "filter input"))
			continue;
		snprintf(fam, 8, "%s", s->family);
		snprintf(table, 64, "%s", s->table);
		snprintf(chain, 64, "%s", s->chain);
		rc = 0;
	}
	he_fw_report_free(&rep);
	if (rc < 0)
		he_error_set(err, -ENOENT,
			     "no other nftables input chain drops the exposed ports: nothing to "
			     "integrate with (name FAMILY TABLE CHAIN to add the rule anyway)");
	return rc;
}

static int integrate(struct he_cli *cli, int argc, char **argv)
{
	char fam[8] = "", table[64] = "", chain[64] = "", *line = NULL, kept[1024] = "";
	struct he_fw_desired want = {0};
	int persisted;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	int rc = HE_EXIT_FAIL;

	if (argc != 0 && argc != 3)
		return he_usage_error(cli, "integrate takes FAMILY TABLE CHAIN, or nothing");
	if (argc == 3) {
		snprintf(fam, sizeof(fam), "%s", argv[0]);
		snprintf(table, sizeof(table), "%s", argv[1]);
		snprintf(chain, sizeof(chain), "%s", argv[2]);
	}
	if (desired(cli, &want, &err) < 0 || he_firewall_open_config(&cli->cfg, &fw, &err) < 0)
		goto out;
	if (!argc && remove_flag && cli->cfg.firewall_integrate[0]) {
		sscanf(cli->cfg.firewall_integrate, "%7s %63s %63s", fam, table, chain);
	} else if (!argc && pick_chain(fw, &want, fam, table, chain, &err) < 0) {
		goto out;
	}
	/* our table with its mark chain first, so the rule has something to accept */
	if (!remove_flag && he_firewall_apply(fw, &want, 0, NULL, &err) < 0)
		goto out;
	if (he_firewall_integrate(fw, fam, table, chain, remove_flag, &line, &err) < 0)
		goto out;
	/* across a reboot: a file in the directory the ruleset file includes, if any */
	persisted = he_firewall_integrate_persist(fw, fam, table, chain, remove_flag, kept,
						  sizeof(kept), &err);
	if (persisted < 0) {
		he_warnf(cli, "firewall: %s", err.msg);
		he_error_clear(&err);
	}
	rc = HE_EXIT_OK;
	if (cli->json) {
		he_json_print(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "action",
					remove_flag ? "removed" : "added", "family", fam, "table",
					table, "chain", chain, "rule", line, "file",
					persisted > 0 ? kept : NULL));
		goto out;
	}
	if (remove_flag) {
		printf("firewall: the homeexpose rule is gone from %s %s %s\n", fam, table, chain);
		if (persisted > 0)
			printf("firewall: %s removed (the rule is not loaded at boot any more)\n",
			       kept);
		if (cli->cfg.firewall_integrate[0])
			he_warnf(cli,
				 "[firewall] integrate = %s is still set: open, close and the "
				 "agent will put the rule back; remove that line",
				 cli->cfg.firewall_integrate);
		goto out;
	}
	if (persisted > 0) {
		printf("firewall: %s %s %s now accepts what homeexpose marks:\n\t%s\n"
		       "Kept across reboots in %s (your ruleset file includes that directory; "
		       "checked with a dry run). Set\n\t[firewall] integrate = %s %s %s\nso "
		       "that open, close and the agent put it back after a reload.\n",
		       fam, table, chain, line, kept, fam, table, chain);
		goto out;
	}
	printf("firewall: %s %s %s now accepts what homeexpose marks:\n\t%s\n"
	       "To keep it after a reboot, add that line at the top of chain %s of table %s %s "
	       "in /etc/nftables.conf (or where your ruleset is kept), and set\n"
	       "\t[firewall] integrate = %s %s %s\nso that open, close and the agent put it "
	       "back after a reload.\n",
	       fam, table, chain, line, chain, fam, table, fam, table, chain);
out:
	if (rc != HE_EXIT_OK)
		he_errorf(cli, "firewall integrate: %s", err.msg);
	free(line);
	he_firewall_close(fw);
	he_fw_desired_free(&want);
	return rc;
}

static json_t *shadow_json(const struct he_fw_shadow *s)
{
	return json_pack("{s:i, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "port", s->port,
			 "protocol", he_proto_name(s->proto), "certain", s->certain, "family",
			 s->family, "table", s->table, "chain", s->chain, "hook", s->hook, "where",
			 s->where, "owner", s->owner, "ip", s->ipfam, "fix", s->fix);
}

static int status(struct he_cli *cli)
{
	char fam[8] = "", table[64] = "", chain[64] = "";
	struct he_fw_desired want = {0};
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	struct he_fw_report rep = {0};
	int rc = HE_EXIT_FAIL, handle = -1;

	if (desired(cli, &want, &err) < 0 || he_firewall_open_config(&cli->cfg, &fw, &err) < 0 ||
	    he_firewall_verify(fw, &want, &rep, &err) < 0) {
		he_errorf(cli, "firewall status: %s", err.msg);
		goto out;
	}
	if (sscanf(cli->cfg.firewall_integrate, "%7s %63s %63s", fam, table, chain) == 3)
		handle = he_firewall_integrated(fw, fam, table, chain, &err);
	rc = HE_EXIT_OK;
	if (cli->json) {
		json_t *sh = json_array(), *notes = json_array();

		for (size_t i = 0; i < rep.n_shadow; i++)
			json_array_append_new(sh, shadow_json(&rep.shadow[i]));
		for (size_t i = 0; i < rep.n_notes; i++)
			json_array_append_new(notes, json_string(rep.notes[i]));
		he_json_print(json_pack(
		    "{s:s, s:s, s:i, s:b, s:b, s:i, s:s, s:i, s:o, s:o}", "backend",
		    he_firewall_backend(fw), "why", he_firewall_why(fw), "mark",
		    (int)he_firewall_mark(fw), "present", rep.present, "in_sync", rep.in_sync,
		    "openings", (int)want.n, "integrate", cli->cfg.firewall_integrate,
		    "integration_handle", handle, "shadows", sh, "notes", notes));
		goto out;
	}
	printf("backend:     %s (%s)\n", he_firewall_backend(fw), he_firewall_why(fw));
	printf("own rules:   %s, %s (%zu opening%s wanted)\n", rep.present ? "present" : "absent",
	       rep.in_sync ? "in sync" : "NOT in sync", want.n, want.n == 1 ? "" : "s");
	if (!strcmp(he_firewall_backend(fw), "nftables"))
		printf("mark:        0x%08x\n", he_firewall_mark(fw));
	if (handle > 0)
		printf("integration: %s %s %s, rule handle %d\n", fam, table, chain, handle);
	else if (handle == 0)
		printf(
		    "integration: MISSING from %s %s %s (open, close or the agent put it back)\n",
		    fam, table, chain);
	else
		printf("integration: none ([firewall] integrate not set)\n");
	for (size_t i = 0; i < rep.n_shadow; i++) {
		const struct he_fw_shadow *s = &rep.shadow[i];

		printf(
		    "drops:       %u/%s %s by %s table %s %s, chain %s (%s; %s)\n\t     fix: %s\n",
		    s->port, he_proto_name(s->proto), s->certain ? "dropped" : "may be dropped",
		    s->owner, s->family, s->table, s->chain, s->where, s->ipfam, s->fix);
	}
	if (!rep.n_shadow)
		printf("drops:       none found for the exposed ports\n");
	for (size_t i = 0; i < rep.n_notes; i++)
		printf("note:        %s\n", rep.notes[i]);
out:
	he_fw_report_free(&rep);
	he_firewall_close(fw);
	he_fw_desired_free(&want);
	return rc;
}

int cmd_firewall(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS, {"remove", no_argument, &remove_flag, 1}, {NULL, 0, NULL, 0}};
	const char *sub;
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind >= argc)
		return he_usage_error(cli, "firewall needs 'integrate' or 'status'");
	sub = argv[optind++];
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	if (!strcmp(sub, "integrate"))
		return integrate(cli, argc - optind, argv + optind);
	if (!strcmp(sub, "status")) {
		if (optind < argc || remove_flag)
			return he_usage_error(cli, "status takes no arguments");
		return status(cli);
	}
	return he_usage_error(cli, "unknown firewall command '%s' (integrate, status)", sub);
}
