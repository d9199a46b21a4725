/* SPDX-License-Identifier: MIT */
/*
 * homeexpose ddns: keep dynamic-DNS records pointing at the public address.
 *
 *   ddns update [--force] [NAME]   detect the public address (lib/publicip),
 *                                  then lib/ddns's engine decides per record
 *                                  and family whether to talk to the provider
 *   ddns status [NAME]             what the runtime state remembers
 *   ddns providers                 the services and the keys each needs
 *                                  (cmd/ddns_providers.c)
 *
 * The clock is time(NULL), or HOMEEXPOSE_TEST_NOW (epoch seconds) when set:
 * that variable exists for tests, which move the clock instead of waiting
 * (911 waits, back-off, refresh-days).
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/control_client.h"
#include "cli.h"
#include "ddns/ddns.h"
#include "ddns_providers.h"
#include "publicip/publicip.h"
#include "state/state.h"
#include "core/portspec.h"

static void usage(void)
{
	printf("Usage: homeexpose ddns update [--force] [NAME] [--json]\n"
	       "       homeexpose ddns status [NAME] [--json]\n"
	       "       homeexpose ddns add NAME --provider P --hostname H [--KEY VALUE ...]\n"
	       "       homeexpose ddns import FILE [--dry-run]\n"
	       "       homeexpose ddns providers [--json]\n\n"
	       "Keep dynamic-DNS records (A and AAAA) pointing at the current public address.\n"
	       "update sends an address only when it differs from what the provider last\n"
	       "accepted (or after refresh-days); --force also re-enables records disabled by\n"
	       "a fatal answer and skips waits. Exit 1 when an update failed or a record is\n"
	       "disabled; exit 2 when update has no [ddns NAME] record to keep (none in the\n"
	       "configuration, or not the NAME given).\n");
}

static time_t clock_now(void)
{
	const char *v = getenv("HOMEEXPOSE_TEST_NOW");
	char *end;
	long long t;

	if (v && *v) {
		errno = 0;
		t = strtoll(v, &end, 10);
		if (!errno && !*end && t > 0)
			return (time_t)t;
	}
	return time(NULL);
}

static void when(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm))
		snprintf(out, outsz, "-");
	else
		strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *action_name(enum he_ddns_action a)
{
	switch (a) {
	case HE_DDNS_SENT:
		return "sent";
	case HE_DDNS_UNCHANGED:
		return "unchanged";
	case HE_DDNS_WAITING:
		return "waiting";
	case HE_DDNS_DISABLED:
		return "disabled";
	case HE_DDNS_NO_ADDRESS:
		return "no-address";
	case HE_DDNS_ERROR:
		return "error";
	case HE_DDNS_WITHHELD:
		return "withheld";
	}
	return "?";
}

static int do_update(struct he_cli *cli, const char *name, bool force)
{
	const struct he_config *cfg = &cli->cfg;
	struct he_pubip_report *rep = calloc(1, sizeof(*rep));
	struct he_ddns_result *res = calloc(HE_DDNS_RESULTS_MAX, sizeof(*res));
	struct he_pubip_opts po;
	struct he_ddns_opts o = {.name = name, .force = force, .now = clock_now()};
	struct he_state *st = NULL;
	struct he_error err = {0};
	unsigned want = 0;
	size_t n = 0;
	int ret = HE_EXIT_FAIL;
	bool failed = false;

	if (!rep || !res) {
		he_errorf(cli, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < cfg->nddns; i++)
		if (!name || !strcmp(name, cfg->ddns[i].name))
			want |= he_ddns_families(&cfg->ddns[i]);
	if (name && !want) {
		he_errorf(cli, "no [ddns %s] section in %s", name, cfg->path);
		ret = HE_EXIT_USAGE;
		goto out;
	}
	if (!cfg->nddns) {
		/* asked to update and nothing to update: a configuration problem, say so */
		if (cli->json)
			he_json_print(json_pack("{s:[]}", "records"));
		he_errorf(cli,
			  "nothing to update: %s has no [ddns NAME] section; add one (see "
			  "[ddns NAME] in homeexpose.conf(5)) and run '%s config check'",
			  cfg->path, cli->prog);
		ret = HE_EXIT_USAGE;
		goto out;
	}
	if (he_state_open(cfg->state_dir, HE_STATE_WRITE, 10000, &st, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		goto out;
	}
	he_pubip_opts_from_config(cfg, &po);
	po.want_v4 = want & 1;
	po.want_v6 = (want & 2) != 0;
	if (he_pubip_detect(cfg, &po, st, rep, &err) < 0) {
		he_errorf(cli, "public address detection: %s", err.msg);
		ret = HE_EXIT_USAGE;
		goto out;
	}
	if (*rep->verdict && !cli->json)
		he_warnf(cli, "public address: %s", rep->verdict);
	if (he_ddns_run(cfg, st, rep, &o, res, HE_DDNS_RESULTS_MAX, &n, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		ret = err.code == -ENOENT ? HE_EXIT_USAGE : HE_EXIT_FAIL;
		goto out;
	}
	if (he_state_save(st, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		failed |= he_ddns_result_failed(&res[i]);
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++) {
			const struct he_ddns_result *r = &res[i];

			json_array_append_new(
			    a,
			    json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:I, s:b}", "record",
				      r->record, "family", he_family_id(r->family), "address",
				      he_json_nz(r->addr), "action", action_name(r->action),
				      "answer", he_json_nz(r->answer.code), "outcome",
				      he_ddns_outcome_name(r->answer.outcome), "message",
				      he_json_nz(r->message), "next_attempt",
				      (json_int_t)r->next_attempt, "failed",
				      he_ddns_result_failed(r)));
		}
		he_json_print(json_pack("{s:o, s:s?, s:s?, s:s, s:s?}", "records", a, "ipv4",
					he_json_nz(rep->v4), "ipv6", he_json_nz(rep->v6), "nat",
					he_pubip_nat_name(rep->nat), "verdict",
					he_json_nz(rep->verdict)));
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct he_ddns_result *r = &res[i];
			char next[32];

			when(r->next_attempt, next, sizeof(next));
			if (he_ddns_result_failed(r))
				he_errorf(cli, "[ddns %s] %s: %s%s%s", r->record,
					  he_family_rr(r->family), r->message,
					  r->next_attempt ? "; next attempt " : "",
					  r->next_attempt ? next : "");
			else if (r->action == HE_DDNS_SENT && *r->addr)
				printf("%s %s: %s (%s)\n", r->record, he_family_rr(r->family),
				       r->addr, r->answer.code);
			else if (r->action == HE_DDNS_SENT || r->action == HE_DDNS_WITHHELD)
				printf("%s %s: %s\n", r->record, he_family_rr(r->family),
				       r->message);
			else if (cli->verbosity >= 0)
				printf("%s %s: %s\n", r->record, he_family_rr(r->family),
				       r->message);
		}
	}
	ret = failed ? HE_EXIT_FAIL : HE_EXIT_OK;
out:
	he_state_close(st);
	free(rep);
	free(res);
	return ret;
}

static const char *jget(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

static time_t jt(const json_t *o, const char *key)
{
	return (time_t)json_integer_value(json_object_get(o, key));
}

/* "CGNAT", "double NAT" ... for the public-address line, NULL when no NAT. */
static const char *nat_words(const char *nat)
{
	if (!strcmp(nat, "cgnat"))
		return "CGNAT (carrier-grade NAT)";
	if (!strcmp(nat, "double-nat"))
		return "double NAT";
	if (!strcmp(nat, "ds-lite"))
		return "DS-Lite";
	if (!strcmp(nat, "mismatch"))
		return "router and outside disagree";
	return NULL;
}

static void print_public(const json_t *pub)
{
	const char *nat = jget(pub, "nat"), *words = nat_words(nat);
	const char *v4 = jget(pub, "ipv4"), *v6 = jget(pub, "ipv6"), *wan = jget(pub, "router_wan");
	char at[32];

	if (!json_is_object(pub))
		return;
	when(jt(pub, "at"), at, sizeof(at));
	printf("public address (%s): IPv4 %s, IPv6 %s", at, *v4 ? v4 : "-", *v6 ? v6 : "-");
	if (*wan)
		printf("; router WAN %s", wan);
	printf("\n");
	if (words)
		printf("  %s: the router's WAN address %s is not the public address; %s\n", words,
		       *wan ? wan : "?", jget(pub, "verdict"));
	else if (*jget(pub, "verdict"))
		printf("  %s\n", jget(pub, "verdict"));
}

/*
 * The status document: from the running agent when its control socket
 * answers (no root needed), else from the state file. NULL after printing
 * why; *exit_code set then.
 */
json_t *he_cli_ddns_doc(struct he_cli *cli, const char *name, int *exit_code)
{
	const struct he_config *cfg = &cli->cfg;
	struct he_state *st = NULL;
	struct he_error err = {0};
	char path[PATH_MAX + 16];
	json_t *doc = NULL;

	*exit_code = HE_EXIT_FAIL;
	if (he_ctl_call(cfg->runtime_dir, HE_CTL_DDNS_STATUS, 2000, &doc, &err) == 0 &&
	    json_is_array(json_object_get(doc, "records"))) {
		json_t *recs = json_object_get(doc, "records"), *r;
		size_t i;

		/* the agent answers for every record: keep the asked one */
		for (i = json_array_size(recs); name && i-- > 0;) {
			r = json_array_get(recs, i);
			if (strcmp(jget(r, "record"), name) != 0)
				json_array_remove(recs, i);
		}
		json_object_set_new(doc, "source", json_string("agent"));
		return doc;
	}
	if (doc) {
		json_decref(doc);
		doc = NULL;
	}
	if (err.code && err.code != -ENOENT && err.code != -ECONNREFUSED)
		he_warnf(cli, "the agent did not answer (%s); reading the state file", err.msg);
	snprintf(path, sizeof(path), "%s/state.json", cfg->state_dir);
	if ((access(cfg->state_dir, X_OK) < 0 && errno == EACCES) ||
	    (access(path, R_OK) < 0 && errno == EACCES) ||
	    (snprintf(path, sizeof(path), "%s/" HE_STATE_PRIVATE, cfg->state_dir) > 0 &&
	     access(path, R_OK) < 0 && errno == EACCES)) {
		he_errorf(cli,
			  "cannot read the DNS record state in %s: permission denied. Run as "
			  "root (sudo homeexpose ddns status), or start the agent (systemctl "
			  "start homeexpose): its control socket in %s answers any user",
			  cfg->state_dir, cfg->runtime_dir);
		return NULL;
	}
	if (he_state_open(cfg->state_dir, HE_STATE_READ, 10000, &st, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		return NULL;
	}
	doc = he_ddns_status_json(cfg, st, name, &err);
	he_state_close(st);
	if (!doc) {
		he_errorf(cli, "%s", err.msg);
		*exit_code = err.code == -ENOENT ? HE_EXIT_USAGE : HE_EXIT_FAIL;
		return NULL;
	}
	json_object_set_new(doc, "source", json_string("state"));
	return doc;
}

static int do_status(struct he_cli *cli, const char *name)
{
	const struct he_config *cfg = &cli->cfg;
	time_t now = clock_now();
	json_t *doc, *recs, *r;
	size_t i;
	int ret;
	bool bad = false;

	bool known = !name;

	for (unsigned k = 0; k < cfg->nddns && !known; k++)
		known = !strcmp(cfg->ddns[k].name, name);
	if (!known) {
		he_errorf(cli, "no [ddns %s] section in %s", name, cfg->path);
		return HE_EXIT_USAGE;
	}
	doc = he_cli_ddns_doc(cli, name, &ret);
	if (!doc)
		return ret;
	recs = json_object_get(doc, "records");
	json_array_foreach(recs, i, r)
	{
		bad |= *jget(r, "disabled") != '\0';
		bad |= jt(r, "next_attempt") > now;
		bad |= !strncmp(jget(r, "verify"), "MISMATCH", 8);
	}
	if (cli->json) {
		json_object_set_new(doc, "now", json_integer((json_int_t)now));
		he_json_print(json_incref(doc));
	} else if (!json_array_size(recs)) {
		printf("no [ddns NAME] sections in %s\n", cfg->path);
	} else {
		print_public(json_object_get(doc, "public"));
		printf("%-12s %-4s %-26s %-22s %-10s %-21s %s\n", "NAME", "TYPE", "HOSTNAME",
		       "ADDRESS", "ANSWER", "WHEN", "NEXT ATTEMPT");
		json_array_foreach(recs, i, r)
		{
			char at[32], next[32];
			const char *addr = jget(r, "address"), *code = jget(r, "answer");
			const char *disabled = jget(r, "disabled"), *verify = jget(r, "verify");
			time_t na = jt(r, "next_attempt");

			when(jt(r, "answered_at"), at, sizeof(at));
			when(na > now ? na : 0, next, sizeof(next));
			printf("%-12s %-4s %-26s %-22s %-10s %-21s %s\n", jget(r, "record"),
			       jget(r, "type"), jget(r, "hostname"), *addr ? addr : "-",
			       *code ? code : "-", at, next);
			if (*disabled)
				printf("  disabled: %s\n", disabled);
			else if (na > now)
				printf("  waiting (%d failure%s): %s\n",
				       (int)json_integer_value(json_object_get(r, "failures")),
				       json_integer_value(json_object_get(r, "failures")) == 1
					   ? ""
					   : "s",
				       jget(r, "message"));
			if (*verify) {
				when(jt(r, "verify_at"), at, sizeof(at));
				printf("  %s %s (%s)\n",
				       strncmp(verify, "MISMATCH", 8) ? "verify:" : "VERIFY:",
				       verify, at);
			}
			if (*jget(r, "withheld")) {
				when(jt(r, "removed_at"), at, sizeof(at));
				printf("  %s%s%s\n", jget(r, "withheld"),
				       jt(r, "removed_at") ? "; the old A record was deleted " : "",
				       jt(r, "removed_at") ? at : "");
			}
			if (*jget(r, "stale"))
				printf("  STALE: %s\n", jget(r, "stale"));
			if (json_is_true(json_object_get(r, "config_changed")))
				printf("  configuration changed: the next update starts afresh\n");
		}
		if (!strcmp(jget(doc, "source"), "agent") && cli->verbosity >= 0)
			printf("(from the running agent)\n");
	}
	json_decref(doc);
	return bad ? HE_EXIT_FAIL : HE_EXIT_OK;
}

int cmd_ddns(struct he_cli *cli, int argc, char **argv)
{
	int force = 0;
	const struct option opts[] = {
	    HE_COMMON_OPTS, {"force", no_argument, &force, 1}, {NULL, 0, NULL, 0}};
	int rc;
	const char *sub, *name;

	if (argc > 1 && !strcmp(argv[1], "add"))
		return cmd_ddns_add(cli, argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "import"))
		return cmd_ddns_import(cli, argc - 1, argv + 1);
	rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind >= argc)
		return he_usage_error(cli, "missing subcommand (ddns update or ddns status)");
	sub = argv[optind];
	if (!strcmp(sub, "providers"))
		return argc - optind > 1 ? he_usage_error(cli, "too many arguments")
					 : he_ddns_providers_print(cli);
	if (strcmp(sub, "update") != 0 && strcmp(sub, "status") != 0) {
		static const char *const subs[] = {"update", "status", "providers",
						   "add",    "import", NULL};

		return he_unknown_subcommand(cli, sub, subs);
	}
	if (argc - optind > 2)
		return he_usage_error(cli, "too many arguments");
	if (force && strcmp(sub, "update") != 0)
		return he_usage_error(cli, "--force goes with 'ddns update'");
	name = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	if (!strcmp(sub, "update"))
		return do_update(cli, name, force);
	return do_status(cli, name);
}
