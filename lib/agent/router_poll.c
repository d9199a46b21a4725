/* SPDX-License-Identifier: MIT */
/*
 * router_poll.c - a LAN-only watch of the router's external address for
 * NAT-PMP/PCP routers: every ROUTER_POLL_MS one NAT-PMP public address
 * request (2 bytes) to the router, never a request outside the LAN.
 *
 * Why: RFC 6886 3.2.1 has the router announce a new address, and miniupnpd
 * does when UPnP is on too, but miniupnpd 2.3.1 with NAT-PMP/PCP alone does
 * not watch its WAN interface (found in the lab: no announcement at all), so
 * an announcement cannot be relied on. An answer with another address than
 * the published one runs the quick check (pubip.c), as an announcement does.
 * A router that refuses NAT-PMP (a PCP-only one answers UNSUPP_VERSION) is
 * not asked again until the router is learned anew.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "portmap/natpmp_wire.h"

#define ROUTER_POLL_MS 500
#define NATPMP_PORT    5351

static void on_reply(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_agent *a = ctx;
	struct he_natpmp_reply r;
	uint8_t buf[64];
	char addr[INET_ADDRSTRLEN];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		if (he_natpmp_decode(buf, (size_t)n, &r) < 0 || r.opcode != HE_NATPMP_OP_PUBLICADDR)
			continue;
		if (r.result != HE_NATPMP_SUCCESS) {
			if (r.result == HE_NATPMP_UNSUPP_VERSION) {
				he_agent_log(a, HE_AGENT_LOG_DEBUG, "router",
					     "the router does not answer NAT-PMP: not polled");
				a->rpoll_refused = true;
				he_agent_rpoll_stop(a);
				return;
			}
			continue; /* e.g. no WAN address while it changes: asked again soon */
		}
		inet_ntop(AF_INET, &r.addr, addr, sizeof(addr));
		if (!r.addr.s_addr || strcmp(addr, a->rpoll_last) == 0)
			continue;
		if (a->rpoll_last[0]) {
			he_agent_log(a, HE_AGENT_LOG_INFO, "router",
				     "the router's external address is now %s (was %s)", addr,
				     a->rpoll_last);
			he_loop_timer_arm(a->t_pubq, 1);
		}
		snprintf(a->rpoll_last, sizeof(a->rpoll_last), "%s", addr);
	}
}

static void on_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_agent *a = ctx;
	static const uint8_t req[2] = {0, HE_NATPMP_OP_PUBLICADDR};

	if (a->rpoll_fd < 0)
		return;
	if (send(a->rpoll_fd, req, sizeof(req), MSG_DONTWAIT) < 0 && errno != ECONNREFUSED)
		he_agent_log(a, HE_AGENT_LOG_DEBUG, "router", "router poll: %s", strerror(errno));
	he_loop_timer_arm(t, ROUTER_POLL_MS);
}

void he_agent_rpoll_stop(struct he_agent *a)
{
	if (a->rpoll_fd >= 0) {
		he_loop_del_fd(a->loop, a->rpoll_fd);
		close(a->rpoll_fd);
	}
	a->rpoll_fd = -1;
	a->rpoll_gw[0] = a->rpoll_last[0] = '\0';
	if (a->t_rpoll)
		he_loop_timer_arm(a->t_rpoll, 0);
}

void he_agent_rpoll_start(struct he_agent *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(NATPMP_PORT)};
	struct he_error err = {0};

	if (a->opts.once || a->rpoll_refused || !a->gateway[0])
		return;
	if (a->rpoll_fd >= 0 && strcmp(a->rpoll_gw, a->gateway) == 0)
		return;
	he_agent_rpoll_stop(a);
	if (inet_pton(AF_INET, a->gateway, &sa.sin_addr) != 1)
		return;
	if (!a->t_rpoll && he_loop_timer_new(a->loop, on_timer, a, &a->t_rpoll, &err) < 0)
		return;
	a->rpoll_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->rpoll_fd < 0 || connect(a->rpoll_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    he_loop_add_fd(a->loop, a->rpoll_fd, EPOLLIN, on_reply, a, &err) < 0) {
		if (a->rpoll_fd >= 0)
			close(a->rpoll_fd);
		a->rpoll_fd = -1;
		return;
	}
	snprintf(a->rpoll_gw, sizeof(a->rpoll_gw), "%s", a->gateway);
	he_loop_timer_arm(a->t_rpoll, ROUTER_POLL_MS);
}
