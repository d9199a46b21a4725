/* SPDX-License-Identifier: MIT */
/* homeexpose reflector: outside probe server */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose reflector --listen ADDR:PORT [--key-file FILE]\n\nThe outside "
	       "probe server, for a VPS or a friend's host: probes the caller's\nown address on "
	       "request so check can see the service from outside.\n");
}

int cmd_reflector(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {HE_COMMON_OPTS,
					     {"listen", required_argument, NULL, 0},
					     {"key-file", required_argument, NULL, 0},
					     {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return he_not_available(cli, "the reflector");
}
