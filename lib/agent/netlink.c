/* SPDX-License-Identifier: MIT */
#include "agent/netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct he_nlmon {
	struct mnl_socket *nl;
	int kind; /* NETLINK_ROUTE or NETLINK_NETFILTER */
};

static int open_sock(int bus, unsigned groups, const unsigned *add, size_t nadd,
		     struct he_nlmon **out, struct he_error *err)
{
	struct he_nlmon *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return he_error_set(err, -ENOMEM, "out of memory");
	m->kind = bus;
	m->nl = mnl_socket_open2(bus, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!m->nl) {
		r = he_error_set(err, -errno, "netlink socket: %s", strerror(errno));
		free(m);
		return r;
	}
	if (mnl_socket_bind(m->nl, groups, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (size_t i = 0; i < nadd; i++) {
		int g = (int)add[i];

		if (mnl_socket_setsockopt(m->nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	r = he_error_set(err, -errno, "subscribing to %s changes: %s%s",
			 bus == NETLINK_ROUTE ? "address/route" : "nftables ruleset",
			 strerror(errno), errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
	mnl_socket_close(m->nl);
	free(m);
	return r;
}

int he_nlmon_open_rtnl(struct he_nlmon **out, struct he_error *err)
{
	static const unsigned groups[] = {RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
					  RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE};

	return open_sock(NETLINK_ROUTE, 0, groups, 4, out, err);
}

int he_nlmon_open_nft(struct he_nlmon **out, struct he_error *err)
{
	static const unsigned groups[] = {NFNLGRP_NFTABLES};

	return open_sock(NETLINK_NETFILTER, 0, groups, 1, out, err);
}

int he_nlmon_fd(const struct he_nlmon *m)
{
	return mnl_socket_get_fd(m->nl);
}

static int classify(const struct nlmsghdr *nh, int kind)
{
	if (kind == NETLINK_NETFILTER)
		return NFNL_SUBSYS_ID(nh->nlmsg_type) == NFNL_SUBSYS_NFTABLES ? HE_NL_NFT : 0;
	switch (nh->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return HE_NL_ADDR;
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		const struct rtmsg *rt = mnl_nlmsg_get_payload(nh);

		/* only default routes of the main table matter: the gateway */
		if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*rt)) && rt->rtm_dst_len == 0 &&
		    rt->rtm_table == RT_TABLE_MAIN)
			return HE_NL_ROUTE;
		return 0;
	}
	}
	return 0;
}

int he_nlmon_read(struct he_nlmon *m)
{
	char buf[16384];
	int flags = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(m->nl, buf, sizeof(buf));
		const struct nlmsghdr *nh;
		int len;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return flags;
			if (errno == ENOBUFS) {
				flags |= HE_NL_OVERRUN;
				continue;
			}
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (nh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nh, len);
		     nh = mnl_nlmsg_next(nh, &len))
			flags |= classify(nh, m->kind);
	}
}

void he_nlmon_close(struct he_nlmon *m)
{
	if (!m)
		return;
	mnl_socket_close(m->nl);
	free(m);
}
