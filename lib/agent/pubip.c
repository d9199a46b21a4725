/* SPDX-License-Identifier: MIT */
/*
 * pubip.c - the agent's public address step and the DNS step after it.
 *
 * Events (a router announcement, an address or route change, the start) run
 * the quick check: the router's external address and the interfaces
 * (lib/publicip with STUN and HTTP off) - no request leaves the LAN, so a
 * steady state with an announcing router sends nothing outside. The outside
 * services (STUN, HTTP) are asked every outside-check-interval, and on an
 * event only when the router cannot tell (CGNAT, double NAT, no router) and
 * the last outside check is at least that old. Then lib/ddns brings every
 * record up to date (it sends nothing for an address a provider already
 * accepted) and the retry time of any record waiting is armed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_internal.h"
#include "publicip/publicip.h"
#include "state/state.h"
#include "core/portspec.h"

static void address_seen(struct he_agent *a, char *mine, size_t len, const char *now_addr,
			 const char *what)
{
	if (!now_addr[0] || strcmp(mine, now_addr) == 0)
		return;
	if (mine[0]) {
		a->m.pubip_changes++;
		a->pub_changed_at = (int64_t)time(NULL);
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "publicip",
			     "public %s address changed: %s -> %s", what, mine, now_addr);
	} else {
		he_agent_log(a, HE_AGENT_LOG_INFO, "publicip", "public %s address: %s", what,
			     now_addr);
	}
	snprintf(mine, len, "%s", now_addr);
}

/* Which families the DNS records want (bit 1 A, bit 2 AAAA). */
static unsigned ddns_families(const struct he_config *cfg)
{
	unsigned want = 0;

	for (unsigned i = 0; i < cfg->nddns; i++)
		want |= he_ddns_families(&cfg->ddns[i]);
	return want;
}

static void ddns_metrics(struct he_agent *a, struct he_state *st)
{
	struct he_ddns_status *s = calloc(HE_DDNS_RESULTS_MAX, sizeof(*s));
	struct he_error err = {0};
	size_t n = 0;

	if (!s)
		return;
	a->m.nddns = 0;
	if (he_ddns_status_get(&a->cfg, st, NULL, s, HE_DDNS_RESULTS_MAX, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			struct he_metrics_ddns *d = NULL;

			for (size_t k = 0; k < a->m.nddns && !d; k++)
				if (!strcmp(a->m.ddns[k].record, s[i].record))
					d = &a->m.ddns[k];
			if (!d) {
				if (a->m.nddns >= HE_DDNS_MAX)
					continue;
				d = &a->m.ddns[a->m.nddns++];
				memset(d, 0, sizeof(*d));
				snprintf(d->record, sizeof(d->record), "%s", s[i].record);
			}
			if (s[i].accepted_at > d->last_success)
				d->last_success = s[i].accepted_at;
		}
	}
	free(s);
}

/* lib/ddns over the report; returns the earliest retry time (0: none). */
static time_t ddns_step(struct he_agent *a, struct he_state *st, const struct he_pubip_report *rep)
{
	struct he_ddns_result *res = calloc(HE_DDNS_RESULTS_MAX, sizeof(*res));
	struct he_ddns_opts o = {.now = time(NULL)};
	struct he_error err = {0};
	time_t next = 0;
	size_t n = 0;

	if (!res)
		return 0;
	if (he_ddns_run(&a->cfg, st, rep, &o, res, HE_DDNS_RESULTS_MAX, &n, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_DDNS, "ddns: %s", err.msg);
		goto out;
	}
	if (he_state_save(st, &err) < 0)
		he_agent_fail(a, HE_AGENT_ERR_DDNS, "ddns: %s", err.msg);
	for (size_t i = 0; i < n; i++) {
		const struct he_ddns_result *r = &res[i];
		const char *fam = he_family_rr(r->family);

		if (r->next_attempt && (!next || r->next_attempt < next))
			next = r->next_attempt;
		if (he_ddns_result_failed(r)) {
			if (r->action == HE_DDNS_SENT || r->action == HE_DDNS_ERROR ||
			    r->action == HE_DDNS_DISABLED) {
				struct he_metrics_ddns *d = NULL;

				for (size_t k = 0; k < a->m.nddns && !d; k++)
					if (!strcmp(a->m.ddns[k].record, r->record))
						d = &a->m.ddns[k];
				if (d)
					d->failures++;
				he_agent_fail(a, HE_AGENT_ERR_DDNS, "ddns %s %s: %s", r->record,
					      fam, r->message);
			}
		} else if (r->action == HE_DDNS_SENT) {
			a->m.ddns_updates++;
			he_agent_log(a, HE_AGENT_LOG_NOTICE, "ddns", "%s %s -> %s: %s (%s)",
				     r->record, fam, r->addr, r->answer.code, r->message);
		} else {
			he_agent_log(a, HE_AGENT_LOG_DEBUG, "ddns", "%s %s: %s", r->record, fam,
				     r->message);
		}
	}
	ddns_metrics(a, st);
out:
	free(res);
	return next;
}

static bool router_public(const struct he_pubip_report *rep)
{
	return rep->v4[0] != '\0';
}

/* Did an answer of this kind give the published IPv4 address? */
static bool v4_from(const struct he_pubip_report *rep, enum he_pubip_kind kind)
{
	for (size_t i = 0; i < rep->nanswers; i++) {
		const struct he_pubip_answer *x = &rep->answers[i];

		if (x->kind == kind && x->family == AF_INET && x->rc == 0 &&
		    strcmp(x->addr, rep->v4) == 0)
			return true;
	}
	return false;
}

static void set_mode(struct he_agent *a, enum he_agent_evmode m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_mode(struct he_agent *a, enum he_agent_evmode m, const char *fmt, ...)
{
	char why[sizeof(a->evwhy)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (m != a->evmode || strcmp(why, a->evwhy) != 0)
		he_agent_log(a, HE_AGENT_LOG_INFO, "publicip", "address changes: %s (%s)",
			     he_agent_evmode_name(m), why);
	a->evmode = m;
	snprintf(a->evwhy, sizeof(a->evwhy), "%s", why);
	a->m.evmode = he_agent_evmode_name(m);
	a->m.poll_interval = m == HE_EV_POLL ? a->cfg.poll_interval : 0;
	if (m == HE_EV_ANNOUNCE)
		he_agent_rpoll_start(a); /* miniupnpd without UPnP does not announce */
	else
		he_agent_rpoll_stop(a);
	if (m != HE_EV_POLL)
		he_loop_timer_arm(a->t_poll, 0);
	else if (he_loop_timer_remaining(a->t_poll) == UINT64_MAX)
		he_loop_timer_arm(a->t_poll, (uint64_t)a->cfg.poll_interval * 1000u);
}

/*
 * How will the agent hear of the next change? The router's announcements or
 * UPnP events when the router's own address is the public one; netlink when
 * this host holds it; otherwise a poll every poll-interval.
 */
static void decide_mode(struct he_agent *a, const struct he_pubip_report *rep)
{
	unsigned caps = he_pm_protocol_caps(a->protocol);

	if (!rep->v4[0])
		set_mode(a, HE_EV_POLL, "no public IPv4 address known yet");
	else if (v4_from(rep, HE_PUBIP_IFACE))
		set_mode(a, HE_EV_NETLINK, "this host holds the public address %s", rep->v4);
	else if (v4_from(rep, HE_PUBIP_ROUTER) && (caps & HE_PM_CAP_EPOCH))
		set_mode(a, HE_EV_ANNOUNCE,
			 "the router %s announces over %s; asked on the LAN twice a second too",
			 a->gateway, he_pm_protocol_name(a->protocol));
	else if (v4_from(rep, HE_PUBIP_ROUTER) && he_agent_gena_active(a))
		set_mode(a, HE_EV_UPNP, "subscribed to the router %s's UPnP events", a->gateway);
	else if (v4_from(rep, HE_PUBIP_ROUTER) && he_agent_gena_unheard(a)) {
		char r[HE_PM_ADDR_MAX];
		uint16_t port = he_agent_gena_port(a, r, sizeof(r));

		set_mode(a, HE_EV_POLL,
			 "subscribed to the router's UPnP events, but none arrived yet: does a "
			 "firewall on this host drop %s to TCP port %u?",
			 r, (unsigned)port);
	} else if (v4_from(rep, HE_PUBIP_ROUTER))
		set_mode(a, HE_EV_POLL, "the router %s sends no events", a->gateway);
	else if (rep->router_wan[0])
		set_mode(a, HE_EV_POLL,
			 "the router's address %s is not the public one (another NAT in front)",
			 rep->router_wan);
	else
		set_mode(a, HE_EV_POLL,
			 "no router protocol answers and no interface holds "
			 "the public address");
}

void he_agent_pubip_pass(struct he_agent *a, bool outside)
{
	struct he_pubip_report *rep = calloc(1, sizeof(*rep));
	struct he_pubip_opts po;
	struct he_state *st = NULL;
	struct he_error err = {0};
	unsigned want = ddns_families(&a->cfg);
	int64_t now = (int64_t)time(NULL);
	time_t next;

	if (!rep)
		return;
	if (he_agent_lock_state(a, a->t_pubq, &st) < 0)
		goto out;
	he_pubip_opts_from_config(&a->cfg, &po);
	/* without DNS records, the IPv4 address is still followed (metrics, status) */
	po.want_v4 = !want || (want & 1);
	po.want_v6 = !want || (want & 2);
	if (a->router_absent)
		po.use_router = false; /* probed: nothing answers (an announcement probes again) */
	if (!outside) {
		po.use_stun = false;
		po.use_http = false;
	}
	if (he_pubip_detect(&a->cfg, &po, st, rep, &err) < 0) {
		he_agent_fail(a, HE_AGENT_ERR_PUBLICIP, "public address: %s", err.msg);
		goto out;
	}
	if (!outside && po.want_v4 && !router_public(rep) && a->cfg.nddns) {
		bool router_nat = rep->router_wan[0] != '\0'; /* answered: not public */
		bool due = !a->last_outside ||
			   now - a->last_outside >= (int64_t)a->cfg.outside_check_interval;

		if ((router_nat || !po.use_router) && due) {
			/* the router cannot tell (CGNAT, double NAT, no router): ask outside */
			he_state_close(st);
			st = NULL;
			free(rep);
			he_agent_pubip_pass(a, true);
			return;
		}
		if (!router_nat && po.use_router && a->pubq_retries < 5) {
			/* the router did not answer (its WAN is changing?): ask it again soon;
			 * it also announces its new address when it has one */
			a->pubq_retries++;
			he_loop_timer_arm_before(a->t_pubq, 1000u * a->pubq_retries);
			goto out;
		}
	}
	a->pubq_retries = 0;
	if (outside) {
		a->m.outside_checks++;
		a->last_outside = now;
		he_loop_timer_arm(a->t_pubip, (uint64_t)a->cfg.outside_check_interval * 1000u);
	}
	if (strcmp(a->verdict, rep->verdict) != 0) {
		snprintf(a->verdict, sizeof(a->verdict), "%s", rep->verdict);
		if (rep->verdict[0])
			he_agent_log(a, HE_AGENT_LOG_WARNING, "publicip", "%s", rep->verdict);
	}
	if (po.want_v4)
		decide_mode(a, rep);
	address_seen(a, a->pub4, sizeof(a->pub4), rep->v4, "IPv4");
	address_seen(a, a->pub6, sizeof(a->pub6), rep->v6, "IPv6");
	if (a->cfg.nddns) {
		next = ddns_step(a, st, rep);
		if (next)
			he_loop_timer_arm(a->t_pubq,
					  (uint64_t)(next > now ? next - now : 1) * 1000u);
	}
	a->last_error[HE_AGENT_ERR_PUBLICIP][0] = '\0';
out:
	he_state_close(st);
	free(rep);
	he_agent_metrics_flush(a);
}

void he_agent_pubip_poll(struct he_agent *a)
{
	struct he_pubip_report *rep = calloc(1, sizeof(*rep));
	struct he_config *cfg = malloc(sizeof(*cfg));
	struct he_pubip_opts po;
	struct he_error err = {0};
	char *sp;

	if (!rep || !cfg)
		goto out;
	he_loop_timer_arm(a->t_poll, (uint64_t)a->cfg.poll_interval * 1000u);
	*cfg = a->cfg;
	/* the first STUN server only, once: the cheapest outside question there is */
	sp = strchr(cfg->stun_servers, ' ');
	if (sp)
		*sp = '\0';
	he_pubip_opts_from_config(cfg, &po);
	po.want_v6 = false;
	po.use_router = po.use_iface = false;
	po.required = 1;
	if (po.use_stun)
		po.use_http = false;
	a->m.polls++;
	if (he_pubip_detect(cfg, &po, NULL, rep, &err) < 0 || !rep->v4[0]) {
		he_agent_log(a, HE_AGENT_LOG_DEBUG, "publicip", "poll: no answer%s%s",
			     err.msg[0] ? ": " : "", err.msg);
		goto out;
	}
	if (strcmp(rep->v4, a->pub4) != 0) {
		he_agent_log(a, HE_AGENT_LOG_INFO, "publicip",
			     "poll: the outside sees %s (was %s): checking", rep->v4,
			     a->pub4[0] ? a->pub4 : "unknown");
		he_agent_pubip_pass(a, true);
	}
out:
	free(cfg);
	free(rep);
}
