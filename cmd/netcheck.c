/* SPDX-License-Identifier: MIT */
/* homeexpose netcheck: gateway, router protocols, public addresses */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
	printf("Usage: homeexpose netcheck [--json] [--protocol pcp|natpmp|upnp]\n\nShow the "
	       "gateway, which router protocols answer and how fast, the public\naddresses and "
	       "the NAT class (CGNAT, double NAT), and IPv6.\n");
}

int cmd_netcheck(struct he_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    HE_COMMON_OPTS, {"protocol", required_argument, NULL, 0}, {NULL, 0, NULL, 0}};
	int rc = he_cli_getopt(cli, argc, argv, opts, usage);

	if (rc)
		return rc < 0 ? HE_EXIT_OK : rc;
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return he_not_available(cli, "network inspection (netcheck)");
}
