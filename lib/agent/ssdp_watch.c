/* SPDX-License-Identifier: MIT */
/*
 * ssdp_watch.c - the agent listens for the router's SSDP NOTIFY multicasts
 * (239.255.255.250:1900): a UPnP router that restarted says ssdp:byebye
 * before and ssdp:alive with a new BOOTID.UPNP.ORG after; either (an alive
 * after a byebye, or a BOOTID change) means its mappings and event
 * subscriptions are gone, so the agent maps again and subscribes again at
 * once instead of at the next verification.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "portmap/ssdp.h"

static void on_ssdp(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	char buf[1536], who[INET_ADDRSTRLEN];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct he_ssdp_notify n;
	ssize_t r;

	while ((r = recvfrom(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT, (struct sockaddr *)&from,
			     &fl)) >= 0) {
		fl = sizeof(from);
		if (from.sin_family != AF_INET)
			continue;
		inet_ntop(AF_INET, &from.sin_addr, who, sizeof(who));
		if (!a->gateway[0] || strcmp(who, a->gateway) != 0 || a->protocol != HE_PM_UPNP)
			continue; /* only the router we map with over UPnP */
		buf[r] = '\0';
		if (he_ssdp_parse_notify(buf, (size_t)r, &n) < 0 || !n.igd)
			continue;
		if (!n.alive) {
			if (!a->ssdp_byebye)
				he_agent_log(a, HE_AGENT_LOG_NOTICE, "router",
					     "the router %s says ssdp:byebye (UPnP stopping)", who);
			a->ssdp_byebye = true;
			continue;
		}
		if (a->ssdp_byebye ||
		    (n.bootid >= 0 && a->ssdp_bootid >= 0 && n.bootid != a->ssdp_bootid)) {
			char why[96];

			snprintf(why, sizeof(why), "its UPnP came back (%s)",
				 a->ssdp_byebye ? "ssdp:alive after ssdp:byebye"
						: "a new BOOTID.UPNP.ORG");
			a->ssdp_byebye = false;
			a->ssdp_bootid = n.bootid;
			he_agent_router_restarted(a, why);
			continue;
		}
		if (n.bootid >= 0)
			a->ssdp_bootid = n.bootid;
	}
}

void he_agent_ssdp_open(struct he_agent *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(HE_SSDP_PORT)};
	struct ip_mreqn mr;
	struct he_error err = {0};
	int one = 1;

	a->ssdp_bootid = -1;
	a->ssdp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->ssdp_fd < 0)
		goto fail;
	setsockopt(a->ssdp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(a->ssdp_fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	memset(&mr, 0, sizeof(mr));
	inet_pton(AF_INET, HE_SSDP_GROUP, &mr.imr_multiaddr);
	sa.sin_addr = mr.imr_multiaddr; /* the group only: no M-SEARCH answers here */
	if (bind(a->ssdp_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(a->ssdp_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		goto fail;
	if (he_loop_add_fd(a->loop, a->ssdp_fd, EPOLLIN, on_ssdp, a, &err) < 0)
		goto fail;
	return;
fail:
	he_agent_log(a, HE_AGENT_LOG_DEBUG, "router",
		     "SSDP notifications: %s: UPnP router restarts are noticed at the next "
		     "renewal or verification",
		     err.msg[0] ? err.msg : strerror(errno));
	if (a->ssdp_fd >= 0)
		close(a->ssdp_fd);
	a->ssdp_fd = -1;
}
