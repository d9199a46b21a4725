/* SPDX-License-Identifier: MIT */
/* homeexpose agent: the long-running service */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose agent\n\nThe long-running service (run by "
	       "systemd/homeexpose.service): keeps router\nmappings, firewall rules and DNS "
	       "records true, reacting to events.\n");
}

int cmd_agent(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS, {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return he_not_available(cli, "the agent");
}
