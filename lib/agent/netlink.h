/* SPDX-License-Identifier: MIT */
/*
 * netlink.h - the kernel telling the agent that something changed: addresses
 * (RTM_NEWADDR / RTM_DELADDR) and routes (RTM_NEWROUTE / RTM_DELROUTE) over
 * rtnetlink, and nftables ruleset changes (NFNLGRP_NFTABLES) over
 * nfnetlink, both with libmnl.
 *
 * Owner: lib/agent. The sockets only listen; nothing is ever changed here.
 * Reading drains every pending message and sums them up in flags, so a burst
 * (an nft transaction, an interface going down) becomes one event.
 */
#ifndef HE_AGENT_NETLINK_H
#define HE_AGENT_NETLINK_H

#include "core/error.h"

struct he_nlmon;

enum {
	HE_NL_ADDR = 1,    /* an IPv4/IPv6 address was added or removed */
	HE_NL_ROUTE = 2,   /* a default route appeared, changed or went away */
	HE_NL_NFT = 4,     /* the nftables ruleset changed */
	HE_NL_OVERRUN = 8, /* messages were lost (ENOBUFS): assume everything changed */
};

/* Address and route changes (rtnetlink groups for both families). */
int he_nlmon_open_rtnl(struct he_nlmon **out, struct he_error *err);
/*
 * nftables ruleset changes. Subscribing needs CAP_NET_ADMIN: -EPERM then
 * (the agent falls back to the periodic comparison alone).
 */
int he_nlmon_open_nft(struct he_nlmon **out, struct he_error *err);
int he_nlmon_fd(const struct he_nlmon *m);
/* Drain pending messages; returns HE_NL_* flags seen (0: nothing relevant) or -errno. */
int he_nlmon_read(struct he_nlmon *m);
void he_nlmon_close(struct he_nlmon *m);

#endif
