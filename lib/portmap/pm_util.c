/* SPDX-License-Identifier: MIT */
/*
 * pm_util.c - helpers the backends share: waiting on a socket, epochs,
 * descriptions, address-class notes, this host's addresses toward the router,
 * and a UDP socket connected to it.
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

bool he_pm_pinhole_stale(const json_t *sec, const json_t *rec)
{
	static const char *const secs[] = {"pcp", "natpmp"};
	json_int_t exp = json_integer_value(json_object_get(rec, "expires"));
	json_int_t made = exp - json_integer_value(json_object_get(rec, "lease"));

	if (!json_object_get(rec, "pinhole_id") || !exp)
		return false;
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		const json_t *o = json_object_get(sec, secs[i]);
		const json_t *e = json_object_get(o, "epoch"), *at = json_object_get(o, "at");

		if (json_is_integer(e) && json_is_integer(at) &&
		    made < json_integer_value(at) - json_integer_value(e) - 2)
			return true;
	}
	return false;
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
