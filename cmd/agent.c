/* SPDX-License-Identifier: MIT */
/*
 * homeexpose agent: the long-running service. lib/agent does the work and
 * hands every message to log_msg() below, which writes it to stderr: with
 * syslog priority prefixes (<N>) under journald, with a time stamp otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose agent [OPTIONS]\n"
	       "\n"
	       "The long-running service (systemd/homeexpose.service): keeps router mappings,\n"
	       "firewall rules and the public address true, reacting to events (router\n"
	       "announcements, address and route changes, nftables changes) and renewing\n"
	       "leases at half their time. SIGHUP reloads the configuration; SIGTERM stops.\n"
	       "\n"
	       "      --foreground     stay in the foreground (the default; systemd wants it)\n"
	       "      --once           one reconcile pass (firewall, router, public address),\n"
	       "                       then exit: 0 when everything is in place\n"
	       "      --no-announce    do not listen for NAT-PMP/PCP announcements\n"
	       "      --no-netlink     do not watch addresses, routes and nftables\n"
	       "      --no-control     no control socket\n"
	       "      --log-level L    error, warning, info or debug ([general] log-level)\n"
	       "  -v, --verbose        same as --log-level debug\n");
}

struct logctx {
	int max; /* highest priority number printed */
	bool journal;
};

static const char *level_name(enum he_agent_level l)
{
	switch (l) {
	case HE_AGENT_LOG_ERR:
		return "error";
	case HE_AGENT_LOG_WARNING:
		return "warning";
	case HE_AGENT_LOG_NOTICE:
	case HE_AGENT_LOG_INFO:
		return "info";
	case HE_AGENT_LOG_DEBUG:
		return "debug";
	}
	return "info";
}

static void log_msg(void *ctx, enum he_agent_level lvl, const char *kind, const char *msg)
{
	const struct logctx *lc = ctx;

	if ((int)lvl > lc->max)
		return;
	if (lc->journal) {
		fprintf(stderr, "<%d>%s: %s\n", (int)lvl, kind, msg);
	} else {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
		fprintf(stderr, "%s %s: %s: %s\n", ts, level_name(lvl), kind, msg);
	}
	fflush(stderr);
}

static int level_of(const char *s)
{
	if (!strcmp(s, "error"))
		return HE_AGENT_LOG_ERR;
	if (!strcmp(s, "warning"))
		return HE_AGENT_LOG_WARNING;
	if (!strcmp(s, "debug"))
		return HE_AGENT_LOG_DEBUG;
	if (!strcmp(s, "info"))
		return HE_AGENT_LOG_INFO;
	return -1;
}

enum { OPT_FG = 256, OPT_ONCE, OPT_NO_ANN, OPT_NO_NL, OPT_NO_CTL, OPT_LEVEL };

int cmd_agent(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS,
	    {"foreground", no_argument, NULL, OPT_FG},
	    {"once", no_argument, NULL, OPT_ONCE},
	    {"no-announce", no_argument, NULL, OPT_NO_ANN},
	    {"no-netlink", no_argument, NULL, OPT_NO_NL},
	    {"no-control", no_argument, NULL, OPT_NO_CTL},
	    {"log-level", required_argument, NULL, OPT_LEVEL},
	    {NULL, 0, NULL, 0},
	};
	struct he_agent_opts ao = {0};
	struct logctx lc = {.max = -1};
	struct he_agent_cb cb = {.ctx = &lc, .log = log_msg};
	struct he_agent *a = NULL;
	struct he_error err = {0};
	const char *js = getenv("JOURNAL_STREAM");
	int opt, rc;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage();
			return HE_EXIT_OK;
		case OPT_FG:
			break;
		case OPT_ONCE:
			ao.once = true;
			break;
		case OPT_NO_ANN:
			ao.no_announce = true;
			break;
		case OPT_NO_NL:
			ao.no_netlink = true;
			break;
		case OPT_NO_CTL:
			ao.no_control = true;
			break;
		case OPT_LEVEL:
			lc.max = level_of(optarg);
			if (lc.max < 0)
				return he_usage_error(
				    cli, "--log-level: '%s' is not error, warning, info or debug",
				    optarg);
			break;
		default:
			return he_usage_error(cli, "bad option");
		}
	}
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	if (lc.max < 0)
		lc.max = cli->verbosity > 0   ? HE_AGENT_LOG_DEBUG
			 : cli->verbosity < 0 ? HE_AGENT_LOG_WARNING
					      : level_of(cli->cfg.log_level);
	if (lc.max < 0)
		lc.max = HE_AGENT_LOG_INFO;
	lc.journal = js && *js;
	ao.config_path = cli->config_path;
	ao.config_explicit = cli->config_path != NULL;
	ao.no_notify = ao.once;
	if (he_agent_new(&cli->cfg, &ao, &cb, &a, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		return HE_EXIT_FAIL;
	}
	rc = he_agent_run(a, &err);
	if (rc < 0)
		he_errorf(cli, "%s", err.msg);
	else if (ao.once && cli->json)
		he_json_print(json_pack("{s:b}", "ok", true));
	if (rc == 0 && ao.once && he_agent_error_count(a))
		rc = -1;
	he_agent_free(a);
	return rc < 0 ? HE_EXIT_FAIL : HE_EXIT_OK;
}
