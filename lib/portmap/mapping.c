/* SPDX-License-Identifier: MIT */
/*
 * mapping.c - create, renew and remove one mapping: request checks (ports,
 * the external port's owner, a `to` host on the router's LAN), the backend for
 * the family, one re-probe when a cached protocol stopped answering.
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
	json_t *m = he_pm_mappings(pm), *o;
	const char *k, *proto = he_proto_name(req->proto);

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
	m = he_pm_mappings(pm);
	he_pm_record_key(req.name, req.proto, req.family,
			 req.family == AF_INET6 ? req.int_port : req.ext_port, key, sizeof(key));
	old = json_object_get(m, key);
	rec = json_is_object(old) ? json_deep_copy(old) : json_object();
	if (!rec)
		return he_error_set(err, -ENOMEM, "out of memory");
	be = req.family == AF_INET6 ? he_pm_v6_backend(pm) : pm->be;
	{
		/* a record made by another protocol: its nonce/pinhole mean nothing here */
		const char *p = json_string_value(json_object_get(rec, "protocol"));

		if (p && strcmp(p, be->name)) {
			json_object_del(rec, "nonce");
			json_object_del(rec, "pinhole_id");
		}
	}
	if (req.fresh || he_pm_pinhole_stale(pm->sec, rec))
		json_object_del(rec, "pinhole_id"); /* added again, not renewed */
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
		he_pm_cache_store(pm);
		goto again;
	}
	if (ret == -EOPNOTSUPP && !pm->opts.force) {
		/* e.g. an IPv6 pinhole on a NAT-PMP router: try the next protocol */
		struct he_error e2;
		const struct he_portmap_backend *was = pm->be;

		he_error_clear(&e2);
		pm->exclude |= 1u << pm->be->id;
		if (he_pm_discover(pm, &e2, false) == 0) {
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
		if (he_pm_discover(pm, &e2, true) == 0) {
			be = req.family == AF_INET6 ? he_pm_v6_backend(pm) : pm->be;
			json_object_del(rec, "pinhole_id");
			goto again;
		}
	}
	pm->exclude = saved_exclude;
	if (ret < 0) {
		json_decref(rec);
		he_pm_save_state(pm, NULL); /* epoch / permanent-lease knowledge */
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
	json_object_set_new(rec, "proto", json_string(he_proto_name(req.proto)));
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
	ret = he_pm_save_state(pm, err);
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
	m = he_pm_mappings(pm);
	he_pm_record_key(req->name, req->proto, req->family,
			 req->family == AF_INET6 ? req->int_port : req->ext_port, key, sizeof(key));
	rec = json_object_get(m, key);
	if (!json_is_object(rec))
		return he_error_set(err, -ENOENT,
				    "no router mapping '%s' recorded for port %u/%s (%s): "
				    "homeexpose did not make it, or it was removed already",
				    req->name,
				    req->family == AF_INET6 ? req->int_port : req->ext_port,
				    he_proto_name(req->proto), he_family_label(req->family));
	if (he_pm_protocol_parse(json_string_value(json_object_get(rec, "protocol")), &p, NULL) < 0)
		p = pm->be->id;
	be = he_pm_backend_of(p);
	if (be->id == HE_PM_UPNP && pm->be->id != HE_PM_UPNP && !pm->igd.ready)
		memset(&pm->igd, 0, sizeof(pm->igd)); /* discover via miniupnpc */
	ret = be->unmap(pm, rec, err);
	if (ret < 0 && retry_after_reprobe(ret) && be == pm->be) {
		memset(&pm->igd, 0, sizeof(pm->igd));
		if (he_pm_discover(pm, NULL, true) == 0 && pm->be == be) {
			he_error_clear(err);
			ret = be->unmap(pm, rec, err);
		}
	}
	if (ret < 0)
		return ret;
	json_object_del(m, key);
	return he_pm_save_state(pm, err);
}

/* The mapping records of section sec as entries, lease left from "expires". */
