/* SPDX-License-Identifier: MIT */
/*
 * publicip.c - he_pubip_detect(): ask the router, STUN servers, HTTP check
 * services and the host's interfaces at once, then combine (combine.c).
 */
#include "core/clock.h"
#include "publicip/publicip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "config/config.h"
#include "net/route.h"
#include "portmap/portmap.h"
#include "publicip/sources.h"

#define MAX_STUN HE_PUBIP_SOURCES_MAX
#define MAX_HTTP HE_PUBIP_SOURCES_MAX

static const int families[2] = {AF_INET, AF_INET6};

void he_pubip_opts_from_config(const struct he_config *cfg, struct he_pubip_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->want_v4 = true;
	opts->want_v6 = true;
	opts->use_router = cfg ? cfg->router_enabled : true;
	opts->use_stun = !cfg || strcmp(cfg->stun_servers, "none") != 0;
	opts->use_http = !cfg || strcmp(cfg->http_urls, "none") != 0;
	opts->use_iface = true;
	opts->required = cfg && cfg->sources_required ? cfg->sources_required : 2;
	opts->timeout_ms = 0;
	opts->portmap = NULL;
}

/* Next space/comma-separated word of *p into w; false at the end. */
static bool next_word(const char **p, char *w, size_t wlen, bool *too_long)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	n = strcspn(s, " \t,");
	*p = s + n;
	if (!n)
		return false;
	*too_long = n >= wlen;
	snprintf(w, wlen, "%.*s", (int)(n < wlen ? n : wlen - 1), s);
	return true;
}

static void set_class(struct he_pubip_answer *a)
{
	if (a->rc == 0 && he_addr_class_str(a->addr, &a->cls) < 0)
		a->cls = HE_ADDR_RESERVED;
}

/* ---- the router, in its own thread ---- */

struct router_job {
	const struct he_config *cfg;
	const struct he_pubip_opts *opts;
	struct he_state *st;
	struct he_pubip_answer ans;
};

static void router_opts(const struct he_config *cfg, int timeout_ms, struct he_portmap_opts *o)
{
	const char *p = cfg ? cfg->router_protocols : "";
	char w[16];
	bool long_word;
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	while (n < HE_PM_NPROTO && next_word(&p, w, sizeof(w), &long_word))
		if (!long_word && he_pm_protocol_parse(w, &o->order[n], NULL) == 0)
			n++;
	if (cfg) {
		o->probe_timeout_ms = (int)cfg->probe_timeout_ms;
		o->lease_default = cfg->lease;
		if (cfg->gateway[0] && strcmp(cfg->gateway, "auto") != 0)
			o->gateway = cfg->gateway;
	}
	o->op_timeout_ms = timeout_ms;
}

static void *router_main(void *arg)
{
	struct router_job *j = arg;
	struct he_pubip_answer *a = &j->ans;
	struct he_portmap_opts o;
	const struct he_portmap_opts *po = j->opts->portmap;
	struct he_portmap *pm = NULL;
	struct he_error err;
	uint64_t t0 = he_now_ms();
	int ret;

	he_error_clear(&err);
	if (!po) {
		router_opts(j->cfg, j->opts->timeout_ms, &o);
		po = &o;
	}
	ret = he_portmap_open(po, j->st, &pm, &err);
	if (ret == 0) {
		snprintf(a->source, sizeof(a->source), "router %s (%s)", he_portmap_gateway(pm),
			 he_pm_protocol_name(he_portmap_protocol(pm)));
		ret = he_portmap_external_address(pm, a->addr, sizeof(a->addr), &a->cls, &err);
	}
	a->rc = ret;
	if (ret < 0) {
		a->addr[0] = '\0';
		snprintf(a->error, sizeof(a->error), "%.383s", err.msg);
	} else if (!a->addr[0]) {
		a->rc = -ENODATA;
		snprintf(a->error, sizeof(a->error),
			 "the router answered but reported no external address (it may not be "
			 "connected, or sits behind another NAT)");
	}
	a->ms = (unsigned)(he_now_ms() - t0);
	he_portmap_close(pm);
	return NULL;
}

/* ---- STUN, in its own thread ---- */

struct stun_job {
	struct he_stun_query q[MAX_STUN];
	size_t n;
	int timeout_ms;
};

static void *stun_main(void *arg)
{
	struct stun_job *j = arg;

	he_stun_query_all(j->q, j->n, j->timeout_ms);
	return NULL;
}

/* ---- the interface source ---- */

static void iface_answers(struct he_pubip_report *out, const struct he_pubip_opts *opts)
{
	struct he_route_info ri;
	struct he_error err;

	if (opts->want_v4 && out->nanswers < HE_PUBIP_SOURCES_MAX &&
	    he_route_default(AF_INET, &ri, NULL) == 0 && ri.has_src &&
	    he_addr_class(AF_INET, &ri.src.v4) == HE_ADDR_PUBLIC) {
		/* a host that holds a public IPv4 address itself (a VPS, a bridged modem) */
		struct he_pubip_answer *a = &out->answers[out->nanswers++];

		memset(a, 0, sizeof(*a));
		a->kind = HE_PUBIP_IFACE;
		a->family = AF_INET;
		snprintf(a->source, sizeof(a->source), "interface %s", ri.ifname);
		he_inaddr_str(AF_INET, &ri.src, a->addr, sizeof(a->addr));
		set_class(a);
	}
	if (opts->want_v6 && out->nanswers < HE_PUBIP_SOURCES_MAX) {
		struct he_pubip_answer *a = &out->answers[out->nanswers++];
		struct in6_addr g;
		int ifindex = 0;
		char ifname[IF_NAMESIZE] = "";
		uint64_t t0 = he_now_ms();

		memset(a, 0, sizeof(*a));
		a->kind = HE_PUBIP_IFACE;
		a->family = AF_INET6;
		if (he_route_default(AF_INET6, &ri, NULL) == 0) {
			ifindex = ri.ifindex;
			snprintf(ifname, sizeof(ifname), "%s", ri.ifname);
		}
		snprintf(a->source, sizeof(a->source), "interface %s",
			 ifname[0] ? ifname : "(any)");
		a->rc = he_net_global_ipv6(ifindex, &g, &err);
		if (a->rc == 0)
			inet_ntop(AF_INET6, &g, a->addr, sizeof(a->addr));
		else
			snprintf(a->error, sizeof(a->error), "%.383s", err.msg);
		a->ms = (unsigned)(he_now_ms() - t0);
		set_class(a);
	}
}

/* ---- the lists from the config ---- */

static int add_stun(struct stun_job *j, const char *list, const struct he_pubip_opts *opts,
		    struct he_error *err)
{
	const char *p = list;
	char w[HE_PUBIP_HOST_MAX], host[HE_PUBIP_HOST_MAX];
	bool long_word;
	uint16_t port;

	while (next_word(&p, w, sizeof(w), &long_word)) {
		struct in6_addr tmp;
		bool v6lit, v4lit;

		if (long_word)
			return he_error_set(err, -EINVAL,
					    "[publicip] stun-servers: '%.40s...' is too long", w);
		if (he_stun_parse_server(w, host, sizeof(host), &port, err) < 0)
			return he_error_prefix(err, -EINVAL, "[publicip] stun-servers");
		v6lit = inet_pton(AF_INET6, host, &tmp) == 1;
		v4lit = inet_pton(AF_INET, host, &tmp) == 1;
		for (size_t f = 0; f < 2; f++) {
			int fam = families[f];
			struct he_stun_query *q;

			if ((fam == AF_INET && (!opts->want_v4 || v6lit)) ||
			    (fam == AF_INET6 && (!opts->want_v6 || v4lit)))
				continue;
			if (j->n >= MAX_STUN)
				break;
			q = &j->q[j->n++];
			memset(q, 0, sizeof(*q));
			snprintf(q->server, sizeof(q->server), "%s", w);
			q->family = fam;
		}
	}
	return 0;
}

/* The family an http(s) URL's host literal fixes (0: a name, any family). */
static int url_literal_family(const char *url)
{
	const char *h = strstr(url, "://");
	char host[64];
	struct in6_addr tmp;
	size_t n;

	if (!h)
		return 0;
	h += 3;
	if (*h == '[')
		return AF_INET6;
	n = strcspn(h, ":/?#");
	if (n >= sizeof(host))
		return 0;
	memcpy(host, h, n);
	host[n] = '\0';
	return inet_pton(AF_INET, host, &tmp) == 1 ? AF_INET : 0;
}

static int add_http(struct he_http_query *q, size_t *n, const char *list, const char *ca_file,
		    const struct he_pubip_opts *opts, struct he_error *err)
{
	const char *p = list;
	char w[HE_PUBIP_URL_MAX];
	bool long_word;

	while (next_word(&p, w, sizeof(w), &long_word)) {
		if (long_word)
			return he_error_set(err, -EINVAL,
					    "[publicip] http-urls: '%.40s...' is too long", w);
		if (strncmp(w, "https://", 8) != 0 && strncmp(w, "http://", 7) != 0)
			return he_error_set(
			    err, -EINVAL,
			    "[publicip] http-urls: '%s' is not an http:// or https:// "
			    "URL",
			    w);
		for (size_t f = 0; f < 2; f++) {
			int fam = families[f], lit = url_literal_family(w);

			if ((fam == AF_INET && !opts->want_v4) ||
			    (fam == AF_INET6 && !opts->want_v6) || (lit && lit != fam))
				continue;
			if (*n >= MAX_HTTP)
				break;
			memset(&q[*n], 0, sizeof(q[*n]));
			snprintf(q[*n].url, sizeof(q[*n].url), "%s", w);
			q[*n].family = fam;
			q[*n].ca_file = ca_file;
			(*n)++;
		}
	}
	return 0;
}

static void put(struct he_pubip_report *out, const struct he_pubip_answer *a, size_t *dropped)
{
	if (out->nanswers >= HE_PUBIP_SOURCES_MAX) {
		(*dropped)++;
		return;
	}
	out->answers[out->nanswers++] = *a;
}

int he_pubip_detect(const struct he_config *cfg, const struct he_pubip_opts *opts,
		    struct he_state *st, struct he_pubip_report *out, struct he_error *err)
{
	struct stun_job *sj = NULL;
	struct router_job rj;
	struct he_http_query hq[MAX_HTTP];
	struct he_pubip_opts o = *opts;
	const char *stun_list, *http_list;
	pthread_t rt_thr, st_thr;
	bool rt_started = false, st_started = false;
	size_t nh = 0, i, dropped = 0;
	int ret;

	if (o.timeout_ms <= 0)
		o.timeout_ms = 1000;
	stun_list = cfg && cfg->stun_servers[0] ? cfg->stun_servers : HE_PUBIP_DEFAULT_STUN;
	http_list = cfg && cfg->http_urls[0] ? cfg->http_urls : HE_PUBIP_DEFAULT_HTTP;
	if (!strcmp(stun_list, "none"))
		o.use_stun = false;
	if (!strcmp(http_list, "none"))
		o.use_http = false;

	memset(out, 0, sizeof(*out));
	if (o.use_stun) {
		sj = calloc(1, sizeof(*sj));
		if (!sj)
			return he_error_set(err, -ENOMEM, "out of memory");
		sj->timeout_ms = o.timeout_ms;
		ret = add_stun(sj, stun_list, &o, err);
		if (ret < 0)
			goto out;
	}
	if (o.use_http) {
		ret = add_http(hq, &nh, http_list, cfg ? cfg->publicip_ca_file : NULL, &o, err);
		if (ret < 0)
			goto out;
	}

	/* everything at once: the router and STUN in threads, HTTP here */
	memset(&rj, 0, sizeof(rj));
	rj.cfg = cfg;
	rj.opts = &o;
	rj.st = st;
	rj.ans.kind = HE_PUBIP_ROUTER;
	rj.ans.family = AF_INET;
	snprintf(rj.ans.source, sizeof(rj.ans.source), "router");
	if (o.use_router && o.want_v4) {
		rt_started = pthread_create(&rt_thr, NULL, router_main, &rj) == 0;
		if (!rt_started)
			router_main(&rj);
	}
	if (sj && sj->n) {
		st_started = pthread_create(&st_thr, NULL, stun_main, sj) == 0;
		if (!st_started)
			stun_main(sj);
	}
	if (nh)
		he_http_query_all(hq, nh, o.timeout_ms);
	if (o.use_iface)
		iface_answers(out, &o);
	if (rt_started)
		pthread_join(rt_thr, NULL);
	if (st_started)
		pthread_join(st_thr, NULL);

	if (o.use_router && o.want_v4) {
		set_class(&rj.ans);
		put(out, &rj.ans, &dropped);
	}
	for (i = 0; sj && i < sj->n; i++) {
		struct he_pubip_answer a;
		const struct he_stun_query *q = &sj->q[i];

		memset(&a, 0, sizeof(a));
		a.kind = HE_PUBIP_STUN;
		a.family = q->family;
		snprintf(a.source, sizeof(a.source), "stun %s", q->peer[0] ? q->peer : q->server);
		a.rc = q->rc;
		snprintf(a.addr, sizeof(a.addr), "%s", q->rc == 0 ? q->addr : "");
		snprintf(a.error, sizeof(a.error), "%s", q->error);
		a.ms = q->ms;
		set_class(&a);
		put(out, &a, &dropped);
	}
	for (i = 0; i < nh; i++) {
		struct he_pubip_answer a;

		memset(&a, 0, sizeof(a));
		a.kind = HE_PUBIP_HTTP;
		a.family = hq[i].family;
		snprintf(a.source, sizeof(a.source), "http %.122s", hq[i].url);
		a.rc = hq[i].rc;
		snprintf(a.addr, sizeof(a.addr), "%s", hq[i].rc == 0 ? hq[i].addr : "");
		snprintf(a.error, sizeof(a.error), "%s", hq[i].error);
		a.ms = hq[i].ms;
		set_class(&a);
		put(out, &a, &dropped);
	}
	he_pubip_combine(out, o.required);
	if (dropped) {
		size_t used = strlen(out->verdict);

		snprintf(out->verdict + used, sizeof(out->verdict) - used,
			 "%s%zu more sources were configured than one report holds (%d): ignored.",
			 used ? " " : "", dropped, HE_PUBIP_SOURCES_MAX);
	}
	ret = 0;
out:
	free(sj);
	return ret;
}
