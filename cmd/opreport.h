/* SPDX-License-Identifier: MIT */
/*
 * opreport.h - formatting the engine's operation reports (open, close), and
 * telling a running agent about a change.
 *
 * Owner: cmd/. The work itself is lib/engine (he_op_open, he_op_close); this
 * only prints what its report says.
 */
#ifndef HE_CMD_OPREPORT_H
#define HE_CMD_OPREPORT_H

#include <jansson.h>

#include "agent/ctlproto.h"
#include "cli.h"
#include "engine/engine.h"

/*
 * The firewall part of a report: the other tables that still drop a port
 * (with the fix), the failure, or "rules in place" (or jout's
 * firewall_backend).
 */
void he_report_firewall(struct he_cli *cli, const struct he_op_report *rep, json_t *jout);

/*
 * Tell a running agent to reload (after open/close changed the drop-ins).
 * Silent when no agent runs; a warning when one runs but refused.
 */
void he_cli_notify_agent(struct he_cli *cli);

/*
 * Ask the running agent (its control socket): the reply, or NULL when no
 * agent runs; a warning when one runs but did not answer.
 */
json_t *he_cli_agent_ask(struct he_cli *cli, enum he_ctl_cmd cmd);

/* Portmap options from [router] and a --protocol word (NULL: automatic); -1 after an error. */
int he_cli_portmap_opts(struct he_cli *cli, const char *protocol, struct he_portmap_opts *o);

#endif
