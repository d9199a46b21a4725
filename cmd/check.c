/* SPDX-License-Identifier: MIT */
/* homeexpose check: reachability self-test */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose check [--json] [NAME|PORTSPEC]\n\nWalk the chain for each port "
	       "of an exposure (listener, host firewall, router\nmapping, addresses, a probe from "
	       "outside, DNS) and say which link is broken.\n");
}

int cmd_check(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (argc - optind > 1)
		return he_usage_error(cli, "too many arguments");
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return he_not_available(cli, "the reachability self-test (check)");
}
