/* SPDX-License-Identifier: MIT */
/*
 * discover.c - finding the router's protocol: all enabled protocols probed
 * at once on one deadline, the answer cached in the state (with the UPnP
 * control URLs), and netcheck's probe of every protocol.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/portspec.h"
#include "portmap/backend.h"
#include "portmap/portmap.h"
#include "state/state.h"

#define CACHE_MAX_AGE  (7 * 24 * 3600)
#define PROBE_GRACE_MS 50

static json_t *igd_json(const struct he_portmap *pm)
{
	json_t *u = json_object();

	json_object_set_new(u, "location", json_string(pm->igd.location));
	json_object_set_new(u, "control_url", json_string(pm->igd.control_url));
	json_object_set_new(u, "service_type", json_string(pm->igd.service_type));
	json_object_set_new(u, "control_url_6fc", json_string(pm->igd.control_url_6fc));
	json_object_set_new(u, "service_type_6fc", json_string(pm->igd.service_type_6fc));
	json_object_set_new(u, "igd_version", json_integer(pm->igd.igd_version));
	json_object_set_new(u, "event_url", json_string(pm->igd.event_url));
	json_object_set_new(u, "event_url_6fc", json_string(pm->igd.event_url_6fc));
	return u;
}

/*
 * Record the discovery result. A forced protocol (--protocol) does not change
 * the automatic choice; its UPnP URLs are still kept.
 */
void he_pm_cache_store(struct he_portmap *pm)
{
	json_t *old = json_object_get(pm->sec, "probe");
	const char *ogw = json_string_value(json_object_get(old, "gateway"));
	json_t *c;

	if (json_is_object(old) && ogw && !strcmp(ogw, pm->gw_text) && pm->opts.force) {
		c = json_deep_copy(old); /* keep the automatic choice */
	} else {
		c = json_object();
		json_object_set_new(c, "gateway", json_string(pm->gw_text));
		if (!pm->opts.force)
			json_object_set_new(c, "protocol", json_string(pm->be->name));
		json_object_set_new(c, "at", json_integer((json_int_t)time(NULL)));
		if (ogw && !strcmp(ogw, pm->gw_text) &&
		    json_is_object(json_object_get(old, "upnp")))
			json_object_set(c, "upnp", json_object_get(old, "upnp"));
	}
	if (!c)
		return;
	if (pm->be->id == HE_PM_UPNP && pm->igd.ready)
		json_object_set_new(c, "upnp", igd_json(pm));
	json_object_set_new(pm->sec, "probe", c);
}

void he_pm_copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "");
}

static void igd_load(struct he_portmap *pm, json_t *u)
{
	he_pm_copy_str(pm->igd.location, sizeof(pm->igd.location), u, "location");
	he_pm_copy_str(pm->igd.control_url, sizeof(pm->igd.control_url), u, "control_url");
	he_pm_copy_str(pm->igd.service_type, sizeof(pm->igd.service_type), u, "service_type");
	he_pm_copy_str(pm->igd.control_url_6fc, sizeof(pm->igd.control_url_6fc), u,
		       "control_url_6fc");
	he_pm_copy_str(pm->igd.service_type_6fc, sizeof(pm->igd.service_type_6fc), u,
		       "service_type_6fc");
	pm->igd.igd_version = (int)json_integer_value(json_object_get(u, "igd_version"));
	he_pm_copy_str(pm->igd.event_url, sizeof(pm->igd.event_url), u, "event_url");
	he_pm_copy_str(pm->igd.event_url_6fc, sizeof(pm->igd.event_url_6fc), u, "event_url_6fc");
	pm->igd.ready = pm->igd.control_url[0] && pm->igd.service_type[0];
}

/* Use the cached discovery result if it is for this gateway. */
bool he_pm_cache_load(struct he_portmap *pm)
{
	json_t *c = json_object_get(pm->sec, "probe"), *u;
	const char *gw, *proto;
	enum he_pm_protocol p;
	json_int_t at;

	if (!json_is_object(c) || pm->opts.no_cache)
		return false;
	gw = json_string_value(json_object_get(c, "gateway"));
	proto = json_string_value(json_object_get(c, "protocol"));
	at = json_integer_value(json_object_get(c, "at"));
	if (!gw || strcmp(gw, pm->gw_text) || at + CACHE_MAX_AGE < (json_int_t)time(NULL))
		return false;
	if (pm->opts.force) {
		p = pm->opts.force;
		/* a forced PCP/NAT-PMP is used at once only if it is the known answer */
		if (p != HE_PM_UPNP && (!proto || strcmp(proto, he_pm_protocol_name(p))))
			return false;
	} else if (he_pm_protocol_parse(proto, &p, NULL) < 0) {
		return false;
	}
	u = json_object_get(c, "upnp");
	if (json_is_object(u))
		igd_load(pm, u); /* also for PCP: its IPv6 pinholes go through UPnP */
	if (p == HE_PM_UPNP && !pm->igd.ready)
		return false;
	pm->be = he_pm_backend_of(p);
	return true;
}

/* ---- probing ---- */

struct probe_set {
	struct he_pm_probe p[HE_PM_NPROTO]; /* by id - 1 */
	bool used[HE_PM_NPROTO];
	unsigned total_ms;
};

/* The enabled protocols in preference order. */
static size_t enabled_order(const struct he_portmap *pm, enum he_pm_protocol *out)
{
	size_t i, n = 0;

	if (pm->opts.force) {
		out[0] = pm->opts.force;
		return 1;
	}
	for (i = 0; i < HE_PM_NPROTO; i++)
		if (pm->order[i] && !(pm->exclude & (1u << pm->order[i])))
			out[n++] = pm->order[i];
	return n;
}

/* The chosen protocol once the order is decided, HE_PM_NONE while waiting. */
static enum he_pm_protocol decided(const struct probe_set *ps, const enum he_pm_protocol *order,
				   size_t n, bool final)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct he_pm_probe *p = &ps->p[order[i] - 1];

		if (p->answered)
			return order[i];
		if (!p->done && !final)
			return HE_PM_NONE; /* a more preferred protocol may still answer */
	}
	return HE_PM_NONE;
}

static void run_probes(struct he_portmap *pm, struct probe_set *ps, bool wait_all)
{
	enum he_pm_protocol order[HE_PM_NPROTO];
	size_t n = enabled_order(pm, order), i;
	int timeout = pm->opts.probe_timeout_ms > 0 ? pm->opts.probe_timeout_ms : 250;
	uint64_t start = he_now_ms(), deadline = start + (uint64_t)timeout;
	uint64_t next_resend = start + 80, first_answer = 0;

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < n; i++) {
		struct he_pm_probe *p = &ps->p[order[i] - 1];

		p->be = he_pm_backend_of(order[i]);
		p->fd = -1;
		ps->used[order[i] - 1] = true;
		if (p->be->probe_start(pm, p) < 0)
			p->done = true;
	}
	for (;;) {
		struct pollfd pfd[HE_PM_NPROTO];
		int idx[HE_PM_NPROTO];
		uint64_t now = he_now_ms(), until;
		int np = 0, k;
		bool waiting = false;

		for (i = 0; i < HE_PM_NPROTO; i++) {
			if (!ps->used[i] || ps->p[i].done)
				continue;
			waiting = true;
			pfd[np].fd = ps->p[i].fd;
			pfd[np].events = POLLIN;
			idx[np++] = (int)i;
		}
		if (!waiting || now >= deadline)
			break;
		if (!wait_all && decided(ps, order, n, false))
			break;
		/* a less preferred protocol answered: give the others a short grace, not
		 * the whole deadline (one daemon usually serves them all) */
		if (!wait_all && first_answer && now >= first_answer + PROBE_GRACE_MS)
			break;
		if (now >= next_resend) {
			for (k = 0; k < np; k++)
				ps->p[idx[k]].be->probe_resend(pm, &ps->p[idx[k]]);
			next_resend = now + 80;
		}
		until = next_resend < deadline ? next_resend : deadline;
		if (!wait_all && first_answer && first_answer + PROBE_GRACE_MS < until)
			until = first_answer + PROBE_GRACE_MS;
		if (poll(pfd, (nfds_t)np, (int)(until - now)) <= 0)
			continue;
		for (k = 0; k < np; k++) {
			struct he_pm_probe *p = &ps->p[idx[k]];
			int r;

			if (!(pfd[k].revents & (POLLIN | POLLERR)))
				continue;
			r = p->be->probe_input(pm, p);
			if (r != 0) {
				p->done = true;
				p->answered = r > 0;
				p->ms = (unsigned)(he_now_ms() - start);
				if (p->answered && !first_answer)
					first_answer = he_now_ms();
			}
		}
	}
	for (i = 0; i < HE_PM_NPROTO; i++) {
		struct he_pm_probe *p = &ps->p[i];

		if (!ps->used[i])
			continue;
		if (!p->done) {
			p->ms = (unsigned)(he_now_ms() - start);
			he_error_set(&p->err, -ETIMEDOUT, "%s: no answer within %d ms",
				     p->be->label, timeout);
		}
		p->be->probe_cleanup(p);
	}
	ps->total_ms = (unsigned)(he_now_ms() - start);
}

static int no_router_error(struct he_portmap *pm, const struct probe_set *ps, struct he_error *err)
{
	char msg[HE_ERR_MSG_MAX];
	size_t i, used = 0;

	msg[0] = '\0';
	for (i = 0; i < HE_PM_NPROTO; i++) {
		if (!ps->used[i])
			continue;
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", used ? "; " : "",
					 ps->p[i].err.msg);
		if (used >= sizeof(msg))
			break;
	}
	return he_error_set(err, -EHOSTUNREACH,
			    "the router %s answers no port-mapping protocol (%s) after %u ms: "
			    "turn on UPnP IGD or NAT-PMP/PCP in the router, or forward the "
			    "port by hand",
			    pm->gw_text, msg, ps->total_ms);
}

/* Probe and choose; fills pm->be. store: remember it as the automatic choice. */
int he_pm_discover(struct he_portmap *pm, struct he_error *err, bool store)
{
	enum he_pm_protocol order[HE_PM_NPROTO], chosen;
	struct probe_set ps;
	size_t n = enabled_order(pm, order);
	int ret;

	run_probes(pm, &ps, false);
	chosen = decided(&ps, order, n, true);
	if (chosen == HE_PM_NONE && ps.p[HE_PM_PCP - 1].natpmp_only &&
	    ps.used[HE_PM_NATPMP - 1] == false && !pm->opts.force)
		chosen = HE_PM_NATPMP;
	if (chosen == HE_PM_NONE && pm->opts.force == HE_PM_UPNP) {
		/* forced UPnP and no SSDP answer from the gateway: miniupnpc's search */
		pm->be = &he_pm_backend_upnp;
		pm->igd.location[0] = '\0';
		ret = pm->be->probe_finish(pm, NULL, err);
		if (ret < 0)
			return ret;
		chosen = HE_PM_UPNP;
	}
	if (chosen == HE_PM_NONE)
		return no_router_error(pm, &ps, err);
	pm->be = he_pm_backend_of(chosen);
	if (pm->be->probe_finish) {
		ret = pm->be->probe_finish(pm, &ps.p[chosen - 1], err);
		if (ret < 0)
			return ret;
	}
	if (ps.p[chosen - 1].have_epoch)
		he_pm_epoch_update(pm, chosen == HE_PM_PCP ? "pcp" : "natpmp",
				   ps.p[chosen - 1].epoch);
	if (store)
		he_pm_cache_store(pm);
	return 0;
}

/*
 * The backend for an IPv6 pinhole. On a PCP router that also offers UPnP's
 * WANIPv6FirewallControl, UPnP is preferred: a UPnP pinhole is deleted by its
 * own unique id, while a PCP delete is matched by internal port and nonce,
 * which miniupnpd 2.3.1 gets wrong once an IPv4 PCP mapping shares the
 * internal port (the pinhole then cannot be deleted before its lease ends).
 * A forced --protocol is respected. The answer is cached in the state.
 */
const struct he_portmap_backend *he_pm_v6_backend(struct he_portmap *pm)
{
	json_t *c = json_object_get(pm->sec, "probe");
	enum he_pm_protocol forced = pm->opts.force;
	struct probe_set ps;
	struct he_error e;
	bool ok;

	if (pm->be->id != HE_PM_PCP || forced)
		return pm->be;
	if (pm->igd.ready && pm->igd.control_url_6fc[0])
		return &he_pm_backend_upnp;
	if (json_is_true(json_object_get(c, "no_upnp6")))
		return pm->be;
	pm->opts.force = HE_PM_UPNP; /* probe UPnP alone */
	run_probes(pm, &ps, false);
	pm->opts.force = forced;
	he_error_clear(&e);
	ok = ps.p[HE_PM_UPNP - 1].answered &&
	     he_pm_backend_upnp.probe_finish(pm, &ps.p[HE_PM_UPNP - 1], &e) == 0 &&
	     pm->igd.control_url_6fc[0];
	if (json_is_object(c)) {
		if (ok)
			json_object_set_new(c, "upnp", igd_json(pm));
		else
			json_object_set_new(c, "no_upnp6", json_true());
	}
	if (ok)
		return &he_pm_backend_upnp;
	memset(&pm->igd, 0, sizeof(pm->igd));
	return pm->be;
}

/* ---- netcheck ---- */

int he_portmap_probe_all(const struct he_portmap_opts *opts, struct he_state *st,
			 struct he_pm_netcheck *out, struct he_error *err)
{
	enum he_pm_protocol order[HE_PM_NPROTO], chosen;
	struct he_pm_netcheck nc;
	struct probe_set ps;
	struct he_portmap *pm;
	uint64_t start = he_now_ms();
	size_t i, n;
	int ret;

	memset(&nc, 0, sizeof(nc));
	ret = he_pm_new(opts, st, &pm, err);
	if (ret < 0)
		return ret;
	snprintf(nc.gateway, sizeof(nc.gateway), "%s", pm->gw_text);
	snprintf(nc.ifname, sizeof(nc.ifname), "%s", pm->gw4.ifname);
	he_pm_local_addr(pm, AF_INET, nc.local_addr, sizeof(nc.local_addr), NULL);
	if (he_pm_need_v6(pm, NULL) == 0 || pm->have_gw6) {
		he_inaddr_str(AF_INET6, &pm->gw6.gw, nc.gateway6, sizeof(nc.gateway6));
		if (pm->have_global6)
			inet_ntop(AF_INET6, &pm->global6, nc.global6, sizeof(nc.global6));
	}
	run_probes(pm, &ps, true);
	n = enabled_order(pm, order);
	for (i = 0; i < HE_PM_NPROTO; i++) {
		struct he_pm_probe_info *pi = &nc.proto[i];
		struct he_pm_probe *p = &ps.p[i];
		uint64_t t0;

		pi->protocol = (enum he_pm_protocol)(i + 1);
		if (!ps.used[i]) {
			snprintf(pi->error, sizeof(pi->error), "not probed");
			continue;
		}
		pi->answered = p->answered;
		pi->ms = p->ms;
		if (!p->answered) {
			snprintf(pi->error, sizeof(pi->error), "%s", p->err.msg);
			continue;
		}
		pm->be = he_pm_backend_of((enum he_pm_protocol)(i + 1));
		t0 = he_now_ms();
		if (pm->be->probe_finish && pm->be->probe_finish(pm, p, &p->err) < 0) {
			pi->answered = false;
			snprintf(pi->error, sizeof(pi->error), "%s", p->err.msg);
			continue;
		}
		if (pm->be->id == HE_PM_UPNP)
			snprintf(pi->detail, sizeof(pi->detail), "IGDv%d %s", pm->igd.igd_version,
				 pm->igd.control_url);
		else if (p->have_epoch)
			snprintf(pi->detail, sizeof(pi->detail), "epoch %u s", p->epoch);
		if (!p->ext_addr[0])
			pm->be->external_address(pm, p->ext_addr, sizeof(p->ext_addr), NULL);
		pi->ms += (unsigned)(he_now_ms() - t0);
		snprintf(pi->ext_addr, sizeof(pi->ext_addr), "%s", p->ext_addr);
		if (pi->ext_addr[0]) {
			if (he_addr_class_str(pi->ext_addr, &pi->ext_class) < 0)
				pi->ext_class = HE_ADDR_RESERVED;
			he_addr_class_explain(pi->ext_class, pi->ext_addr, NULL, pi->explain,
					      sizeof(pi->explain));
		}
		if (p->have_epoch)
			he_pm_epoch_update(pm, i == 0 ? "pcp" : "natpmp", p->epoch);
	}
	chosen = decided(&ps, order, n, true);
	if (chosen != HE_PM_NONE && nc.proto[chosen - 1].answered) {
		pm->be = he_pm_backend_of(chosen);
		if (chosen != HE_PM_UPNP || pm->igd.ready) {
			he_pm_cache_store(pm);
			he_pm_save_state(pm, NULL);
		}
	}
	nc.total_ms = (unsigned)(he_now_ms() - start);
	he_portmap_close(pm);
	*out = nc;
	return 0;
}
