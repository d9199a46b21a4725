/* SPDX-License-Identifier: MIT */
/*
 * apply.h - carrying an exposure out: router mappings and host firewall.
 *
 * Owner: cmd/. Shared by open, close and list. It runs the library calls and
 * prints what happened (only cmd/ prints); the agent will reuse the same
 * library calls through its own reconcile loop.
 */
#ifndef HE_CMD_APPLY_H
#define HE_CMD_APPLY_H

#include <jansson.h>
#include <stdbool.h>

#include "cli.h"
#include "config/exposure.h"
#include "firewall/firewall.h"
#include "portmap/portmap.h"
#include "state/state.h"

/* Portmap options from [router] and a --protocol override (NULL: automatic). */
int he_apply_portmap_opts(struct he_cli *cli, const char *protocol, struct he_portmap_opts *o);

/*
 * Map every port of e on the router (IPv4 forward and, where this host has a
 * global IPv6 address, the IPv6 pinhole), printing or adding to jout each
 * result. A non-public external address (CGNAT, double NAT) fails unless
 * force. On failure the mappings made in this call are removed again.
 * Returns HE_EXIT_OK or HE_EXIT_FAIL.
 */
int he_apply_router(struct he_cli *cli, struct he_state *st, const struct he_exposure *e,
		    const char *protocol, bool force, json_t *jout);

/* Remove e's mappings from the router. Returns HE_EXIT_OK or HE_EXIT_FAIL. */
int he_apply_router_remove(struct he_cli *cli, struct he_state *st, const struct he_exposure *e,
			   json_t *jout);

/*
 * Make the host firewall match every exposure in all (those with firewall =
 * yes), plus extra when not NULL, minus the one named without when not NULL.
 * dry_run prints the exact commands. Reports other tables that would still
 * drop a port. Returns HE_EXIT_OK or HE_EXIT_FAIL.
 */
int he_apply_firewall(struct he_cli *cli, const struct he_exposures *all,
		      const struct he_exposure *extra, const char *without, bool dry_run,
		      json_t *jout);

/*
 * Tell a running agent to reload (after open/close changed the drop-ins).
 * Silent when no agent runs; a warning when one runs but refused.
 */
void he_apply_notify_agent(struct he_cli *cli);

/*
 * The live state of every exposure, read without changing anything (no root
 * needed for the router part: the runtime state is opened read-only; UPnP
 * forwards are confirmed on the router). What could not be read is said in
 * router_err / fw_err.
 */
struct he_live {
	bool router_read;
	char router_err[HE_ERR_MSG_MAX + 64];
	struct he_pm_entry *maps;
	size_t nmaps;
	bool fw_read;
	char fw_err[HE_ERR_MSG_MAX + 64];
	char fw_backend[16];
	struct he_fw_report fw;
};

void he_live_read(struct he_cli *cli, const struct he_exposures *all, struct he_live *lv);
void he_live_free(struct he_live *lv);
/*
 * One exposure: {name, ports, ..., mappings: [...], firewall_ports: [...],
 * drift: ["what is gone. Fix: homeexpose open NAME", ...]}.
 */
json_t *he_live_exposure(const struct he_live *lv, const struct he_exposure *e);
/*
 * Print what of e is gone ("drift: ...: putting it back") before open puts
 * it back; returns how many items.
 */
size_t he_apply_report_drift(struct he_cli *cli, const struct he_exposures *all,
			     const struct he_exposure *e);
/* Mappings in the state that belong to no exposure (e.g. after close --force). */
json_t *he_live_leftovers(const struct he_live *lv, const struct he_exposures *all);

#endif
