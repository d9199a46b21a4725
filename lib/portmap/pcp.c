/* SPDX-License-Identifier: MIT */
/*
 * pcp.c - the PCP (RFC 6887) backend: MAP for IPv4 port forwards and IPv6
 * pinholes over our own UDP socket to the gateway's port 5351. The nonce of
 * each mapping lives in its state record so renewals and deletes work across
 * runs; the server epoch is checked on every answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/portspec.h"
#include "portmap/backend.h"
#include "portmap/pcp_wire.h"
#include "core/wait.h"

static int pcp_probe_start(struct he_portmap *pm, struct he_pm_probe *p)
{
	struct in6_addr client;

	p->fd = he_pm_udp_connect(pm, AF_INET, HE_PCP_PORT, false, &p->err);
	if (p->fd < 0)
		return p->fd;
	he_pcp_v4mapped(&pm->gw4.src.v4, &client);
	p->pkt_len = he_pcp_encode_announce(&client, p->pkt, sizeof(p->pkt));
	return p->be->probe_resend(pm, p);
}

static int pcp_probe_resend(struct he_portmap *pm, struct he_pm_probe *p)
{
	if (send(p->fd, p->pkt, p->pkt_len, 0) < 0 && errno != ECONNREFUSED)
		return he_error_set(&p->err, -errno, "PCP: cannot send to the router: %s",
				    strerror(errno));
	return 0;
}

static int pcp_probe_input(struct he_portmap *pm, struct he_pm_probe *p)
{
	struct he_pcp_reply r;
	uint8_t buf[HE_PCP_MAX_LEN + 4];
	ssize_t n;
	int ret;

	n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ECONNREFUSED)
			return he_error_set(&p->err, -ECONNREFUSED,
					    "PCP: nothing listens on the router's port 5351 (ICMP "
					    "port unreachable)");
		return he_error_set(&p->err, -errno, "PCP: %s", strerror(errno));
	}
	ret = he_pcp_decode(buf, (size_t)n, &r);
	if (ret == -EPROTO || (ret == 0 && r.result == HE_PCP_UNSUPP_VERSION)) {
		p->natpmp_only = true;
		return he_error_set(&p->err, -EPROTONOSUPPORT,
				    "PCP: the router answered with version %u: it speaks only "
				    "NAT-PMP",
				    r.version);
	}
	if (ret < 0 || r.opcode != HE_PCP_OP_ANNOUNCE)
		return 0; /* junk: keep waiting */
	p->epoch = r.epoch;
	p->have_epoch = true;
	return 1;
}

static void pcp_probe_cleanup(struct he_pm_probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static int hex_to_nonce(const char *s, uint8_t *nonce)
{
	size_t i;

	if (!s || strlen(s) != 2 * HE_PCP_NONCE_LEN)
		return -EINVAL;
	for (i = 0; i < HE_PCP_NONCE_LEN; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		nonce[i] = (uint8_t)v;
	}
	return 0;
}

static void nonce_to_hex(const uint8_t *nonce, char *s)
{
	size_t i;

	for (i = 0; i < HE_PCP_NONCE_LEN; i++)
		sprintf(s + 2 * i, "%02x", nonce[i]);
}

static int pcp_errno(unsigned result)
{
	switch (result) {
	case HE_PCP_UNSUPP_VERSION:
		return -EPROTONOSUPPORT;
	case HE_PCP_NOT_AUTHORIZED:
		return -EACCES;
	case HE_PCP_ADDRESS_MISMATCH:
		return -EADDRNOTAVAIL;
	case HE_PCP_NO_RESOURCES:
	case HE_PCP_USER_EX_QUOTA:
		return -ENOSPC;
	case HE_PCP_CANNOT_PROVIDE_EXTERNAL:
		return -EADDRINUSE;
	case HE_PCP_NETWORK_FAILURE:
		return -ENETDOWN;
	default:
		return -EPROTO;
	}
}

/*
 * One MAP exchange: send, wait with retransmissions (every 200 ms, doubling)
 * until the op deadline, decode the first reply that matches our nonce.
 */
static int pcp_exchange(struct he_portmap *pm, int family, const struct he_pcp_map_req *mr,
			struct he_pcp_reply *out, struct he_error *err)
{
	uint8_t pkt[HE_PCP_MAP_MAX_REQ], buf[HE_PCP_MAX_LEN + 4];
	uint64_t start = he_now_ms(), deadline = start + (uint64_t)pm->op_timeout_ms;
	uint64_t next_send = start, gap = 200;
	size_t len;
	int fd, ret = 0;

	fd = he_pm_udp_connect(pm, family, HE_PCP_PORT, family == AF_INET6, err);
	if (fd < 0)
		return fd;
	len = he_pcp_encode_map(mr, pkt, sizeof(pkt));
	for (;;) {
		struct he_pcp_reply r;
		uint64_t now = he_now_ms();
		ssize_t n;

		if (now >= deadline) {
			ret =
			    he_error_set(err, -ETIMEDOUT,
					 "PCP: the router (%s) did not answer within %d ms; it "
					 "may have turned PCP off - try --protocol natpmp or upnp",
					 pm->gw_text, pm->op_timeout_ms);
			break;
		}
		if (now >= next_send) {
			if (send(fd, pkt, len, 0) < 0 && errno != ECONNREFUSED) {
				ret = he_error_set(err, -errno, "PCP: cannot send to %s: %s",
						   pm->gw_text, strerror(errno));
				break;
			}
			next_send = now + gap;
			gap *= 2;
		}
		if (he_wait_fd(fd, POLLIN, next_send < deadline ? next_send : deadline) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			ret = he_error_set(err, errno == ECONNREFUSED ? -ECONNREFUSED : -errno,
					   "PCP: the router does not accept PCP (%s)",
					   strerror(errno));
			break;
		}
		ret = he_pcp_decode(buf, (size_t)n, &r);
		if (ret == -EPROTO) {
			ret = he_error_set(err, -EPROTONOSUPPORT,
					   "PCP: the router answered in NAT-PMP (version 0): it "
					   "does not speak PCP");
			break;
		}
		if (ret < 0)
			continue; /* malformed: ignore, keep waiting */
		if (r.version != HE_PCP_VERSION) {
			*out = r;
			ret = 0;
			break;
		}
		if (r.opcode != HE_PCP_OP_MAP)
			continue;
		if (r.has_map && memcmp(r.nonce, mr->nonce, HE_PCP_NONCE_LEN))
			continue; /* not our request */
		*out = r;
		ret = 0;
		break;
	}
	close(fd);
	return ret;
}

static int pcp_build(struct he_portmap *pm, int family, const char *client_text, const json_t *rec,
		     struct he_pcp_map_req *mr, struct he_error *err)
{
	const char *self = NULL;
	char selfbuf[HE_PM_ADDR_MAX];
	union he_inaddr a;
	int ret;

	memset(mr, 0, sizeof(*mr));
	ret = he_pm_local_addr(pm, family, selfbuf, sizeof(selfbuf), err);
	if (ret < 0)
		return ret;
	self = selfbuf;
	if (family == AF_INET) {
		inet_pton(AF_INET, self, &a.v4);
		he_pcp_v4mapped(&a.v4, &mr->client);
		he_pcp_v4mapped(&(struct in_addr){0}, &mr->ext_addr);
	} else {
		inet_pton(AF_INET6, self, &mr->client);
	}
	if (client_text && strcmp(client_text, self)) {
		/* another LAN host: THIRD_PARTY option */
		mr->has_third_party = true;
		if (family == AF_INET) {
			if (inet_pton(AF_INET, client_text, &a.v4) != 1)
				return he_error_set(err, -EINVAL, "bad internal client '%s'",
						    client_text);
			he_pcp_v4mapped(&a.v4, &mr->third_party);
		} else if (inet_pton(AF_INET6, client_text, &mr->third_party) != 1) {
			return he_error_set(err, -EINVAL, "bad internal client '%s'", client_text);
		}
	}
	if (rec && hex_to_nonce(json_string_value(json_object_get(rec, "nonce")), mr->nonce) == 0)
		return 0;
	if (getrandom(mr->nonce, sizeof(mr->nonce), 0) != (ssize_t)sizeof(mr->nonce))
		return he_error_set(err, -EIO, "cannot get random bytes for the PCP nonce");
	return 0;
}

/* The external address a reply carries, if any ("" for none). */
static void reply_addr(const struct he_pcp_reply *r, char *buf, size_t len)
{
	static const uint8_t zero[16];

	buf[0] = '\0';
	if (!r->has_map || !memcmp(&r->ext_addr, zero, 16))
		return;
	if (he_pcp_is_v4mapped(&r->ext_addr)) {
		if (!memcmp(&r->ext_addr.s6_addr[12], zero, 4))
			return;
		inet_ntop(AF_INET, &r->ext_addr.s6_addr[12], buf, (socklen_t)len);
	} else {
		inet_ntop(AF_INET6, &r->ext_addr, buf, (socklen_t)len);
	}
}

static int pcp_result_error(struct he_portmap *pm, const struct he_pcp_reply *r, const char *what,
			    struct he_error *err)
{
	char addr[HE_PM_ADDR_MAX], why[HE_ERR_MSG_MAX];
	enum he_addr_class cls;

	/* A router behind CGNAT/another NAT refuses, yet names its WAN address
	 * (miniupnpd: NO_RESOURCES with ::ffff:100.64.x.y): that is the real cause. */
	reply_addr(r, addr, sizeof(addr));
	if (addr[0] && he_pcp_is_v4mapped(&r->ext_addr) && he_addr_class_str(addr, &cls) == 0 &&
	    cls != HE_ADDR_PUBLIC) {
		he_addr_class_explain(cls, addr, NULL, why, sizeof(why));
		return he_error_set(err, -ENETUNREACH,
				    "PCP %s refused by the router %s (PCP %s): %s", what,
				    pm->gw_text, he_pcp_result_name(r->result), why);
	}
	if (r->result == HE_PCP_NO_RESOURCES || r->result == HE_PCP_NETWORK_FAILURE ||
	    r->result == HE_PCP_USER_EX_QUOTA)
		return he_error_set(err, pcp_errno(r->result),
				    "PCP %s refused by the router %s: %s (the router suggests "
				    "retrying in %u s)",
				    what, pm->gw_text, he_pcp_result_explain(r->result),
				    r->lifetime);
	return he_error_set(err, pcp_errno(r->result), "PCP %s refused by the router %s: %s", what,
			    pm->gw_text, he_pcp_result_explain(r->result));
}

/*
 * PCP identifies a mapping by internal address, protocol and internal port: a
 * second MAP for the same internal port replaces the first (miniupnpd) or is
 * refused. Say so before breaking another exposure.
 */
static int pcp_check_internal(struct he_portmap *pm, const struct he_pm_request *req,
			      const char *client, struct he_error *err)
{
	json_t *m = json_object_get(pm->sec, "mappings"), *o;
	const char *key, *proto = he_proto_name(req->proto);
	int fam = req->family == AF_INET6 ? 6 : 4;

	json_object_foreach(m, key, o)
	{
		const char *p = json_string_value(json_object_get(o, "protocol"));
		const char *c = json_string_value(json_object_get(o, "client"));
		const char *pr = json_string_value(json_object_get(o, "proto"));
		const char *n = json_string_value(json_object_get(o, "name"));
		unsigned ext = (unsigned)json_integer_value(json_object_get(o, "ext_port"));

		if (!p || strcmp(p, "pcp") || !c || strcmp(c, client) || !pr || strcmp(pr, proto))
			continue;
		if (json_integer_value(json_object_get(o, "family")) != fam ||
		    json_integer_value(json_object_get(o, "int_port")) != req->int_port)
			continue;
		if (n && !strcmp(n, req->name) && (fam == 6 || ext == req->ext_port))
			continue; /* this very mapping: a renewal */
		return he_error_set(err, -EADDRINUSE,
				    "PCP maps one external port per internal port: exposure '%s' "
				    "already forwards external port %u to %s port %u/%s, and a "
				    "second mapping would replace it; use another internal port or "
				    "--protocol upnp",
				    n ? n : "?", ext, client, req->int_port, proto);
	}
	return 0;
}

static int pcp_map(struct he_portmap *pm, const struct he_pm_request *req, json_t *rec,
		   struct he_pm_result *res, struct he_error *err)
{
	struct he_pcp_map_req mr;
	struct he_pcp_reply r;
	char nonce_hex[2 * HE_PCP_NONCE_LEN + 1], client[HE_PM_ADDR_MAX];
	int ret;

	if (req->to)
		snprintf(client, sizeof(client), "%s", req->to);
	else if ((ret = he_pm_local_addr(pm, req->family, client, sizeof(client), err)) < 0)
		return ret;
	ret = pcp_check_internal(pm, req, client, err);
	if (ret < 0)
		return ret;
	ret = pcp_build(pm, req->family, req->to, rec, &mr, err);
	if (ret < 0)
		return ret;
	mr.lifetime = req->lease;
	mr.proto = req->proto == HE_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	mr.int_port = req->int_port;
	mr.ext_port = req->family == AF_INET ? req->ext_port : req->int_port;
	if (req->family == AF_INET6)
		mr.ext_addr = mr.has_third_party ? mr.third_party : mr.client;
	mr.prefer_failure = !req->allow_other_port;
	ret = pcp_exchange(pm, req->family, &mr, &r, err);
	if (ret < 0)
		return ret;
	if (he_pm_epoch_update(pm, "pcp", r.epoch))
		res->epoch_reset = true;
	if (r.version != HE_PCP_VERSION || r.result == HE_PCP_UNSUPP_VERSION)
		return he_error_set(err, -EPROTONOSUPPORT,
				    "PCP: the router speaks PCP version %u only, not 2; use "
				    "NAT-PMP or UPnP (--protocol natpmp|upnp)",
				    r.version);
	if (r.result == HE_PCP_UNSUPP_OPTION && mr.prefer_failure && !mr.has_third_party) {
		/* PREFER_FAILURE is optional for servers: ask without it, check the port */
		mr.prefer_failure = false;
		ret = pcp_exchange(pm, req->family, &mr, &r, err);
		if (ret < 0)
			return ret;
		he_pm_epoch_update(pm, "pcp", r.epoch);
	}
	if (mr.has_third_party &&
	    (r.result == HE_PCP_UNSUPP_OPTION || r.result == HE_PCP_NOT_AUTHORIZED))
		return he_error_set(err, -EOPNOTSUPP,
				    "PCP: the router does not map ports for another host (%s) on "
				    "this host's request (THIRD_PARTY option refused: %s); run "
				    "homeexpose on %s, or use --protocol upnp",
				    client, he_pcp_result_name(r.result), client);
	if (r.result != HE_PCP_SUCCESS)
		return pcp_result_error(pm, &r, "MAP", err);
	if (!r.has_map)
		return he_error_set(err, -EBADMSG, "PCP: the router's MAP answer has no mapping");
	nonce_to_hex(mr.nonce, nonce_hex);
	json_object_set_new(rec, "nonce", json_string(nonce_hex));
	res->ext_port = r.ext_port;
	res->lease = r.lifetime;
	if (he_pcp_is_v4mapped(&r.ext_addr))
		inet_ntop(AF_INET, &r.ext_addr.s6_addr[12], res->ext_addr, sizeof(res->ext_addr));
	else
		inet_ntop(AF_INET6, &r.ext_addr, res->ext_addr, sizeof(res->ext_addr));
	if (req->family == AF_INET && r.ext_port != req->ext_port && !req->allow_other_port) {
		/* the router ignored PREFER_FAILURE: give the port back */
		mr.lifetime = 0;
		mr.ext_port = r.ext_port;
		pcp_exchange(pm, req->family, &mr, &r, NULL);
		return he_error_set(err, -EADDRINUSE,
				    "PCP: external port %u is taken on the router %s (it offered "
				    "%u instead); choose another external port, e.g. %u",
				    req->ext_port, pm->gw_text, res->ext_port, res->ext_port);
	}
	return 0;
}

/*
 * NOT_AUTHORIZED on a delete: the router holds a mapping for this internal
 * address, port and protocol under another nonce, so it did NOT remove it.
 * miniupnpd 2.3.1 answers so for an IPv6 pinhole that was renewed while an
 * IPv4 PCP mapping used the same internal port (it no longer matches the
 * pinhole's own nonce, nor the IPv4 one: tried in the lab). Say so: the
 * mapping stays until its lease ends.
 */
static int pcp_refused_delete(struct he_portmap *pm, const json_t *rec, int family,
			      struct he_error *err)
{
	json_int_t exp = json_integer_value(json_object_get(rec, "expires"));
	long left = (long)(exp - (json_int_t)time(NULL));
	unsigned port = (unsigned)json_integer_value(
	    json_object_get(rec, family == AF_INET6 ? "int_port" : "ext_port"));
	char when[64] = "its lease ends";

	if (exp > 0 && left > 0)
		snprintf(when, sizeof(when), "its lease ends in %ld s", left);
	return he_error_set(err, -EACCES,
			    "PCP: the router %s refused to delete the %s %u (NOT_AUTHORIZED: it "
			    "holds it under another nonce%s), so it stays open until %s; remove "
			    "it in the router's %s, or restart the router's PCP service",
			    pm->gw_text,
			    family == AF_INET6 ? "IPv6 pinhole for port" : "mapping of port", port,
			    family == AF_INET6 ? " - miniupnpd does this to a renewed pinhole that "
						 "shares its internal port with an IPv4 mapping"
					       : "",
			    when, family == AF_INET6 ? "IPv6 firewall" : "port forwarding");
}

static int pcp_unmap(struct he_portmap *pm, json_t *rec, struct he_error *err)
{
	struct he_pcp_map_req mr;
	struct he_pcp_reply r;
	int family =
	    (int)json_integer_value(json_object_get(rec, "family")) == 6 ? AF_INET6 : AF_INET;
	const char *client = json_string_value(json_object_get(rec, "client"));
	const char *proto = json_string_value(json_object_get(rec, "proto"));
	int ret;

	if (hex_to_nonce(json_string_value(json_object_get(rec, "nonce")), mr.nonce) < 0)
		return he_error_set(err, -ENOENT,
				    "PCP: the state has no nonce for this mapping, so it cannot be "
				    "deleted early; it expires with its lease");
	ret = pcp_build(pm, family, client, rec, &mr, err);
	if (ret < 0)
		return ret;
	mr.lifetime = 0;
	mr.proto = proto && !strcmp(proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
	mr.int_port = (uint16_t)json_integer_value(json_object_get(rec, "int_port"));
	mr.ext_port = (uint16_t)json_integer_value(json_object_get(rec, "ext_port"));
	ret = pcp_exchange(pm, family, &mr, &r, err);
	if (ret < 0)
		return ret;
	he_pm_epoch_update(pm, "pcp", r.epoch);
	if (r.result == HE_PCP_NOT_AUTHORIZED)
		return pcp_refused_delete(pm, rec, family, err);
	if (r.result != HE_PCP_SUCCESS)
		return pcp_result_error(pm, &r, "delete", err);
	return 0;
}

/*
 * PCP has no "get external address": map the discard port (UDP 9) for a few
 * seconds with a fresh nonce and delete it at once.
 */
static int pcp_external_address(struct he_portmap *pm, char *buf, size_t len, struct he_error *err)
{
	struct he_pcp_map_req mr;
	struct he_pcp_reply r;
	int ret;

	ret = pcp_build(pm, AF_INET, NULL, NULL, &mr, err);
	if (ret < 0)
		return ret;
	mr.lifetime = 10;
	mr.proto = IPPROTO_UDP;
	mr.int_port = 9;
	ret = pcp_exchange(pm, AF_INET, &mr, &r, err);
	if (ret < 0)
		return ret;
	he_pm_epoch_update(pm, "pcp", r.epoch);
	if (r.version == HE_PCP_VERSION && r.result != HE_PCP_SUCCESS) {
		/* a refusal may still name the address (a router behind CGNAT does) */
		reply_addr(&r, buf, len);
		if (buf[0])
			return 0;
	}
	if (r.version != HE_PCP_VERSION || r.result != HE_PCP_SUCCESS || !r.has_map)
		return pcp_result_error(pm, &r, "MAP (to learn the external address)", err);
	reply_addr(&r, buf, len);
	mr.lifetime = 0;
	mr.ext_port = r.ext_port;
	pcp_exchange(pm, AF_INET, &mr, &r, NULL);
	return 0;
}

static int pcp_list_router(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			   struct he_error *err)
{
	return he_error_set(err, -EOPNOTSUPP,
			    "PCP cannot list the router's mapping table; use --protocol upnp "
			    "or the router's web interface");
}

const struct he_portmap_backend he_pm_backend_pcp = {
    .name = HE_PM_NAME_PCP,
    .label = "PCP",
    .id = HE_PM_PCP,
    .caps = HE_PM_CAP_EPOCH,
    .probe_start = pcp_probe_start,
    .probe_input = pcp_probe_input,
    .probe_resend = pcp_probe_resend,
    .probe_finish = NULL,
    .probe_cleanup = pcp_probe_cleanup,
    .map = pcp_map,
    .unmap = pcp_unmap,
    .list_router = pcp_list_router,
    .external_address = pcp_external_address,
};
