/* SPDX-License-Identifier: MIT */
#include "opreport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/control_client.h"

void he_report_firewall(struct he_cli *cli, const struct he_op_report *rep, json_t *jout)
{
	for (size_t i = 0; i < rep->fwp.nshadow; i++) {
		const struct he_fw_shadow *s = &rep->fwp.shadow[i];

		he_errorf(cli,
			  "firewall: port %u/%s %s still be dropped%s by %s table %s %s, chain %s "
			  "(%s). Fix: %s",
			  s->port, he_proto_name(s->proto), s->certain ? "will" : "may",
			  !strcmp(s->ipfam, "ipv4")   ? " for IPv4"
			  : !strcmp(s->ipfam, "ipv6") ? " for IPv6"
						      : "",
			  s->owner, s->family, s->table, s->chain, s->where, s->fix);
	}
	if (rep->failed == HE_OP_FIREWALL) {
		if (rep->fwp.decision == HE_FW_REFUSE)
			fprintf(stderr, "firewall: %s\n", rep->msg);
		else
			he_errorf(cli, "firewall: %s", rep->msg);
		return;
	}
	if (!rep->fw_backend[0])
		return;
	if (jout)
		json_object_set_new(jout, "firewall_backend", json_string(rep->fw_backend));
	else if (cli->verbosity >= 0)
		printf("firewall: %s rules in place for %zu opening%s\n", rep->fw_backend,
		       rep->fw_openings, rep->fw_openings == 1 ? "" : "s");
}

void he_cli_notify_agent(struct he_cli *cli)
{
	struct he_error err = {0};
	json_t *reply = NULL;
	int r = he_ctl_call(cli->cfg.runtime_dir, HE_CTL_RELOAD, 2000, &reply, &err);

	if (r < 0 && r != -ENOENT && r != -ECONNREFUSED)
		he_warnf(cli,
			 "the running agent was not told about the change (%s); it sees it "
			 "at its next pass, or run: systemctl reload homeexpose",
			 err.msg);
	json_decref(reply);
}

json_t *he_cli_agent_ask(struct he_cli *cli, enum he_ctl_cmd cmd)
{
	struct he_error err = {0};
	json_t *reply = NULL;

	if (he_ctl_call(cli->cfg.runtime_dir, cmd, 2000, &reply, &err) == 0)
		return reply;
	if (err.code != -ENOENT && err.code != -ECONNREFUSED)
		he_warnf(cli, "agent: %s", err.msg);
	json_decref(reply);
	return NULL;
}

int he_cli_portmap_opts(struct he_cli *cli, const char *protocol, struct he_portmap_opts *o)
{
	enum he_pm_protocol p = HE_PM_NONE;
	struct he_error err;

	if (protocol && he_pm_protocol_parse(protocol, &p, &err) < 0) {
		he_errorf(cli, "%s", err.msg);
		return -1;
	}
	he_op_portmap_opts(&cli->cfg, p, o);
	return 0;
}
