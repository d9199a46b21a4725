/* SPDX-License-Identifier: MIT */
/*
 * homeexpose - expose home services to the internet: router port mapping,
 * host firewall, dynamic DNS and a reachability self-test.
 *
 * The subcommand table; one file per subcommand.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config/schema.h"

static int cmd_help(struct he_cli *cli, int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(struct he_cli *cli, int argc, char **argv);
	const char *summary;
} commands[] = {
    {"open", cmd_open, "expose ports or a service: router mapping, host firewall, check"},
    {"close", cmd_close, "remove an exposure"},
    {"list", cmd_list, "exposures and their live state"},
    {"status", cmd_status, "one screen: agent, exposures, public addresses, DNS records"},
    {"check", cmd_check, "reachability self-test with a step-by-step diagnosis"},
    {"netcheck", cmd_netcheck, "gateway, router protocols, public addresses, NAT class"},
    {"ddns", cmd_ddns, "dynamic DNS: 'ddns update [--force]' or 'ddns status'"},
    {"services", cmd_services, "the service catalog and the ports never to expose"},
    {"agent", cmd_agent, "the long-running service that keeps everything true"},
    {"reflector", cmd_reflector, "the outside probe server, for a VPS or a friend's host"},
    {"config", cmd_config, "'config check': validate the configuration"},
    {"help", cmd_help, "this help, or 'help COMMAND' for a command's (as COMMAND --help)"},
    {"firewall", cmd_firewall, "'firewall status', 'firewall integrate': the host firewall"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [-c FILE] [--json] [-v|-q] [--color[=WHEN]] COMMAND [ARGS]\n"
		"\n"
		"Make a home service reachable from the internet, and say why when it is not.\n"
		"\n"
		"Commands:\n",
		prog);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -c, --config FILE  configuration file (default %s)\n"
		"      --json         machine-readable output\n"
		"  -v, --verbose      more detail\n"
		"  -q, --quiet        errors only\n"
		"      --color[=WHEN] colour verdicts: auto (on a terminal, without NO_COLOR),\n"
		"                     always or never\n"
		"  -h, --help         this help; COMMAND --help for a command's\n"
		"  -V, --version      print the version\n"
		"\n"
		"Exit status: 0 success, 1 the operation failed, 2 usage or configuration "
		"error.\n"
		"See homeexpose(8) and homeexpose.conf(5).\n",
		he_config_default_path());
}

/* "unknown command 'x'", with the closest command when one is near. */
static int unknown_command(const struct he_cli *cli, const char *word)
{
	const char *names[NCOMMANDS + 1];
	const char *near;

	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	names[NCOMMANDS] = NULL;
	near = he_suggest(word, names);
	if (near)
		he_errorf(cli, "unknown command '%s' (did you mean '%s'?)", word, near);
	else
		he_errorf(cli, "unknown command '%s'", word);
	fprintf(stderr, "Try '%s --help' for the list of commands.\n", cli->prog);
	return HE_EXIT_USAGE;
}

static int run(struct he_cli *cli, size_t i, int argc, char **argv)
{
	cli->cmd = commands[i].name;
	optind = 0; /* reset getopt for the subcommand (GNU: 0 reinitialises) */
	return commands[i].fn(cli, argc, argv);
}

/* help [COMMAND]: the overview, or exactly what COMMAND --help prints. */
static int cmd_help(struct he_cli *cli, int argc, char **argv)
{
	char help[] = "--help";

	if (argc > 2) {
		fprintf(stderr, "%s help: too many arguments (help [COMMAND])\n", cli->prog);
		return HE_EXIT_USAGE;
	}
	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		usage(stdout, cli->prog);
		return HE_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			char *args[] = {argv[1], help, NULL};

			return run(cli, i, 2, args);
		}
	}
	return unknown_command(cli, argv[1]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct he_cli cli = {.prog = "homeexpose"};
	int opt, rc;

	/* '+': stop at the subcommand; its own options belong to it. */
	while ((opt = getopt_long(argc, argv, "+" HE_COMMON_SHORT "V", opts, NULL)) != -1) {
		if (he_cli_common_opt(&cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage(stdout, cli.prog);
			return HE_EXIT_OK;
		case 'V':
			printf("homeexpose %s\n", HE_VERSION);
			return HE_EXIT_OK;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", cli.prog);
			return HE_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr, cli.prog);
		return HE_EXIT_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		rc = run(&cli, i, argc - optind, argv + optind);
		he_cli_free(&cli);
		return he_cli_finish(&cli, rc);
	}
	return he_cli_finish(&cli, unknown_command(&cli, argv[optind]));
}
