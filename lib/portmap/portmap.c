/* SPDX-License-Identifier: MIT */
/*
 * portmap.c - the protocol-independent part of lib/portmap: gateway
 * resolution, the shared probe loop, the discovery cache and the mapping
 * records in the state, and the public API of portmap.h.
 */
#include "core/clock.h"
#include "portmap/portmap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/portspec.h"
#include "portmap/backend.h"
#include "state/state.h"

#define CACHE_MAX_AGE  (7 * 24 * 3600)
#define PROBE_GRACE_MS 50

/* By protocol id - 1. */
static const struct he_portmap_backend *const backends[HE_PM_NPROTO] = {
    &he_pm_backend_pcp,
    &he_pm_backend_natpmp,
    &he_pm_backend_upnp,
};

static const enum he_pm_protocol default_order[HE_PM_NPROTO] = {HE_PM_PCP, HE_PM_NATPMP,
								HE_PM_UPNP};

int he_pm_upnp_has_entry(struct he_portmap *pm, uint16_t ext_port, unsigned proto,
			 int64_t *lease_remaining);

static const struct he_portmap_backend *backend_of(enum he_pm_protocol p)
{
	return p >= HE_PM_PCP && p <= HE_PM_UPNP ? backends[p - 1] : NULL;
}

unsigned he_pm_protocol_caps(enum he_pm_protocol p)
{
	const struct he_portmap_backend *be = backend_of(p);

	return be ? be->caps : 0;
}

unsigned he_portmap_caps(const struct he_portmap *pm)
{
	return pm && pm->be ? pm->be->caps : 0;
}

enum he_pm_protocol he_pm_protocol_with(unsigned caps)
{
	for (size_t i = 0; i < HE_PM_NPROTO; i++)
		if ((backend_of(default_order[i])->caps & caps) == caps)
			return default_order[i];
	return HE_PM_NONE;
}

bool he_portmap_epoch_reset(struct he_state *st, enum he_pm_protocol p, uint32_t epoch, int64_t now)
{
	const json_t *sec = st ? he_state_section(st, "portmap") : NULL;
	const json_t *o = sec ? json_object_get(sec, he_pm_protocol_name(p)) : NULL;
	const json_t *e = json_object_get(o, "epoch"), *at = json_object_get(o, "at");

	if (!json_is_integer(e) || !json_is_integer(at))
		return true;
	return he_pm_epoch_is_reset((uint32_t)json_integer_value(e),
				    (int64_t)json_integer_value(at), epoch, now);
}

const char *he_pm_protocol_name(enum he_pm_protocol p)
{
	const struct he_portmap_backend *be = backend_of(p);

	return be ? be->name : "none";
}

int he_pm_protocol_parse(const char *s, enum he_pm_protocol *out, struct he_error *err)
{
	if (s && !strcmp(s, "pcp"))
		*out = HE_PM_PCP;
	else if (s && (!strcmp(s, "natpmp") || !strcmp(s, "nat-pmp")))
		*out = HE_PM_NATPMP;
	else if (s && !strcmp(s, "upnp"))
		*out = HE_PM_UPNP;
	else
		return he_error_set(err, -EINVAL,
				    "unknown router protocol '%s': use pcp, natpmp or upnp",
				    s ? s : "");
	return 0;
}

int he_pm_wait(int fd, uint64_t deadline_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint64_t now = he_now_ms();
	int r;

	if (now >= deadline_ms)
		return 0;
	r = poll(&pfd, 1, (int)(deadline_ms - now));
	return r > 0 ? 1 : 0;
}

bool he_pm_epoch_is_reset(uint32_t prev_epoch, int64_t prev_time, uint32_t epoch, int64_t now)
{
	int64_t dc, ds;

	if (epoch + 1 < prev_epoch) /* the server's clock went back: it restarted */
		return true;
	dc = now - prev_time;
	ds = (int64_t)epoch - (int64_t)prev_epoch;
	if (dc < 0)
		return false; /* our own clock jumped: cannot judge */
	/* RFC 6887 8.5: within 1/16 plus 2 s slack either way */
	if (dc + 2 < ds - ds / 16 || ds + 2 < dc - dc / 16)
		return true;
	return false;
}

bool he_pm_epoch_update(struct he_portmap *pm, const char *key, uint32_t epoch)
{
	json_t *o = json_object_get(pm->sec, key);
	int64_t now = (int64_t)time(NULL);
	bool reset = false;

	if (json_is_object(o) && json_is_integer(json_object_get(o, "epoch")))
		reset = he_pm_epoch_is_reset(
		    (uint32_t)json_integer_value(json_object_get(o, "epoch")),
		    (int64_t)json_integer_value(json_object_get(o, "at")), epoch, now);
	o = json_object();
	json_object_set_new(o, "epoch", json_integer(epoch));
	json_object_set_new(o, "at", json_integer(now));
	json_object_set_new(pm->sec, key, o);
	if (reset)
		pm->epoch_reset = true;
	return reset;
}

void he_pm_desc(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, HE_PM_DESC_PREFIX "%s", name ? name : "");
}

const char *he_pm_desc_name(const char *desc)
{
	size_t n = strlen(HE_PM_DESC_PREFIX);

	if (!desc || strncmp(desc, HE_PM_DESC_PREFIX, n) || !desc[n])
		return NULL;
	return desc + n;
}

void he_pm_note_class(struct he_pm_result *res)
{
	char buf[HE_ERR_MSG_MAX];
	size_t used = strlen(res->note);

	if (!res->ext_addr[0] || res->ext_class == HE_ADDR_PUBLIC)
		return;
	he_addr_class_explain(res->ext_class, res->ext_addr, NULL, buf, sizeof(buf));
	snprintf(res->note + used, sizeof(res->note) - used, "%s%s", used ? "\n" : "", buf);
}

int he_pm_need_v6(struct he_portmap *pm, struct he_error *err)
{
	int ret;

	if (!pm->have_gw6) {
		if (pm->opts.gateway6)
			ret = he_route_parse_gateway(pm->opts.gateway6, &pm->gw6, err);
		else
			ret = he_route_default(AF_INET6, &pm->gw6, err);
		if (ret < 0)
			return ret;
		if (pm->gw6.family != AF_INET6)
			return he_error_set(err, -EINVAL, "the IPv6 gateway '%s' is not IPv6",
					    pm->opts.gateway6);
		if (!pm->gw6.ifindex) {
			struct he_route_info via;

			if (he_route_get(AF_INET6, &pm->gw6.gw, 0, &via, NULL) == 0)
				pm->gw6.ifindex = via.ifindex;
		}
		pm->have_gw6 = true;
	}
	if (!pm->have_global6) {
		ret = he_net_global_ipv6(pm->gw6.ifindex, &pm->global6, err);
		if (ret < 0)
			return ret;
		pm->have_global6 = true;
	}
	return 0;
}

int he_pm_local_addr(struct he_portmap *pm, int family, char *buf, size_t len, struct he_error *err)
{
	if (family == AF_INET6) {
		int ret = he_pm_need_v6(pm, err);

		if (ret < 0)
			return ret;
		inet_ntop(AF_INET6, &pm->global6, buf, (socklen_t)len);
		return 0;
	}
	if (!pm->gw4.has_src)
		return he_error_set(err, -EADDRNOTAVAIL,
				    "this host has no IPv4 address on the route to the router %s",
				    pm->gw_text);
	inet_ntop(AF_INET, &pm->gw4.src.v4, buf, (socklen_t)len);
	return 0;
}

int he_pm_udp_connect(struct he_portmap *pm, int family, uint16_t port, bool bind_global6,
		      struct he_error *err)
{
	int fd, ret;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return he_error_set(err, -errno, "cannot open a UDP socket: %s", strerror(errno));
	if (family == AF_INET) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

		sa.sin_addr = pm->gw4.gw.v4;
		ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} else {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

		ret = he_pm_need_v6(pm, err);
		if (ret < 0) {
			close(fd);
			return ret;
		}
		if (bind_global6) {
			struct sockaddr_in6 src = {.sin6_family = AF_INET6};

			src.sin6_addr = pm->global6;
			if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
				ret = he_error_set(err, -errno,
						   "cannot use this host's IPv6 address: %s",
						   strerror(errno));
				close(fd);
				return ret;
			}
		}
		sa.sin6_addr = pm->gw6.gw.v6;
		if (IN6_IS_ADDR_LINKLOCAL(&sa.sin6_addr))
			sa.sin6_scope_id = (uint32_t)pm->gw6.ifindex;
		ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (ret < 0) {
		ret = he_error_set(err, -errno, "cannot reach the router: %s", strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

/* ---- state ---- */

static int save_state(struct he_portmap *pm, struct he_error *err)
{
	struct he_error e;
	int ret;

	if (!pm->st)
		return 0;
	he_error_clear(&e);
	ret = he_state_save(pm->st, &e);
	if (ret == -EBADF)
		return 0; /* read-only state (e.g. netcheck): nothing is kept */
	if (ret < 0 && err) {
		*err = e;
		return he_error_prefix(err, ret, "the router mapping was made but not recorded");
	}
	return ret;
}

static json_t *mappings(struct he_portmap *pm)
{
	json_t *m = json_object_get(pm->sec, "mappings");

	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(pm->sec, "mappings", m);
	}
	return m;
}

static void record_key(const char *name, unsigned proto, int family, uint16_t port, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s %s %u ipv%d", name, proto == HE_PROTO_UDP ? "udp" : "tcp", port,
		 family == AF_INET6 ? 6 : 4);
}

static json_t *igd_json(const struct he_portmap *pm)
{
	json_t *u = json_object();

	json_object_set_new(u, "location", json_string(pm->igd.location));
	json_object_set_new(u, "control_url", json_string(pm->igd.control_url));
	json_object_set_new(u, "service_type", json_string(pm->igd.service_type));
	json_object_set_new(u, "control_url_6fc", json_string(pm->igd.control_url_6fc));
	json_object_set_new(u, "service_type_6fc", json_string(pm->igd.service_type_6fc));
	json_object_set_new(u, "igd_version", json_integer(pm->igd.igd_version));
	return u;
}

/*
 * Record the discovery result. A forced protocol (--protocol) does not change
 * the automatic choice; its UPnP URLs are still kept.
 */
static void cache_store(struct he_portmap *pm)
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

static void copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "");
}

static void igd_load(struct he_portmap *pm, json_t *u)
{
	copy_str(pm->igd.location, sizeof(pm->igd.location), u, "location");
	copy_str(pm->igd.control_url, sizeof(pm->igd.control_url), u, "control_url");
	copy_str(pm->igd.service_type, sizeof(pm->igd.service_type), u, "service_type");
	copy_str(pm->igd.control_url_6fc, sizeof(pm->igd.control_url_6fc), u, "control_url_6fc");
	copy_str(pm->igd.service_type_6fc, sizeof(pm->igd.service_type_6fc), u, "service_type_6fc");
	pm->igd.igd_version = (int)json_integer_value(json_object_get(u, "igd_version"));
	pm->igd.ready = pm->igd.control_url[0] && pm->igd.service_type[0];
}

/* Use the cached discovery result if it is for this gateway. */
static bool cache_load(struct he_portmap *pm)
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
	pm->be = backend_of(p);
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

		p->be = backend_of(order[i]);
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
static int discover(struct he_portmap *pm, struct he_error *err, bool store)
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
	pm->be = backend_of(chosen);
	if (pm->be->probe_finish) {
		ret = pm->be->probe_finish(pm, &ps.p[chosen - 1], err);
		if (ret < 0)
			return ret;
	}
	if (ps.p[chosen - 1].have_epoch)
		he_pm_epoch_update(pm, chosen == HE_PM_PCP ? "pcp" : "natpmp",
				   ps.p[chosen - 1].epoch);
	if (store)
		cache_store(pm);
	return 0;
}

static int resolve_gateway(struct he_portmap *pm, struct he_error *err)
{
	int ret;

	if (pm->opts.gateway) {
		ret = he_route_parse_gateway(pm->opts.gateway, &pm->gw4, err);
		if (ret < 0)
			return ret;
		if (pm->gw4.family != AF_INET)
			return he_error_set(err, -EINVAL,
					    "the router override '%s' must be an IPv4 address "
					    "(set the IPv6 router separately)",
					    pm->opts.gateway);
		{
			struct he_route_info via;

			ret = he_route_get(AF_INET, &pm->gw4.gw, 0, &via, err);
			if (ret < 0)
				return ret;
			pm->gw4.ifindex = via.ifindex;
			memcpy(pm->gw4.ifname, via.ifname, sizeof(pm->gw4.ifname));
			pm->gw4.src = via.src;
			pm->gw4.has_src = via.has_src;
		}
	} else {
		ret = he_route_default(AF_INET, &pm->gw4, err);
		if (ret < 0)
			return ret;
	}
	pm->have_gw4 = true;
	he_inaddr_str(AF_INET, &pm->gw4.gw, pm->gw_text, sizeof(pm->gw_text));
	return 0;
}

static int pm_new(const struct he_portmap_opts *opts, struct he_state *st, struct he_portmap **out,
		  struct he_error *err)
{
	struct he_portmap *pm;
	size_t i;
	int ret;

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return he_error_set(err, -ENOMEM, "out of memory");
	if (opts)
		pm->opts = *opts;
	memcpy(pm->order, default_order, sizeof(pm->order));
	if (pm->opts.order[0]) {
		memset(pm->order, 0, sizeof(pm->order));
		for (i = 0; i < HE_PM_NPROTO; i++) {
			if (pm->opts.order[i] && !backend_of(pm->opts.order[i])) {
				free(pm);
				return he_error_set(err, -EINVAL, "bad router protocol order");
			}
			pm->order[i] = pm->opts.order[i];
		}
	}
	if (pm->opts.force && !backend_of(pm->opts.force)) {
		free(pm);
		return he_error_set(err, -EINVAL, "bad forced router protocol");
	}
	pm->op_timeout_ms = pm->opts.op_timeout_ms > 0 ? pm->opts.op_timeout_ms : 1000;
	if (!pm->opts.lease_default)
		pm->opts.lease_default = 3600;
	pm->st = st;
	if (st) {
		pm->sec = he_state_section(st, "portmap");
	} else {
		pm->own_sec = json_object();
		pm->sec = pm->own_sec;
	}
	if (!pm->sec) {
		he_portmap_close(pm);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	pm->upnp_permanent_only = json_is_true(json_object_get(pm->sec, "upnp_permanent_only"));
	ret = resolve_gateway(pm, err);
	if (ret < 0) {
		he_portmap_close(pm);
		return ret;
	}
	*out = pm;
	return 0;
}

int he_portmap_open(const struct he_portmap_opts *opts, struct he_state *st,
		    struct he_portmap **out, struct he_error *err)
{
	struct he_portmap *pm;
	uint64_t start = he_now_ms();
	int ret;

	ret = pm_new(opts, st, &pm, err);
	if (ret < 0)
		return ret;
	if (!cache_load(pm)) {
		ret = discover(pm, err, true);
		if (ret < 0) {
			he_portmap_close(pm);
			return ret;
		}
		save_state(pm, NULL);
	}
	pm->open_ms = (unsigned)(he_now_ms() - start);
	*out = pm;
	return 0;
}

enum he_pm_protocol he_portmap_protocol(const struct he_portmap *pm)
{
	return pm && pm->be ? pm->be->id : HE_PM_NONE;
}

unsigned he_portmap_open_ms(const struct he_portmap *pm)
{
	return pm ? pm->open_ms : 0;
}

const char *he_portmap_gateway(const struct he_portmap *pm)
{
	return pm ? pm->gw_text : "";
}

void he_portmap_close(struct he_portmap *pm)
{
	if (!pm)
		return;
	json_decref(pm->own_sec);
	free(pm);
}

/* ---- mappings ---- */

static int check_request(const struct he_pm_request *req, struct he_error *err)
{
	const char *c;

	if (!req || !req->name || !req->name[0] || strlen(req->name) >= HE_PM_NAME_MAX - 1)
		return he_error_set(err, -EINVAL, "a mapping needs an exposure name (1-%d chars)",
				    HE_PM_NAME_MAX - 2);
	for (c = req->name; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == '"' || *c == '<' || *c == '>' || *c == '&')
			return he_error_set(err, -EINVAL,
					    "exposure name '%s' has a character a router "
					    "description cannot hold; use letters, digits, - _ .",
					    req->name);
	if (req->proto != HE_PROTO_TCP && req->proto != HE_PROTO_UDP)
		return he_error_set(err, -EINVAL,
				    "one router mapping is for exactly one of tcp or udp");
	if (req->family != AF_INET && req->family != AF_INET6)
		return he_error_set(err, -EAFNOSUPPORT, "a mapping is for IPv4 or IPv6");
	if (!req->int_port || (req->family == AF_INET && !req->ext_port))
		return he_error_set(err, -EINVAL, "port 0 cannot be mapped");
	if (req->to) {
		unsigned char buf[16];

		if (inet_pton(req->family, req->to, buf) != 1)
			return he_error_set(err, -EINVAL, "'%s' is not an %s address of a LAN host",
					    req->to, req->family == AF_INET ? "IPv4" : "IPv6");
	}
	return 0;
}

/*
 * One external port, one exposure: routers silently re-point an existing
 * forward when the same host asks again (miniupnpd does), which would break
 * the other exposure.
 */
static int check_ext_port(struct he_portmap *pm, const struct he_pm_request *req, const char *key,
			  struct he_error *err)
{
	json_t *m = mappings(pm), *o;
	const char *k, *proto = req->proto == HE_PROTO_UDP ? "udp" : "tcp";

	if (req->family != AF_INET)
		return 0;
	json_object_foreach(m, k, o)
	{
		const char *p = json_string_value(json_object_get(o, "proto"));
		const char *n = json_string_value(json_object_get(o, "name"));

		if (!strcmp(k, key) || json_integer_value(json_object_get(o, "family")) != 4 ||
		    !p || strcmp(p, proto) ||
		    json_integer_value(json_object_get(o, "ext_port")) != req->ext_port)
			continue;
		return he_error_set(err, -EADDRINUSE,
				    "external port %u/%s is already used by exposure '%s' (to "
				    "port %u); close it first or choose another external port",
				    req->ext_port, proto, n ? n : "?",
				    (unsigned)json_integer_value(json_object_get(o, "int_port")));
	}
	return 0;
}

/*
 * --to must name another host on the router's LAN: reached directly (no
 * gateway) over the interface this host uses toward the router, and not the
 * router itself. This host's own address is accepted (it is no third party).
 */
static int check_lan_host(struct he_portmap *pm, const struct he_pm_request *req,
			  struct he_error *err)
{
	union he_inaddr a;
	struct he_route_info via = {0};
	const struct he_route_info *gw = req->family == AF_INET6 ? &pm->gw6 : &pm->gw4;
	char self[HE_PM_ADDR_MAX] = "", gwt[HE_PM_ADDR_MAX] = "";
	size_t alen = req->family == AF_INET6 ? sizeof(a.v6) : sizeof(a.v4);
	int ret;

	if (!req->to)
		return 0;
	if (inet_pton(req->family, req->to, &a) != 1)
		return he_error_set(err, -EINVAL, "'%s' is not an %s address of a LAN host",
				    req->to, req->family == AF_INET ? "IPv4" : "IPv6");
	ret = he_pm_local_addr(pm, req->family, self, sizeof(self), err);
	if (ret < 0)
		return ret;
	if (!strcmp(self, req->to))
		return 0;
	he_inaddr_str(req->family, &gw->gw, gwt, sizeof(gwt));
	if (!memcmp(&a, &gw->gw, alen))
		return he_error_set(err, -EINVAL,
				    "--to %s is the router itself; name the LAN host that runs the "
				    "service",
				    req->to);
	if (he_route_get(req->family, &a, 0, &via, NULL) < 0 || via.has_gw ||
	    via.ifindex != gw->ifindex)
		return he_error_set(
		    err, -EINVAL,
		    "--to %s is not on the router's LAN: this host (%s on %s) does not reach it "
		    "directly on the link to the router %s%s%s; the router can only forward to "
		    "hosts of that LAN, so name an address of this host's subnet there",
		    req->to, self, pm->gw4.ifname, gwt, via.has_gw ? " (it is routed via " : "",
		    via.has_gw ? "a gateway)" : "");
	return 0;
}

static bool retry_after_reprobe(int ret)
{
	return ret == -ECONNREFUSED || ret == -ETIMEDOUT || ret == -EHOSTUNREACH;
}

/*
 * The backend for an IPv6 pinhole. On a PCP router that also offers UPnP's
 * WANIPv6FirewallControl, UPnP is preferred: a UPnP pinhole is deleted by its
 * own unique id, while a PCP delete is matched by internal port and nonce,
 * which miniupnpd 2.3.1 gets wrong once an IPv4 PCP mapping shares the
 * internal port (the pinhole then cannot be deleted before its lease ends).
 * A forced --protocol is respected. The answer is cached in the state.
 */
static const struct he_portmap_backend *v6_backend(struct he_portmap *pm)
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

int he_portmap_map(struct he_portmap *pm, const struct he_pm_request *req_in,
		   struct he_pm_result *res_out, struct he_error *err)
{
	struct he_pm_request req;
	struct he_pm_result res;
	char key[128];
	json_t *m, *old, *rec;
	const struct he_portmap_backend *be;
	uint64_t start = he_now_ms();
	bool reprobed = false;
	unsigned saved_exclude = pm->exclude;
	time_t now;
	int ret;

	ret = check_request(req_in, err);
	if (ret < 0)
		return ret;
	req = *req_in;
	if (!req.lease)
		req.lease = pm->opts.lease_default;
	if (req.family == AF_INET6) {
		ret = he_pm_need_v6(pm, err);
		if (ret < 0)
			return ret;
	}
	ret = check_lan_host(pm, &req, err);
	if (ret < 0)
		return ret;
	m = mappings(pm);
	record_key(req.name, req.proto, req.family,
		   req.family == AF_INET6 ? req.int_port : req.ext_port, key, sizeof(key));
	old = json_object_get(m, key);
	rec = json_is_object(old) ? json_deep_copy(old) : json_object();
	if (!rec)
		return he_error_set(err, -ENOMEM, "out of memory");
	be = req.family == AF_INET6 ? v6_backend(pm) : pm->be;
	{
		/* a record made by another protocol: its nonce/pinhole mean nothing here */
		const char *p = json_string_value(json_object_get(rec, "protocol"));

		if (p && strcmp(p, be->name)) {
			json_object_del(rec, "nonce");
			json_object_del(rec, "pinhole_id");
		}
	}
	ret = check_ext_port(pm, &req, key, err);
	if (ret < 0) {
		json_decref(rec);
		return ret;
	}
again:
	memset(&res, 0, sizeof(res));
	ret = be->map(pm, &req, rec, &res, err);
	if (ret < 0 && be != pm->be) {
		/* the UPnP pinhole was refused (e.g. 606 for ports < 1024): PCP */
		be = pm->be;
		json_object_del(rec, "pinhole_id");
		he_error_clear(err);
		goto again;
	}
	if (ret == -EPROTONOSUPPORT && pm->be->id == HE_PM_PCP && !pm->opts.force) {
		/* PCP UNSUPP_VERSION from a NAT-PMP-only router: fall back */
		pm->be = be = &he_pm_backend_natpmp;
		cache_store(pm);
		goto again;
	}
	if (ret == -EOPNOTSUPP && !pm->opts.force) {
		/* e.g. an IPv6 pinhole on a NAT-PMP router: try the next protocol */
		struct he_error e2;
		const struct he_portmap_backend *was = pm->be;

		he_error_clear(&e2);
		pm->exclude |= 1u << pm->be->id;
		if (discover(pm, &e2, false) == 0) {
			be = pm->be;
			json_object_del(rec, "nonce");
			json_object_del(rec, "pinhole_id");
			goto again;
		}
		pm->be = was;
	}
	if (ret < 0 && retry_after_reprobe(ret) && !reprobed) {
		struct he_error e2;

		reprobed = true;
		he_error_clear(&e2);
		memset(&pm->igd, 0, sizeof(pm->igd));
		if (discover(pm, &e2, true) == 0) {
			be = req.family == AF_INET6 ? v6_backend(pm) : pm->be;
			json_object_del(rec, "pinhole_id");
			goto again;
		}
	}
	pm->exclude = saved_exclude;
	if (ret < 0) {
		json_decref(rec);
		save_state(pm, NULL); /* epoch / permanent-lease knowledge */
		return ret;
	}
	now = time(NULL);
	res.protocol = be->id;
	res.family = req.family;
	res.int_port = req.int_port;
	if (!res.client[0]) {
		if (req.to)
			snprintf(res.client, sizeof(res.client), "%s", req.to);
		else
			he_pm_local_addr(pm, req.family, res.client, sizeof(res.client), NULL);
	}
	if (res.ext_addr[0] && he_addr_class_str(res.ext_addr, &res.ext_class) < 0)
		res.ext_class = HE_ADDR_RESERVED;
	if (res.epoch_reset || pm->epoch_reset) {
		/* noticed now or while (re)discovering: reported once */
		pm->epoch_reset = false;
		res.epoch_reset = true;
		snprintf(res.note, sizeof(res.note),
			 "the router %s lost its port mappings since the last run (it restarted "
			 "or was reset): map the other exposures again",
			 pm->gw_text);
	}
	if (req.family == AF_INET)
		he_pm_note_class(&res);
	json_object_set_new(rec, "name", json_string(req.name));
	json_object_set_new(rec, "protocol", json_string(be->name));
	json_object_set_new(rec, "proto", json_string(req.proto == HE_PROTO_UDP ? "udp" : "tcp"));
	json_object_set_new(rec, "family", json_integer(req.family == AF_INET6 ? 6 : 4));
	json_object_set_new(rec, "ext_port", json_integer(res.ext_port));
	json_object_set_new(rec, "int_port", json_integer(req.int_port));
	json_object_set_new(rec, "client", json_string(res.client));
	json_object_set_new(rec, "ext_addr", json_string(res.ext_addr));
	json_object_set_new(rec, "lease", json_integer(res.lease));
	json_object_set_new(rec, "permanent", json_boolean(res.permanent));
	json_object_set_new(rec, "expires",
			    json_integer(res.permanent ? 0 : (json_int_t)now + res.lease));
	json_object_set_new(rec, "gateway", json_string(pm->gw_text));
	json_object_set_new(m, key, rec);
	ret = save_state(pm, err);
	res.elapsed_ms = (unsigned)(he_now_ms() - start);
	if (res_out)
		*res_out = res;
	return ret;
}

int he_portmap_unmap(struct he_portmap *pm, const struct he_pm_request *req, struct he_error *err)
{
	const struct he_portmap_backend *be;
	enum he_pm_protocol p;
	char key[128];
	json_t *m, *rec;
	int ret;

	if (!req || !req->name || (req->proto != HE_PROTO_TCP && req->proto != HE_PROTO_UDP))
		return he_error_set(err, -EINVAL, "unmap needs a name and one of tcp or udp");
	m = mappings(pm);
	record_key(req->name, req->proto, req->family,
		   req->family == AF_INET6 ? req->int_port : req->ext_port, key, sizeof(key));
	rec = json_object_get(m, key);
	if (!json_is_object(rec))
		return he_error_set(err, -ENOENT,
				    "no router mapping '%s' recorded for port %u/%s (%s): "
				    "homeexpose did not make it, or it was removed already",
				    req->name,
				    req->family == AF_INET6 ? req->int_port : req->ext_port,
				    req->proto == HE_PROTO_UDP ? "udp" : "tcp",
				    req->family == AF_INET6 ? "IPv6" : "IPv4");
	if (he_pm_protocol_parse(json_string_value(json_object_get(rec, "protocol")), &p, NULL) < 0)
		p = pm->be->id;
	be = backend_of(p);
	if (be->id == HE_PM_UPNP && pm->be->id != HE_PM_UPNP && !pm->igd.ready)
		memset(&pm->igd, 0, sizeof(pm->igd)); /* discover via miniupnpc */
	ret = be->unmap(pm, rec, err);
	if (ret < 0 && retry_after_reprobe(ret) && be == pm->be) {
		memset(&pm->igd, 0, sizeof(pm->igd));
		if (discover(pm, NULL, true) == 0 && pm->be == be) {
			he_error_clear(err);
			ret = be->unmap(pm, rec, err);
		}
	}
	if (ret < 0)
		return ret;
	json_object_del(m, key);
	return save_state(pm, err);
}

/* The mapping records of section sec as entries, lease left from "expires". */
static int records(json_t *sec, struct he_pm_entry **out, size_t *n, struct he_error *err)
{
	json_t *m = json_object_get(sec, "mappings"), *rec;
	const char *key;
	struct he_pm_entry *v;
	size_t cnt = 0, total = json_is_object(m) ? json_object_size(m) : 0;
	time_t now = time(NULL);

	v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return he_error_set(err, -ENOMEM, "out of memory");
	json_object_foreach(m, key, rec)
	{
		struct he_pm_entry *e;
		const char *proto = json_string_value(json_object_get(rec, "proto"));
		json_int_t exp = json_integer_value(json_object_get(rec, "expires"));
		json_int_t ep = json_integer_value(json_object_get(rec, "ext_port"));
		json_int_t ip = json_integer_value(json_object_get(rec, "int_port"));

		if (!json_is_object(rec) || !proto ||
		    !json_is_string(json_object_get(rec, "name")) || ep < 0 || ep > 65535 ||
		    ip < 0 || ip > 65535)
			continue; /* not a record written here: leave it alone */
		e = &v[cnt++];

		he_pm_protocol_parse(json_string_value(json_object_get(rec, "protocol")),
				     &e->protocol, NULL);
		e->proto = proto && !strcmp(proto, "udp") ? HE_PROTO_UDP : HE_PROTO_TCP;
		e->family =
		    json_integer_value(json_object_get(rec, "family")) == 6 ? AF_INET6 : AF_INET;
		e->ext_port = (uint16_t)json_integer_value(json_object_get(rec, "ext_port"));
		e->int_port = (uint16_t)json_integer_value(json_object_get(rec, "int_port"));
		copy_str(e->client, sizeof(e->client), rec, "client");
		copy_str(e->name, sizeof(e->name), rec, "name");
		copy_str(e->ext_addr, sizeof(e->ext_addr), rec, "ext_addr");
		he_pm_desc(e->name, e->desc, sizeof(e->desc));
		e->ours = true;
		e->enabled = true;
		e->lease = json_integer_value(json_object_get(rec, "lease")) > 0
			       ? (uint32_t)json_integer_value(json_object_get(rec, "lease"))
			       : 0;
		e->expires = (int64_t)exp;
		e->permanent = json_is_true(json_object_get(rec, "permanent"));
		if (e->permanent)
			e->lease_remaining = 0;
		else
			e->lease_remaining = exp > now ? (int64_t)(exp - now) : -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int he_portmap_records(struct he_state *st, struct he_pm_entry **out, size_t *n,
		       struct he_error *err)
{
	json_t *sec = st ? he_state_section(st, "portmap") : NULL;

	if (!sec) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	return records(sec, out, n, err);
}

int he_portmap_list(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
		    struct he_error *err)
{
	int ret = records(pm->sec, out, n, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < *n; i++) {
		struct he_pm_entry *e = &(*out)[i];
		int64_t left = 0;
		int r;

		if (e->protocol != HE_PM_UPNP || e->family != AF_INET)
			continue;
		r = he_pm_upnp_has_entry(pm, e->ext_port, e->proto, &left);
		if (r < 0)
			continue; /* could not ask: the state's view stands */
		e->router_checked = true;
		e->on_router = r == 1;
		e->lease_remaining = r == 1 ? left : -1;
	}
	return 0;
}

int he_portmap_list_router(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			   struct he_error *err)
{
	json_t *m = mappings(pm), *rec;
	const char *key;
	size_t i;
	int ret = pm->be->list_router(pm, out, n, err);

	if (ret < 0)
		return ret;
	/* PCP and NAT-PMP carry no description: mark what the state says is ours */
	for (i = 0; i < *n; i++) {
		struct he_pm_entry *e = &(*out)[i];

		if (e->ours)
			continue;
		json_object_foreach(m, key, rec)
		{
			const char *c = json_string_value(json_object_get(rec, "client"));
			const char *p = json_string_value(json_object_get(rec, "proto"));
			const char *nm = json_string_value(json_object_get(rec, "name"));

			if (json_integer_value(json_object_get(rec, "family")) != 4 || !c ||
			    strcmp(c, e->client) || !p ||
			    strcmp(p, e->proto == HE_PROTO_UDP ? "udp" : "tcp") ||
			    json_integer_value(json_object_get(rec, "ext_port")) != e->ext_port)
				continue;
			e->ours = true;
			snprintf(e->name, sizeof(e->name), "%s", nm ? nm : "");
			break;
		}
	}
	return 0;
}

int he_portmap_external_address(struct he_portmap *pm, char *buf, size_t len,
				enum he_addr_class *cls, struct he_error *err)
{
	char tmp[HE_PM_ADDR_MAX] = "";
	int ret = pm->be->external_address(pm, tmp, sizeof(tmp), err);

	if (ret < 0)
		return ret;
	snprintf(buf, len, "%s", tmp);
	if (cls && he_addr_class_str(tmp, cls) < 0)
		*cls = HE_ADDR_RESERVED;
	save_state(pm, NULL);
	return 0;
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
	ret = pm_new(opts, st, &pm, err);
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
		pm->be = backends[i];
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
		pm->be = backend_of(chosen);
		if (chosen != HE_PM_UPNP || pm->igd.ready) {
			cache_store(pm);
			save_state(pm, NULL);
		}
	}
	nc.total_ms = (unsigned)(he_now_ms() - start);
	he_portmap_close(pm);
	*out = nc;
	return 0;
}
