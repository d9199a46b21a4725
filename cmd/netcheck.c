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
	int opt;

	while ((opt = getopt_long(argc, argv, HE_COMMON_SHORT, opts, NULL)) != -1) {
		if (he_cli_common_opt(cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return HE_EXIT_OK;
		}
		if (opt == 0)
			continue; /* a flag of this command, parsed for the usage check */
		return he_usage_error(cli, "bad option");
	}
	if (optind != argc)
		return he_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (he_cli_config(cli) < 0)
		return HE_EXIT_USAGE;
	return he_not_available(cli, "network inspection (netcheck)");
}
