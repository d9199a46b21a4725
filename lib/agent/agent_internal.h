/* SPDX-License-Identifier: MIT */
/*
 * agent_internal.h - the agent's private state, shared by agent.c (events,
 * timers, lifecycle), reconcile.c (router, firewall, public address) and
 * report.c (control replies, metrics snapshot). Not for use outside
 * lib/agent.
 */
#ifndef HE_AGENT_AGENT_INTERNAL_H
#define HE_AGENT_AGENT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "agent/agent.h"
#include "agent/control.h"
#include "agent/loop.h"
#include "agent/metrics.h"
#include "agent/netlink.h"
#include "ddns/ddns.h"
#include "engine/engine.h"
#include "config/exposure.h"
#include "portmap/portmap.h"
#include "reach/check.h"
#include <pthread.h>

struct he_state;
struct he_agent_gena;

/* How the agent learns that the public address changed (list, status, metrics). */
enum he_agent_evmode {
	HE_EV_UNKNOWN = 0, /* not decided yet */
	HE_EV_ANNOUNCE,    /* PCP / NAT-PMP announcements from the router */
	HE_EV_UPNP,        /* UPnP events (GENA NOTIFY) from the router */
	HE_EV_NETLINK,     /* the host holds the public address: netlink address events */
	HE_EV_POLL,        /* one STUN exchange every poll-interval */
};
/* "announcements", "upnp-events", "netlink", "polling", "unknown". */
const char *he_agent_evmode_name(enum he_agent_evmode m);

struct he_agent {
	struct he_config cfg;
	char config_path[PATH_MAX];
	bool config_explicit;
	struct he_agent_opts opts;
	struct he_agent_cb cb;

	struct he_loop *loop;
	struct he_loop_timer *t_router;  /* next router pass (renewals, retries) */
	struct he_loop_timer *t_verify;  /* UPnP verification */
	struct he_loop_timer *t_drift;   /* firewall comparison */
	struct he_loop_timer *t_fw;      /* firewall check soon (after an nft event) */
	struct he_loop_timer *t_net;     /* address/route change settled */
	struct he_loop_timer *t_pubip;   /* public address check from outside (periodic) */
	struct he_loop_timer *t_pubq;    /* public address check, router and interfaces */
	struct he_loop_timer *t_wd;      /* watchdog */
	struct he_loop_timer *t_metrics; /* textfile refresh */
	struct he_loop_timer *t_reload;  /* reload asked for (SIGHUP, control) */
	struct he_loop_timer *t_check;   /* the reachability self-check (selfcheck.c) */
	struct he_loop_timer *t_gena;    /* UPnP event subscription renewal */
	struct he_loop_timer *t_poll;    /* polling the public address (no event source) */

	int ann4, ann6;
	int rpoll_fd;                    /* router_poll.c: NAT-PMP address requests */
	bool rpoll_refused;              /* the router refused NAT-PMP */
	char rpoll_gw[HE_PM_ADDR_MAX];   /* the router polled */
	char rpoll_last[HE_PM_ADDR_MAX]; /* its last answer */
	struct he_loop_timer *t_rpoll;
	int ssdp_fd;                /* SSDP NOTIFY from the router (ssdp_watch.c) */
	long ssdp_bootid;           /* the router's last BOOTID.UPNP.ORG (-1 unknown) */
	bool ssdp_byebye;           /* it said ssdp:byebye and no alive since */
	struct he_agent_gena *gena; /* UPnP event subscription (gena_listener.c) */
	enum he_agent_evmode evmode;
	char evwhy[192]; /* why that mode */
	struct he_nlmon *rtnl, *nft;
	struct he_ctl_server *ctl;
	int metrics_fd;
	struct he_connset *ctl_set, *metrics_set; /* their connections, bounded */
	int64_t lock_busy_logged;                 /* he_now_ms() of the last busy-lock line */
	int64_t ann_remap_at;                     /* last (or next) remap an announcement caused */

	/* what the agent knows */
	int64_t started;
	bool ready;
	bool stopping;
	struct he_exposures ex;
	unsigned router_failures, fw_failures;
	bool remap_all;   /* next router pass maps everything */
	bool router_lost; /* ... because the router restarted: anew (HE_APPLY_FRESH) */
	/* hashes of the configuration problems last logged (drop-ins that do not
	 * load, exposures the engine refuses): each a warning once, not every pass */
	uint64_t diags_logged, refusals_logged;
	bool reprobe;    /* next router pass ignores the discovery cache */
	bool verify_now; /* next router pass asks the router (UPnP) */
	char gateway[HE_PM_ADDR_MAX];
	bool router_absent;      /* probed: no router protocol answered */
	unsigned learn_failures; /* probes in a row that found no router */
	int64_t learn_retry_at;  /* when to probe again (router_absent) */
	bool resubscribe;        /* open the router next pass: its event subscription is gone */
	char absent_gw[HE_PM_ADDR_MAX]; /* the default gateway then */
	enum he_pm_protocol protocol;
	char pub4[HE_PM_ADDR_MAX];
	char pub6[HE_PM_ADDR_MAX];
	int64_t pub_changed_at;
	int64_t last_outside;  /* last check through STUN/HTTP (0: never) */
	unsigned pubq_retries; /* quick checks in a row the router did not answer */
	char verdict[HE_ERR_MSG_MAX];
	int64_t last_router_pass, last_fw_pass;
	char fw_backend[16];
	struct he_observed obs; /* last observed mappings (for list, metrics) */
	struct he_agent_metrics m;
	struct he_metrics_mapping *mmaps;
	char last_error[HE_AGENT_ERR_NKINDS][HE_ERR_MSG_MAX];
	char status[256];

	/* the self-check: a worker thread posts to check_efd when done */
	int check_efd;
	pthread_t check_thread;
	struct he_agent_check_job *check_job; /* non-NULL while a run is under way */
	struct he_check_result check;         /* the last run's (check_have) */
	bool check_have;
};

/*
 * The state lock was busy (ERR from he_state_open, naming the holder): count it
 * (homeexpose_state_lock_busy_total) and log a warning, at once the first time
 * and then at most once a minute while it stays busy.
 */
void he_agent_state_busy(struct he_agent *a, const struct he_error *err);
void he_agent_log(struct he_agent *a, enum he_agent_level lvl, const char *kind, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
/* Count an error of a kind, remember it for `status`, and log it. */
void he_agent_fail(struct he_agent *a, enum he_agent_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void he_agent_set_status(struct he_agent *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The router restarted or lost our state (an SSDP byebye/alive, a lost UPnP
 * subscription): map every exposure again, subscribe again, check the
 * public address, at once.
 */
void he_agent_router_restarted(struct he_agent *a, const char *why);

/* gena_listener.c: subscribe (if pm is UPnP and not yet), renew, stop, free. */
void he_agent_gena_update(struct he_agent *a, struct he_portmap *pm);
void he_agent_gena_renew(struct he_agent *a);
void he_agent_gena_stop(struct he_agent *a);
void he_agent_gena_free(struct he_agent *a);
/* Subscribed and the router's events reach us (the initial event arrived). */
bool he_agent_gena_active(const struct he_agent *a);
/* Subscribed, but no event arrived yet (a firewall on this host dropping them?). */
bool he_agent_gena_unheard(const struct he_agent *a);
/* The callback port and the router it is for (0: no listener). */
uint16_t he_agent_gena_port(const struct he_agent *a, char *router, size_t len);
/*
 * router_poll.c: while the router's own address is the public one and it
 * speaks NAT-PMP/PCP, ask it (LAN only) for that address twice a second.
 */
void he_agent_rpoll_start(struct he_agent *a);
void he_agent_rpoll_stop(struct he_agent *a);
/* ssdp_watch.c: listen for the router's SSDP NOTIFY (a missing socket is logged). */
void he_agent_ssdp_open(struct he_agent *a);

/* The default route's IPv4 gateway as text ("" when none). */
void he_agent_default_gateway(char *buf, size_t len);

/* reconcile.c: one pass each; they arm their own next timers. */
void he_agent_router_pass(struct he_agent *a);
/* prune: also remove openings no exposure wants (start, reload). */
void he_agent_firewall_pass(struct he_agent *a, bool prune);
/*
 * A public address check, then the DNS records brought up to date (pubip.c).
 * outside: also ask the outside services (STUN, HTTP); otherwise only the
 * router and the interfaces, and the outside only when they cannot tell and
 * the last outside check is older than outside-check-interval.
 */
void he_agent_pubip_pass(struct he_agent *a, bool outside);
/* poll-interval: one STUN exchange; a different answer runs the full outside check. */
void he_agent_pubip_poll(struct he_agent *a);
/* Helpers shared by the passes (reconcile.c). */
int he_agent_lock_state(struct he_agent *a, struct he_loop_timer *retry, struct he_state **st);
int he_agent_open_router(struct he_agent *a, struct he_state *st, struct he_portmap **pm);
/* On stop with release-on-stop = yes: remove every mapping homeexpose holds. */
void he_agent_release_all(struct he_agent *a);

/*
 * selfcheck.c: the eventfd and the first run's timer; a run in a worker
 * thread (skipped while one is under way); join and free (on stop).
 */
int he_agent_check_setup(struct he_agent *a, struct he_error *err);
void he_agent_check_start(struct he_agent *a);
void he_agent_check_stop(struct he_agent *a);

/* report.c */
json_t *he_agent_ctl_handle(void *ctx, const struct he_ctl_request *req, bool *ok, char *msg,
			    size_t len);
char *he_agent_metrics_text(struct he_agent *a);
void he_agent_metrics_flush(struct he_agent *a);

#endif
