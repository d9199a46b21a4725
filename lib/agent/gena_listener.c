/* SPDX-License-Identifier: MIT */
/*
 * gena_listener.c - UPnP events for the agent: the subscription to the
 * router's WANIPConnection (and WANIPv6FirewallControl) event URL, its
 * renewal, and the small HTTP listener that receives the router's NOTIFY.
 *
 * The listener is bound to this host's address on the route to the router,
 * on a port the kernel picks; it takes one connection at a time, only from
 * the router's address, reads at most HE_GENA_NOTIFY_MAX bytes within
 * GENA_CONN_MS, and answers 200 to a NOTIFY with one of our SIDs (412
 * otherwise). An ExternalIPAddress in it runs the quick public address check,
 * as a NAT-PMP/PCP announcement does. A failed renewal subscribes again; when
 * that fails too the router is probed again (it restarted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "net/route.h"
#include "portmap/gena.h"

#define GENA_TIMEOUT_S 1800 /* asked for; renewed at half of what is granted */
#define GENA_OP_MS     1000
#define GENA_CONN_MS   2000 /* a NOTIFY connection must be done within this */
#define GENA_PATH      "/homeexpose/event"
#define GENA_CONNS     4 /* one per subscription and a spare: the initial events come at once */

struct gena_sub {
	char url[HE_URL_MAX];
	struct he_gena_sub sub;
};

struct gena_conn {
	struct he_agent *a;
	int fd; /* -1: free */
	char buf[HE_GENA_NOTIFY_MAX + 1];
	size_t len;
	struct he_loop_timer *t; /* the connection's deadline */
};

struct he_agent_gena {
	int lfd; /* listener */
	char bound[HE_PM_ADDR_MAX];
	uint16_t port;
	char router[HE_PM_ADDR_MAX];
	struct gena_sub s[2]; /* WAN connection, IPv6 firewall */
	bool heard;           /* an event of ours arrived since subscribing */
	struct gena_conn c[GENA_CONNS];
};

static void conn_close(struct gena_conn *c)
{
	if (c->fd >= 0) {
		he_loop_del_fd(c->a->loop, c->fd);
		close(c->fd);
	}
	c->fd = -1;
	c->len = 0;
	he_loop_timer_arm(c->t, 0);
}

static void on_conn_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct gena_conn *c = ctx;

	c->a->m.errors[HE_AGENT_ERR_ROUTER]++;
	he_agent_log(c->a, HE_AGENT_LOG_DEBUG, "router", "UPnP event connection too slow: closed");
	conn_close(c);
}

static void reply(int fd, const char *status)
{
	char r[96];
	int n = snprintf(r, sizeof(r),
			 "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);

	if (write(fd, r, (size_t)n) < 0) {
		/* the router went away: nothing to do */
	}
}

static void notify_done(struct he_agent *a, int fd, const struct he_gena_notify *n)
{
	struct he_agent_gena *g = a->gena;
	bool ours = false;

	for (size_t i = 0; i < 2; i++)
		if (g->s[i].sub.sid[0] && strcmp(g->s[i].sub.sid, n->sid) == 0)
			ours = true;
	if (!ours || strcmp(n->path, GENA_PATH) != 0) {
		reply(fd, "412 Precondition Failed");
		he_agent_log(a, HE_AGENT_LOG_DEBUG, "router",
			     "UPnP event with an unknown subscription %.64s: refused", n->sid);
		return;
	}
	reply(fd, "200 OK");
	a->m.upnp_events++;
	if (!g->heard) {
		/* the initial event: the router reaches our listener; events are the mode now */
		g->heard = true;
		if (a->evmode != HE_EV_UPNP)
			he_loop_timer_arm(a->t_pubq, 1);
	}
	he_agent_log(a, HE_AGENT_LOG_INFO, "router", "UPnP event from %s (seq %u)%s%s", g->router,
		     n->seq, n->has_ext_addr ? ": external address " : "",
		     n->has_ext_addr ? (n->ext_addr[0] ? n->ext_addr : "(none)") : "");
	if (n->has_ext_addr && strcmp(n->ext_addr, a->pub4) != 0)
		he_loop_timer_arm(a->t_pubq, 1); /* the router has a new address */
}

static void on_conn_data(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct gena_conn *c = ctx;
	struct he_agent *a = c->a;
	struct he_gena_notify n;
	ssize_t r;
	int rc;

	r = read(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)r;
	rc = he_gena_parse_notify(c->buf, c->len, &n);
	if (rc == -EAGAIN && c->len < sizeof(c->buf) - 1)
		return;
	if (rc == 0) {
		notify_done(a, fd, &n);
	} else {
		reply(fd, "400 Bad Request");
		a->m.errors[HE_AGENT_ERR_ROUTER]++;
		he_agent_log(a, HE_AGENT_LOG_DEBUG, "router", "malformed UPnP event from %s: %s",
			     a->gena->router, strerror(-rc));
	}
	conn_close(c);
}

static void on_accept(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_agent_gena *g = a->gena;
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct he_error err;
	char who[INET_ADDRSTRLEN] = "";
	int cfd;

	while ((cfd = accept4(fd, (struct sockaddr *)&from, &fl, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	       0) {
		struct gena_conn *c = NULL;

		fl = sizeof(from);
		inet_ntop(AF_INET, &from.sin_addr, who, sizeof(who));
		for (size_t i = 0; i < GENA_CONNS && !c; i++)
			if (g->c[i].fd < 0)
				c = &g->c[i];
		if (strcmp(who, g->router) != 0 || !c) {
			/* only the router, a few at a time */
			he_agent_log(a, HE_AGENT_LOG_DEBUG, "router",
				     "UPnP event listener: connection from %s refused", who);
			close(cfd);
			continue;
		}
		if (he_loop_add_fd(a->loop, cfd, EPOLLIN, on_conn_data, c, &err) < 0) {
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->len = 0;
		he_loop_timer_arm(c->t, GENA_CONN_MS);
	}
}

static void listener_close(struct he_agent *a)
{
	struct he_agent_gena *g = a->gena;

	for (size_t i = 0; i < GENA_CONNS; i++)
		conn_close(&g->c[i]);
	if (g->lfd >= 0) {
		he_loop_del_fd(a->loop, g->lfd);
		close(g->lfd);
	}
	g->lfd = -1;
	g->port = 0;
	g->bound[0] = '\0';
}

/* The listener on our address toward the router (kept while that address stays). */
static int listener_open(struct he_agent *a, struct he_error *err)
{
	struct he_agent_gena *g = a->gena;
	struct he_route_info ri;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	struct in_addr gw;
	char src[HE_PM_ADDR_MAX];
	int one = 1, r;

	if (inet_pton(AF_INET, g->router, &gw) != 1)
		return he_error_set(err, -EAFNOSUPPORT, "UPnP events: the router %s is not IPv4",
				    g->router);
	r = he_route_get(AF_INET, &gw, 0, &ri, err);
	if (r < 0)
		return r;
	if (!ri.has_src)
		return he_error_set(err, -EADDRNOTAVAIL,
				    "UPnP events: no address of ours on the route to %s",
				    g->router);
	inet_ntop(AF_INET, &ri.src.v4, src, sizeof(src));
	if (g->lfd >= 0 && strcmp(src, g->bound) == 0)
		return 0;
	listener_close(a);
	g->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->lfd < 0)
		return he_error_set(err, -errno, "UPnP events: socket: %s", strerror(errno));
	setsockopt(g->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr = ri.src.v4;
	if (bind(g->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(g->lfd, 4) < 0 ||
	    getsockname(g->lfd, (struct sockaddr *)&sa, &sl) < 0) {
		r = he_error_set(err, -errno, "UPnP events: listening on %s: %s", src,
				 strerror(errno));
		listener_close(a);
		return r;
	}
	r = he_loop_add_fd(a->loop, g->lfd, EPOLLIN, on_accept, a, err);
	if (r < 0) {
		listener_close(a);
		return r;
	}
	snprintf(g->bound, sizeof(g->bound), "%s", src);
	g->port = ntohs(sa.sin_port);
	return 0;
}

static void arm_renewal(struct he_agent *a)
{
	unsigned t = a->gena->s[0].sub.timeout;

	/* at half the granted time (an infinite one is renewed hourly anyway) */
	t = t ? t / 2 : 3600;
	he_loop_timer_arm(a->t_gena, (uint64_t)(t ? t : 1) * 1000u);
}

static int subscribe_all(struct he_agent *a, struct he_error *err)
{
	struct he_agent_gena *g = a->gena;
	char cb[128];
	int r = 0;

	snprintf(cb, sizeof(cb), "http://%s:%u%s", g->bound, (unsigned)g->port, GENA_PATH);
	for (size_t i = 0; i < 2; i++) {
		struct he_error e2 = {0};

		g->s[i].sub.sid[0] = '\0';
		g->heard = false;
		if (!g->s[i].url[0])
			continue;
		if (he_gena_subscribe(g->s[i].url, cb, GENA_TIMEOUT_S, GENA_OP_MS, &g->s[i].sub,
				      i == 0 ? err : &e2) < 0) {
			if (i == 0)
				r = err->code;
			else
				he_agent_log(a, HE_AGENT_LOG_DEBUG, "router", "%s", e2.msg);
		}
	}
	return r;
}

static bool subscribed(const struct he_agent *a)
{
	return a->gena && a->gena->s[0].sub.sid[0];
}

bool he_agent_gena_active(const struct he_agent *a)
{
	return subscribed(a) && a->gena->heard;
}

bool he_agent_gena_unheard(const struct he_agent *a)
{
	return subscribed(a) && !a->gena->heard;
}

void he_agent_gena_stop(struct he_agent *a)
{
	struct he_agent_gena *g = a->gena;

	if (!g)
		return;
	for (size_t i = 0; i < 2; i++) {
		struct he_error err;

		if (g->s[i].sub.sid[0])
			he_gena_unsubscribe(g->s[i].url, g->s[i].sub.sid, 300, &err);
		g->s[i].sub.sid[0] = '\0';
	}
	listener_close(a);
	he_loop_timer_arm(a->t_gena, 0);
}

void he_agent_gena_update(struct he_agent *a, struct he_portmap *pm)
{
	struct he_agent_gena *g;
	struct he_error err = {0};
	char url[HE_URL_MAX] = "", url6[HE_URL_MAX] = "";

	if (a->opts.once || !(he_portmap_caps(pm) & HE_PM_CAP_EVENTS))
		return;
	if (!a->gena) {
		a->gena = calloc(1, sizeof(*a->gena));
		if (!a->gena)
			return;
		a->gena->lfd = -1;
		for (size_t i = 0; i < GENA_CONNS; i++) {
			struct gena_conn *c = &a->gena->c[i];

			c->a = a;
			c->fd = -1;
			if (he_loop_timer_new(a->loop, on_conn_timer, c, &c->t, &err) < 0) {
				he_agent_gena_free(a);
				return;
			}
		}
	}
	g = a->gena;
	if (he_portmap_event_urls(pm, url, sizeof(url), url6, sizeof(url6), &err) < 0)
		goto fail;
	if (subscribed(a) && strcmp(g->router, he_portmap_gateway(pm)) == 0 &&
	    strcmp(g->s[0].url, url) == 0)
		return; /* subscribed already; renewals keep it */
	he_agent_gena_stop(a);
	snprintf(g->router, sizeof(g->router), "%s", he_portmap_gateway(pm));
	snprintf(g->s[0].url, sizeof(g->s[0].url), "%s", url);
	snprintf(g->s[1].url, sizeof(g->s[1].url), "%s", url6);
	if (listener_open(a, &err) < 0 || subscribe_all(a, &err) < 0)
		goto fail;
	he_agent_log(a, HE_AGENT_LOG_INFO, "router",
		     "subscribed to the router's UPnP events (%s, %u s); listening on %s:%u",
		     g->s[0].url, g->s[0].sub.timeout, g->bound, (unsigned)g->port);
	arm_renewal(a);
	return;
fail:
	he_agent_log(a, HE_AGENT_LOG_WARNING, "router", "%s: address changes are polled instead",
		     err.msg);
	he_agent_gena_stop(a);
}

/* t_gena: renew; after a failed renewal subscribe again; after that the router is probed. */
void he_agent_gena_renew(struct he_agent *a)
{
	struct he_agent_gena *g = a->gena;
	struct he_error err = {0};

	if (!g || !g->s[0].url[0])
		return;
	for (size_t i = 0; i < 2; i++) {
		struct he_gena_sub ns;

		if (!g->s[i].sub.sid[0])
			continue;
		if (he_gena_renew(g->s[i].url, g->s[i].sub.sid, GENA_TIMEOUT_S, GENA_OP_MS, &ns,
				  &err) == 0) {
			g->s[i].sub = ns;
			continue;
		}
		he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
			     "%s: subscribing again (the router may have restarted)", err.msg);
		if (listener_open(a, &err) < 0 || subscribe_all(a, &err) < 0) {
			/* the router itself is gone or new: probe it, map and subscribe again */
			he_agent_router_restarted(a, err.msg);
			a->reprobe = true;
			return;
		}
		/* a lost subscription: the router restarted, its mappings are gone too */
		a->remap_all = true;
		a->router_lost = true;
		he_loop_timer_arm(a->t_router, 1);
		he_loop_timer_arm(a->t_pubq, 1);
		break;
	}
	arm_renewal(a);
}

void he_agent_gena_free(struct he_agent *a)
{
	if (!a->gena)
		return;
	listener_close(a);
	for (size_t i = 0; i < GENA_CONNS; i++)
		he_loop_timer_del(a->gena->c[i].t);
	free(a->gena);
	a->gena = NULL;
}

uint16_t he_agent_gena_port(const struct he_agent *a, char *router, size_t len)
{
	if (!a->gena || a->gena->lfd < 0)
		return 0;
	snprintf(router, len, "%s", a->gena->router);
	return a->gena->port;
}
