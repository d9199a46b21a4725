/* SPDX-License-Identifier: MIT */
/*
 * natpmp.c - the NAT-PMP (RFC 6886) backend over libnatpmp. libnatpmp opens
 * and connects the socket and builds and sends the requests; we never call its
 * blocking retry logic (a 127-second schedule): replies are read from its fd on
 * our own poll deadline and decoded by natpmp_wire.c. IPv4 only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <natpmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/portspec.h"
#include "portmap/backend.h"
#include "portmap/natpmp_wire.h"
#include "core/wait.h"

static int natpmp_init(struct he_portmap *pm, natpmp_t *n, struct he_error *err)
{
	int r;

	memset(n, 0, sizeof(*n));
	r = initnatpmp(n, 1, pm->gw4.gw.v4.s_addr);
	if (r < 0)
		return he_error_set(err, -EIO, "NAT-PMP: cannot open a socket to %s (libnatpmp %d)",
				    pm->gw_text, r);
	return 0;
}

static int natpmp_probe_start(struct he_portmap *pm, struct he_pm_probe *p)
{
	natpmp_t *n = calloc(1, sizeof(*n));
	int ret;

	if (!n)
		return he_error_set(&p->err, -ENOMEM, "out of memory");
	ret = natpmp_init(pm, n, &p->err);
	if (ret < 0) {
		free(n);
		return ret;
	}
	p->priv = n;
	p->fd = n->s;
	return p->be->probe_resend(pm, p);
}

static int natpmp_probe_resend(struct he_portmap *pm, struct he_pm_probe *p)
{
	int r = sendpublicaddressrequest(p->priv);

	if (r < 0 && errno != ECONNREFUSED)
		return he_error_set(&p->err, -EIO, "NAT-PMP: cannot send to the router (%d)", r);
	return 0;
}

/* Read one datagram: 1 decoded, 0 nothing/ignored, <0 error. */
static int natpmp_read(int fd, struct he_natpmp_reply *r, struct he_error *err)
{
	uint8_t buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ECONNREFUSED)
			return he_error_set(err, -ECONNREFUSED,
					    "NAT-PMP: nothing listens on the router's port 5351 "
					    "(ICMP port unreachable)");
		return he_error_set(err, -errno, "NAT-PMP: %s", strerror(errno));
	}
	return he_natpmp_decode(buf, (size_t)n, r) == 0 ? 1 : 0;
}

static int natpmp_probe_input(struct he_portmap *pm, struct he_pm_probe *p)
{
	struct he_natpmp_reply r;
	int ret = natpmp_read(p->fd, &r, &p->err);

	if (ret <= 0)
		return ret;
	if (r.opcode != HE_NATPMP_OP_PUBLICADDR)
		return 0;
	p->epoch = r.epoch;
	p->have_epoch = true;
	if (r.result == HE_NATPMP_SUCCESS)
		inet_ntop(AF_INET, &r.addr, p->ext_addr, sizeof(p->ext_addr));
	else
		he_error_set(&p->err, -EIO, "NAT-PMP: %s", he_natpmp_result_explain(r.result));
	return 1;
}

static void natpmp_probe_cleanup(struct he_pm_probe *p)
{
	if (p->priv) {
		closenatpmp(p->priv);
		free(p->priv);
	}
	p->priv = NULL;
	p->fd = -1;
}

static int natpmp_errno(unsigned result)
{
	switch (result) {
	case HE_NATPMP_UNSUPP_VERSION:
		return -EPROTONOSUPPORT;
	case HE_NATPMP_NOT_AUTHORIZED:
		return -EACCES;
	case HE_NATPMP_NETWORK_FAILURE:
		return -ENETDOWN;
	case HE_NATPMP_OUT_OF_RESOURCES:
		return -ENOSPC;
	case HE_NATPMP_UNSUPP_OPCODE:
		return -EOPNOTSUPP;
	default:
		return -EPROTO;
	}
}

/* op: HE_NATPMP_OP_PUBLICADDR or a MAP op */
static int natpmp_exchange(struct he_portmap *pm, int op, uint16_t int_port, uint16_t ext_port,
			   uint32_t lifetime, struct he_natpmp_reply *out, struct he_error *err)
{
	natpmp_t n;
	uint64_t start = he_now_ms(), deadline = start + (uint64_t)pm->op_timeout_ms;
	uint64_t next_send = start, gap = 200;
	int ret;

	ret = natpmp_init(pm, &n, err);
	if (ret < 0)
		return ret;
	for (;;) {
		struct he_natpmp_reply r;
		uint64_t now = he_now_ms();

		if (now >= deadline) {
			ret = he_error_set(err, -ETIMEDOUT,
					   "NAT-PMP: the router (%s) did not answer within %d ms; "
					   "it may have turned NAT-PMP off - try --protocol pcp or "
					   "upnp",
					   pm->gw_text, pm->op_timeout_ms);
			break;
		}
		if (now >= next_send) {
			int s =
			    op == HE_NATPMP_OP_PUBLICADDR
				? sendpublicaddressrequest(&n)
				: sendnewportmappingrequest(&n, op, int_port, ext_port, lifetime);

			if (s < 0 && errno != ECONNREFUSED) {
				ret = he_error_set(err, -EIO, "NAT-PMP: cannot send to %s (%d)",
						   pm->gw_text, s);
				break;
			}
			next_send = now + gap;
			gap *= 2;
		}
		if (he_wait_fd(n.s, POLLIN, next_send < deadline ? next_send : deadline) <= 0)
			continue;
		ret = natpmp_read(n.s, &r, err);
		if (ret < 0)
			break;
		if (ret == 0 || r.opcode != op)
			continue;
		if (op != HE_NATPMP_OP_PUBLICADDR && r.result == HE_NATPMP_SUCCESS &&
		    r.int_port != int_port)
			continue;
		*out = r;
		ret = 0;
		break;
	}
	closenatpmp(&n);
	return ret;
}

static int natpmp_map(struct he_portmap *pm, const struct he_pm_request *req, json_t *rec,
		      struct he_pm_result *res, struct he_error *err)
{
	struct he_natpmp_reply r;
	char self[HE_PM_ADDR_MAX];
	int op = req->proto == HE_PROTO_UDP ? HE_NATPMP_OP_MAP_UDP : HE_NATPMP_OP_MAP_TCP;
	int ret;

	if (req->family != AF_INET)
		return he_error_set(err, -EOPNOTSUPP,
				    "NAT-PMP cannot open IPv6 pinholes; use PCP or UPnP IGDv2 "
				    "(--protocol pcp|upnp) or open the port in the router's IPv6 "
				    "firewall");
	ret = he_pm_local_addr(pm, AF_INET, self, sizeof(self), err);
	if (ret < 0)
		return ret;
	if (req->to && strcmp(req->to, self))
		return he_error_set(err, -EOPNOTSUPP,
				    "NAT-PMP can only map ports to the host that asks (%s), not to "
				    "%s; use UPnP (--protocol upnp) or run homeexpose on %s",
				    self, req->to, req->to);
	ret = natpmp_exchange(pm, op, req->int_port, req->ext_port, req->lease, &r, err);
	if (ret < 0)
		return ret;
	if (he_pm_epoch_update(pm, "natpmp", r.epoch))
		res->epoch_reset = true;
	if (r.result != HE_NATPMP_SUCCESS)
		return he_error_set(err, natpmp_errno(r.result),
				    "NAT-PMP mapping refused by %s: %s", pm->gw_text,
				    he_natpmp_result_explain(r.result));
	res->ext_port = r.ext_port;
	res->lease = r.lifetime;
	if (r.ext_port != req->ext_port && !req->allow_other_port) {
		natpmp_exchange(pm, op, req->int_port, 0, 0, &r, NULL);
		return he_error_set(
		    err, -EADDRINUSE,
		    "NAT-PMP: external port %u is taken on the router %s (it offered "
		    "%u instead); choose another external port, e.g. %u",
		    req->ext_port, pm->gw_text, res->ext_port, res->ext_port);
	}
	/* NAT-PMP mapping answers carry no address: ask for it (fast, same socket kind) */
	if (natpmp_exchange(pm, HE_NATPMP_OP_PUBLICADDR, 0, 0, 0, &r, NULL) == 0 &&
	    r.result == HE_NATPMP_SUCCESS)
		inet_ntop(AF_INET, &r.addr, res->ext_addr, sizeof(res->ext_addr));
	return 0;
}

static int natpmp_unmap(struct he_portmap *pm, json_t *rec, struct he_error *err)
{
	struct he_natpmp_reply r;
	const char *proto = json_string_value(json_object_get(rec, "proto"));
	int op = proto && !strcmp(proto, "udp") ? HE_NATPMP_OP_MAP_UDP : HE_NATPMP_OP_MAP_TCP;
	uint16_t int_port = (uint16_t)json_integer_value(json_object_get(rec, "int_port"));
	int ret;

	ret = natpmp_exchange(pm, op, int_port, 0, 0, &r, err);
	if (ret < 0)
		return ret;
	he_pm_epoch_update(pm, "natpmp", r.epoch);
	if (r.result != HE_NATPMP_SUCCESS)
		return he_error_set(err, natpmp_errno(r.result), "NAT-PMP delete refused by %s: %s",
				    pm->gw_text, he_natpmp_result_explain(r.result));
	return 0;
}

static int natpmp_external_address(struct he_portmap *pm, char *buf, size_t len,
				   struct he_error *err)
{
	struct he_natpmp_reply r;
	int ret;

	ret = natpmp_exchange(pm, HE_NATPMP_OP_PUBLICADDR, 0, 0, 0, &r, err);
	if (ret < 0)
		return ret;
	he_pm_epoch_update(pm, "natpmp", r.epoch);
	if (r.result != HE_NATPMP_SUCCESS)
		return he_error_set(err, natpmp_errno(r.result), "NAT-PMP: %s",
				    he_natpmp_result_explain(r.result));
	inet_ntop(AF_INET, &r.addr, buf, (socklen_t)len);
	return 0;
}

static int natpmp_list_router(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			      struct he_error *err)
{
	return he_error_set(err, -EOPNOTSUPP,
			    "NAT-PMP cannot list the router's mapping table; use --protocol upnp "
			    "or the router's web interface");
}

const struct he_portmap_backend he_pm_backend_natpmp = {
    .name = HE_PM_NAME_NATPMP,
    .label = "NAT-PMP",
    .id = HE_PM_NATPMP,
    .caps = HE_PM_CAP_EPOCH,
    .probe_start = natpmp_probe_start,
    .probe_input = natpmp_probe_input,
    .probe_resend = natpmp_probe_resend,
    .probe_finish = NULL,
    .probe_cleanup = natpmp_probe_cleanup,
    .map = natpmp_map,
    .unmap = natpmp_unmap,
    .list_router = natpmp_list_router,
    .external_address = natpmp_external_address,
};
