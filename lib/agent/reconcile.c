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
#include "net/route.h"
#include "state/state.h"

#define LOCK_RETRY_MS 200

/* Portmap options from [router] (the same reading as the CLI's). */
void he_agent_portmap_opts(const struct he_config *cfg, bool no_cache, struct he_portmap_opts *o)
{
	he_portmap_opts_from_config(cfg, no_cache, o);
}

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
static size_t load_exposures(struct he_agent *a, char keep[][HE_PM_NAME_MAX], size_t max)
{
	struct he_diags d = {0};
	size_t nkeep = 0;

	he_exposures_free(&a->ex);
	he_exposures_load(a->cfg.exposures_dir, &a->ex, &d);
	for (size_t i = 0; i < d.n; i++) {
		char line[HE_ERR_MSG_MAX * 2];

		if (d.v[i].level != HE_DIAG_ERROR)
			continue;
		he_diag_format(&d.v[i], line, sizeof(line));
		he_agent_log(a, HE_AGENT_LOG_WARNING, "config",
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
		/* `open` or `close` is at work: come back when it is done */
		he_loop_timer_arm_before(retry, LOCK_RETRY_MS);
		return r;
	}
	if (r < 0)
		he_agent_fail(a, HE_AGENT_ERR_CONFIG, "state: %s", err.msg);
	return r;
}

static void refresh_haves(struct he_agent *a, struct he_state *st)
{
	struct he_error err;

	if (he_agent_haves_from_state(he_state_section(st, "portmap"), &a->haves, &err) < 0)
		a->haves.n = 0;
}

static bool host_has_global_v6(void)
{
	struct in6_addr x;
	struct he_error err;

	return he_net_global_ipv6(0, &x, &err) == 0;
}

static void request_of(const struct he_agent_want *w, struct he_pm_request *r)
{
	memset(r, 0, sizeof(*r));
	r->name = w->name;
	r->proto = w->proto;
	r->ext_port = w->ext_port;
	r->int_port = w->int_port;
	r->lease = w->lease;
	r->family = w->family;
	r->to = w->to[0] ? w->to : NULL;
}

static const char *fam(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* UPnP: which recorded mappings does the router really have? */
static void verify_on_router(struct he_agent *a, struct he_portmap *pm)
{
	struct he_pm_entry *e = NULL;
	struct he_error err = {0};
	size_t n = 0;

	if (he_portmap_protocol(pm) != HE_PM_UPNP)
		return; /* PCP / NAT-PMP cannot list: announcements and epochs tell instead */
	if (he_portmap_list(pm, &e, &n, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: verifying mappings: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < a->haves.n; j++) {
			struct he_agent_have *h = &a->haves.v[j];

			if (e[i].protocol != HE_PM_UPNP || e[i].family != AF_INET ||
			    h->protocol != HE_PM_UPNP || h->family != AF_INET ||
			    h->ext_port != e[i].ext_port || h->proto != e[i].proto ||
			    strcmp(h->name, e[i].name) != 0)
				continue;
			h->on_router = e[i].on_router ? 1 : 0;
			if (!e[i].on_router)
				he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
					     "mapping %s %u/%s is gone from the router: mapping "
					     "it again",
					     h->name, h->ext_port,
					     h->proto == HE_PROTO_UDP ? "udp" : "tcp");
		}
	}
	free(e);
}

int he_agent_open_router(struct he_agent *a, struct he_state *st, struct he_portmap **pm)
{
	struct he_portmap_opts o;
	struct he_error err = {0};

	if (*pm)
		return 0;
	he_agent_portmap_opts(&a->cfg, a->reprobe, &o);
	if (he_portmap_open(&o, st, pm, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: %s", err.msg);
		return -1;
	}
	a->reprobe = false;
	snprintf(a->gateway, sizeof(a->gateway), "%s", he_portmap_gateway(*pm));
	a->protocol = he_portmap_protocol(*pm);
	return 0;
}

/* Carry out one action; returns 0, -1 on failure, 1 when the router lost its state. */
static int act(struct he_agent *a, struct he_portmap *pm, const struct he_agent_action *ac,
	       const struct he_agent_wants *w, const struct he_agent_haves *h)
{
	struct he_pm_request req;
	struct he_pm_result res;
	struct he_error err = {0};

	if (ac->act == HE_AGENT_UNMAP) {
		const struct he_agent_have *hv = &h->v[ac->idx];

		memset(&req, 0, sizeof(req));
		req.name = hv->name;
		req.proto = hv->proto;
		req.ext_port = hv->ext_port;
		req.int_port = hv->int_port;
		req.family = hv->family;
		if (he_portmap_unmap(pm, &req, &err) < 0 && err.code != -ENOENT) {
			he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: removing %s %u/%s (%s): %s",
				      hv->name, hv->ext_port,
				      hv->proto == HE_PROTO_UDP ? "udp" : "tcp", fam(hv->family),
				      err.msg);
			return -1;
		}
		a->m.router_unmaps++;
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
			     "removed %s %u/%s (%s): no exposure wants it any more", hv->name,
			     hv->ext_port, hv->proto == HE_PROTO_UDP ? "udp" : "tcp",
			     fam(hv->family));
		return 0;
	}
	request_of(&w->v[ac->idx], &req);
	memset(&res, 0, sizeof(res));
	if (he_portmap_map(pm, &req, &res, &err) < 0) {
		if (err.code == -ENETDOWN) {
			/* the router's WAN is down for now (often mid address change): retried */
			a->m.errors[HE_AGENT_ERR_ROUTER]++;
			he_agent_log(a, HE_AGENT_LOG_WARNING, "router",
				     "%s %s %u/%s (%s) not done yet, will retry: %s",
				     he_agent_act_name(ac->act), req.name, req.ext_port,
				     req.proto == HE_PROTO_UDP ? "udp" : "tcp", fam(req.family),
				     err.msg);
			return -1;
		}
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: %s %s %u/%s (%s): %s",
			      he_agent_act_name(ac->act), req.name, req.ext_port,
			      req.proto == HE_PROTO_UDP ? "udp" : "tcp", fam(req.family), err.msg);
		return -1;
	}
	if (ac->act == HE_AGENT_RENEW)
		a->m.router_renewals++;
	else
		a->m.router_maps++;
	he_agent_log(a, ac->act == HE_AGENT_RENEW ? HE_AGENT_LOG_INFO : HE_AGENT_LOG_NOTICE,
		     "router", "%s %s: %s %u/%s -> %s:%u (%s), lease %u s%s (%u ms)",
		     ac->act == HE_AGENT_RENEW ? "renewed" : "mapped", req.name,
		     he_pm_protocol_name(res.protocol), res.ext_port,
		     req.proto == HE_PROTO_UDP ? "udp" : "tcp", res.client, res.int_port,
		     fam(req.family), res.lease, res.permanent ? " (permanent)" : "",
		     res.elapsed_ms);
	if (res.ext_addr[0] && req.family == AF_INET && !a->pub4[0])
		snprintf(a->pub4, sizeof(a->pub4), "%s", res.ext_addr);
	return res.epoch_reset ? 1 : 0;
}

void he_agent_router_pass(struct he_agent *a)
{
	char keep[16][HE_PM_NAME_MAX];
	const char *keepp[16];
	struct he_agent_wants w = {0};
	struct he_agent_plan p = {0};
	struct he_portmap *pm = NULL;
	struct he_state *st = NULL;
	struct he_error err = {0};
	size_t nkeep;
	int64_t now;
	int failed = 0, rounds = 0;
	bool was_remap;

	failed = he_agent_lock_state(a, a->t_router, &st);
	if (failed < 0) {
		if (failed != -EWOULDBLOCK)
			he_loop_timer_arm(a->t_router,
					  he_agent_backoff(++a->router_failures) * 1000u);
		return;
	}
	nkeep = load_exposures(a, keep, 16);
	for (size_t i = 0; i < nkeep; i++)
		keepp[i] = keep[i];
	if (he_agent_wants_build(&a->ex, host_has_global_v6(), &w, &err) < 0)
		goto out;
	refresh_haves(a, st);
	if (a->verify_now && (w.n || a->haves.n) && a->cfg.router_enabled &&
	    he_agent_open_router(a, st, &pm) == 0)
		verify_on_router(a, pm);
	a->verify_now = false;
again:
	now = (int64_t)time(NULL);
	was_remap = a->remap_all;
	if (he_agent_plan_router(&w, &a->haves, keepp, nkeep, now,
				 a->remap_all ? HE_AGENT_PLAN_REMAP_ALL : 0, &p, &err) < 0)
		goto out;
	a->remap_all = false;
	if (p.n && a->cfg.router_enabled && he_agent_open_router(a, st, &pm) < 0)
		failed = 1;
	for (size_t i = 0; !failed && i < p.n; i++) {
		int r = act(a, pm, &p.v[i], &w, &a->haves);

		if (r < 0)
			failed = 1;
		if (r == 1 && rounds == 0 && !was_remap && p.v[i].act != HE_AGENT_UNMAP) {
			/* the router restarted since the mapping was made: all of them again */
			a->m.router_epoch_resets++;
			a->remap_all = true;
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
				     "the router %s lost its mappings (epoch reset): mapping every "
				     "exposure again",
				     a->gateway);
			refresh_haves(a, st);
			rounds++;
			goto again;
		}
	}
	refresh_haves(a, st);
	if (failed) {
		unsigned s = he_agent_backoff(++a->router_failures);

		he_loop_timer_arm(a->t_router, s * 1000u);
	} else {
		a->router_failures = 0;
		a->last_router_pass = now;
		a->last_error[HE_AGENT_ERR_ROUTER][0] = '\0';
		if (p.next_at == INT64_MAX)
			he_loop_timer_arm(a->t_router, 0);
		else
			he_loop_timer_arm(
			    a->t_router, (uint64_t)(p.next_at > now ? p.next_at - now : 1) * 1000u);
	}
out:
	if (err.code)
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "router: %s", err.msg);
	he_portmap_close(pm);
	he_state_close(st);
	he_agent_plan_free(&p);
	he_agent_wants_free(&w);
	he_agent_metrics_flush(a);
}

/*
 * Keep the openings no exposure wants (yet): `open` opens the firewall before
 * it takes the state lock and writes its drop-in, so an extra opening may be
 * an exposure on its way in. Only a reload (which open and close send when
 * they are done) or the start removes them.
 */
static int keep_extras(const struct he_fw_report *rep, struct he_fw_desired *want,
		       struct he_error *err)
{
	for (size_t i = 0; i < rep->n_extra; i++) {
		const struct he_fw_missing *x = &rep->extra[i];
		const char *p = x->comment;
		char name[HE_FW_NAME_MAX];

		if (strncmp(p, HE_FW_TAG, strlen(HE_FW_TAG)) == 0)
			p += strlen(HE_FW_TAG);
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, ","), p);
		if (!he_fw_name_valid(name))
			snprintf(name, sizeof(name), "kept");
		if (he_fw_desired_add(want, name, x->port, x->proto, err) < 0)
			return err->code;
	}
	return 0;
}

void he_agent_firewall_pass(struct he_agent *a, bool prune)
{
	struct he_fw_desired want = {0};
	struct he_firewall *fw = NULL;
	struct he_fw_report rep;
	struct he_state *st = NULL;
	struct he_error err = {0};
	char keep[16][HE_PM_NAME_MAX];

	if (he_agent_lock_state(a, a->t_fw, &st) < 0)
		return;
	load_exposures(a, keep, 16);
	for (size_t i = 0; i < a->ex.n; i++) {
		const struct he_exposure *e = &a->ex.v[i];

		if (e->firewall && he_fw_desired_add_list(&want, e->name, &e->ports, &err) < 0)
			goto fail;
	}
	if (he_firewall_open_config(&a->cfg, &fw, &err) < 0)
		goto fail;
	snprintf(a->fw_backend, sizeof(a->fw_backend), "%s", he_firewall_backend(fw));
	if (he_firewall_verify(fw, &want, &rep, &err) < 0)
		goto fail;
	a->m.firewall_in_sync = rep.in_sync ? 1 : 0;
	if (!rep.in_sync && (prune || rep.n_missing)) {
		size_t missing = rep.n_missing, extra = prune ? rep.n_extra : 0;
		bool present = rep.present;

		if (!prune && keep_extras(&rep, &want, &err) < 0) {
			he_fw_report_free(&rep);
			goto fail;
		}
		he_fw_report_free(&rep);
		if (he_firewall_apply(fw, &want, 0, NULL, &err) < 0)
			goto fail;
		a->m.firewall_repairs++;
		a->m.firewall_in_sync = 1;
		if (missing)
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "firewall",
				     "%zu opening%s missing from the %s rules (%s): put back",
				     missing, missing == 1 ? " was" : "s were", a->fw_backend,
				     present ? "rules lost" : "homeexpose's rules were gone");
		if (extra)
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "firewall",
				     "%zu opening%s no exposure wants: removed", extra,
				     extra == 1 ? "" : "s");
	} else {
		he_fw_report_free(&rep);
	}
	a->fw_failures = 0;
	a->last_fw_pass = (int64_t)time(NULL);
	a->last_error[HE_AGENT_ERR_FIREWALL][0] = '\0';
	he_loop_timer_arm(a->t_drift, (uint64_t)a->cfg.drift_interval * 1000u);
	goto out;
fail:
	he_agent_fail(a, HE_AGENT_ERR_FIREWALL, "firewall: %s", err.msg);
	he_loop_timer_arm(a->t_drift, he_agent_backoff(++a->fw_failures) * 1000u);
out:
	he_firewall_close(fw);
	he_fw_desired_free(&want);
	he_state_close(st);
	he_agent_metrics_flush(a);
}

void he_agent_release_all(struct he_agent *a)
{
	struct he_state *st = NULL;
	struct he_portmap *pm = NULL;
	struct he_error err = {0};

	if (he_state_open(a->cfg.state_dir, HE_STATE_WRITE, 5000, &st, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_ROUTER, "release-on-stop: %s", err.msg);
		return;
	}
	refresh_haves(a, st);
	if (a->haves.n && he_agent_open_router(a, st, &pm) == 0) {
		for (size_t i = 0; i < a->haves.n; i++) {
			struct he_agent_action ac = {HE_AGENT_UNMAP, i};

			act(a, pm, &ac, NULL, &a->haves);
		}
	}
	he_portmap_close(pm);
	he_state_close(st);
}
