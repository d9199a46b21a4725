/* SPDX-License-Identifier: MIT */
/* report.c - what the agent tells: control-socket replies and the metrics. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "state/state.h"
#include "core/jsonvocab.h"
#include "core/portspec.h"

static json_t *mappings_of(const struct he_agent *a, const char *name, int64_t now)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->obs.nmaps; i++) {
		const struct he_pm_entry *h = &a->obs.maps[i];
		json_int_t left = h->permanent || h->expires <= 0 ? -1 : h->expires - now;

		if (strcmp(h->name, name) != 0)
			continue;
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:i, s:i, s:I, s:b, s:i}", "protocol",
				   he_pm_protocol_name(h->protocol), "transport",
				   he_proto_name(h->proto), "family", he_family_id(h->family),
				   "external_port", h->ext_port, "internal_port", h->int_port,
				   "lease_remaining", left < 0 && left != -1 ? (json_int_t)0 : left,
				   "permanent", h->permanent, "on_router",
				   h->router_checked ? (int)h->on_router : -1));
	}
	return arr;
}

/* The last self-check's verdict for one exposure ("pending" before the first run). */
static json_t *check_of(const struct he_agent *a, const char *name)
{
	const struct he_check_target *t = NULL;
	enum he_check_reach r;

	if (!a->check_have)
		return json_pack("{s:s}", "state", "pending");
	r = he_check_exposure_verdict(&a->check, name, &t);
	if (r == HE_CHK_IRRELEVANT)
		return json_pack("{s:s}", "state", "pending"); /* added since the last run */
	if (!t)
		return json_pack("{s:s, s:I, s:b, s:s}", "state", he_check_reach_name(r), "at",
				 (json_int_t)a->check.finished, "reflector", a->check.reflector,
				 "vantage", a->check.vantage);
	return json_pack("{s:s, s:I, s:b, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s}", "state",
			 he_check_reach_name(r), "at", (json_int_t)a->check.finished, "reflector",
			 a->check.reflector, "vantage", a->check.vantage, "broken",
			 he_check_step_name(t->broken), "external_port", t->ext, "internal_port",
			 t->in, "transport", he_proto_name(t->proto), "family",
			 he_family_id(t->family), "evidence", t->l[t->broken].evidence, "fix",
			 t->l[t->broken].fix);
}

/* How address changes reach the agent, per source (list, status). */
static json_t *events_json(const struct he_agent *a)
{
	return json_pack("{s:s, s:s, s:i, s:{s:I, s:I, s:I, s:I, s:I}}", "mode",
			 he_agent_evmode_name(a->evmode), "why", a->evwhy, "poll_interval",
			 a->evmode == HE_EV_POLL ? (int)a->cfg.poll_interval : 0, "received",
			 "announcements", (json_int_t)a->m.announcements, "upnp_events",
			 (json_int_t)a->m.upnp_events, "netlink", (json_int_t)a->m.netlink_changes,
			 "polls", (json_int_t)a->m.polls, "outside_checks",
			 (json_int_t)a->m.outside_checks);
}

static json_t *list_reply(const struct he_agent *a)
{
	json_t *arr = json_array();
	int64_t now = (int64_t)time(NULL);
	char ports[HE_PORTSPEC_MAX * 24];

	for (size_t i = 0; i < a->ex.n; i++) {
		const struct he_exposure *e = &a->ex.v[i];

		he_portlist_format(&e->ports, ports, sizeof(ports));
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:o, s:o}", "name", e->name,
				   "ports", ports, "service", e->service, "router", e->router,
				   "firewall", e->firewall, "family", e->family, "file", e->file,
				   "mappings", mappings_of(a, e->name, now), "check",
				   check_of(a, e->name)));
	}
	return json_pack("{s:o, s:i, s:s, s:s?, s:I, s:i, s:o}", "exposures", arr,
			 "firewall_in_sync", a->m.firewall_in_sync, "firewall_backend",
			 a->fw_backend, "public_v4", he_json_nz(a->pub4), "check_last_run",
			 (json_int_t)a->m.check_last_run, "check_interval",
			 (int)a->cfg.check_interval, "address_events", events_json(a));
}

static json_t *status_reply(const struct he_agent *a)
{
	int64_t now = (int64_t)time(NULL);
	json_t *errs = json_object();

	for (int k = 0; k < HE_AGENT_ERR_NKINDS; k++)
		json_object_set_new(errs, he_agent_err_kind_name(k),
				    json_pack("{s:I, s:s?}", "count", (json_int_t)a->m.errors[k],
					      "last", he_json_nz(a->last_error[k])));
	return json_pack(
	    "{s:i, s:I, s:I, s:s, s:s, s:i, s:{s:s?, s:s, s:I, s:I, s:I}, s:{s:s, s:i, s:I, s:I},"
	    " s:{s:s?, s:s?, s:I}, s:{s:I, s:I, s:b, s:b, s:i}, s:o, s:o}",
	    "pid", (int)getpid(), "started", (json_int_t)a->started, "uptime",
	    (json_int_t)(now - a->started), "config", a->config_path, "status", a->status,
	    "exposures", (int)a->ex.n, "router", "gateway", he_json_nz(a->gateway), "protocol",
	    he_pm_protocol_name(a->protocol), "mappings", (json_int_t)a->obs.nmaps, "last_pass",
	    (json_int_t)a->last_router_pass, "epoch_resets", (json_int_t)a->m.router_epoch_resets,
	    "firewall", "backend", a->fw_backend, "in_sync", a->m.firewall_in_sync, "last_pass",
	    (json_int_t)a->last_fw_pass, "repairs", (json_int_t)a->m.firewall_repairs,
	    "public_address", "ipv4", he_json_nz(a->pub4), "ipv6", he_json_nz(a->pub6), "changes",
	    (json_int_t)a->m.pubip_changes, "check", "last_run", (json_int_t)a->m.check_last_run,
	    "runs", (json_int_t)a->m.check_runs, "running", a->check_job != NULL, "reachable",
	    a->check_have && a->check.reachable, "interval", (int)a->cfg.check_interval, "errors",
	    errs, "address_events", events_json(a));
}

static json_t *ddns_reply(const struct he_agent *a, bool *ok, char *msg, size_t len)
{
	struct he_state *state = NULL;
	struct he_error err = {0};
	json_t *doc = NULL, *extra;

	/* the same document as `ddns status --json` (lib/ddns), plus the agent's view */
	if (he_state_open(a->cfg.state_dir, HE_STATE_READ, 500, &state, &err) == 0)
		doc = he_ddns_status_json(&a->cfg, state, NULL, &err);
	he_state_close(state);
	if (!doc) {
		*ok = false;
		snprintf(msg, len, "%s", err.msg[0] ? err.msg : "out of memory");
		doc = json_pack("{s:[], s:n}", "records", "public");
	}
	extra = json_pack("{s:s?, s:s?, s:s?, s:I, s:I}", "public_v4", he_json_nz(a->pub4),
			  "public_v6", he_json_nz(a->pub6), "verdict", he_json_nz(a->verdict),
			  "outside_checks", (json_int_t)a->m.outside_checks, "ddns_updates",
			  (json_int_t)a->m.ddns_updates);
	if (doc && extra)
		json_object_update(doc, extra);
	json_decref(extra);
	return doc;
}

json_t *he_agent_ctl_handle(void *ctx, const struct he_ctl_request *req, bool *ok, char *msg,
			    size_t len)
{
	struct he_agent *a = ctx;

	*ok = true;
	switch (req->cmd) {
	case HE_CTL_STATUS:
		return status_reply(a);
	case HE_CTL_LIST:
		return list_reply(a);
	case HE_CTL_DDNS_STATUS:
		return ddns_reply(a, ok, msg, len);
	case HE_CTL_RELOAD:
		/* answered at once; the reload runs from the loop right after */
		he_loop_timer_arm(a->t_reload, 1);
		return json_pack("{s:s}", "reload", "scheduled");
	}
	*ok = false;
	snprintf(msg, len, "unknown command");
	return NULL;
}

char *he_agent_metrics_text(struct he_agent *a)
{
	struct he_metrics_mapping *mm = NULL;
	char *text;

	if (a->obs.nmaps) {
		mm = calloc(a->obs.nmaps, sizeof(*mm));
		if (!mm)
			return NULL;
	}
	for (size_t i = 0; i < a->obs.nmaps; i++) {
		const struct he_pm_entry *h = &a->obs.maps[i];

		snprintf(mm[i].name, sizeof(mm[i].name), "%s", h->name);
		mm[i].proto = h->proto;
		mm[i].family = h->family;
		mm[i].ext_port = h->family == AF_INET6 ? h->int_port : h->ext_port;
		mm[i].protocol = h->protocol;
		mm[i].expires = h->permanent ? 0 : h->expires;
	}
	a->m.nmap = a->obs.nmaps;
	a->m.maps = mm;
	for (unsigned i = 0; i < a->cfg.nddns && a->m.nddns < HE_DDNS_MAX; i++) {
		bool seen = false;

		for (size_t k = 0; k < a->m.nddns && !seen; k++)
			seen = !strcmp(a->m.ddns[k].record, a->cfg.ddns[i].name);
		if (!seen) {
			struct he_metrics_ddns *d = &a->m.ddns[a->m.nddns++];
			const char *name = a->cfg.ddns[i].name;

			memset(d, 0, sizeof(*d));
			memcpy(d->record, name, strnlen(name, sizeof(d->record) - 1));
		}
	}
	a->m.checks = calloc(a->check.n ? a->check.n : 1, sizeof(*a->m.checks));
	a->m.ncheck = 0;
	for (size_t i = 0; a->m.checks && i < a->check.n; i++) {
		const struct he_check_target *t = &a->check.v[i];
		struct he_metrics_check *c = &a->m.checks[a->m.ncheck];

		if (t->reach == HE_CHK_IRRELEVANT || t->reach == HE_CHK_IMPOSSIBLE)
			continue;
		snprintf(c->name, sizeof(c->name), "%s", t->name);
		c->port = t->family == AF_INET6 ? t->in : t->ext;
		c->proto = t->proto;
		c->family = t->family;
		c->reachable = t->reach == HE_CHK_REACHABLE;
		a->m.ncheck++;
	}
	text = he_metrics_render(&a->m, (int64_t)time(NULL));
	a->m.maps = NULL;
	free(a->m.checks);
	a->m.checks = NULL;
	a->m.ncheck = 0;
	free(mm);
	return text;
}

void he_agent_metrics_flush(struct he_agent *a)
{
	struct he_error err = {0};
	char *text;

	if (!a->cfg.metrics_textfile[0])
		return;
	text = he_agent_metrics_text(a);
	if (text && he_metrics_write_textfile(a->cfg.metrics_textfile, text, &err) < 0)
		he_agent_log(a, HE_AGENT_LOG_WARNING, "metrics", "metrics-textfile: %s", err.msg);
	free(text);
}
