/* SPDX-License-Identifier: MIT */
/*
 * upnp.c - the UPnP IGD v1/v2 backend over miniupnpc. Discovery is our own
 * SSDP M-SEARCH on a non-blocking socket inside the shared probe deadline;
 * the description is then fetched once with UPNP_GetIGDFromUrl and the
 * control URLs are cached in the state. Builds against miniupnpc 2.2.4
 * (Debian 12, API 17) and 2.2.8+/2.3.x (API 18+, where UPNP_GetValidIGD
 * gained the WAN address arguments and a new return value 2 for a private
 * WAN address, shifting "not connected" to 3 and "not an IGD" to 4).
 * tests/unit/compat/check.sh (run by `make unit`) compiles this file against
 * API 18/20 prototypes to keep the newer branch honest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/portspec.h"
#include "portmap/backend.h"
#include "portmap/ssdp.h"

/* UPnP error codes handled here */
#define UPNP_INVALID_ARGS     402
#define UPNP_NOT_AUTHORIZED   606
#define UPNP_NO_SUCH_INDEX    713
#define UPNP_NO_SUCH_ENTRY    714
#define UPNP_CONFLICT         718
#define UPNP_PERMANENT_ONLY   725
#define UPNP_CONFLICT_OTHER   729
#define UPNP_PH_NO_SUCH_ENTRY 704

static int upnp_probe_start(struct he_portmap *pm, struct he_pm_probe *p)
{
	struct in_addr ifa = pm->gw4.src.v4;
	unsigned char ttl = 2, loop = 0;

	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return he_error_set(&p->err, -errno, "UPnP: cannot open a socket: %s",
				    strerror(errno));
	if (pm->gw4.has_src)
		setsockopt(p->fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa));
	setsockopt(p->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	setsockopt(p->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
	p->pkt_len = 0; /* counts sends: the first one is unicast only */
	return p->be->probe_resend(pm, p);
}

/*
 * M-SEARCH unicast to the gateway first (UDA 1.1; the cheapest, and the only
 * answer we use); from the first resend on also to the SSDP group, for older
 * routers that listen only there.
 */
static int upnp_probe_resend(struct he_portmap *pm, struct he_pm_probe *p)
{
	char msg[256];
	size_t len = he_ssdp_msearch(msg, sizeof(msg));
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(HE_SSDP_PORT)};
	int sent = 0;

	to.sin_addr = pm->gw4.gw.v4;
	if (sendto(p->fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) >= 0)
		sent++;
	if (p->pkt_len++ > 0) {
		inet_pton(AF_INET, HE_SSDP_GROUP, &to.sin_addr);
		if (sendto(p->fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) >= 0)
			sent++;
	}
	if (!sent)
		return he_error_set(&p->err, -errno, "UPnP: cannot send the SSDP search: %s",
				    strerror(errno));
	return 0;
}

static int upnp_probe_input(struct he_portmap *pm, struct he_pm_probe *p)
{
	char buf[1536];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	n = recvfrom(p->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (n < 0)
		return 0; /* ICMP errors from the unicast copy say nothing for multicast */
	if (from.sin_family != AF_INET || from.sin_addr.s_addr != pm->gw4.gw.v4.s_addr)
		return 0; /* another device's answer: we only use the gateway */
	buf[n] = '\0';
	if (he_ssdp_parse(buf, (size_t)n, pm->igd.location, sizeof(pm->igd.location)) < 0)
		return 0;
	pm->igd.ready = false;
	return 1;
}

static void upnp_probe_cleanup(struct he_pm_probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* An event URL from the description: absolute, or relative to the control URL's origin. */
static void event_url(char *dst, size_t len, const char *sub, const char *control)
{
	const char *host, *path;

	dst[0] = '\0';
	if (!sub[0] || !control)
		return;
	if (strncmp(sub, "http://", 7) == 0) {
		snprintf(dst, len, "%s", sub);
		return;
	}
	host = strstr(control, "://");
	path = host ? strchr(host + 3, '/') : NULL;
	if (!path)
		return;
	snprintf(dst, len, "%.*s%s%s", (int)(path - control), control, sub[0] == '/' ? "" : "/",
		 sub);
}

static void igd_from(struct he_portmap *pm, const struct UPNPUrls *urls,
		     const struct IGDdatas *data, const char *lanaddr)
{
	struct he_upnp_igd *g = &pm->igd;

	snprintf(g->control_url, sizeof(g->control_url), "%s",
		 urls->controlURL ? urls->controlURL : "");
	snprintf(g->service_type, sizeof(g->service_type), "%s", data->first.servicetype);
	snprintf(g->control_url_6fc, sizeof(g->control_url_6fc), "%s",
		 urls->controlURL_6FC && data->IPv6FC.servicetype[0] ? urls->controlURL_6FC : "");
	snprintf(g->service_type_6fc, sizeof(g->service_type_6fc), "%s", data->IPv6FC.servicetype);
	snprintf(g->lanaddr, sizeof(g->lanaddr), "%s", lanaddr);
	if (!g->location[0] && urls->rootdescURL)
		snprintf(g->location, sizeof(g->location), "%s", urls->rootdescURL);
	g->igd_version = strstr(g->service_type, ":2") ? 2 : 1;
	event_url(g->event_url, sizeof(g->event_url), data->first.eventsuburl, urls->controlURL);
	event_url(g->event_url_6fc, sizeof(g->event_url_6fc),
		  data->IPv6FC.servicetype[0] ? data->IPv6FC.eventsuburl : "", urls->controlURL);
	g->ready = g->control_url[0] && g->service_type[0];
}

/*
 * miniupnpc's own discovery, used only when UPnP is forced and our SSDP search
 * got no answer from the gateway (e.g. the IGD is known only to minissdpd).
 */
static int upnp_discover_slow(struct he_portmap *pm, struct he_error *err)
{
	struct UPNPDev *devs;
	struct UPNPUrls urls;
	struct IGDdatas data;
	char lanaddr[64] = "";
	int e = 0, r;

	devs = upnpDiscover(pm->opts.probe_timeout_ms > 0 ? pm->opts.probe_timeout_ms : 250, NULL,
			    NULL, 0, 0, 2, &e);
	if (!devs)
		return he_error_set(err, -EHOSTUNREACH,
				    "UPnP: no Internet Gateway Device answered the SSDP search; "
				    "turn UPnP on in the router or use --protocol pcp|natpmp");
	memset(&urls, 0, sizeof(urls));
	memset(&data, 0, sizeof(data));
#if MINIUPNPC_API_VERSION >= 18
	{
		char wanaddr[64] = "";

		r = UPNP_GetValidIGD(devs, &urls, &data, lanaddr, sizeof(lanaddr), wanaddr,
				     sizeof(wanaddr));
		/* API 18: 1 connected, 2 connected with a reserved WAN address, 3 not
		 * connected, 4 not an IGD: map onto API 17's 1 / 2 / 3 */
		if (r == 2)
			r = 1;
		else if (r == 3)
			r = 2;
		else if (r == 4)
			r = 3;
	}
#else
	r = UPNP_GetValidIGD(devs, &urls, &data, lanaddr, sizeof(lanaddr));
#endif
	freeUPNPDevlist(devs);
	if (r == 1 || r == 2) {
		pm->igd.location[0] = '\0';
		igd_from(pm, &urls, &data, lanaddr);
	}
	FreeUPNPUrls(&urls);
	if (!pm->igd.ready)
		return he_error_set(err, -EHOSTUNREACH,
				    "UPnP: the devices that answered are not Internet Gateway "
				    "Devices; turn UPnP IGD on in the router or use --protocol "
				    "pcp|natpmp");
	return 0;
}

static int upnp_ensure(struct he_portmap *pm, struct he_error *err)
{
	struct UPNPUrls urls;
	struct IGDdatas data;
	char lanaddr[64] = "";

	if (pm->igd.ready)
		return 0;
	if (!pm->igd.location[0])
		return upnp_discover_slow(pm, err);
	memset(&urls, 0, sizeof(urls));
	memset(&data, 0, sizeof(data));
	if (UPNP_GetIGDFromUrl(pm->igd.location, &urls, &data, lanaddr, sizeof(lanaddr)) != 1) {
		FreeUPNPUrls(&urls);
		return he_error_set(err, -EHOSTUNREACH,
				    "UPnP: cannot read the router's device description at %s; "
				    "restart UPnP on the router or use --protocol pcp|natpmp",
				    pm->igd.location);
	}
	igd_from(pm, &urls, &data, lanaddr);
	FreeUPNPUrls(&urls);
	if (!pm->igd.ready)
		return he_error_set(
		    err, -EHOSTUNREACH,
		    "UPnP: %s describes no WANIPConnection/WANPPPConnection service, "
		    "so it cannot forward ports",
		    pm->igd.location);
	return 0;
}

static int upnp_probe_finish(struct he_portmap *pm, struct he_pm_probe *p, struct he_error *err)
{
	return upnp_ensure(pm, err);
}

static const char *proto_str(unsigned proto)
{
	return proto == HE_PROTO_UDP ? "UDP" : "TCP";
}

/* A UPnP error code or miniupnpc's negative code, as -errno with a message. */
static int upnp_fail(struct he_portmap *pm, int r, const char *what, struct he_error *err)
{
	const char *s = strupnperror(r);

	if (r == UPNPCOMMAND_HTTP_ERROR)
		return he_error_set(err, -ECONNREFUSED,
				    "UPnP %s: no answer from the router's control URL %s (HTTP "
				    "error); the router may have restarted UPnP",
				    what, pm->igd.control_url);
	if (r == UPNP_NOT_AUTHORIZED)
		return he_error_set(
		    err, -EACCES,
		    "UPnP %s: the router forbids it (606 Action not authorized): allow UPnP "
		    "port changes for this device, e.g. on a FRITZ!Box tick \"Permit "
		    "independent port sharing\" for this device under Internet > Permit "
		    "Access, or turn off the router's UPnP \"secure mode\"/read-only mode",
		    what);
	if (r < 0)
		return he_error_set(err, -EPROTO, "UPnP %s failed: %s (%d)", what,
				    s ? s : "miniupnpc error", r);
	if (r == 501)
		return he_error_set(err, -EPROTO,
				    "UPnP %s refused by the router %s (error 501 Action Failed): "
				    "the router could not do it; routers whose WAN address is "
				    "private or carrier-grade NAT (another NAT upstream) refuse "
				    "this way - check the router's WAN address (homeexpose "
				    "netcheck) and its internet connection",
				    what, pm->gw_text);
	return he_error_set(err, -EPROTO, "UPnP %s refused by the router %s: error %d %s", what,
			    pm->gw_text, r, s ? s : "");
}

struct upnp_entry {
	char client[64];
	char int_port[8];
	char desc[80];
	char enabled[8];
	char lease[16];
};

static int get_entry(struct he_portmap *pm, uint16_t ext_port, unsigned proto, struct upnp_entry *e)
{
	char ext[8];

	memset(e, 0, sizeof(*e));
	snprintf(ext, sizeof(ext), "%u", ext_port);
	return UPNP_GetSpecificPortMappingEntry(pm->igd.control_url, pm->igd.service_type, ext,
						proto_str(proto), NULL, e->client, e->int_port,
						e->desc, e->enabled, e->lease);
}

/* A free external port just above want (714 NoSuchEntry), 0 if none found quickly. */
static uint16_t free_port_near(struct he_portmap *pm, uint16_t want, unsigned proto)
{
	unsigned i;

	for (i = 1; i <= 10 && (unsigned)want + i <= 65535; i++) {
		struct upnp_entry e;

		if (get_entry(pm, (uint16_t)(want + i), proto, &e) == UPNP_NO_SUCH_ENTRY)
			return (uint16_t)(want + i);
	}
	return 0;
}

static int add_mapping(struct he_portmap *pm, const struct he_pm_request *req, const char *client,
		       const char *desc, uint32_t lease, uint16_t ext_port, char *reserved)
{
	char ext[8], in[8], dur[16];

	snprintf(ext, sizeof(ext), "%u", ext_port);
	snprintf(in, sizeof(in), "%u", req->int_port);
	snprintf(dur, sizeof(dur), "%u", lease);
	if (reserved)
		return UPNP_AddAnyPortMapping(pm->igd.control_url, pm->igd.service_type, ext, in,
					      client, desc, proto_str(req->proto), NULL, dur,
					      reserved);
	return UPNP_AddPortMapping(pm->igd.control_url, pm->igd.service_type, ext, in, client, desc,
				   proto_str(req->proto), NULL, dur);
}

static void set_permanent_only(struct he_portmap *pm)
{
	pm->upnp_permanent_only = true;
	json_object_set_new(pm->sec, "upnp_permanent_only", json_true());
}

static int upnp_map4(struct he_portmap *pm, const struct he_pm_request *req, json_t *rec,
		     struct he_pm_result *res, struct he_error *err)
{
	char client[HE_PM_ADDR_MAX], self[HE_PM_ADDR_MAX], desc[96];
	uint32_t lease = pm->upnp_permanent_only ? 0 : req->lease;
	uint16_t ext_port = req->ext_port;
	int r, ret;

	if ((ret = he_pm_local_addr(pm, AF_INET, self, sizeof(self), err)) < 0)
		return ret;
	snprintf(client, sizeof(client), "%s", req->to ? req->to : self);
	he_pm_desc(req->name, desc, sizeof(desc));
	r = add_mapping(pm, req, client, desc, lease, ext_port, NULL);
	if ((r == UPNP_PERMANENT_ONLY || r == UPNP_INVALID_ARGS) && lease != 0) {
		/* 725, or 402 from routers that reject any finite lease: retry permanent */
		int r0 = add_mapping(pm, req, client, desc, 0, ext_port, NULL);

		if (r0 == 0 || r0 == UPNP_CONFLICT || r0 == UPNP_CONFLICT_OTHER) {
			set_permanent_only(pm);
			lease = 0;
		}
		r = r0;
	}
	if (r == UPNP_CONFLICT || r == UPNP_CONFLICT_OTHER) {
		struct upnp_entry e;
		int g = get_entry(pm, ext_port, req->proto, &e);

		if (g == 0 && !strcmp(e.desc, desc) && !strcmp(e.client, client)) {
			/* ours (an earlier run): take it over with the wanted lease/port */
			char ext[8];

			snprintf(ext, sizeof(ext), "%u", ext_port);
			UPNP_DeletePortMapping(pm->igd.control_url, pm->igd.service_type, ext,
					       proto_str(req->proto), NULL);
			r = add_mapping(pm, req, client, desc, lease, ext_port, NULL);
			if (r == 0)
				res->reused = true;
		} else if (req->allow_other_port && pm->igd.igd_version >= 2) {
			char reserved[8] = "";

			r = add_mapping(pm, req, client, desc, lease, ext_port, reserved);
			if (r == 0)
				ext_port = (uint16_t)atoi(reserved);
		} else if (g == UPNP_NO_SUCH_ENTRY && strcmp(client, self)) {
			/* no entry holds the port: the router will not forward to another
			 * host on this host's request (miniupnpd secure_mode) */
			return he_error_set(
			    err, -EACCES,
			    "UPnP: the router refuses to forward port %u to another "
			    "host (%s) when this host (%s) asks (error %d, UPnP "
			    "\"secure mode\"); run homeexpose on %s, or allow it in "
			    "the router (miniupnpd: secure_mode=no)",
			    req->ext_port, client, self, r, client);
		} else {
			uint16_t alt = free_port_near(pm, ext_port, req->proto);
			char holder[200], offer[64] = "";

			if (g == 0)
				snprintf(holder, sizeof(holder), "%s:%s (\"%s\")", e.client,
					 e.int_port, e.desc);
			else
				snprintf(holder, sizeof(holder),
					 "no listed entry: the router itself (its own port "
					 "forwards or services) holds it");
			if (alt)
				snprintf(offer, sizeof(offer), ", e.g. %u", alt);
			return he_error_set(err, -EADDRINUSE,
					    "UPnP: external port %u/%s on the router is already "
					    "forwarded to %s (error %d); choose another external "
					    "port%s, or remove that forward in the router",
					    req->ext_port, he_proto_name(req->proto), holder, r,
					    offer);
		}
	}
	if (r != 0)
		return upnp_fail(pm, r, "AddPortMapping", err);
	res->ext_port = ext_port;
	res->lease = lease;
	res->permanent = lease == 0;
	snprintf(res->client, sizeof(res->client), "%s", client);
	{
		char ext_ip[64] = "";

		if (UPNP_GetExternalIPAddress(pm->igd.control_url, pm->igd.service_type, ext_ip) ==
		    0)
			snprintf(res->ext_addr, sizeof(res->ext_addr), "%s", ext_ip);
	}
	json_object_set_new(rec, "permanent", json_boolean(lease == 0));
	return 0;
}

/*
 * The IPv6 firewall service must be called over IPv6: routers check that the
 * pinhole is for the address the request comes from (miniupnpd answers 606
 * otherwise). Rewrite an IPv4 host in url to the IPv6 gateway.
 */
static int url_over_v6(struct he_portmap *pm, const char *url, char *out, size_t len,
		       struct he_error *err)
{
	const char *host, *rest;
	char gw[INET6_ADDRSTRLEN], scope[IF_NAMESIZE + 4] = "";
	int ret;

	if (strncmp(url, "http://", 7) || url[7] == '[') {
		snprintf(out, len, "%s", url);
		return 0;
	}
	ret = he_pm_need_v6(pm, err);
	if (ret < 0)
		return ret;
	host = url + 7;
	rest = host + strcspn(host, ":/");
	inet_ntop(AF_INET6, &pm->gw6.gw.v6, gw, sizeof(gw));
	if (IN6_IS_ADDR_LINKLOCAL(&pm->gw6.gw.v6)) {
		char ifn[IF_NAMESIZE] = "";

		if (pm->gw6.ifindex > 0 && if_indextoname((unsigned)pm->gw6.ifindex, ifn))
			snprintf(scope, sizeof(scope), "%%25%s", ifn);
	}
	if ((size_t)snprintf(out, len, "http://[%s%s]%s", gw, scope, rest) >= len)
		return he_error_set(err, -ENAMETOOLONG, "UPnP: control URL too long");
	return 0;
}

static int upnp_map6(struct he_portmap *pm, const struct he_pm_request *req, json_t *rec,
		     struct he_pm_result *res, struct he_error *err)
{
	char client[HE_PM_ADDR_MAX], in[8], dur[16], uid[16] = "", ctl[HE_URL_MAX + 64];
	const char *old = json_string_value(json_object_get(rec, "pinhole_id"));
	uint32_t lease = req->lease ? req->lease : 3600;
	int r, ret;

	if (!pm->igd.control_url_6fc[0])
		return he_error_set(err, -EOPNOTSUPP,
				    "UPnP: the router offers no WANIPv6FirewallControl service "
				    "(IGDv2), so it cannot open an IPv6 pinhole this way; use PCP "
				    "or open the port in the router's IPv6 firewall");
	if (req->to)
		snprintf(client, sizeof(client), "%s", req->to);
	else if ((ret = he_pm_local_addr(pm, AF_INET6, client, sizeof(client), err)) < 0)
		return ret;
	if (lease > 86400)
		lease = 86400; /* pinholes cannot be permanent: the agent renews them */
	ret = url_over_v6(pm, pm->igd.control_url_6fc, ctl, sizeof(ctl), err);
	if (ret < 0)
		return ret;
	snprintf(dur, sizeof(dur), "%u", lease);
	if (old) {
		r = UPNP_UpdatePinhole(ctl, pm->igd.service_type_6fc, old, dur);
		if (r == 0) {
			snprintf(uid, sizeof(uid), "%s", old);
			goto ok;
		}
	}
	snprintf(in, sizeof(in), "%u", req->int_port);
	r = UPNP_AddPinhole(ctl, pm->igd.service_type_6fc, "", "0", client, in,
			    req->proto == HE_PROTO_UDP ? "17" : "6", dur, uid);
	if (r == 702 || r == 703)
		return he_error_set(err, -EACCES,
				    "UPnP AddPinhole: the router does not allow inbound IPv6 "
				    "pinholes (error %d %s); enable \"allow IPv6 pinholes/UPnP for "
				    "IPv6\" in the router or open the port in its IPv6 firewall",
				    r, r == 702 ? "FirewallDisabled" : "InboundPinholeNotAllowed");
	if (r != 0)
		return upnp_fail(pm, r, "AddPinhole", err);
ok:
	json_object_set_new(rec, "pinhole_id", json_string(uid));
	res->lease = lease;
	res->ext_port = req->int_port;
	snprintf(res->client, sizeof(res->client), "%s", client);
	snprintf(res->ext_addr, sizeof(res->ext_addr), "%s", client);
	return 0;
}

static int upnp_map(struct he_portmap *pm, const struct he_pm_request *req, json_t *rec,
		    struct he_pm_result *res, struct he_error *err)
{
	int ret = upnp_ensure(pm, err);

	if (ret < 0)
		return ret;
	if (req->family == AF_INET6)
		return upnp_map6(pm, req, rec, res, err);
	return upnp_map4(pm, req, rec, res, err);
}

static int upnp_unmap(struct he_portmap *pm, json_t *rec, struct he_error *err)
{
	int family = (int)json_integer_value(json_object_get(rec, "family"));
	const char *proto = json_string_value(json_object_get(rec, "proto"));
	char ext[8];
	int r, ret = upnp_ensure(pm, err);

	if (ret < 0)
		return ret;
	if (family == 6) {
		const char *uid = json_string_value(json_object_get(rec, "pinhole_id"));
		char ctl[HE_URL_MAX + 64];

		if (!uid || !pm->igd.control_url_6fc[0])
			return 0; /* nothing we can address: it expires with its lease */
		ret = url_over_v6(pm, pm->igd.control_url_6fc, ctl, sizeof(ctl), err);
		if (ret < 0)
			return ret;
		r = UPNP_DeletePinhole(ctl, pm->igd.service_type_6fc, uid);
		if (r == 0 || r == UPNP_PH_NO_SUCH_ENTRY)
			return 0;
		return upnp_fail(pm, r, "DeletePinhole", err);
	}
	snprintf(ext, sizeof(ext), "%u",
		 (unsigned)json_integer_value(json_object_get(rec, "ext_port")));
	r = UPNP_DeletePortMapping(pm->igd.control_url, pm->igd.service_type, ext,
				   proto && !strcmp(proto, "udp") ? "UDP" : "TCP", NULL);
	if (r == 0 || r == UPNP_NO_SUCH_ENTRY)
		return 0; /* 714: already gone, which is what we want */
	return upnp_fail(pm, r, "DeletePortMapping", err);
}

static int upnp_list_router(struct he_portmap *pm, struct he_pm_entry **out, size_t *n,
			    struct he_error *err)
{
	struct he_pm_entry *v = NULL;
	size_t cnt = 0, cap = 0;
	int i, ret = upnp_ensure(pm, err);

	if (ret < 0)
		return ret;
	for (i = 0; i < 1024; i++) {
		char idx[8], ext[8] = "", client[64] = "", in[8] = "", proto[8] = "", desc[80] = "",
			     en[8] = "", rhost[64] = "", dur[16] = "";
		struct he_pm_entry *e;
		const char *name;
		int r;

		snprintf(idx, sizeof(idx), "%d", i);
		r = UPNP_GetGenericPortMappingEntry(pm->igd.control_url, pm->igd.service_type, idx,
						    ext, client, in, proto, desc, en, rhost, dur);
		if (r == UPNP_NO_SUCH_INDEX || (r == UPNP_INVALID_ARGS && i > 0))
			break; /* end of the table */
		if (r != 0) {
			free(v);
			return upnp_fail(pm, r, "GetGenericPortMappingEntry", err);
		}
		if (cnt == cap) {
			struct he_pm_entry *nv;

			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return he_error_set(err, -ENOMEM, "out of memory");
			}
			v = nv;
		}
		e = &v[cnt++];
		memset(e, 0, sizeof(*e));
		e->protocol = HE_PM_UPNP;
		e->family = AF_INET;
		e->proto = !strcmp(proto, "UDP") ? HE_PROTO_UDP : HE_PROTO_TCP;
		e->ext_port = (uint16_t)atoi(ext);
		e->int_port = (uint16_t)atoi(in);
		snprintf(e->client, sizeof(e->client), "%s", client);
		snprintf(e->desc, sizeof(e->desc), "%s", desc);
		snprintf(e->remote, sizeof(e->remote), "%s", rhost);
		e->enabled = atoi(en) != 0;
		e->lease_remaining = atoll(dur);
		e->on_router = true;
		name = he_pm_desc_name(desc);
		if (name) {
			e->ours = true;
			snprintf(e->name, sizeof(e->name), "%s", name);
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int upnp_external_address(struct he_portmap *pm, char *buf, size_t len, struct he_error *err)
{
	char ip[64] = "";
	int r, ret = upnp_ensure(pm, err);

	if (ret < 0)
		return ret;
	r = UPNP_GetExternalIPAddress(pm->igd.control_url, pm->igd.service_type, ip);
	if (r != 0)
		return upnp_fail(pm, r, "GetExternalIPAddress", err);
	if (!ip[0] || !strcmp(ip, "0.0.0.0"))
		return he_error_set(err, -ENETDOWN,
				    "UPnP: the router %s reports no external address: its internet "
				    "connection is down, or its WAN address is private/CGNAT and "
				    "hidden",
				    pm->gw_text);
	snprintf(buf, len, "%s", ip);
	return 0;
}

static int upnp_event_urls(struct he_portmap *pm, char *url, size_t len, char *url6, size_t len6,
			   struct he_error *err)
{
	int r = upnp_ensure(pm, err);

	if (r < 0)
		return r;
	if (!pm->igd.event_url[0]) {
		/* a discovery cache written before event URLs were kept: read the description */
		pm->igd.ready = false;
		r = upnp_ensure(pm, err);
		if (r < 0)
			return r;
	}
	if (!pm->igd.event_url[0])
		return he_error_set(err, -EOPNOTSUPP,
				    "UPnP: the router's description names no event URL for %s",
				    pm->igd.service_type);
	snprintf(url, len, "%s", pm->igd.event_url);
	snprintf(url6, len6, "%s", pm->igd.event_url_6fc);
	return 0;
}

/* Is the entry (ext_port, proto) on the router? 1 yes, 0 no, <0 unknown. Used by list. */
static int upnp_has_entry(struct he_portmap *pm, uint16_t ext_port, unsigned proto,
			  int64_t *lease_remaining)
{
	struct upnp_entry e;
	int r;

	if (upnp_ensure(pm, NULL) < 0)
		return -EHOSTUNREACH;
	r = get_entry(pm, ext_port, proto, &e);
	if (r == UPNP_NO_SUCH_ENTRY)
		return 0;
	if (r != 0)
		return -EPROTO;
	*lease_remaining = atoll(e.lease);
	return 1;
}

const struct he_portmap_backend he_pm_backend_upnp = {
    .name = HE_PM_NAME_UPNP,
    .label = "UPnP",
    .id = HE_PM_UPNP,
    .caps = HE_PM_CAP_CONFIRM | HE_PM_CAP_EVENTS,
    .probe_start = upnp_probe_start,
    .probe_input = upnp_probe_input,
    .probe_resend = upnp_probe_resend,
    .probe_finish = upnp_probe_finish,
    .probe_cleanup = upnp_probe_cleanup,
    .map = upnp_map,
    .unmap = upnp_unmap,
    .list_router = upnp_list_router,
    .has_entry = upnp_has_entry,
    .external_address = upnp_external_address,
    .event_urls = upnp_event_urls,
};
