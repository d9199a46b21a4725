/* SPDX-License-Identifier: MIT */
/* homeexpose ddns: dynamic DNS */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose ddns update [--force] [NAME]\n       homeexpose ddns status "
	       "[--json]\n\nKeep dynamic-DNS records (A and AAAA) pointing at the current public "
	       "address.\n");
}

int cmd_ddns(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS, {"force", no_argument, NULL, 0}, {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind >= argc)
		return he_usage_error(cli, "missing subcommand (ddns update or ddns status)");
	if (strcmp(argv[optind], "update") != 0 && strcmp(argv[optind], "status") != 0)
		return he_usage_error(cli, "unknown subcommand 'ddns %s'", argv[optind]);
	if (argc - optind > 2)
		return he_usage_error(cli, "too many arguments");
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return he_not_available(cli, "dynamic DNS (ddns)");
}
