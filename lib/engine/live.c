/* SPDX-License-Identifier: MIT */
/*
 * live.c - per exposure, what of the desired state is true (list, drift,
 * `open NAME` repairs): read once (he_live_read), then judged by pure
 * functions from the desired and the observed state.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "engine/engine.h"
#include "state/state.h"

const char *he_live_state_name(enum he_live_state s)
{
	static const char *const names[] = {"ok", "missing", "vanished", "expired"};

	return (unsigned)s <= HE_LIVE_EXPIRED ? names[s] : "?";
}

size_t he_live_router(const struct he_desired *d, const struct he_observed *o, size_t x,
		      bool have_v6, struct he_live_map *out, size_t max)
{
	const char *name = d->ex[x].name;
	size_t n = 0;

	for (size_t i = 0; i < d->nwant && n < max; i++) {
		const struct he_eng_want *w = &d->want[i];
		const struct he_pm_entry *h = NULL;

		if (strcmp(w->name, name) != 0)
			continue;
		for (size_t j = 0; j < o->nmaps && !h; j++)
			if (he_eng_same_mapping(w, &o->maps[j]))
				h = &o->maps[j];
		if (!h && w->family == AF_INET6 && !have_v6)
			continue; /* no pinhole expected without a global IPv6 address */
		out[n].want = w;
		out[n].have = h;
		if (!h)
			out[n].state = HE_LIVE_MISSING;
		else if (h->router_checked && !h->on_router)
			out[n].state = HE_LIVE_VANISHED;
		else if (h->lease_remaining < 0)
			out[n].state = HE_LIVE_EXPIRED;
		else
			out[n].state = HE_LIVE_OK;
		n++;
	}
	return n;
}

size_t he_live_firewall(const struct he_desired *d, const struct he_observed *o, size_t x,
			struct he_live_fw *out, size_t max)
{
	const char *name = d->ex[x].name;
	size_t n = 0;

	for (size_t i = 0; i < d->fw.n && n < max; i++) {
		const struct he_fw_rule *r = &d->fw.v[i];

		if (strcmp(r->name, name) != 0)
			continue;
		for (unsigned p = HE_PROTO_TCP; p <= HE_PROTO_UDP && n < max; p <<= 1) {
			if (!(r->proto & p))
				continue;
			out[n].port = r->port;
			out[n].proto = p;
			out[n].missing = false;
			for (size_t k = 0; o->fw_read && k < o->fw.n_missing; k++)
				if (o->fw.missing[k].port == r->port &&
				    (o->fw.missing[k].proto & p))
					out[n].missing = true;
			n++;
		}
	}
	return n;
}

/* ---- reading it --------------------------------------------------------- */

static void live_read(const struct he_config *cfg, const struct he_exposures *all, bool firewall,
		      struct he_live *lv)
{
	const struct he_desired_opts dopts = {.have_v6 = true};
	struct he_state *st = NULL;
	struct he_firewall *fw = NULL;
	struct he_error err = {0};
	bool confirm = false;

	memset(lv, 0, sizeof(*lv));
	lv->have_v6 = he_engine_have_v6();
	if (he_desired_build(all ? all->v : NULL, all ? all->n : 0, &dopts, &lv->d, &err) < 0) {
		snprintf(lv->o.router_err, sizeof(lv->o.router_err), "%s", err.msg);
		snprintf(lv->o.fw_err, sizeof(lv->o.fw_err), "%s", err.msg);
		return;
	}
	/* router: the state's records (read-only), confirmed where the protocol can list */
	if (he_state_open(cfg->state_dir, HE_STATE_READ, 2000, &st, &err) < 0)
		snprintf(lv->o.router_err, sizeof(lv->o.router_err),
			 "could not read the runtime state: %s", err.msg);
	else if (he_observed_router(st, &lv->o, &err) == 0)
		for (size_t i = 0; i < lv->o.nmaps; i++)
			confirm |=
			    (he_pm_protocol_caps(lv->o.maps[i].protocol) & HE_PM_CAP_CONFIRM) != 0;
	if (confirm) {
		struct he_portmap_opts o;
		struct he_portmap *pm = NULL;

		he_op_portmap_opts(cfg, HE_PM_NONE, &o);
		if (he_portmap_open(&o, st, &pm, &err) < 0)
			snprintf(lv->o.router_err, sizeof(lv->o.router_err),
				 "could not ask the router to confirm its mappings: %s", err.msg);
		else
			he_observed_confirm(pm, &lv->o, &err);
		he_portmap_close(pm);
	}
	he_state_close(st);
	if (!firewall)
		return;

	/* host firewall: compare with every exposure's openings */
	he_error_clear(&err);
	if (he_firewall_open_config(cfg, &fw, &err) < 0)
		snprintf(lv->o.fw_err, sizeof(lv->o.fw_err), "%s", err.msg);
	else
		he_observed_firewall(fw, &lv->d.fw, &lv->o, &err);
	he_firewall_close(fw);
}

void he_live_read(const struct he_config *cfg, const struct he_exposures *all, struct he_live *lv)
{
	live_read(cfg, all, true, lv);
}

void he_live_read_router(const struct he_config *cfg, const struct he_exposures *all,
			 struct he_live *lv)
{
	live_read(cfg, all, false, lv);
}

void he_live_free(struct he_live *lv)
{
	if (!lv)
		return;
	he_desired_free(&lv->d);
	he_observed_free(&lv->o);
	memset(lv, 0, sizeof(*lv));
}

size_t he_live_drift(const struct he_live *lv, size_t x, char (*out)[HE_DRIFT_LEN], size_t max)
{
	const struct he_exposure *e = &lv->d.ex[x];
	struct he_live_map m[HE_PORTS_MAX * 4];
	struct he_live_fw f[HE_PORTS_MAX * 2];
	size_t n = 0, nm, nf;

	nm = e->router && lv->o.router_read
		 ? he_live_router(&lv->d, &lv->o, x, lv->have_v6, m, HE_PORTS_MAX * 4)
		 : 0;
	for (size_t i = 0; i < nm && n < max; i++) {
		const struct he_eng_want *w = m[i].want;
		const char *what = w->family == AF_INET6 ? "IPv6 pinhole" : "IPv4 forward";
		unsigned port = w->family == AF_INET6 ? w->int_port : w->ext_port;

		switch (m[i].state) {
		case HE_LIVE_MISSING:
			snprintf(out[n++], HE_DRIFT_LEN,
				 "router: no %s for %u/%s is recorded (never made, or removed)",
				 what, port, he_proto_name(w->proto));
			break;
		case HE_LIVE_VANISHED:
			snprintf(out[n++], HE_DRIFT_LEN,
				 "router: the %s %u/%s is gone from the router (it expired or the "
				 "router restarted)",
				 what, port, he_proto_name(w->proto));
			break;
		case HE_LIVE_EXPIRED:
			snprintf(out[n++], HE_DRIFT_LEN,
				 "router: the lease of the %s %u/%s has run out (no agent renewed "
				 "it)",
				 what, port, he_proto_name(w->proto));
			break;
		case HE_LIVE_OK:
			break;
		}
	}
	nf = lv->o.fw_read ? he_live_firewall(&lv->d, &lv->o, x, f, HE_PORTS_MAX * 2) : 0;
	for (size_t i = 0; i < nf && n < max; i++)
		if (f[i].missing)
			snprintf(
			    out[n++], HE_DRIFT_LEN,
			    "firewall: %u/%s is no longer open in %s (the rules homeexpose "
			    "put in place are gone, e.g. after 'nft flush ruleset' or a reload "
			    "of the firewall)",
			    f[i].port, he_proto_name(f[i].proto), lv->o.fw_backend);
	return n;
}
