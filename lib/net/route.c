/* SPDX-License-Identifier: MIT */
#include "net/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/addrclass.h"

const char *he_inaddr_str(int family, const union he_inaddr *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* One rtnetlink request, answers handed to cb. */
static int nl_query(struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct he_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned portid, seq;
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
	ssize_t n;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return he_error_set(err, -errno, "cannot open a netlink socket: %s",
				    strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret =
		    he_error_set(err, -errno, "cannot bind a netlink socket: %s", strerror(errno));
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = nlh->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = he_error_set(err, -errno, "netlink send failed: %s", strerror(errno));
		goto out;
	}
	ret = MNL_CB_OK;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret <= MNL_CB_STOP || !dump)
			break; /* a plain request has one answer and no NLMSG_DONE */
	}
	if (n < 0 || ret < 0) {
		int e = errno ? errno : EIO;

		ret = he_error_set(err, -e, "netlink route query failed: %s", strerror(e));
		goto out;
	}
	ret = 0;
out:
	mnl_socket_close(nl);
	return ret;
}

struct route_walk {
	int family;
	bool dump; /* default-route dump: keep only dst_len 0, lowest metric */
	bool found;
	uint32_t best_prio;
	struct he_route_info *ri;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_walk *w = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct he_route_info cand;
	const struct nlattr *attr;
	uint32_t table = rtm->rtm_table, prio = 0;
	size_t alen = w->family == AF_INET ? 4 : 16;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != w->family)
		return MNL_CB_OK;
	memset(&cand, 0, sizeof(cand));
	cand.family = w->family;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm))
	{
		uint16_t t = mnl_attr_get_type(attr);

		switch (t) {
		case RTA_TABLE:
			if (mnl_attr_get_payload_len(attr) >= 4)
				table = mnl_attr_get_u32(attr);
			break;
		case RTA_PRIORITY:
			if (mnl_attr_get_payload_len(attr) >= 4)
				prio = mnl_attr_get_u32(attr);
			break;
		case RTA_OIF:
			if (mnl_attr_get_payload_len(attr) >= 4)
				cand.ifindex = (int)mnl_attr_get_u32(attr);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(attr) == alen) {
				memcpy(&cand.gw, mnl_attr_get_payload(attr), alen);
				cand.has_gw = true;
			}
			break;
		case RTA_PREFSRC:
			if (mnl_attr_get_payload_len(attr) == alen) {
				memcpy(&cand.src, mnl_attr_get_payload(attr), alen);
				cand.has_src = true;
			}
			break;
		default:
			break;
		}
	}
	if (w->dump) {
		if (rtm->rtm_dst_len != 0 || table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
			return MNL_CB_OK;
		if (!cand.has_gw)
			return MNL_CB_OK;
		if (w->found && prio >= w->best_prio)
			return MNL_CB_OK;
		w->best_prio = prio;
	}
	*w->ri = cand;
	w->found = true;
	return MNL_CB_OK;
}

static void fill_ifname(struct he_route_info *ri)
{
	if (ri->ifindex <= 0 || !if_indextoname((unsigned)ri->ifindex, ri->ifname))
		ri->ifname[0] = '\0';
}

int he_route_get(int family, const void *dst, int ifindex, struct he_route_info *out,
		 struct he_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct he_route_info ri;
	struct route_walk w = {.family = family, .ri = &ri};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	char txt[INET6_ADDRSTRLEN];
	int ret;

	if (family != AF_INET && family != AF_INET6)
		return he_error_set(err, -EAFNOSUPPORT, "route lookup: bad address family");
	memset(&ri, 0, sizeof(ri));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	if (ifindex > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	ret = nl_query(nlh, route_cb, &w, err);
	if (ret < 0) {
		inet_ntop(family, dst, txt, sizeof(txt));
		return he_error_prefix(err, ret, "no route to %s", txt);
	}
	if (!w.found) {
		inet_ntop(family, dst, txt, sizeof(txt));
		return he_error_set(err, -ENETUNREACH, "no route to %s", txt);
	}
	fill_ifname(&ri);
	*out = ri;
	return 0;
}

int he_route_default(int family, struct he_route_info *out, struct he_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct he_route_info ri, via;
	struct route_walk w = {.family = family, .dump = true, .ri = &ri};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int ret;

	if (family != AF_INET && family != AF_INET6)
		return he_error_set(err, -EAFNOSUPPORT, "route lookup: bad address family");
	memset(&ri, 0, sizeof(ri));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	ret = nl_query(nlh, route_cb, &w, err);
	if (ret < 0)
		return ret;
	if (!w.found)
		return he_error_set(err, -ENETUNREACH,
				    "there is no %s default route, so there is no router to ask "
				    "for a port mapping; check the network connection (ip %sroute)",
				    family == AF_INET ? "IPv4" : "IPv6",
				    family == AF_INET ? "" : "-6 ");
	/* the source address this host uses toward the gateway */
	if (he_route_get(family, &ri.gw, ri.ifindex, &via, NULL) == 0 && via.has_src) {
		ri.src = via.src;
		ri.has_src = true;
	}
	fill_ifname(&ri);
	*out = ri;
	return 0;
}

struct addr_walk {
	int ifindex;
	int best_score;
	struct in6_addr best;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_walk *w = data;
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const void *addr = NULL;
	uint32_t flags;
	int score;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	if (w->ifindex > 0 && (int)ifa->ifa_index != w->ifindex)
		return MNL_CB_OK;
	flags = ifa->ifa_flags;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
	{
		uint16_t t = mnl_attr_get_type(attr);

		if ((t == IFA_ADDRESS || t == IFA_LOCAL) && mnl_attr_get_payload_len(attr) == 16)
			addr = mnl_attr_get_payload(attr);
		else if (t == IFA_FLAGS && mnl_attr_get_payload_len(attr) >= 4)
			flags = mnl_attr_get_u32(attr);
	}
	if (!addr || he_addr_class(AF_INET6, addr) != HE_ADDR_PUBLIC)
		return MNL_CB_OK;
	if (flags & (IFA_F_DEPRECATED | IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return MNL_CB_OK;
	score = (flags & IFA_F_TEMPORARY) ? 1 : 2;
	if (score > w->best_score) {
		w->best_score = score;
		memcpy(&w->best, addr, 16);
	}
	return MNL_CB_OK;
}

int he_net_global_ipv6(int ifindex, struct in6_addr *out, struct he_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr_walk w = {.ifindex = ifindex};
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ret = nl_query(nlh, addr_cb, &w, err);
	if (ret < 0)
		return ret;
	if (!w.best_score)
		return he_error_set(err, -EADDRNOTAVAIL,
				    "this host has no global IPv6 address%s, so there is no IPv6 "
				    "pinhole to open",
				    ifindex > 0 ? " on the interface toward the router" : "");
	*out = w.best;
	return 0;
}

int he_route_parse_gateway(const char *s, struct he_route_info *out, struct he_error *err)
{
	struct he_route_info ri;
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	char *pct;

	memset(&ri, 0, sizeof(ri));
	if (!s || strlen(s) >= sizeof(host))
		return he_error_set(err, -EINVAL, "bad gateway address '%s'", s ? s : "");
	strcpy(host, s);
	pct = strchr(host, '%');
	if (pct) {
		*pct++ = '\0';
		ri.ifindex = (int)if_nametoindex(pct);
		if (!ri.ifindex)
			return he_error_set(
			    err, -ENODEV, "gateway '%s': no network interface named '%s'", s, pct);
		snprintf(ri.ifname, sizeof(ri.ifname), "%s", pct);
	}
	if (inet_pton(AF_INET, host, &ri.gw.v4) == 1)
		ri.family = AF_INET;
	else if (inet_pton(AF_INET6, host, &ri.gw.v6) == 1)
		ri.family = AF_INET6;
	else
		return he_error_set(err, -EINVAL,
				    "bad gateway address '%s': give an IPv4 or IPv6 address, "
				    "e.g. 192.168.1.1 or fe80::1%%eth0",
				    s);
	ri.has_gw = true;
	*out = ri;
	return 0;
}
