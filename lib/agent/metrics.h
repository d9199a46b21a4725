/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - the agent's counters and their Prometheus text rendering.
 *
 * Owner: lib/agent. he_metrics_render() is pure (text exposition format
 * 0.0.4); metrics_io.c serves it on a localhost TCP listener ([agent]
 * metrics-listen) or writes it atomically for node_exporter's textfile
 * collector ([agent] metrics-textfile).
 */
#ifndef HE_AGENT_METRICS_H
#define HE_AGENT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/portspec.h"
#include "core/error.h"
#include "portmap/portmap.h"

enum he_agent_err_kind {
	HE_AGENT_ERR_ROUTER = 0,
	HE_AGENT_ERR_FIREWALL,
	HE_AGENT_ERR_CONFIG,
	HE_AGENT_ERR_PUBLICIP,
	HE_AGENT_ERR_DDNS,
	HE_AGENT_ERR_CONTROL,
	HE_AGENT_ERR_NKINDS,
};

/* "router", "firewall", "config", "publicip", "ddns", "control". */
const char *he_agent_err_kind_name(enum he_agent_err_kind k);

struct he_metrics_mapping {
	char name[HE_PM_NAME_MAX];
	unsigned proto; /* HE_PROTO_TCP / HE_PROTO_UDP */
	int family;     /* AF_INET / AF_INET6 */
	uint16_t ext_port;
	enum he_pm_protocol protocol;
	int64_t expires; /* unix time; 0 permanent */
};

struct he_metrics_ddns {
	char record[HE_NAME_MAX];
	int64_t last_success; /* unix time; 0 never */
	uint64_t failures;
};

/* One port, transport and family of an exposure, as the last self-check saw it. */
struct he_metrics_check {
	char name[HE_NAME_MAX];
	uint16_t port; /* the port the outside uses */
	unsigned proto;
	int family;
	bool reachable;
};

struct he_agent_metrics {
	int64_t start_time;
	unsigned exposures;
	uint64_t pubip_changes;
	uint64_t router_maps, router_renewals, router_unmaps, router_epoch_resets;
	uint64_t firewall_repairs;
	uint64_t announcements;
	uint64_t upnp_events;     /* UPnP NOTIFY accepted from the router */
	uint64_t netlink_changes; /* address/route changes the agent looked at */
	uint64_t polls;           /* poll-interval STUN exchanges */
	const char *evmode;       /* how address changes are learned (borrowed) */
	unsigned poll_interval;   /* seconds, when evmode is polling */
	uint64_t outside_checks;  /* public address checks through STUN/HTTP */
	uint64_t ddns_updates;    /* answers accepted by a DNS provider */
	uint64_t reloads, reload_failures;
	uint64_t state_lock_busy; /* times the state lock was held by another run */
	uint64_t errors[HE_AGENT_ERR_NKINDS];
	int firewall_in_sync; /* 1, 0, -1 unknown */
	size_t nmap;
	struct he_metrics_mapping *maps; /* borrowed */
	size_t nddns;
	struct he_metrics_ddns ddns[HE_DDNS_MAX];
	uint64_t check_runs;
	int64_t check_last_run; /* unix time the last self-check ended; 0 never */
	size_t ncheck;
	struct he_metrics_check *checks; /* borrowed */
};

/* The text exposition (malloc'ed, to free()); NULL when out of memory. */
char *he_metrics_render(const struct he_agent_metrics *m, int64_t now);

/* Write the text to path atomically (node_exporter's textfile collector), mode 0644. */
int he_metrics_write_textfile(const char *path, const char *text, struct he_error *err);

/*
 * A listening TCP socket for "ADDR:PORT" / "[ADDR6]:PORT" (non-blocking,
 * close-on-exec). Only loopback addresses are accepted: metrics name the
 * exposed ports. Returns the fd or -errno.
 */
int he_metrics_listen(const char *spec, struct he_error *err);

/*
 * Answer one HTTP request on an accepted, readable connection with text
 * (any path; HTTP/1.0, then close). Returns 0 or -errno; the caller closes.
 */
int he_metrics_serve(int conn, const char *text);

#endif
