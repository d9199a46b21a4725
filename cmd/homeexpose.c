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

static const struct {
	const char *name;
	int (*fn)(struct he_cli *cli, int argc, char **argv);
	const char *summary;
} commands[] = {
    {"open", cmd_open, "expose ports or a service: router mapping, host firewall, check"},
    {"close", cmd_close, "remove an exposure"},
    {"list", cmd_list, "exposures and their live state"},
    {"check", cmd_check, "reachability self-test with a step-by-step diagnosis"},
    {"netcheck", cmd_netcheck, "gateway, router protocols, public addresses, NAT class"},
    {"ddns", cmd_ddns, "dynamic DNS: 'ddns update [--force]' or 'ddns status'"},
    {"services", cmd_services, "the service catalog and the ports never to expose"},
    {"agent", cmd_agent, "the long-running service that keeps everything true"},
    {"reflector", cmd_reflector, "the outside probe server, for a VPS or a friend's host"},
    {"config", cmd_config, "'config check': validate the configuration"},
    {"firewall", cmd_firewall, "'firewall status', 'firewall integrate': the host firewall"},
};

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [-c FILE] [--json] [-v|-q] COMMAND [ARGS]\n"
		"\n"
		"Make a home service reachable from the internet, and say why when it is not.\n"
		"\n"
		"Commands:\n",
		prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -c, --config FILE  configuration file (default %s)\n"
		"      --json         machine-readable output\n"
		"  -v, --verbose      more detail\n"
		"  -q, --quiet        errors only\n"
		"  -h, --help         this help; COMMAND --help for a command's\n"
		"  -V, --version      print the version\n"
		"\n"
		"Exit status: 0 success, 1 the operation failed, 2 usage or configuration "
		"error.\n"
		"See homeexpose(8) and homeexpose.conf(5).\n",
		he_config_default_path());
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		cli.cmd = commands[i].name;
		argc -= optind;
		argv += optind;
		optind = 0; /* reset getopt for the subcommand (GNU: 0 reinitialises) */
		rc = commands[i].fn(&cli, argc, argv);
		he_cli_free(&cli);
		return rc;
	}
	fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help' for the list of commands.\n",
		cli.prog, argv[optind], cli.prog);
	return HE_EXIT_USAGE;
}
