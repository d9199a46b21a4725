/* SPDX-License-Identifier: MIT */
/*
 * observed.c - what is true now: homeexpose's mappings (the runtime state,
 * read through lib/portmap, confirmed on the router where its backend can
 * list) and the host firewall's report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

int he_observed_router(struct he_state *st, struct he_observed *o, struct he_error *err)
{
	free(o->maps);
	o->maps = NULL;
	o->nmaps = 0;
	o->router_read = false;
	if (he_portmap_records(st, &o->maps, &o->nmaps, err) < 0) {
		snprintf(o->router_err, sizeof(o->router_err), "%s", err->msg);
		return err->code;
	}
	o->router_read = true;
	o->router_err[0] = '\0';
	return 0;
}

int he_observed_confirm(struct he_portmap *pm, struct he_observed *o, struct he_error *err)
{
	struct he_pm_entry *v = NULL;
	size_t n = 0;

	/* the backend confirms what it can (UPnP lists its table); the rest stays from the state */
	if (he_portmap_list(pm, &v, &n, err) < 0) {
		snprintf(o->router_err, sizeof(o->router_err),
			 "could not ask the router to confirm its mappings: %s", err->msg);
		return err->code;
	}
	free(o->maps);
	o->maps = v;
	o->nmaps = n;
	o->router_read = true;
	return 0;
}

int he_observed_firewall(struct he_firewall *fw, const struct he_fw_desired *want,
			 struct he_observed *o, struct he_error *err)
{
	he_fw_report_free(&o->fw);
	o->fw_read = false;
	snprintf(o->fw_backend, sizeof(o->fw_backend), "%s", he_firewall_backend(fw));
	if (he_firewall_verify(fw, want, &o->fw, err) < 0) {
		snprintf(o->fw_err, sizeof(o->fw_err), "could not read the firewall: %s", err->msg);
		return err->code;
	}
	o->fw_read = true;
	o->fw_err[0] = '\0';
	return 0;
}

void he_observed_free(struct he_observed *o)
{
	if (!o)
		return;
	free(o->maps);
	he_fw_report_free(&o->fw);
	memset(o, 0, sizeof(*o));
}
