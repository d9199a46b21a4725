/* SPDX-License-Identifier: MIT */
/*
 * agent.h - the long-running agent: keeps every exposure true over time.
 *
 * Owner: lib/agent. One epoll loop (loop.h) reconciles the desired state
 * (homeexpose.conf + exposures.d) with what is true:
 *   - router mappings renewed at half their lease (lib/engine), re-made when the
 *     router lost them: PCP/NAT-PMP announcements with an epoch check
 *     (announce.h), UPnP verification every [agent] verify-interval;
 *   - the host firewall re-applied when homeexpose's rules vanish: nftables
 *     change events (NFNLGRP_NFTABLES, netlink.h) and a periodic comparison
 *     every [agent] drift-interval (he_firewall_verify);
 *   - addresses and the default route watched over rtnetlink: a new gateway
 *     means probing the router again, an address change a public address
 *     check through lib/publicip and a DNS update through lib/ddns (pubip.c);
 *   - a control socket (control.h) and metrics (metrics.h);
 *   - sd_notify READY / STATUS / WATCHDOG.
 * Every pass takes the state lock, as `open` and `close` do, so the agent and
 * the CLI never act on the same exposure at once.
 *
 * Nothing here prints: every message goes through he_agent_cb.log.
 */
#ifndef HE_AGENT_AGENT_H
#define HE_AGENT_AGENT_H

#include <stdbool.h>

#include "config/config.h"
#include "core/error.h"

enum he_agent_level {
	HE_AGENT_LOG_ERR = 3, /* syslog priorities, for journald's <N> prefixes */
	HE_AGENT_LOG_WARNING = 4,
	HE_AGENT_LOG_NOTICE = 5,
	HE_AGENT_LOG_INFO = 6,
	HE_AGENT_LOG_DEBUG = 7,
};

struct he_agent_cb {
	void *ctx;
	/* One message (no newline). kind: "router", "firewall", "config", ... */
	void (*log)(void *ctx, enum he_agent_level level, const char *kind, const char *msg);
};

struct he_agent_opts {
	const char *config_path; /* what to re-read on reload (NULL: the default) */
	bool config_explicit;    /* config_path was given with -c */
	bool once;               /* one reconcile pass, then return */
	bool no_announce;        /* do not listen for router announcements */
	bool no_netlink;         /* do not watch addresses, routes, nftables */
	bool no_control;         /* no control socket */
	bool no_notify;          /* no sd_notify */
};

struct he_agent;

/* Set up (sockets, timers); cfg is copied. */
int he_agent_new(const struct he_config *cfg, const struct he_agent_opts *opts,
		 const struct he_agent_cb *cb, struct he_agent **out, struct he_error *err);
/*
 * Run until SIGTERM / SIGINT (or after one pass with opts->once). 0 on a
 * clean stop; -errno when the loop itself failed.
 */
int he_agent_run(struct he_agent *a, struct he_error *err);
/* Errors counted since the start (all kinds): --once exits 1 when any. */
unsigned long he_agent_error_count(const struct he_agent *a);

/* Free. Accepts NULL. */
void he_agent_free(struct he_agent *a);

#endif
