/* SPDX-License-Identifier: MIT */
/*
 * homeexpose check [NAME|PORTSPEC]: the reachability self-test. For each port
 * of an exposure and each family it walks listener -> host firewall ->
 * router mapping -> addresses -> outside (reflector or SOCKS proxy) -> DNS -> hairpin and
 * says which link is broken and how to fix it. Exit 0 when every wanted port
 * and family was proven reachable from outside, 1 when not. The chain itself
 * is lib/reach/check.h; this file only formats its result.
 */
#include "check.h"

#include <ctype.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "reach/check.h"
#include "core/portspec.h"
#include "reach/socks5.h"
#include "progress.h"
#include "target.h"

static void report(struct he_cli *cli, const struct he_check_result *r, json_t *jout)
{
	json_t *arr = jout ? json_array() : NULL;

	for (size_t i = 0; i < r->n; i++) {
		const struct he_check_target *t = &r->v[i];
		json_t *steps = arr ? json_array() : NULL;

		if (!arr && cli->verbosity >= 0) {
			/* 443/tcp, or 8443:8080/tcp when the ports differ */
			printf("%s %u", t->name, t->ext);
			if (t->ext != t->in)
				printf(":%u", t->in);
			printf("/%s %s\n", he_proto_name(t->proto), he_family_label(t->family));
		}
		for (int s = 0; s < HE_CHK_NSTEPS; s++) {
			const struct he_check_line *l = &t->l[s];

			if (steps) {
				json_array_append_new(
				    steps, json_pack("{s:s, s:s, s:s, s:s?}", "step",
						     he_check_step_name(s), "status",
						     he_check_status_name(l->status), "evidence",
						     l->evidence, "fix", *l->fix ? l->fix : NULL));
			} else if (cli->verbosity >= 0) {
				const char *w = he_check_status_name(l->status);

				printf("  ");
				he_cli_tone(cli, stdout, he_tone_of(w), w);
				printf("%*s  %-9s  %s\n", (int)(strlen(w) < 4 ? 4 - strlen(w) : 0),
				       "", he_check_step_name(s), l->evidence);
				if (*l->fix && l->status != HE_CHK_PASS && l->status != HE_CHK_NA)
					printf("  %-4s  %-9s  fix: %s\n", "", "", l->fix);
			}
		}
		if (arr)
			json_array_append_new(
			    arr,
			    json_pack("{s:s, s:i, s:i, s:s, s:s, s:o, s:s?, s:s?}", "name", t->name,
				      "external_port", t->ext, "internal_port", t->in, "transport",
				      he_proto_name(t->proto), "family", he_family_id(t->family),
				      "steps", steps, "broken",
				      t->broken >= 0 ? he_check_step_name(t->broken) : NULL,
				      "not_possible_here", *t->impossible ? t->impossible : NULL));
		else if (*t->impossible && cli->verbosity >= 0)
			printf("  => IPv4 not possible here: %s\n", t->impossible);
		else if (t->broken >= 0 && cli->verbosity >= 0)
			printf("  => broken link: %s\n", he_check_step_name(t->broken));
	}
	for (size_t i = 0; i < r->nrefused; i++) {
		if (jout)
			continue;
		if (cli->verbosity >= 0) {
			printf("%s ", r->refused[i].name);
			he_cli_tone(cli, stdout, he_tone_of("fail"), "refused");
			printf(": %s\n  => nothing of it is open: homeexpose does not apply it\n",
			       r->refused[i].msg);
		}
	}
	if (arr) {
		json_t *ref = json_array();

		for (size_t i = 0; i < r->nrefused; i++)
			json_array_append_new(ref,
					      json_pack("{s:s, s:s}", "name", r->refused[i].name,
							"message", r->refused[i].msg));
		json_object_set_new(jout, "refused", ref);
		json_object_set_new(jout, "checks", arr);
		json_object_set_new(jout, "reachable", json_boolean(r->reachable));
		json_object_set_new(jout, "vantage",
				    *r->vantage ? json_string(r->vantage) : json_null());
	} else if (cli->verbosity >= 0 && *r->vantage) {
		printf("reachable from outside: %s (%s)\n", r->reachable ? "yes" : "NOT proven",
		       r->vantage);
	} else if (cli->verbosity >= 0) {
		printf("reachable from outside: not proven (no reflector or socks proxy "
		       "configured)\n");
	}
}

bool he_check_run(struct he_cli *cli, const struct he_exposure *list, size_t n,
		  const struct he_exposures *all, json_t *jout)
{
	const struct he_check_opts opts = {.pubip_sources = true, .via_socks = cli->via_socks};
	struct he_check_result r;
	struct he_error err = {0};
	bool ok;

	struct he_progress *pg = he_progress_start(cli, "checking the chain");
	int rc = he_check_run_chain(&cli->cfg, &opts, list, n, all, &r, &err);

	he_progress_stop(pg);
	if (rc < 0) {
		he_errorf(cli, "check: %s", err.msg);
		return false;
	}
	report(cli, &r, jout);
	ok = r.reachable;
	he_check_result_free(&r);
	return ok;
}

/* ---- the command ------------------------------------------------------- */

static void usage(void)
{
	printf("Usage: homeexpose check [--json] [--via-socks HOST:PORT] [NAME|PORTSPEC|SERVICE]\n"
	       "\n"
	       "Walk the chain for each port of an exposure (or of all), IPv4 and IPv6:\n"
	       "listener, host firewall, router mapping, addresses (CGNAT, double NAT,\n"
	       "global IPv6), a probe from outside through the reflector ([reflector] url)\n"
	       "or else a SOCKS5 proxy ([reflector] socks: Tor, ssh -D, dante), DNS, hairpin\n"
	       "(information only). Each line is pass, fail, warn or n/a with its evidence\n"
	       "and, on failure, the fix. The last line names the vantage point used.\n"
	       "\n"
	       "  --via-socks HOST:PORT  probe from outside through this SOCKS5 proxy (instead\n"
	       "                         of the reflector; port 9050/9150 is taken as Tor)\n"
	       "\n"
	       "Exit status: 0 when reachable from outside (every port and family proven from\n"
	       "the outside vantage point), 1 when not or when it cannot be proven.\n");
}

int cmd_check(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS, {"via-socks", required_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
	struct he_exposures all = {0};
	struct he_exposure adhoc, *one = NULL;
	struct he_diags d = {0};
	json_t *jout = NULL;
	char host[HE_SOCKS5_HOST_MAX];
	struct he_error err = {0};
	uint16_t port;
	bool ok;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return HE_EXIT_OK;
		}
		if (opt != 'S')
			return he_usage_error(cli, "bad option");
		if (he_socks5_parse_hostport(optarg, host, sizeof(host), &port, &err) < 0)
			return he_usage_error(cli, "--via-socks: %s", err.msg);
		cli->via_socks = optarg;
	}
	if (argc - optind > 1)
		return he_usage_error(cli, "too many arguments");
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	he_exposures_load(cli->cfg.exposures_dir, &all, &d);
	he_cli_print_diags(cli, &d);
	he_diags_free(&d);
	if (optind < argc) {
		struct he_cli_target t;

		rc = he_cli_target(cli, &all, argv[optind], &t);
		if (rc) {
			he_exposures_free(&all);
			return rc;
		}
		one = t.ex;
		if (!one) {
			/* not exposed: check the ports as open would expose them */
			he_exposure_init(&adhoc, he_cli_is_portspec(argv[optind]) ? "adhoc"
						 : t.profile                      ? t.profile->name
										  : argv[optind]);
			adhoc.ports = t.ports;
			one = &adhoc;
		}
	} else if (all.n == 0) {
		he_errorf(cli, "nothing is exposed; name a PORTSPEC to check a port anyway");
		he_exposures_free(&all);
		return HE_EXIT_FAIL;
	}
	if (cli->json)
		jout = json_object();
	ok = one ? he_check_run(cli, one, 1, &all, jout)
		 : he_check_run(cli, all.v, all.n, &all, jout);
	if (jout)
		he_json_print(jout);
	he_exposures_free(&all);
	return ok ? HE_EXIT_OK : HE_EXIT_FAIL;
}
