/* SPDX-License-Identifier: MIT */
/* agent.c - the agent's life: set-up, events, timers, reload, stop. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "agent/announce.h"
#include "agent/connset.h"
#include "core/clock.h"
#include "net/route.h"
#include "state/state.h"

#define NET_SETTLE_MS      150 /* let a burst of address/route messages settle */
#define FW_SETTLE_MS       100 /* let an nft transaction's messages settle */
#define METRICS_REFRESH_MS 60000
#define CTL_CONN_MAX       64   /* control connections at once (the socket is 0666) */
#define METRICS_CONN_MAX   16   /* metrics scrapes at once */
#define CONN_TIMEOUT_MS    5000 /* a control or metrics connection's whole life */

void he_agent_log(struct he_agent *a, enum he_agent_level lvl, const char *kind, const char *fmt,
		  ...)
{
	char msg[HE_ERR_MSG_MAX * 2];
	va_list ap;

	if (!a->cb.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->cb.log(a->cb.ctx, lvl, kind, msg);
}

void he_agent_fail(struct he_agent *a, enum he_agent_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->last_error[kind], sizeof(a->last_error[kind]), fmt, ap);
	va_end(ap);
	a->m.errors[kind]++;
	he_agent_log(a, HE_AGENT_LOG_ERR, he_agent_err_kind_name(kind), "%s", a->last_error[kind]);
}

void he_agent_set_status(struct he_agent *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	if (!a->opts.no_notify)
		sd_notifyf(0, "STATUS=%s", a->status);
}

static void update_status(struct he_agent *a)
{
	char ev[48] = "";

	if (a->evmode == HE_EV_POLL)
		snprintf(ev, sizeof(ev), "; polling every %u s", a->cfg.poll_interval);
	else if (a->evmode != HE_EV_UNKNOWN)
		snprintf(ev, sizeof(ev), "; changes by %s", he_agent_evmode_name(a->evmode));
	he_agent_set_status(a, "%zu exposure%s, %zu router mapping%s (%s), firewall %s%s%s%s",
			    a->ex.n, a->ex.n == 1 ? "" : "s", a->obs.nmaps,
			    a->obs.nmaps == 1 ? "" : "s",
			    a->protocol ? he_pm_protocol_name(a->protocol) : "no router yet",
			    a->m.firewall_in_sync == 1   ? "in place"
			    : a->m.firewall_in_sync == 0 ? "out of sync"
							 : "not checked",
			    a->pub4[0] ? ", public " : "", a->pub4, ev);
}

/* --- timers --- */

static void on_router_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;

	he_agent_router_pass(a);
	update_status(a);
}

static void on_verify_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;

	a->verify_now = true;
	he_agent_router_pass(a);
	he_loop_timer_arm(t, (uint64_t)a->cfg.verify_interval * 1000u);
	update_status(a);
}

static void on_fw_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;

	he_agent_firewall_pass(a, false);
	update_status(a);
}

static void on_pubip_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	he_agent_pubip_pass(ctx, true);
}

static void on_check_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	he_agent_check_start(ctx);
}

static void on_gena_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	he_agent_gena_renew(ctx);
}

static void on_poll_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	he_agent_pubip_poll(ctx);
}

const char *he_agent_evmode_name(enum he_agent_evmode m)
{
	static const char *const names[] = {"unknown", "announcements", "upnp-events", "netlink",
					    "polling"};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "unknown";
}

void he_agent_router_restarted(struct he_agent *a, const char *why)
{
	he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
		     "the router %s restarted: %s: mapping every exposure again", a->gateway, why);
	a->m.router_epoch_resets++;
	he_agent_gena_stop(a); /* its subscriptions died with it */
	a->resubscribe = true;
	a->remap_all = true;
	a->router_lost = true;
	a->verify_now = true;
	he_loop_timer_arm(a->t_router, 1);
	he_loop_timer_arm(a->t_pubq, 1);
}

static void on_pubq_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	he_agent_pubip_pass(ctx, false);
}

static void on_wd_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;
	uint64_t usec = 0;

	sd_notify(0, "WATCHDOG=1");
	if (sd_watchdog_enabled(0, &usec) > 0 && usec)
		he_loop_timer_arm(t, usec / 2000u ? usec / 2000u : 1);
	(void)a;
}

static void on_metrics_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	he_agent_metrics_flush(ctx);
	he_loop_timer_arm(t, METRICS_REFRESH_MS);
}

/* Address / route changes have settled: look at what changed. */
static void on_net_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;
	char gw[HE_PM_ADDR_MAX] = "";

	he_agent_default_gateway(gw, sizeof(gw));
	a->m.netlink_changes++;
	if (a->router_absent && strcmp(gw, a->absent_gw) != 0) {
		he_agent_log(a, HE_AGENT_LOG_INFO, "router",
			     "default gateway now %s: probing for a router", gw[0] ? gw : "(none)");
		a->reprobe = true;
	}
	if (strcmp(a->cfg.gateway, "auto") == 0 && a->gateway[0] && strcmp(gw, a->gateway) != 0) {
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
			     "default gateway changed: %s -> %s: probing the router again",
			     a->gateway, gw[0] ? gw : "(none)");
		a->reprobe = true;
		a->remap_all = true;
		a->router_lost = true; /* another router: ids of the old one name nothing */
	}
	/* IPv6 pinholes follow the global address; renewals re-plan anyway */
	he_agent_router_pass(a);
	he_agent_pubip_pass(a, false);
	update_status(a);
}

static int load_config(struct he_agent *a, struct he_config *cfg)
{
	struct he_diags d = {0};
	int r;

	r = he_config_load(cfg, a->config_path[0] ? a->config_path : NULL, a->config_explicit, &d);
	for (size_t i = 0; i < d.n; i++) {
		char line[HE_ERR_MSG_MAX * 2];

		he_diag_format(&d.v[i], line, sizeof(line));
		he_agent_log(
		    a, d.v[i].level == HE_DIAG_ERROR ? HE_AGENT_LOG_ERR : HE_AGENT_LOG_WARNING,
		    "config", "%s", line);
	}
	if (r == 0 && d.nerrors)
		r = -EINVAL;
	he_diags_free(&d);
	return r;
}

static void on_reload_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_config *cfg = malloc(sizeof(*cfg));

	if (!cfg)
		return;
	a->m.reloads++;
	if (load_config(a, cfg) < 0) {
		a->m.reload_failures++;
		a->m.errors[HE_AGENT_ERR_CONFIG]++;
		snprintf(a->last_error[HE_AGENT_ERR_CONFIG], sizeof(a->last_error[0]),
			 "reload refused: %.600s has errors (logged above)",
			 a->config_path[0] ? a->config_path : he_config_default_path());
		he_agent_log(a, HE_AGENT_LOG_ERR, "config",
			     "configuration not reloaded: the running one is kept; fix the errors "
			     "above and reload again");
	} else {
		a->cfg = *cfg;
		/* a reload says again what is not carried out */
		a->diags_logged = a->refusals_logged = 0;
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "config", "configuration reloaded (%s)",
			     a->cfg.path);
	}
	free(cfg);
	if (!a->opts.no_notify)
		sd_notify(0, "READY=1");
	/* exposures are re-read by each pass; act on them now */
	a->verify_now = true;
	he_agent_firewall_pass(a, true);
	he_agent_router_pass(a);
	he_agent_pubip_pass(a, false);
	update_status(a);
}

/* --- events --- */

/* Is addr the gateway of the default route (and not overridden by [router] gateway)? */
void he_agent_default_gateway(char *buf, size_t len)
{
	struct he_route_info ri;
	struct he_error err = {0};

	buf[0] = '\0';
	if (he_route_default(AF_INET, &ri, &err) == 0 && ri.has_gw)
		he_inaddr_str(AF_INET, &ri.gw, buf, len);
}

static bool default_gateway(struct he_agent *a, const char *addr)
{
	char gw[HE_PM_ADDR_MAX];

	if (!a->cfg.router_enabled)
		return false;
	if (strcmp(a->cfg.gateway, "auto") != 0)
		return strcmp(a->cfg.gateway, addr) == 0;
	he_agent_default_gateway(gw, sizeof(gw));
	return gw[0] && strcmp(gw, addr) == 0;
}

static void on_announce(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_announce an;
	int r;

	while ((r = he_announce_read(fd, &an)) > 0) {
		bool reset;
		struct he_state *st = NULL;
		struct he_error err;
		char addr[INET_ADDRSTRLEN] = "", ll[INET6_ADDRSTRLEN] = "";
		struct he_route_info ri;
		int64_t wait;

		/* an IPv6 announcement counts only from the router's own link-local address */
		if (strchr(an.from, ':') && he_route_default(AF_INET6, &ri, &err) == 0 &&
		    ri.has_gw && IN6_IS_ADDR_LINKLOCAL(&ri.gw.v6))
			he_inaddr_str(AF_INET6, &ri.gw, ll, sizeof(ll));
		if (!a->gateway[0] && !strchr(an.from, ':') && default_gateway(a, an.from)) {
			/* from the default gateway before the router is known: learn it now */
			he_agent_log(a, HE_AGENT_LOG_INFO, "router",
				     "announcement from the default gateway %s: probing the router",
				     an.from);
			a->reprobe = true;
			he_loop_timer_arm(a->t_router, 1);
		} else if (!he_announce_from_router(&an, a->gateway, ll)) {
			he_agent_log(a, HE_AGENT_LOG_DEBUG, "router",
				     "ignored an announcement from %s (the router is %s%s%s)",
				     an.from, a->gateway[0] ? a->gateway : "not known yet",
				     ll[0] ? ", " : "", ll);
			continue;
		}
		a->m.announcements++;
		if (he_state_open(a->cfg.state_dir, HE_STATE_READ, 500, &st, &err) < 0)
			reset = true;
		else
			reset = he_portmap_epoch_reset(
			    st, an.kind == HE_ANNOUNCE_PCP ? HE_PM_PCP : HE_PM_NATPMP, an.epoch,
			    (int64_t)time(NULL));
		he_state_close(st);
		if (an.has_addr)
			inet_ntop(AF_INET, &an.addr, addr, sizeof(addr));
		he_agent_log(
		    a, HE_AGENT_LOG_INFO, "router", "%s announcement from %s: epoch %u%s%s%s",
		    an.kind == HE_ANNOUNCE_PCP ? "PCP" : "NAT-PMP", an.from, an.epoch,
		    addr[0] ? ", address " : "", addr,
		    reset ? " (the router restarted or changed address: mapping again)" : "");
		if (reset) {
			/* at most one remap of everything per HE_ANNOUNCE_REMAP_MS */
			wait = he_announce_remap_delay(&a->ann_remap_at, he_now_ms());
			a->remap_all = true;
			he_loop_timer_arm_before(a->t_router, wait > 0 ? (uint64_t)wait : 1);
		}
		if (addr[0] || reset)
			he_loop_timer_arm(a->t_pubq, 1); /* the router may have a new address */
	}
}

static void on_rtnl(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	int f = he_nlmon_read(a->rtnl);

	if (f > 0)
		he_loop_timer_arm_before(a->t_net, NET_SETTLE_MS);
}

static void on_nft(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	int f = he_nlmon_read(a->nft);

	if (f > 0)
		he_loop_timer_arm_before(a->t_fw, FW_SETTLE_MS);
}

struct conn_ctx {
	struct he_agent *a;
	struct he_ctl_conn *c;
};

void he_agent_state_busy(struct he_agent *a, const struct he_error *err)
{
	int64_t now = he_now_ms();

	a->m.state_lock_busy++;
	if (a->lock_busy_logged && now - a->lock_busy_logged < 60000)
		return;
	a->lock_busy_logged = now;
	he_agent_log(a, HE_AGENT_LOG_WARNING, "state", "%s (busy %llu time%s so far)", err->msg,
		     (unsigned long long)a->m.state_lock_busy,
		     a->m.state_lock_busy == 1 ? "" : "s");
}

/* Close a control connection: done, failed, or its time is up. */
static void ctl_close(struct he_loop *l, int fd, void *ctx)
{
	struct conn_ctx *cc = ctx;

	he_connset_del(cc->a->ctl_set, fd);
	he_loop_del_fd(l, fd);
	he_ctl_conn_close(cc->c);
	free(cc);
}

static void on_ctl_data(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct conn_ctx *cc = ctx;
	int r;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & (EPOLLIN | EPOLLOUT)))
		r = HE_CTL_DONE;
	else if (events & EPOLLOUT)
		r = he_ctl_conn_flush(cc->c);
	else
		r = he_ctl_conn_handle(cc->a->ctl, cc->c);
	if (r == HE_CTL_WRITE)
		he_loop_mod_fd(l, fd, EPOLLOUT);
	else if (r == HE_CTL_DONE)
		ctl_close(l, fd, cc);
}

static void on_ctl_accept(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_ctl_conn *c = NULL;
	struct he_error err;

	while (he_connset_room(a->ctl_set) && (c = he_ctl_accept(a->ctl))) {
		struct conn_ctx *cc = malloc(sizeof(*cc));

		if (!cc ||
		    he_loop_add_fd(l, he_ctl_conn_fd(c), EPOLLIN, on_ctl_data, cc, &err) < 0) {
			free(cc);
			he_ctl_conn_close(c);
			a->m.errors[HE_AGENT_ERR_CONTROL]++;
			continue;
		}
		cc->a = a;
		cc->c = c;
		he_connset_add(a->ctl_set, he_ctl_conn_fd(c), ctl_close, cc);
	}
	if (he_connset_accept_done(a->ctl_set, c ? 0 : errno))
		a->m.errors[HE_AGENT_ERR_CONTROL]++;
}

static void metrics_close(struct he_loop *l, int fd, void *ctx)
{
	struct he_agent *a = ctx;

	he_connset_del(a->metrics_set, fd);
	he_loop_del_fd(l, fd);
	close(fd);
}

static void on_metrics_data(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	char *text = he_agent_metrics_text(ctx);

	if (text)
		he_metrics_serve(fd, text); /* non-blocking: a slow reader gets less */
	free(text);
	metrics_close(l, fd, ctx);
}

static void on_metrics_accept(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_error err;
	int c = -1;

	while (he_connset_room(a->metrics_set) &&
	       (c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (he_loop_add_fd(l, c, EPOLLIN, on_metrics_data, ctx, &err) < 0)
			close(c);
		else
			he_connset_add(a->metrics_set, c, metrics_close, a);
	}
	if (he_connset_accept_done(a->metrics_set, c < 0 ? errno : 0))
		a->m.errors[HE_AGENT_ERR_CONTROL]++;
}

static void on_signal(struct he_loop *l, int signo, void *ctx)
{
	struct he_agent *a = ctx;

	if (signo == SIGHUP) {
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "config", "SIGHUP: reloading");
		if (!a->opts.no_notify)
			sd_notify(0, "RELOADING=1");
		he_loop_timer_arm(a->t_reload, 1);
		return;
	}
	he_agent_log(a, HE_AGENT_LOG_NOTICE, "agent", "%s: stopping",
		     signo == SIGTERM ? "SIGTERM" : "SIGINT");
	a->stopping = true;
	he_loop_stop(l);
}

/* --- set-up --- */

static int timers(struct he_agent *a, struct he_error *err)
{
	const struct {
		struct he_loop_timer **t;
		he_loop_timer_cb cb;
	} tab[] = {
	    {&a->t_router, on_router_timer}, {&a->t_verify, on_verify_timer},
	    {&a->t_drift, on_fw_timer},      {&a->t_fw, on_fw_timer},
	    {&a->t_net, on_net_timer},       {&a->t_pubip, on_pubip_timer},
	    {&a->t_wd, on_wd_timer},         {&a->t_metrics, on_metrics_timer},
	    {&a->t_reload, on_reload_timer}, {&a->t_pubq, on_pubq_timer},
	    {&a->t_check, on_check_timer},   {&a->t_gena, on_gena_timer},
	    {&a->t_poll, on_poll_timer},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (he_loop_timer_new(a->loop, tab[i].cb, a, tab[i].t, err) < 0)
			return err->code;
	return 0;
}

/* The sockets that bring events; a missing one is logged, never fatal. */
static void event_sources(struct he_agent *a)
{
	struct he_error err = {0};

	if (!a->opts.no_announce) {
		a->ann4 = he_announce_open(AF_INET, 0, &err);
		if (a->ann4 < 0 ||
		    he_loop_add_fd(a->loop, a->ann4, EPOLLIN, on_announce, a, &err) < 0)
			he_agent_log(a, HE_AGENT_LOG_WARNING, "router",
				     "%s: router restarts are noticed at the next renewal or "
				     "verification instead",
				     err.msg);
		he_agent_ssdp_open(a);
		a->ann6 = he_announce_open(AF_INET6, 0, &err);
		if (a->ann6 < 0 ||
		    he_loop_add_fd(a->loop, a->ann6, EPOLLIN, on_announce, a, &err) < 0)
			he_agent_log(a, HE_AGENT_LOG_DEBUG, "router", "%s", err.msg);
	}
	if (!a->opts.no_netlink) {
		if (he_nlmon_open_rtnl(&a->rtnl, &err) < 0 ||
		    he_loop_add_fd(a->loop, he_nlmon_fd(a->rtnl), EPOLLIN, on_rtnl, a, &err) < 0)
			he_agent_log(a, HE_AGENT_LOG_WARNING, "agent", "%s", err.msg);
		if (he_nlmon_open_nft(&a->nft, &err) < 0 ||
		    he_loop_add_fd(a->loop, he_nlmon_fd(a->nft), EPOLLIN, on_nft, a, &err) < 0)
			he_agent_log(
			    a, HE_AGENT_LOG_WARNING, "firewall",
			    "%s: firewall drift is found by the comparison every %u s only",
			    err.msg, a->cfg.drift_interval);
	}
	if (!a->opts.no_control) {
		if (he_ctl_server_open(a->cfg.runtime_dir, he_agent_ctl_handle, a, &a->ctl, &err) <
			0 ||
		    he_connset_new(a->loop, he_ctl_server_fd(a->ctl), on_ctl_accept, a,
				   CTL_CONN_MAX, CONN_TIMEOUT_MS, &a->ctl_set, &err) < 0)
			he_agent_fail(a, HE_AGENT_ERR_CONTROL, "control socket: %s", err.msg);
	}
	if (a->cfg.metrics_listen[0]) {
		a->metrics_fd = he_metrics_listen(a->cfg.metrics_listen, &err);
		if (a->metrics_fd < 0 ||
		    he_connset_new(a->loop, a->metrics_fd, on_metrics_accept, a, METRICS_CONN_MAX,
				   CONN_TIMEOUT_MS, &a->metrics_set, &err) < 0)
			he_agent_fail(a, HE_AGENT_ERR_CONTROL, "%s", err.msg);
	}
}

int he_agent_new(const struct he_config *cfg, const struct he_agent_opts *opts,
		 const struct he_agent_cb *cb, struct he_agent **out, struct he_error *err)
{
	struct he_agent *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return he_error_set(err, -ENOMEM, "out of memory");
	a->cfg = *cfg;
	if (opts)
		a->opts = *opts;
	if (cb)
		a->cb = *cb;
	snprintf(a->config_path, sizeof(a->config_path), "%s",
		 opts && opts->config_path ? opts->config_path : "");
	a->config_explicit = opts && opts->config_explicit;
	a->ann4 = a->ann6 = a->metrics_fd = a->check_efd = a->ssdp_fd = a->rpoll_fd = -1;
	a->ssdp_bootid = -1;
	a->started = (int64_t)time(NULL);
	a->m.start_time = a->started;
	a->m.firewall_in_sync = -1;
	r = he_loop_new(on_signal, a, &a->loop, err);
	if (r < 0 || (r = timers(a, err)) < 0) {
		he_agent_free(a);
		return r;
	}
	*out = a;
	return 0;
}

int he_agent_run(struct he_agent *a, struct he_error *err)
{
	uint64_t usec = 0;
	int r;

	if (!a->opts.once)
		event_sources(a);
	/* after a start (maybe after SIGKILL, maybe after the router rebooted meanwhile):
	 * confirm every mapping once; PCP keeps its nonces, UPnP its descriptions. A
	 * UPnP pinhole id recorded before may name another pinhole now (the router
	 * restarted while no agent listened): pinholes are added anew, not renewed by
	 * id (an IGD answers an AddPinhole of an existing pinhole with its id) */
	a->remap_all = true;
	a->router_lost = true;
	a->verify_now = true;
	he_agent_firewall_pass(a, true);
	he_agent_router_pass(a);
	he_agent_pubip_pass(a, false);
	update_status(a);
	if (a->opts.once)
		return 0;
	he_loop_timer_arm(a->t_verify, (uint64_t)a->cfg.verify_interval * 1000u);
	if (!he_loop_timer_remaining(a->t_pubip) ||
	    he_loop_timer_remaining(a->t_pubip) == UINT64_MAX)
		he_loop_timer_arm(a->t_pubip, (uint64_t)a->cfg.outside_check_interval * 1000u);
	if (a->cfg.metrics_textfile[0])
		he_loop_timer_arm(a->t_metrics, METRICS_REFRESH_MS);
	if (he_agent_check_setup(a, err) < 0)
		he_agent_log(a, HE_AGENT_LOG_ERR, "check", "self-check disabled: %s", err->msg);
	if (!a->opts.no_notify) {
		sd_notify(0, "READY=1");
		if (sd_watchdog_enabled(0, &usec) > 0 && usec)
			he_loop_timer_arm(a->t_wd, usec / 2000u ? usec / 2000u : 1);
	}
	a->ready = true;
	he_agent_log(a, HE_AGENT_LOG_NOTICE, "agent", "running: %s%s%s", a->status,
		     a->ctl ? "; control socket " : "", a->ctl ? he_ctl_server_path(a->ctl) : "");
	r = he_loop_run(a->loop, err);
	if (!a->opts.no_notify)
		sd_notify(0, "STOPPING=1");
	if (a->cfg.release_on_stop) {
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
			     "release-on-stop: removing the router mappings");
		he_agent_release_all(a);
	} else if (a->obs.nmaps) {
		he_agent_log(a, HE_AGENT_LOG_INFO, "router",
			     "the router mappings stay until their leases end (release-on-stop = "
			     "no)");
	}
	he_agent_gena_stop(a);
	he_agent_metrics_flush(a);
	he_agent_check_stop(a);
	return r;
}

unsigned long he_agent_error_count(const struct he_agent *a)
{
	unsigned long n = 0;

	for (int k = 0; k < HE_AGENT_ERR_NKINDS; k++)
		n += (unsigned long)a->m.errors[k];
	return n;
}

void he_agent_free(struct he_agent *a)
{
	if (!a)
		return;
	he_agent_check_stop(a);
	he_connset_free(a->ctl_set);
	he_connset_free(a->metrics_set);
	he_agent_gena_free(a);
	if (a->rpoll_fd >= 0)
		close(a->rpoll_fd);
	he_loop_free(a->loop); /* frees the timers */
	he_ctl_server_close(a->ctl);
	he_nlmon_close(a->rtnl);
	he_nlmon_close(a->nft);
	if (a->ann4 >= 0)
		close(a->ann4);
	if (a->ann6 >= 0)
		close(a->ann6);
	if (a->ssdp_fd >= 0)
		close(a->ssdp_fd);
	if (a->metrics_fd >= 0)
		close(a->metrics_fd);
	he_exposures_free(&a->ex);
	he_observed_free(&a->obs);
	free(a);
}
