/* SPDX-License-Identifier: MIT */
/*
 * portmap.c - the public handle of lib/portmap: the protocol table (names,
 * capabilities), gateway resolution, open/close, the external address. The
 * other jobs: discover.c (probing and its cache), mapping.c (map, unmap),
 * records.c (the mapping records in the state), pm_util.c (shared helpers).
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

/* By protocol id - 1. */
static const struct he_portmap_backend *const backends[HE_PM_NPROTO] = {
    &he_pm_backend_pcp,
    &he_pm_backend_natpmp,
    &he_pm_backend_upnp,
};

static const enum he_pm_protocol default_order[HE_PM_NPROTO] = {HE_PM_PCP, HE_PM_NATPMP,
								HE_PM_UPNP};

const struct he_portmap_backend *he_pm_backend_of(enum he_pm_protocol p)
{
	return p >= HE_PM_PCP && p <= HE_PM_UPNP ? backends[p - 1] : NULL;
}

const char *const he_pm_protocol_words[HE_PM_NPROTO + 1] = {HE_PM_NAME_PCP, HE_PM_NAME_NATPMP,
							    HE_PM_NAME_UPNP, NULL};

unsigned he_pm_protocol_caps(enum he_pm_protocol p)
{
	const struct he_portmap_backend *be = he_pm_backend_of(p);

	return be ? be->caps : 0;
}

unsigned he_portmap_caps(const struct he_portmap *pm)
{
	return pm && pm->be ? pm->be->caps : 0;
}

enum he_pm_protocol he_pm_protocol_with(unsigned caps)
{
	for (size_t i = 0; i < HE_PM_NPROTO; i++)
		if ((he_pm_backend_of(default_order[i])->caps & caps) == caps)
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
	const struct he_portmap_backend *be = he_pm_backend_of(p);

	return be ? be->name : "none";
}

/* Equal but for '-' in s ("nat-pmp" is natpmp). */
static bool same_word(const char *s, const char *name)
{
	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (*s != *name++)
			return false;
	}
	return *name == '\0';
}

int he_pm_protocol_parse(const char *s, enum he_pm_protocol *out, struct he_error *err)
{
	for (size_t i = 0; s && i < HE_PM_NPROTO; i++) {
		const struct he_portmap_backend *be = he_pm_backend_of(default_order[i]);

		if (same_word(s, be->name)) {
			*out = be->id;
			return 0;
		}
	}
	return he_error_set(err, -EINVAL, "unknown router protocol '%s': use pcp, natpmp or upnp",
			    s ? s : "");
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

int he_pm_new(const struct he_portmap_opts *opts, struct he_state *st, struct he_portmap **out,
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
			if (pm->opts.order[i] && !he_pm_backend_of(pm->opts.order[i])) {
				free(pm);
				return he_error_set(err, -EINVAL, "bad router protocol order");
			}
			pm->order[i] = pm->opts.order[i];
		}
	}
	if (pm->opts.force && !he_pm_backend_of(pm->opts.force)) {
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

	ret = he_pm_new(opts, st, &pm, err);
	if (ret < 0)
		return ret;
	if (!he_pm_cache_load(pm)) {
		ret = he_pm_discover(pm, err, true);
		if (ret < 0) {
			he_portmap_close(pm);
			return ret;
		}
		he_pm_save_state(pm, NULL);
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
	he_pm_save_state(pm, NULL);
	return 0;
}

int he_portmap_event_urls(struct he_portmap *pm, char *url, size_t len, char *url6, size_t len6,
			  struct he_error *err)
{
	if (!pm->be->event_urls)
		return he_error_set(err, -EOPNOTSUPP, "%s sends no events", pm->be->label);
	return pm->be->event_urls(pm, url, len, url6, len6, err);
}
