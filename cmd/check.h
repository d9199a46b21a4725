/* SPDX-License-Identifier: MIT */
/*
 * check.h - the reachability self-test, shared by `check` and `open`.
 *
 * Owner: cmd/. Walks, for each port of an exposure and each family: the
 * listener, the host firewall, the router mapping, the addresses (CGNAT,
 * double NAT, global IPv6), a probe from outside through the reflector, DNS,
 * and hairpin (information only): lib/reach/check.h runs the chain, this
 * prints the checklist, or with json adds it.
 */
#ifndef HE_CMD_CHECK_H
#define HE_CMD_CHECK_H

#include <jansson.h>
#include <stdbool.h>

#include "cli.h"
#include "config/exposure.h"

/*
 * Check the exposures in list (all others known from all, for the firewall's
 * desired state). With jout, the result is added to jout as "checks" and
 * "reachable" instead of being printed. Returns true when every wanted port
 * and family was proven reachable from outside.
 */
bool he_check_run(struct he_cli *cli, const struct he_exposure *list, size_t n,
		  const struct he_exposures *all, json_t *jout);

#endif
