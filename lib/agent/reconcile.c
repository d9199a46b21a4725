/* SPDX-License-Identifier: MIT */
/*
 * reconcile.c - the agent's passes: router mappings, host firewall, public
 * address. Each pass holds the state lock (as `open` and `close` do while
 * they work), reads the exposures under it, acts, and arms its next timer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_internal.h"
#include "firewall/firewall.h"
#include "state/state.h"

#define LOCK_RETRY_MS 200

/* Name of an exposure drop-in path ("/x/web.conf" -> "web"), into buf. */
static void dropin_name(const char *file, char *buf, size_t len)
{
	const char *b = strrchr(file, '/');
	size_t n;

	b = b ? b + 1 : file;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".conf") == 0)
		n -= 5;
	snprintf(buf, len, "%.*s", (int)(n < 63 ? n : 63), b);
}

/*
 * Re-read the exposures (under the state lock). Names of unreadable drop-ins
 * go to keep (their mappings are kept).
 */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/*
 * The level for a set of configuration problems whose texts hash to h: a
 * warning when the set first appears (or changes), debug after that, so a
 * broken drop-in is not a warning on every pass. *seen keeps the last set.
 */
static enum he_agent_level once(uint64_t *seen, uint64_t h)
{
	bool same = h == *seen;

	*seen = h;
	return same ? HE_AGENT_LOG_DEBUG : HE_AGENT_LOG_WARNING;
}

static size_t load_exposures(struct he_agent *a, char keep[][HE_PM_NAME_MAX], size_t max)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a offset basis */
	enum he_agent_level lvl;
	struct he_diags d = {0};
	size_t nkeep = 0;

	he_exposures_free(&a->ex);
	he_exposures_load(a->cfg.exposures_dir, &a->ex, &d);
	for (size_t i = 0; i < d.n; i++) {
		char line[HE_ERR_MSG_MAX * 2];

		if (d.v[i].level != HE_DIAG_ERROR)
			continue;
		he_diag_format(&d.v[i], line, sizeof(line));
		h = fnv1a(h, line);
	}
	lvl = once(&a->diags_logged, h);
	for (size_t i = 0; i < d.n; i++) {
		char line[HE_ERR_MSG_MAX * 2];

		if (d.v[i].level != HE_DIAG_ERROR)
			continue;
		he_diag_format(&d.v[i], line, sizeof(line));
		he_agent_log(a, lvl, "config",
			     "%s (the exposure is left as it is until the file is fixed)", line);
		if (d.v[i].file && nkeep < max)
			dropin_name(d.v[i].file, keep[nkeep++], HE_PM_NAME_MAX);
	}
	he_diags_free(&d);
	a->m.exposures = (unsigned)a->ex.n;
	return nkeep;
}

int he_agent_lock_state(struct he_agent *a, struct he_loop_timer *retry, struct he_state **st)
{
	struct he_error err = {0};
	int r = he_state_open(a->cfg.state_dir, HE_STATE_WRITE, 0, st, &err);

	if (r == -EWOULDBLOCK) {
		/* `open` or `close` is at work (or another user holds it): counted, logged */
		he_agent_state_busy(a, &err);
		he_loop_timer_arm_before(retry, LOCK_RETRY_MS);
		return r;
	}
	if (r < 0)
		he_agent_fail(a, HE_AGENT_ERR_CONFIG, "state: %s", err.msg);
	return r;
}

static void refresh_observed(struct he_agent *a, struct he_state *st)
{
	struct he_error err;

	if (he_observed_router(st, &a->obs, &err) < 0)
		a->obs.nmaps = 0;
}

/* The desired state of the exposures just loaded; refusals are logged, the others go on. */
static int desired(struct he_agent *a, struct he_desired *d, struct he_error *err)
{
	const struct he_desired_opts o = {.have_v6 = he_engine_have_v6()};
	int rc = he_desired_build(a->ex.v, a->ex.n, &o, d, err);
	uint64_t h = 1469598103934665603ull; /* FNV-1a over every refusal's text */
	enum he_agent_level lvl;

	for (size_t i = 0; rc == 0 && i < d->nref; i++)
		h = fnv1a(fnv1a(h, d->ref[i].name), d->ref[i].msg);
	lvl = once(&a->refusals_logged, h);
	for (size_t i = 0; rc == 0 && i < d->nref; i++)
		he_agent_log(a, lvl, "config", "exposure %s is not carried out: %s", d->ref[i].name,
			     d->ref[i].msg);
	return rc;
}

/* Recorded mappings the router no longer has (where the router can say). */
static void confirm_on_router(struct he_agent *a, struct he_portmap *pm)
{
	struct he_error err = {0};

	if (!(he_portmap_caps(pm) & HE_PM_CAP_CONFIRM))
		return; /* PCP / NAT-PMP cannot list: announcements and epochs tell instead */
	if (he_observed_confirm(pm, &a->obs, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: verifying mappings: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < a->obs.nmaps; i++) {
		const struct he_pm_entry *h = &a->obs.maps[i];

		if (h->router_checked && !h->on_router)
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
				     "mapping %s %u/%s is gone from the router: mapping it again",
				     h->name, h->ext_port, he_proto_name(h->proto));
	}
}

int he_agent_open_router(struct he_agent *a, struct he_state *st, struct he_portmap **pm)
{
	struct he_portmap_opts o;
	struct he_error err = {0};

	if (*pm)
		return 0;
	he_portmap_opts_from_config(&a->cfg, a->reprobe, &o);
	if (he_portmap_open(&o, st, pm, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: %s", err.msg);
		return -1;
	}
	a->reprobe = false;
	snprintf(a->gateway, sizeof(a->gateway), "%s", he_portmap_gateway(*pm));
	a->protocol = he_portmap_protocol(*pm);
	return 0;
}

/*
 * Learn the router when something needs it (exposures or DNS records: the
 * router is also a public address source) and it is not known yet, or was
 * asked to be probed again. No router is not an error here: the public
 * address then comes from the interfaces or the outside (pubip.c).
 */
static void learn_router(struct he_agent *a, struct he_state *st, bool wanted,
			 struct he_portmap **pm)
{
	struct he_portmap_opts o;
	struct he_error err = {0};

	bool retry = a->router_absent && (int64_t)time(NULL) >= a->learn_retry_at;

	if (!a->cfg.router_enabled || !wanted || *pm ||
	    ((a->gateway[0] || a->router_absent) && !a->reprobe && !a->resubscribe && !retry))
		return;
	if (a->gateway[0] && !a->reprobe) {
		he_agent_open_router(a, st, pm); /* known: only to subscribe again */
		return;
	}
	he_portmap_opts_from_config(&a->cfg, a->reprobe, &o);
	if (he_portmap_open(&o, st, pm, &err) < 0) {
		if (a->protocol != HE_PM_NONE || !a->evwhy[0])
			he_agent_log(a, HE_AGENT_LOG_INFO, "router", "no router protocol: %s",
				     err.msg);
		a->protocol = HE_PM_NONE;
		a->reprobe = false;
		a->router_absent = true;
		he_agent_default_gateway(a->absent_gw, sizeof(a->absent_gw));
		/* a slow or starting router: probe again after 2, 4 ... 512, then every 600 s */
		a->learn_failures++;
		a->learn_retry_at =
		    (int64_t)time(NULL) + (a->learn_failures >= 10 ? 600 : 1 << a->learn_failures);
		return;
	}
	a->reprobe = false;
	if (a->router_absent)
		he_loop_timer_arm(a->t_pubq, 1); /* a source and maybe an event source now */
	a->router_absent = false;
	a->learn_failures = 0;
	a->rpoll_refused = false;
	snprintf(a->gateway, sizeof(a->gateway), "%s", he_portmap_gateway(*pm));
	a->protocol = he_portmap_protocol(*pm);
	he_agent_log(a, HE_AGENT_LOG_INFO, "router", "the router %s speaks %s", a->gateway,
		     he_pm_protocol_name(a->protocol));
}

/* Log one result; returns -1 when it failed. */
static int log_result(struct he_agent *a, const struct he_eng_result *r)
{
	if (r->v4_impossible) {
		he_agent_log(a, HE_AGENT_LOG_DEBUG, "router",
			     "%s %u/%s (IPv4): not possible here (the carrier's NAT); IPv6 only",
			     r->name, r->ext_port, he_proto_name(r->proto));
		return 0;
	}
	if (r->act == HE_ACT_UNMAP) {
		if (r->rc < 0) {
			he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: removing %s %u/%s (%s): %s",
				      r->name, r->ext_port, he_proto_name(r->proto),
				      he_family_label(r->family), r->msg);
			return -1;
		}
		a->m.router_unmaps++;
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
			     "removed %s %u/%s (%s): no exposure wants it any more", r->name,
			     r->ext_port, he_proto_name(r->proto), he_family_label(r->family));
		return 0;
	}
	if (r->rc == -ENETDOWN) {
		/* the router's WAN is down for now (often mid address change): retried */
		a->m.errors[HE_AGENT_ERR_ROUTER]++;
		he_agent_log(a, HE_AGENT_LOG_WARNING, "router",
			     "%s %s %u/%s (%s) not done yet, will retry: %s",
			     he_eng_act_name(r->act), r->name, r->ext_port, he_proto_name(r->proto),
			     he_family_label(r->family), r->msg);
		return -1;
	}
	if (r->rc < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: %s %s %u/%s (%s): %s",
			      he_eng_act_name(r->act), r->name, r->ext_port,
			      he_proto_name(r->proto), he_family_label(r->family), r->msg);
		return -1;
	}
	if (r->act == HE_ACT_RENEW)
		a->m.router_renewals++;
	else
		a->m.router_maps++;
	he_agent_log(a, r->act == HE_ACT_RENEW ? HE_AGENT_LOG_INFO : HE_AGENT_LOG_NOTICE, "router",
		     "%s %s: %s %u/%s -> %s:%u (%s), lease %u s%s (%u ms)",
		     r->act == HE_ACT_RENEW ? "renewed" : "mapped", r->name,
		     he_pm_protocol_name(r->res.protocol), r->res.ext_port, he_proto_name(r->proto),
		     r->res.client, r->res.int_port, he_family_label(r->family), r->res.lease,
		     r->res.permanent ? " (permanent)" : "", r->res.elapsed_ms);
	if (r->res.ext_addr[0] && r->family == AF_INET && !a->pub4[0])
		snprintf(a->pub4, sizeof(a->pub4), "%s", r->res.ext_addr);
	return 0;
}

void he_agent_router_pass(struct he_agent *a)
{
	char keep[16][HE_PM_NAME_MAX];
	const char *keepp[16];
	struct he_desired d = {0};
	struct he_plan p = {0};
	struct he_portmap *pm = NULL;
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_plan_opts po = {0};
	size_t nkeep;
	int failed = 0, rounds = 0;
	unsigned aflags = 0;

	failed = he_agent_lock_state(a, a->t_router, &st);
	if (failed < 0) {
		if (failed != -EWOULDBLOCK)
			he_loop_timer_arm(a->t_router,
					  he_eng_backoff(++a->router_failures) * 1000u);
		return;
	}
	nkeep = load_exposures(a, keep, 16);
	for (size_t i = 0; i < nkeep; i++)
		keepp[i] = keep[i];
	po.keep = keepp;
	po.n_keep = nkeep;
	if (desired(a, &d, &err) < 0)
		goto out;
	refresh_observed(a, st);
	learn_router(a, st, d.nwant || a->obs.nmaps || a->cfg.nddns, &pm);
	if (a->verify_now && (d.nwant || a->obs.nmaps) && a->cfg.router_enabled &&
	    he_agent_open_router(a, st, &pm) == 0)
		confirm_on_router(a, pm);
	a->verify_now = false;
again:
	po.now = (int64_t)time(NULL);
	po.flags = a->remap_all ? HE_PLAN_REMAP_ALL : 0;
	if (he_plan_router(&d, a->obs.maps, a->obs.nmaps, &po, &p, &err) < 0)
		goto out;
	a->remap_all = false;
	if (a->router_lost)
		aflags |= HE_APPLY_FRESH;
	if (p.n && a->cfg.router_enabled && he_agent_open_router(a, st, &pm) < 0)
		failed = 1;
	if (!failed && p.n && a->cfg.router_enabled) {
		struct he_eng_results res = {0};

		/* every action is tried: one exposure failing does not stop the others */
		a->router_lost = false;
		he_apply_router_plan(pm, &d, a->obs.maps, &p,
				     aflags | (rounds == 0 && !(po.flags & HE_PLAN_REMAP_ALL)
						   ? HE_APPLY_STOP_ON_RESET
						   : 0),
				     &res);
		for (size_t i = 0; i < res.n; i++)
			if (log_result(a, &res.v[i]) < 0)
				failed = 1;
		if (res.epoch_reset && rounds == 0 && !(po.flags & HE_PLAN_REMAP_ALL)) {
			/* the router restarted since the mapping was made: all of them again */
			he_eng_results_free(&res);
			a->m.router_epoch_resets++;
			a->remap_all = true;
			a->router_lost = true;
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
				     "the router %s lost its mappings (epoch reset): mapping every "
				     "exposure again",
				     a->gateway);
			refresh_observed(a, st);
			rounds++;
			failed = 0;
			goto again;
		}
		he_eng_results_free(&res);
	}
	refresh_observed(a, st);
	if (failed) {
		unsigned s = he_eng_backoff(++a->router_failures);

		he_loop_timer_arm(a->t_router, s * 1000u);
	} else {
		a->router_failures = 0;
		a->last_router_pass = po.now;
		a->last_error[HE_AGENT_ERR_ROUTER][0] = '\0';
		if (p.next_at == INT64_MAX)
			he_loop_timer_arm(a->t_router, 0);
		else
			he_loop_timer_arm(a->t_router,
					  (uint64_t)(p.next_at > po.now ? p.next_at - po.now : 1) *
					      1000u);
	}
out:
	if (err.code)
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: %s", err.msg);
	if (pm)
		he_agent_gena_update(a, pm); /* UPnP: subscribe to its events once */
	a->resubscribe = false;
	if (a->router_absent && a->learn_retry_at) {
		int64_t now = (int64_t)time(NULL);

		he_loop_timer_arm_before(
		    a->t_router,
		    (uint64_t)(a->learn_retry_at > now ? a->learn_retry_at - now : 1) * 1000u);
	}
	he_portmap_close(pm);
	he_state_close(st);
	he_plan_free(&p);
	he_desired_free(&d);
	he_agent_metrics_flush(a);
}

void he_agent_firewall_pass(struct he_agent *a, bool prune)
{
	struct he_desired d = {0};
	struct he_fw_plan fp = {0};
	struct he_firewall *fw = NULL;
	struct he_state *st = NULL;
	struct he_error err = {0};
	char keep[16][HE_PM_NAME_MAX];

	if (he_agent_lock_state(a, a->t_fw, &st) < 0)
		return;
	load_exposures(a, keep, 16);
	if (desired(a, &d, &err) < 0)
		goto fail;
	if (he_firewall_open_config(&a->cfg, &fw, &err) < 0)
		goto fail;
	if (he_observed_firewall(fw, &d.fw, &a->obs, &err) < 0)
		goto fail;
	snprintf(a->fw_backend, sizeof(a->fw_backend), "%s", a->obs.fw_backend);
	a->m.firewall_in_sync = a->obs.fw.in_sync ? 1 : 0;
	/* the agent has no exposure of its own in scope: shadows never refuse here */
	if (he_plan_firewall(&d, &a->obs.fw, NULL, prune ? HE_FWPLAN_PRUNE : 0, &fp, &err) < 0)
		goto fail;
	if (fp.decision == HE_FW_APPLY) {
		bool present = a->obs.fw.present;

		if (he_firewall_apply(fw, &fp.apply, 0, NULL, &err) < 0)
			goto fail;
		a->m.firewall_repairs++;
		a->m.firewall_in_sync = 1;
		if (fp.nmissing)
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "firewall",
				     "%zu opening%s missing from the %s rules (%s): put back",
				     fp.nmissing, fp.nmissing == 1 ? " was" : "s were",
				     a->fw_backend,
				     present ? "rules lost" : "homeexpose's rules were gone");
		if (fp.nextra)
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "firewall",
				     "%zu opening%s no exposure wants: removed", fp.nextra,
				     fp.nextra == 1 ? "" : "s");
	}
	a->fw_failures = 0;
	a->last_fw_pass = (int64_t)time(NULL);
	a->last_error[HE_AGENT_ERR_FIREWALL][0] = '\0';
	he_loop_timer_arm(a->t_drift, (uint64_t)a->cfg.drift_interval * 1000u);
	goto out;
fail:
	he_agent_fail(a, HE_AGENT_ERR_FIREWALL, "firewall: %s", err.msg);
	he_loop_timer_arm(a->t_drift, he_eng_backoff(++a->fw_failures) * 1000u);
out:
	he_firewall_close(fw);
	he_fw_plan_free(&fp);
	he_desired_free(&d);
	he_state_close(st);
	he_agent_metrics_flush(a);
}

void he_agent_release_all(struct he_agent *a)
{
	const struct he_plan_opts po = {.now = (int64_t)time(NULL)};
	struct he_desired none = {0};
	struct he_plan p = {0};
	struct he_state *st = NULL;
	struct he_portmap *pm = NULL;
	struct he_error err = {0};

	if (he_state_open(a->cfg.state_dir, HE_STATE_WRITE, 5000, &st, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "release-on-stop: %s", err.msg);
		return;
	}
	refresh_observed(a, st);
	/* nothing wanted: the plan removes every recorded mapping */
	if (he_plan_router(&none, a->obs.maps, a->obs.nmaps, &po, &p, &err) == 0 && p.n &&
	    he_agent_open_router(a, st, &pm) == 0) {
		struct he_eng_results res = {0};

		he_apply_router_plan(pm, &none, a->obs.maps, &p, 0, &res);
		for (size_t i = 0; i < res.n; i++)
			log_result(a, &res.v[i]);
		he_eng_results_free(&res);
	}
	he_plan_free(&p);
	he_portmap_close(pm);
	he_state_close(st);
}
