/* SPDX-License-Identifier: MIT */
/*
 * check.c - the reachability check chain (check.h): listener -> host
 * firewall -> router mapping -> addresses -> outside (reflector) -> DNS ->
 * hairpin, for each port, transport and family of the exposures asked for.
 */
#include "reach/check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/secret.h"
#include "firewall/firewall.h"
#include "net/route.h"
#include "portmap/portmap.h"
#include "publicip/publicip.h"
#include "reach/dnscheck.h"
#include "reach/hairpin.h"
#include "reach/listener.h"
#include "reach/reflector_client.h"
#include "state/state.h"

static const char *const step_names[HE_CHK_NSTEPS] = {"listener", "firewall", "router", "addresses",
						      "outside",  "dns",      "hairpin"};
static const char *const status_names[] = {"n/a", "pass", "warn", "fail"};
static const char *const reach_names[] = {"unproven", "reachable", "not reachable", "n/a"};

const char *he_check_step_name(int step)
{
	return step >= 0 && step < HE_CHK_NSTEPS ? step_names[step] : "?";
}

const char *he_check_status_name(enum he_check_status s)
{
	return (unsigned)s <= HE_CHK_FAIL ? status_names[s] : "?";
}

const char *he_check_reach_name(enum he_check_reach r)
{
	return (unsigned)r <= HE_CHK_IRRELEVANT ? reach_names[r] : "?";
}

/* What a target needs during the run only. */
struct priv {
	const struct he_exposure *e;
	char token[HE_RP_TOKEN_MAX + 1];
};

struct ctx {
	const struct he_config *cfg;
	struct he_check_opts opts;
	struct he_check_target *t;
	struct priv *p;
	size_t nt;
	char local4[HE_PM_ADDR_MAX], global6[HE_PM_ADDR_MAX];
	char wan4[HE_PM_ADDR_MAX];
	enum he_addr_class wan4_cls;
	char pub[2][HE_PM_ADDR_MAX]; /* what the outside sees, per family (0: v4) */
	struct he_state *st;         /* held only while the router / addresses are read */
	/* firewall */
	bool fw_done, fw_ok;
	struct he_fw_report fw;
	char fw_err[HE_ERR_MSG_MAX], fw_backend[16];
	/* router */
	bool pm_done, pm_ok, confirm_ok;
	struct he_pm_entry *ents, *rtr;
	size_t nents, nrtr;
	char pm_err[HE_ERR_MSG_MAX], pm_proto[16];
	/* publicip (when linked) */
	bool pubip_ok;
	struct he_pubip_report pubip;
};

static struct priv *P(struct ctx *c, const struct he_check_target *t)
{
	return &c->p[t - c->t];
}

static void state_lock(struct ctx *c)
{
	struct he_error err = {0};

	if (he_state_open(c->cfg->state_dir, HE_STATE_READ, 5000, &c->st, &err) < 0)
		c->st = NULL;
}

static void state_unlock(struct ctx *c)
{
	he_state_close(c->st);
	c->st = NULL;
}

static void set(struct he_check_line *l, enum he_check_status st, const char *fix, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
static void set(struct he_check_line *l, enum he_check_status st, const char *fix, const char *fmt,
		...)
{
	va_list ap;

	l->status = st;
	va_start(ap, fmt);
	vsnprintf(l->evidence, sizeof(l->evidence), fmt, ap);
	va_end(ap);
	snprintf(l->fix, sizeof(l->fix), "%s", fix ? fix : "");
}

static int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static const char *fam_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* The port the outside uses: the external port for IPv4, the service port for IPv6. */
static uint16_t outside_port(const struct he_check_target *t)
{
	return t->family == AF_INET6 ? t->in : t->ext;
}

/* ---- 1. listener ------------------------------------------------------- */

static void step_listener(struct ctx *c, struct he_check_target *t)
{
	struct he_listeners ls;
	struct he_listen_verdict v;
	struct he_error err = {0};
	struct he_check_line *l = &t->l[HE_CHK_LISTENER];

	if (*P(c, t)->e->to) {
		set(l, HE_CHK_NA, NULL, "the service runs on %s (to =), not on this host",
		    P(c, t)->e->to);
		return;
	}
	if (he_listeners_query(t->proto, t->in, &ls, &err) < 0) {
		set(l, HE_CHK_WARN, NULL, "cannot list sockets: %s", err.msg);
		return;
	}
	he_listener_classify(&ls, t->family, t->family == AF_INET6 ? c->global6 : c->local4, &v);
	set(l, v.ok ? HE_CHK_PASS : HE_CHK_FAIL, v.fix, "%s", v.evidence);
}

/* ---- 2. host firewall -------------------------------------------------- */

static void firewall_once(struct ctx *c, const struct he_exposures *all)
{
	struct he_fw_desired want = {0};
	struct he_firewall *fw = NULL;
	struct he_error err = {0};

	c->fw_done = true;
	for (size_t i = 0; all && i < all->n; i++)
		if (all->v[i].firewall &&
		    he_fw_desired_add_list(&want, all->v[i].name, &all->v[i].ports, &err) < 0)
			goto out;
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

static void step_firewall(struct ctx *c, struct he_check_target *t, const struct he_exposures *all)
{
	struct he_check_line *l = &t->l[HE_CHK_FIREWALL];
	char fix[400];

	if (*P(c, t)->e->to) {
		set(l, HE_CHK_NA, NULL, "the service runs on %s: its own firewall is not checked",
		    P(c, t)->e->to);
		return;
	}
	if (!c->fw_done)
		firewall_once(c, all);
	if (!c->fw_ok) {
		set(l, HE_CHK_WARN, NULL, "cannot inspect the host firewall: %s", c->fw_err);
		return;
	}
	for (size_t i = 0; i < c->fw.n_shadow; i++) {
		const struct he_fw_shadow *s = &c->fw.shadow[i];

		if (s->port != t->in || !(s->proto & t->proto) ||
		    !shadow_family_matches(s, t->family))
			continue;
		set(l, s->certain ? HE_CHK_FAIL : HE_CHK_WARN, s->fix,
		    "%u/%s %s dropped by %s table %s %s, chain %s (%s)", t->in,
		    he_proto_name(t->proto), s->certain ? "is" : "may be", s->owner, s->family,
		    s->table, s->chain, s->where);
		return;
	}
	for (size_t i = 0; P(c, t)->e->firewall && i < c->fw.n_missing; i++) {
		const struct he_fw_missing *m = &c->fw.missing[i];

		if (m->port != t->in || !(m->proto & t->proto))
			continue;
		snprintf(fix, sizeof(fix),
			 "run 'homeexpose open %s' again (or let the agent restore it)",
			 P(c, t)->e->name);
		set(l, HE_CHK_FAIL, fix, "homeexpose's %s rule for %u/%s is missing", c->fw_backend,
		    t->in, he_proto_name(t->proto));
		return;
	}
	if (P(c, t)->e->firewall)
		set(l, HE_CHK_PASS, NULL,
		    "%u/%s allowed by homeexpose's %s rules; nothing else drops it", t->in,
		    he_proto_name(t->proto), c->fw_backend);
	else
		set(l, HE_CHK_PASS, NULL,
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
	state_lock(c);
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
	/* PCP and NAT-PMP cannot list the router's table; UPnP can confirm. */
	if (he_portmap_protocol(pm) == HE_PM_UPNP) {
		c->confirm_ok = he_portmap_list_router(pm, &c->rtr, &c->nrtr, &err) == 0;
	} else {
		/*
		 * Without the state: its lock is not held while UPnP discovery
		 * waits out its timeout on a router without UPnP (the agent's
		 * renewals must not wait for a check).
		 */
		he_portmap_close(pm);
		pm = NULL;
		state_unlock(c);
		o.force = HE_PM_UPNP;
		if (he_portmap_open(&o, NULL, &up, &err) == 0)
			c->confirm_ok = he_portmap_list_router(up, &c->rtr, &c->nrtr, &err) == 0;
	}
out:
	he_portmap_close(up);
	he_portmap_close(pm);
	state_unlock(c);
}

static void step_router(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_ROUTER];
	const struct he_pm_entry *m = NULL;
	char fix[400], lease[64];

	if (!P(c, t)->e->router || !c->cfg->router_enabled) {
		set(l, HE_CHK_NA, NULL,
		    "the router is not handled for this exposure (router = no)");
		return;
	}
	if (t->family == AF_INET6 && !*c->global6) {
		set(l, HE_CHK_NA, NULL, "no global IPv6 address: no pinhole to check");
		return;
	}
	if (!c->pm_done)
		router_once(c);
	if (!c->pm_ok) {
		set(l, HE_CHK_FAIL, "check that the router has UPnP or NAT-PMP/PCP enabled",
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
		set(l, HE_CHK_FAIL, fix, "no %s %s for %u/%s is recorded",
		    t->family == AF_INET6 ? "IPv6 pinhole" : "port mapping",
		    t->family == AF_INET6 ? "" : "on the router", outside_port(t),
		    he_proto_name(t->proto));
		return;
	}
	if (m->lease_remaining < 0) {
		set(l, HE_CHK_FAIL, fix,
		    "the %s mapping for %u/%s is gone from the router or its lease ran out",
		    he_pm_protocol_name(m->protocol), outside_port(t), he_proto_name(t->proto));
		return;
	}
	if (t->family == AF_INET && !*P(c, t)->e->to && *c->local4 &&
	    strcmp(m->client, c->local4)) {
		set(l, HE_CHK_FAIL, fix, "the mapping %u/%s points to %s, not to this host (%s)",
		    t->ext, he_proto_name(t->proto), m->client, c->local4);
		return;
	}
	if (t->family == AF_INET && c->confirm_ok) {
		bool found = false;

		for (size_t i = 0; i < c->nrtr; i++)
			if (c->rtr[i].ext_port == t->ext && c->rtr[i].proto == t->proto &&
			    c->rtr[i].family == AF_INET)
				found = true;
		if (!found) {
			set(l, HE_CHK_FAIL, fix,
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
		set(l, HE_CHK_PASS, NULL, "%s pinhole [%s]:%u/%s, %s",
		    he_pm_protocol_name(m->protocol), m->client, t->in, he_proto_name(t->proto),
		    lease);
	else
		set(l, HE_CHK_PASS, NULL, "%s %s:%u/%s -> %s:%u, %s%s",
		    he_pm_protocol_name(m->protocol), *c->wan4 ? c->wan4 : "?", t->ext,
		    he_proto_name(t->proto), m->client, m->int_port, lease,
		    c->confirm_ok ? " (seen in the router's table)" : "");
}

/* ---- 4. addresses ------------------------------------------------------ */

static void pubip_once(struct ctx *c)
{
	struct he_pubip_opts o;
	struct he_error err = {0};
	bool router = false;

	/* only where the router path is in use: the sources talk to the network */
	for (size_t i = 0; i < c->nt; i++)
		router = router || (c->p[i].e->router && c->cfg->router_enabled);
	if (!router)
		return;
	/*
	 * The router's WAN address and the reflector's view are checked anyway;
	 * the outside sources are asked only when configured explicitly, so a
	 * check never waits on the built-in public servers (or their names).
	 */
	he_pubip_opts_from_config(c->cfg, &o);
	o.use_stun = o.use_stun && *c->cfg->stun_servers;
	o.use_http = o.use_http && *c->cfg->http_urls;
	if (!c->opts.pubip_sources || (!o.use_stun && !o.use_http))
		return;
	state_lock(c);
	c->pubip_ok = he_pubip_detect(c->cfg, &o, c->st, &c->pubip, &err) == 0;
	state_unlock(c);
}

static void step_addr(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_ADDRESSES];
	const char *seen = c->pub[fam_idx(t->family)];
	char why[HE_ERR_MSG_MAX];

	if (t->family == AF_INET6) {
		if (!*c->global6)
			set(l, HE_CHK_NA, NULL, "no global IPv6 address on this host");
		else if (*seen && strcmp(seen, c->global6))
			set(l, HE_CHK_WARN, NULL,
			    "the reflector saw %s, not this host's global IPv6 %s (NPTv6 or a "
			    "proxy in between)",
			    seen, c->global6);
		else
			set(l, HE_CHK_PASS, NULL, "global IPv6 address %s", c->global6);
		return;
	}
	if (c->pubip_ok && c->pubip.nat != HE_PUBIP_NAT_NONE &&
	    c->pubip.nat != HE_PUBIP_NAT_UNKNOWN) {
		set(l, HE_CHK_FAIL, c->pubip.verdict, "%s: router WAN %s, public %s",
		    he_pubip_nat_name(c->pubip.nat), c->pubip.router_wan, c->pubip.v4);
		return;
	}
	if (*c->wan4 && c->wan4_cls != HE_ADDR_PUBLIC) {
		he_addr_class_explain(c->wan4_cls, c->wan4, NULL, why, sizeof(why));
		set(l, HE_CHK_FAIL, why, "the router's WAN address %s is %s%s%s", c->wan4,
		    he_addr_class_name(c->wan4_cls), *seen ? "; the outside sees " : "", seen);
		return;
	}
	if (*c->wan4 && *seen && strcmp(seen, c->wan4)) {
		set(l, HE_CHK_FAIL,
		    "another NAT sits in front of the router: forward the port there too, or ask "
		    "the ISP for a public address",
		    "the router's WAN address is %s but the outside sees %s (double NAT)", c->wan4,
		    seen);
		return;
	}
	if (*c->wan4)
		set(l, HE_CHK_PASS, NULL, "the router's WAN address %s is public%s", c->wan4,
		    *seen ? " and is what the outside sees" : "");
	else if (*seen)
		set(l, HE_CHK_PASS, NULL, "the outside sees %s", seen);
	else
		set(l, HE_CHK_NA, NULL,
		    "public IPv4 address not known (no router answer, no reflector)");
}

/* ---- 5. outside -------------------------------------------------------- */

/*
 * [reflector] url holds one or more URLs: the first usable over family (an
 * IPv4 literal only for IPv4, [IPv6] only for IPv6, a name for both).
 */
static bool pick_url(const char *urls, int family, char *out, size_t len)
{
	const char *p = urls;

	while (*p) {
		size_t n;
		const char *host;
		bool v6lit, v4lit;
		unsigned a, b, cc, d;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			break;
		snprintf(out, len, "%.*s", (int)n, p);
		p += n;
		host = strstr(out, "://");
		host = host ? host + 3 : out;
		v6lit = host[0] == '[';
		v4lit = sscanf(host, "%u.%u.%u.%u", &a, &b, &cc, &d) == 4;
		if ((family == AF_INET && !v6lit) || (family == AF_INET6 && !v4lit))
			return true;
	}
	return false;
}

static void outside_family(struct ctx *c, int family, const void *key, size_t keylen)
{
	char url[HE_URL_MAX];
	struct he_reflector_client rc = {
	    .url = url, .key = key, .keylen = keylen, .family = family};
	size_t idx[HE_RP_PROBES_MAX];
	int catch_fd[HE_RP_PROBES_MAX];
	size_t i = 0;

	if (!pick_url(c->cfg->reflector_url, family, url, sizeof(url))) {
		for (size_t k = 0; k < c->nt; k++)
			if (c->t[k].family == family)
				set(&c->t[k].l[HE_CHK_OUTSIDE], HE_CHK_NA,
				    "add an URL with a name or an address of this family",
				    "no reflector URL usable over %s in [reflector] url",
				    fam_name(family));
		return;
	}

	while (i < c->nt) {
		struct he_rp_request req;
		struct he_rp_response resp;
		struct he_error err = {0};
		int ret;

		if (he_rp_request_init(&req, &err) < 0)
			return;
		for (; i < c->nt && req.n < HE_RP_PROBES_MAX; i++) {
			struct he_check_target *t = &c->t[i];
			struct he_rp_probe *p;

			if (t->family != family)
				continue;
			p = &req.v[req.n];
			catch_fd[req.n] = -1;
			idx[req.n++] = i;
			p->proto = t->proto;
			p->port = outside_port(t);
			if (t->proto == HE_PROTO_UDP) {
				he_rp_random_hex(P(c, t)->token, 24, &err);
				snprintf(p->token, sizeof(p->token), "%s", P(c, t)->token);
				/* a free port can be listened on to see the datagram arrive */
				catch_fd[req.n - 1] =
				    *P(c, t)->e->to ? -1 : he_udp_catch_open(family, t->in, &err);
			}
		}
		if (req.n == 0)
			break;
		ret = he_reflector_query(&rc, &req, &resp, &err);
		for (size_t k = 0; k < req.n; k++) {
			struct he_check_target *t = &c->t[idx[k]];
			struct he_check_line *l = &t->l[HE_CHK_OUTSIDE];
			const struct he_rp_item *it = ret == 0 && k < resp.n ? &resp.v[k] : NULL;
			const char *via = resp.source;

			if (ret < 0) {
				set(l,
				    ret == -ENETUNREACH && family == AF_INET6 ? HE_CHK_NA
									      : HE_CHK_WARN,
				    NULL, "%s", err.msg);
			} else if (!it) {
				set(l, HE_CHK_WARN, NULL,
				    "the reflector did not answer for this port");
			} else if (it->result == HE_RP_OPEN) {
				set(l, HE_CHK_PASS, NULL,
				    "the reflector connected to %s%s%s:%u/tcp: %s%s%s",
				    family == AF_INET6 ? "[" : "", via,
				    family == AF_INET6 ? "]" : "", it->port, it->detail,
				    *it->tls ? "; " : "", it->tls);
			} else if (it->result == HE_RP_REPLY) {
				set(l, HE_CHK_PASS, NULL,
				    "the reflector's datagram to %s port %u/udp was answered: %s",
				    via, it->port, it->detail);
			} else if (it->result == HE_RP_SENT && catch_fd[k] >= 0 &&
				   he_udp_catch_wait(catch_fd[k], P(c, t)->token, 1500)) {
				set(l, HE_CHK_PASS, NULL,
				    "the reflector's datagram to %s port %u/udp arrived here", via,
				    it->port);
			} else if (it->result == HE_RP_SENT) {
				set(l, HE_CHK_WARN,
				    "make the service answer, or stop it briefly and run check "
				    "again",
				    "unknown: a datagram was sent to %s port %u/udp; the service "
				    "did not "
				    "answer and its port is busy, so arrival cannot be confirmed",
				    via, it->port);
			} else {
				set(l, HE_CHK_FAIL, "see the first failing step above",
				    "the reflector could not reach %s%s%s:%u/%s: %s (%s)",
				    family == AF_INET6 ? "[" : "", via,
				    family == AF_INET6 ? "]" : "", it->port,
				    he_proto_name(it->proto), he_rp_result_name(it->result),
				    it->detail);
			}
			if (catch_fd[k] >= 0)
				close(catch_fd[k]);
		}
		if (ret == 0)
			snprintf(c->pub[fam_idx(family)], sizeof(c->pub[0]), "%s", resp.source);
	}
}

static void step_outside(struct ctx *c)
{
	char *key = NULL;
	size_t keylen = 0;
	struct he_error err = {0};
	const char *why = NULL;

	if (!*c->cfg->reflector_url)
		why = "no reflector configured ([reflector] url): reachability from outside is not "
		      "proven";
	else if (*c->cfg->reflector_key_file &&
		 he_secret_read(c->cfg->reflector_key_file, &key, &keylen, &err) < 0)
		why = err.msg;
	for (size_t i = 0; why && i < c->nt; i++)
		set(&c->t[i].l[HE_CHK_OUTSIDE], HE_CHK_NA,
		    "run 'homeexpose reflector' on a host outside this network and set [reflector] "
		    "url",
		    "%s", why);
	if (why)
		return;
	outside_family(c, AF_INET, key, keylen);
	if (*c->global6)
		outside_family(c, AF_INET6, key, keylen);
	for (size_t i = 0; i < c->nt; i++)
		if (c->t[i].family == AF_INET6 && !*c->global6)
			set(&c->t[i].l[HE_CHK_OUTSIDE], HE_CHK_NA, NULL,
			    "no global IPv6 address on this host");
	he_secret_free(key);
}

/* ---- 6. DNS, 7. hairpin ------------------------------------------------ */

static void step_dns(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_DNS];
	const char *want = t->family == AF_INET6 ? c->global6 : c->pub[0];
	const char *rr = t->family == AF_INET6 ? "AAAA" : "A";
	unsigned checked = 0;

	if (t->family == AF_INET && !*want && *c->wan4 && c->wan4_cls == HE_ADDR_PUBLIC)
		want = c->wan4;
	if (t->family == AF_INET && !*want && c->pubip_ok)
		want = c->pubip.v4;
	for (unsigned i = 0; i < c->cfg->nddns; i++) {
		const struct he_ddns_record *d = &c->cfg->ddns[i];
		struct he_dns_answer a;
		struct he_error err = {0};
		char fix[400];

		if (!*d->hostname || (*d->families && !strstr(d->families, rr)) ||
		    (t->family == AF_INET && *d->families && !strcmp(d->families, "AAAA")))
			continue;
		checked++;
		snprintf(fix, sizeof(fix), "run 'homeexpose ddns update %s' and check the provider",
			 d->name);
		if (!*want) {
			set(l, HE_CHK_WARN, NULL,
			    "%s: the current %s address is unknown, cannot compare", d->hostname,
			    fam_name(t->family));
			return;
		}
		if (he_dns_resolve(d->hostname, &a, &err) < 0) {
			set(l, HE_CHK_FAIL, fix, "%s", err.msg);
			return;
		}
		if (!he_dns_has(&a, want)) {
			set(l, HE_CHK_FAIL, fix, "%s has no %s record for %s (it has %s)",
			    d->hostname, rr, want,
			    t->family == AF_INET6 ? (a.n6 ? a.v6[0] : "none")
						  : (a.n4 ? a.v4[0] : "none"));
			return;
		}
	}
	if (!checked)
		set(l, HE_CHK_NA, NULL, "no dynamic-DNS name for %s configured", rr);
	else
		set(l, HE_CHK_PASS, NULL, "%u name%s resolve%s to %s", checked,
		    checked == 1 ? "" : "s", checked == 1 ? "s" : "", want);
}

static void step_hairpin(struct ctx *c, struct he_check_target *t)
{
	struct he_check_line *l = &t->l[HE_CHK_HAIRPIN];
	const char *pub = *c->pub[0] ? c->pub[0] : c->wan4;
	char detail[160];
	enum he_rp_result r;

	if (t->family == AF_INET6) {
		set(l, HE_CHK_NA, NULL, "IPv6 has no NAT: nothing to loop back");
		return;
	}
	if (!*pub) {
		set(l, HE_CHK_NA, NULL, "public address unknown");
		return;
	}
	r = he_hairpin_probe(pub, t->ext, t->proto, 1000, detail, sizeof(detail));
	if (r == HE_RP_OPEN || r == HE_RP_REPLY)
		set(l, HE_CHK_PASS, NULL, "%s:%u from inside works (%s)", pub, t->ext, detail);
	else
		set(l, HE_CHK_WARN,
		    "information only: many routers lack NAT loopback; at home use the LAN "
		    "address or a local DNS override",
		    "%s:%u from inside does not work (%s)", pub, t->ext, detail);
}

/* ---- driver ------------------------------------------------------------ */

static size_t add_targets(struct ctx *c, size_t cap, const struct he_exposure *e, bool v6)
{
	static const unsigned protos[] = {HE_PROTO_TCP, HE_PROTO_UDP};
	size_t n = c->nt;

	for (size_t i = 0; i < e->ports.n; i++)
		for (size_t p = 0; p < 2; p++)
			for (int f = 0; f < 2; f++) {
				struct he_check_target *t = &c->t[n];

				if (!(e->ports.v[i].proto & protos[p]) || n >= cap)
					continue;
				if ((f == 0 && !strcmp(e->family, "ipv6")) ||
				    (f == 1 && (!strcmp(e->family, "ipv4") || !v6)))
					continue;
				memset(t, 0, sizeof(*t));
				memset(&c->p[n], 0, sizeof(c->p[n]));
				c->p[n].e = e;
				snprintf(t->name, sizeof(t->name), "%s", e->name);
				t->ext = e->ports.v[i].ext;
				t->in = e->ports.v[i].in;
				t->proto = protos[p];
				t->family = f ? AF_INET6 : AF_INET;
				n++;
			}
	return n;
}

/*
 * The first failing step; but when the addresses fail (CGNAT, double NAT) a
 * failing router step is only its consequence: no mapping can help then.
 */
static int first_broken(const struct he_check_target *t)
{
	for (int s = 0; s < HE_CHK_HAIRPIN; s++)
		if (t->l[s].status == HE_CHK_FAIL)
			return s == HE_CHK_ROUTER && t->l[HE_CHK_ADDRESSES].status == HE_CHK_FAIL
				   ? HE_CHK_ADDRESSES
				   : s;
	return -1;
}

static void verdicts(struct he_check_result *r)
{
	bool all = r->n > 0, any = false;

	for (size_t i = 0; i < r->n; i++) {
		struct he_check_target *t = &r->v[i];
		enum he_check_status out = t->l[HE_CHK_OUTSIDE].status;

		t->broken = first_broken(t);
		if (out == HE_CHK_PASS)
			t->reach = HE_CHK_REACHABLE;
		else if (out == HE_CHK_NA && t->family == AF_INET6 && t->broken < 0)
			t->reach =
			    HE_CHK_IRRELEVANT; /* no global address, no reflector over IPv6 */
		else if (t->broken >= 0)
			t->reach = HE_CHK_UNREACHABLE;
		else
			t->reach = HE_CHK_UNPROVEN;
		/* as before: IPv6 may be n/a (no global address, reflector without IPv6) */
		if (out == HE_CHK_PASS)
			any = true;
		else if (out != HE_CHK_NA || t->family == AF_INET)
			all = false;
	}
	r->reachable = all && any;
}

enum he_check_reach he_check_exposure_verdict(const struct he_check_result *r, const char *name,
					      const struct he_check_target **first)
{
	bool seen = false, any = false, all = true;

	if (first)
		*first = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct he_check_target *t = &r->v[i];

		if (strcmp(t->name, name) != 0)
			continue;
		seen = true;
		if (t->reach == HE_CHK_UNREACHABLE) {
			if (first)
				*first = t;
			return HE_CHK_UNREACHABLE;
		}
		any = any || t->reach == HE_CHK_REACHABLE;
		all = all && (t->reach == HE_CHK_REACHABLE || t->reach == HE_CHK_IRRELEVANT);
	}
	if (!seen)
		return HE_CHK_IRRELEVANT;
	return all && any ? HE_CHK_REACHABLE : HE_CHK_UNPROVEN;
}

int he_check_run_chain(const struct he_config *cfg, const struct he_check_opts *opts,
		       const struct he_exposure *list, size_t n, const struct he_exposures *all,
		       struct he_check_result *out, struct he_error *err)
{
	struct ctx c = {.cfg = cfg};
	struct he_route_info ri;
	struct in6_addr a6;
	struct he_error e2 = {0};
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	out->started = (int64_t)time(NULL);
	out->reflector = *cfg->reflector_url != '\0';
	if (opts)
		c.opts = *opts;
	if (he_route_default(AF_INET, &ri, &e2) == 0 && ri.has_src)
		he_inaddr_str(AF_INET, &ri.src, c.local4, sizeof(c.local4));
	if (he_net_global_ipv6(0, &a6, &e2) == 0)
		inet_ntop(AF_INET6, &a6, c.global6, sizeof(c.global6));
	for (size_t i = 0; i < n; i++)
		cap += list[i].ports.n * 4;
	c.t = calloc(cap ? cap : 1, sizeof(*c.t));
	c.p = calloc(cap ? cap : 1, sizeof(*c.p));
	if (!c.t || !c.p) {
		free(c.t);
		free(c.p);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		c.nt = add_targets(&c, cap, &list[i], *c.global6 != '\0');
	for (size_t i = 0; i < c.nt; i++) {
		step_listener(&c, &c.t[i]);
		step_firewall(&c, &c.t[i], all);
		step_router(&c, &c.t[i]);
	}
	pubip_once(&c);
	step_outside(&c);
	for (size_t i = 0; i < c.nt; i++) {
		step_addr(&c, &c.t[i]);
		step_dns(&c, &c.t[i]);
		step_hairpin(&c, &c.t[i]);
	}
	he_fw_report_free(&c.fw);
	free(c.ents);
	free(c.rtr);
	free(c.p);
	out->v = c.t;
	out->n = c.nt;
	verdicts(out);
	out->finished = (int64_t)time(NULL);
	return 0;
}

void he_check_result_free(struct he_check_result *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
