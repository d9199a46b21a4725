/* SPDX-License-Identifier: MIT */
/*
 * check_local.c - the check chain's steps on this host and its router: the
 * listener, the host firewall, the router mapping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "reach/check_internal.h"
#include "reach/listener.h"
#include "state/state.h"

/* ---- 1. listener ------------------------------------------------------- */

void he_chk_listener(struct ctx *c, struct he_check_target *t)
{
	struct he_listeners ls;
	struct he_listen_verdict v;
	struct he_error err = {0};
	struct he_check_line *l = &t->l[HE_CHK_LISTENER];

	if (*P(c, t)->e->to) {
		he_chk_set(l, HE_CHK_NA, NULL, "the service runs on %s (to =), not on this host",
			   P(c, t)->e->to);
		return;
	}
	if (he_listeners_query(t->proto, t->in, &ls, &err) < 0) {
		he_chk_set(l, HE_CHK_WARN, NULL, "cannot list sockets: %s", err.msg);
		return;
	}
	he_listener_classify(&ls, t->family, t->family == AF_INET6 ? c->global6 : c->local4, &v);
	he_chk_set(l, v.ok ? HE_CHK_PASS : HE_CHK_FAIL, v.fix, "%s", v.evidence);
}

/* ---- 2. host firewall -------------------------------------------------- */

static void firewall_once(struct ctx *c, const struct he_exposures *all)
{
	struct he_fw_desired want = {0};
	struct he_firewall *fw = NULL;
	struct he_error err = {0};

	c->fw_done = true;
	if (all) {
		struct he_desired d;

		if (he_desired_build(all->v, all->n, NULL, &d, &err) < 0)
			goto out;
		want = d.fw; /* taken over */
		memset(&d.fw, 0, sizeof(d.fw));
		he_desired_free(&d);
	}
	for (size_t i = 0; i < c->nt; i++)
		if (he_fw_desired_add(&want, c->p[i].e->name, c->t[i].in, c->t[i].proto, &err) < 0)
			goto out;
	if (he_firewall_open_config(c->cfg, &fw, &err) < 0)
		goto out;
	snprintf(c->fw_backend, sizeof(c->fw_backend), "%s", he_firewall_backend(fw));
	if (he_firewall_verify(fw, &want, &c->fw, &err) < 0)
		goto out;
	c->fw_ok = true;
out:
	if (!c->fw_ok)
		snprintf(c->fw_err, sizeof(c->fw_err), "%s", err.msg);
	he_firewall_close(fw);
	he_fw_desired_free(&want);
}

static bool shadow_family_matches(const struct he_fw_shadow *s, int family)
{
	if (!strcmp(s->family, "ip"))
		return family == AF_INET;
	if (!strcmp(s->family, "ip6"))
		return family == AF_INET6;
	return true;
}

void he_chk_firewall(struct ctx *c, struct he_check_target *t, const struct he_exposures *all)
{
	struct he_check_line *l = &t->l[HE_CHK_FIREWALL];
	char fix[400];

	if (*P(c, t)->e->to) {
		he_chk_set(l, HE_CHK_NA, NULL,
			   "the service runs on %s: its own firewall is not checked",
			   P(c, t)->e->to);
		return;
	}
	if (!c->fw_done)
		firewall_once(c, all);
	if (!c->fw_ok) {
		he_chk_set(l, HE_CHK_WARN, NULL, "cannot inspect the host firewall: %s", c->fw_err);
		return;
	}
	for (size_t i = 0; i < c->fw.n_shadow; i++) {
		const struct he_fw_shadow *s = &c->fw.shadow[i];

		if (s->port != t->in || !(s->proto & t->proto) ||
		    !shadow_family_matches(s, t->family))
			continue;
		he_chk_set(l, s->certain ? HE_CHK_FAIL : HE_CHK_WARN, s->fix,
			   "%u/%s %s dropped by %s table %s %s, chain %s (%s)", t->in,
			   he_proto_name(t->proto), s->certain ? "is" : "may be", s->owner,
			   s->family, s->table, s->chain, s->where);
		return;
	}
	for (size_t i = 0; P(c, t)->e->firewall && i < c->fw.n_missing; i++) {
		const struct he_fw_missing *m = &c->fw.missing[i];

		if (m->port != t->in || !(m->proto & t->proto))
			continue;
		snprintf(fix, sizeof(fix),
			 "run 'homeexpose open %s' again (or let the agent restore it)",
			 P(c, t)->e->name);
		he_chk_set(l, HE_CHK_FAIL, fix, "homeexpose's %s rule for %u/%s is missing",
			   c->fw_backend, t->in, he_proto_name(t->proto));
		return;
	}
	if (P(c, t)->e->firewall)
		he_chk_set(l, HE_CHK_PASS, NULL,
			   "%u/%s allowed by homeexpose's %s rules; nothing else drops it", t->in,
			   he_proto_name(t->proto), c->fw_backend);
	else
		he_chk_set(l, HE_CHK_PASS, NULL,
			   "firewall not managed for this exposure; nothing drops %u/%s", t->in,
			   he_proto_name(t->proto));
}

/* ---- 3. router --------------------------------------------------------- */

static void router_once(struct ctx *c)
{
	struct he_portmap_opts o;
	struct he_portmap *pm = NULL, *up = NULL;
	struct he_error err = {0};

	c->pm_done = true;
	he_chk_state_lock(c);
	he_portmap_opts_from_config(c->cfg, false, &o);
	if (he_portmap_open(&o, c->st, &pm, &err) < 0) {
		snprintf(c->pm_err, sizeof(c->pm_err), "%s", err.msg);
		goto out;
	}
	snprintf(c->pm_proto, sizeof(c->pm_proto), "%s",
		 he_pm_protocol_name(he_portmap_protocol(pm)));
	if (he_portmap_list(pm, &c->ents, &c->nents, &err) < 0) {
		snprintf(c->pm_err, sizeof(c->pm_err), "%s", err.msg);
		goto out;
	}
	c->pm_ok = true;
	if (he_portmap_external_address(pm, c->wan4, sizeof(c->wan4), &c->wan4_cls, &err) < 0)
		c->wan4[0] = '\0';
	/* not every protocol can list the router's table (PCP, NAT-PMP); one that can confirms */
	if (he_portmap_caps(pm) & HE_PM_CAP_CONFIRM) {
		c->confirm_ok = he_portmap_list_router(pm, &c->rtr, &c->nrtr, &err) == 0;
	} else {
		/*
		 * Without the state: its lock is not held while UPnP discovery
		 * waits out its timeout on a router without UPnP (the agent's
		 * renewals must not wait for a check).
		 */
		he_portmap_close(pm);
		pm = NULL;
		he_chk_state_unlock(c);
		o.force = he_pm_protocol_with(HE_PM_CAP_CONFIRM);
		if (he_portmap_open(&o, NULL, &up, &err) == 0)
			c->confirm_ok = he_portmap_list_router(up, &c->rtr, &c->nrtr, &err) == 0;
	}
out:
	he_portmap_close(up);
	he_portmap_close(pm);
	he_chk_state_unlock(c);
}

void he_chk_router(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_ROUTER];
	const struct he_pm_entry *m = NULL;
	char fix[400], lease[64];

	if (!P(c, t)->e->router || !c->cfg->router_enabled) {
		he_chk_set(l, HE_CHK_NA, NULL,
			   "the router is not handled for this exposure (router = no)");
		return;
	}
	if (t->family == AF_INET6 && !*c->global6) {
		he_chk_set(l, HE_CHK_NA, NULL, "no global IPv6 address: no pinhole to check");
		return;
	}
	if (!c->pm_done)
		router_once(c);
	if (!c->pm_ok) {
		he_chk_set(l, HE_CHK_FAIL, "check that the router has UPnP or NAT-PMP/PCP enabled",
			   "cannot talk to the router: %s", *c->pm_err ? c->pm_err : "no answer");
		return;
	}
	snprintf(fix, sizeof(fix), "run 'homeexpose open %s' again (the agent renews mappings)",
		 P(c, t)->e->name);
	for (size_t i = 0; i < c->nents; i++) {
		const struct he_pm_entry *x = &c->ents[i];

		if (!strcmp(x->name, P(c, t)->e->name) && x->proto == t->proto &&
		    x->family == t->family &&
		    (t->family == AF_INET6 ? x->int_port == t->in : x->ext_port == t->ext))
			m = x;
	}
	if (!m) {
		he_chk_set(l, HE_CHK_FAIL, fix, "no %s %s for %u/%s is recorded",
			   t->family == AF_INET6 ? "IPv6 pinhole" : "port mapping",
			   t->family == AF_INET6 ? "" : "on the router", he_chk_outside_port(t),
			   he_proto_name(t->proto));
		return;
	}
	if (m->lease_remaining < 0) {
		he_chk_set(l, HE_CHK_FAIL, fix,
			   "the %s mapping for %u/%s is gone from the router or its lease ran out",
			   he_pm_protocol_name(m->protocol), he_chk_outside_port(t),
			   he_proto_name(t->proto));
		return;
	}
	if (t->family == AF_INET && !*P(c, t)->e->to && *c->local4 &&
	    strcmp(m->client, c->local4)) {
		he_chk_set(l, HE_CHK_FAIL, fix,
			   "the mapping %u/%s points to %s, not to this host (%s)", t->ext,
			   he_proto_name(t->proto), m->client, c->local4);
		return;
	}
	if (t->family == AF_INET && c->confirm_ok) {
		bool found = false;

		for (size_t i = 0; i < c->nrtr; i++)
			if (c->rtr[i].ext_port == t->ext && c->rtr[i].proto == t->proto &&
			    c->rtr[i].family == AF_INET)
				found = true;
		if (!found) {
			he_chk_set(
			    l, HE_CHK_FAIL, fix,
			    "the router's table has no mapping for %u/%s (the router restarted or "
			    "dropped it)",
			    t->ext, he_proto_name(t->proto));
			return;
		}
	}
	if (m->lease_remaining == 0)
		snprintf(lease, sizeof(lease), "permanent");
	else
		snprintf(lease, sizeof(lease), "lease %lld s left", (long long)m->lease_remaining);
	if (t->family == AF_INET6)
		he_chk_set(l, HE_CHK_PASS, NULL, "%s pinhole [%s]:%u/%s, %s",
			   he_pm_protocol_name(m->protocol), m->client, t->in,
			   he_proto_name(t->proto), lease);
	else
		he_chk_set(l, HE_CHK_PASS, NULL, "%s %s:%u/%s -> %s:%u, %s%s",
			   he_pm_protocol_name(m->protocol), *c->wan4 ? c->wan4 : "?", t->ext,
			   he_proto_name(t->proto), m->client, m->int_port, lease,
			   c->confirm_ok ? " (seen in the router's table)" : "");
}
