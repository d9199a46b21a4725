/* SPDX-License-Identifier: MIT */
/*
 * engine.h - the one desired-state and reconcile engine.
 *
 * Owner: lib/engine. Every command that touches exposures (open, close,
 * list, check) and the agent go through here; nothing else expands an
 * exposure into ports, transports and families.
 *
 *   desired   exposures (configuration + drop-ins) -> router mappings,
 *             host-firewall openings and check targets (desired.c). The one
 *             place where `to`, `family`, the transports, `router`,
 *             `firewall` and the never-expose list are applied. An exposure
 *             that cannot be carried out is left out with the reason
 *             (refusals), so the others go on.
 *   observed  what is true now: homeexpose's mappings from the runtime state
 *             (through lib/portmap, the only reader of its state section),
 *             confirmed on the router where the backend can list, and the
 *             host firewall's report (observed.c).
 *   plan      a pure function from desired + observed to actions (plan.c):
 *             map, renew, unmap; apply the firewall or refuse because another
 *             table would still drop a port. No I/O.
 *   apply     carries a plan out (apply.c), with a result per action and,
 *             when asked, rollback of what the run made. Nothing prints.
 *   ops       the command line's operations built on the above (ops.c:
 *             open, close) and the live view for `list` (live.c).
 */
#ifndef HE_ENGINE_ENGINE_H
#define HE_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/exposure.h"
#include "core/error.h"
#include "firewall/firewall.h"
#include "portmap/portmap.h"

/* ---- desired ------------------------------------------------------------ */

/* One port x transport x family of one exposure: a check target. */
struct he_eng_target {
	size_t x;       /* index of the exposure in the list given to he_desired_build */
	unsigned proto; /* HE_PROTO_TCP or HE_PROTO_UDP */
	int family;     /* AF_INET or AF_INET6 */
	uint16_t ext;   /* external port (the IPv4 forward's) */
	uint16_t in;    /* service port (the IPv6 pinhole's, the firewall's) */
};

/* One router mapping wanted. */
struct he_eng_want {
	char name[HE_PM_NAME_MAX];
	unsigned proto;
	int family;
	uint16_t ext_port, int_port;
	uint32_t lease; /* 0: the [router] lease */
	char to[HE_HOST_MAX];
};

/* An exposure left out of the desired state, and why. */
struct he_eng_refusal {
	size_t x;
	char name[HE_NAME_MAX];
	int code; /* -EINVAL (contradictory settings), -EPERM (never-expose port without
		     force), -ENETUNREACH (IPv6 only without a global IPv6 address) */
	char msg[HE_ERR_MSG_MAX];
};

struct he_desired {
	const struct he_exposure *ex; /* borrowed: the list given to he_desired_build */
	size_t nex;
	size_t nwant, capwant;
	struct he_eng_want *want; /* router mappings (router = yes) */
	struct he_fw_desired fw;  /* host firewall openings (firewall = yes, no `to`) */
	size_t nt, capt;
	struct he_eng_target *t; /* check targets, every exposure not refused */
	size_t nref, capref;
	struct he_eng_refusal *ref;
};

struct he_desired_opts {
	bool have_v6; /* this host has a global IPv6 address (pinholes, IPv6 checks) */
};

/*
 * Expand ex[0..n) into the desired state. Refused exposures are listed in
 * out->ref and contribute nothing. Returns 0 or -ENOMEM.
 */
int he_desired_build(const struct he_exposure *ex, size_t n, const struct he_desired_opts *o,
		     struct he_desired *out, struct he_error *err);
void he_desired_free(struct he_desired *d);
/* The refusal of exposure name, or NULL. */
const struct he_eng_refusal *he_desired_refusal(const struct he_desired *d, const char *name);
/* Does this host have a global IPv6 address (the default for he_desired_opts.have_v6)? */
bool he_engine_have_v6(void);

/* ---- observed ----------------------------------------------------------- */

struct he_observed {
	bool router_read;
	char router_err[HE_ERR_MSG_MAX + 64];
	struct he_pm_entry *maps; /* homeexpose's mappings (state, confirmed where possible) */
	size_t nmaps;
	bool fw_read;
	char fw_err[HE_ERR_MSG_MAX + 64];
	char fw_backend[16];
	struct he_fw_report fw;
};

/* The mappings recorded in st (read-only use; NULL: none). */
int he_observed_router(struct he_state *st, struct he_observed *o, struct he_error *err);
/*
 * Ask the router which recorded mappings it really has, where its backend can
 * list them (UPnP); a backend that cannot leaves on_router unknown (-1 in
 * the plan's eyes: router_checked false).
 */
int he_observed_confirm(struct he_portmap *pm, struct he_observed *o, struct he_error *err);
/* The firewall's report against the desired openings. */
int he_observed_firewall(struct he_firewall *fw, const struct he_fw_desired *want,
			 struct he_observed *o, struct he_error *err);
void he_observed_free(struct he_observed *o);

/* ---- plan --------------------------------------------------------------- */

enum he_eng_act {
	HE_ACT_MAP = 1, /* missing (or lost by the router): create */
	HE_ACT_RENEW,   /* half the lease gone: renew (same PCP nonce) */
	HE_ACT_UNMAP,   /* recorded but no longer wanted */
};

struct he_eng_action {
	enum he_eng_act act;
	size_t idx; /* into desired->want (MAP, RENEW) or the observed maps (UNMAP) */
};

enum {
	HE_PLAN_REMAP_ALL = 1, /* map every wanted mapping (open; the router lost its state) */
};

struct he_plan_opts {
	const char *scope;       /* only mappings of this exposure (NULL: all) */
	const char *const *keep; /* exposures whose recorded mappings are never removed */
	size_t n_keep;           /* (their drop-in is unreadable right now) */
	int64_t now;             /* unix time */
	unsigned flags;          /* HE_PLAN_* */
};

struct he_plan {
	size_t n, cap;
	struct he_eng_action *v;
	int64_t next_at; /* next renewal due (unix time); INT64_MAX: none */
};

/* Same mapping (the state's key: name, transport, family, ext port - int port for IPv6)? */
bool he_eng_same_mapping(const struct he_eng_want *w, const struct he_pm_entry *h);
/* When to renew: half-way through the granted lease; INT64_MAX when permanent. */
int64_t he_eng_renew_at(const struct he_pm_entry *h);
/* Retry delay in seconds after `failures` failures in a row: 1, 2, 4 ... capped at 60. */
unsigned he_eng_backoff(unsigned failures);

/*
 * The router side: removals first (so a changed internal port frees the old
 * record), then maps and renewals. Pure.
 */
int he_plan_router(const struct he_desired *d, const struct he_pm_entry *have, size_t nhave,
		   const struct he_plan_opts *o, struct he_plan *out, struct he_error *err);
void he_plan_free(struct he_plan *p);
/* "map", "renew", "unmap". */
const char *he_eng_act_name(enum he_eng_act a);

enum he_fw_decision {
	HE_FW_NOTHING = 0, /* in place */
	HE_FW_APPLY,       /* make the firewall match */
	HE_FW_REFUSE,      /* another table would still drop a port of the scope: change nothing */
};

struct he_fw_plan {
	enum he_fw_decision decision;
	struct he_fw_desired apply;  /* what to apply (desired, plus kept extras) */
	size_t nshadow;              /* shadows on the scope's ports */
	struct he_fw_shadow *shadow; /* copies from the report */
	size_t ncertain;             /* of which certain (these refuse) */
	size_t nmissing, nextra;     /* what the apply repairs / removes */
};

enum {
	HE_FWPLAN_PRUNE = 1,  /* remove openings no exposure wants (start, reload, open, close) */
	HE_FWPLAN_ALWAYS = 2, /* apply even when the report says in sync (open: idempotent) */
};

/*
 * The firewall side: from the desired openings and the report. Shadows on
 * the ports of exposure `scope` (NULL: none) that certainly drop refuse the
 * change. Without HE_FWPLAN_PRUNE, extra openings are kept (an `open` may be
 * on its way in). report may be NULL (not read: apply blindly). Pure.
 */
int he_plan_firewall(const struct he_desired *d, const struct he_fw_report *report,
		     const char *scope, unsigned flags, struct he_fw_plan *out,
		     struct he_error *err);
void he_fw_plan_free(struct he_fw_plan *p);

/* ---- apply -------------------------------------------------------------- */

struct he_eng_result {
	enum he_eng_act act;
	char name[HE_PM_NAME_MAX];
	unsigned proto;
	int family;
	uint16_t ext_port, int_port;
	int rc; /* 0 or -errno */
	char msg[HE_ERR_MSG_MAX];
	struct he_pm_result res; /* MAP / RENEW: what the router granted */
	bool rolled_back;        /* made, then removed again because the run failed */
	bool not_public;         /* IPv4 forward on a non-public address (CGNAT, double NAT) */
	bool v4_impossible;      /* IPv4 not possible here (CGNAT, DS-Lite): skipped, not failed */
};

struct he_eng_results {
	size_t n, cap;
	struct he_eng_result *v;
	bool epoch_reset; /* a MAP/RENEW answer says the router lost its state */
	size_t failed;
	/*
	 * The router's IPv4 address is the carrier's (CGNAT, DS-Lite): no IPv4
	 * forward can ever work, so an exposure that also wants IPv6 pinholes
	 * goes on with those, its IPv4 reported "not possible here".
	 */
	bool v4_impossible;
	enum he_addr_class v4_class;
	char v4_addr[HE_PM_ADDR_MAX];
};

enum {
	HE_APPLY_ROLLBACK = 1,       /* stop at the first failure and undo this run's maps */
	HE_APPLY_REQUIRE_PUBLIC = 2, /* an IPv4 forward on a non-public address is a failure */
	HE_APPLY_STOP_ON_RESET = 4,  /* stop when the router lost its state (caller remaps) */
	HE_APPLY_FRESH = 8,          /* the router restarted: map anew, renew no id it gave */
};

/*
 * Carry out the router actions of p. have is what the plan was made from
 * (UNMAP indices). Without HE_APPLY_ROLLBACK every action is tried (one
 * failing mapping does not stop the others). Behind CGNAT or DS-Lite the
 * IPv4 maps of an exposure that wants IPv6 pinholes are skipped
 * (v4_impossible), not failed: its IPv6 side is what can work. Returns 0 when
 * every action succeeded, else the first failure's code (details per result).
 */
int he_apply_router_plan(struct he_portmap *pm, const struct he_desired *d,
			 const struct he_pm_entry *have, const struct he_plan *p, unsigned flags,
			 struct he_eng_results *out);
void he_eng_results_free(struct he_eng_results *r);
/* Remove again what a run mapped (its MAP results, newest first), marking them rolled_back. */
void he_apply_rollback(struct he_portmap *pm, struct he_eng_results *out);
/*
 * The actions of p as results without carrying them out (a dry run): act,
 * name, transport, family and ports filled, rc 0. Returns 0 or -ENOMEM.
 */
int he_plan_describe(const struct he_desired *d, const struct he_pm_entry *have,
		     const struct he_plan *p, struct he_eng_results *out);

/* ---- live view (list, drift) ------------------------------------------ */

/* One expected mapping of an exposure and what is true of it. */
enum he_live_state {
	HE_LIVE_OK = 0,
	HE_LIVE_MISSING,  /* not recorded (never made, or removed) */
	HE_LIVE_VANISHED, /* recorded, but the router does not have it */
	HE_LIVE_EXPIRED,  /* recorded, lease ran out */
};

/* "ok", "missing", "vanished", "expired". */
const char *he_live_state_name(enum he_live_state s);

struct he_live_map {
	const struct he_eng_want *want;
	const struct he_pm_entry *have; /* NULL when missing */
	enum he_live_state state;
};

/*
 * The expected mappings of exposure x with their state (at most max). Build
 * d with have_v6 = true to see recorded pinholes; without a global IPv6
 * address now (have_v6 false) a pinhole is only expected when recorded.
 * Returns how many were written.
 */
size_t he_live_router(const struct he_desired *d, const struct he_observed *o, size_t x,
		      bool have_v6, struct he_live_map *out, size_t max);

/* One firewall opening of an exposure and its state. */
struct he_live_fw {
	uint16_t port;
	unsigned proto;
	bool missing;
};

/* The firewall openings of exposure x, one per transport (at most max), missing per the report. */
size_t he_live_firewall(const struct he_desired *d, const struct he_observed *o, size_t x,
			struct he_live_fw *out, size_t max);

/* ---- the live view and the command line's operations (live.c, ops.c) ---- */

#define HE_DRIFT_MAX 64
#define HE_DRIFT_LEN 320

struct he_config;

/* Desired and observed side by side, for `list` and before `open NAME` repairs. */
struct he_live {
	struct he_desired d; /* every exposure, built with have_v6 = true */
	struct he_observed o;
	bool have_v6; /* this host has a global IPv6 address now */
};

/*
 * Read the live state of every exposure in all without changing anything:
 * the state read-only (no root needed), mappings confirmed on the router
 * where its protocol can list them, the firewall against every opening.
 * What could not be read is said in lv->o.router_err / fw_err.
 */
void he_live_read(const struct he_config *cfg, const struct he_exposures *all, struct he_live *lv);
/* The router half of he_live_read (lv->o.fw_read stays false): `open NAME` has the
 * firewall's report from its own verify. */
void he_live_read_router(const struct he_config *cfg, const struct he_exposures *all,
			 struct he_live *lv);
void he_live_free(struct he_live *lv);
/* What of exposure x is gone, one line each ("router: ..."), at most max. */
size_t he_live_drift(const struct he_live *lv, size_t x, char (*out)[HE_DRIFT_LEN], size_t max);

enum he_op_stage {
	HE_OP_DONE = 0, /* success */
	HE_OP_REFUSED,  /* the exposure cannot be carried out (msg, rc: -EINVAL usage) */
	HE_OP_FIREWALL, /* the host firewall (fwp.shadow when another table drops) */
	HE_OP_STATE,    /* the runtime state could not be locked */
	HE_OP_ROUTER,   /* the router (msg when it could not be opened; else per result) */
	HE_OP_SAVE,     /* writing or removing the drop-in */
};

struct he_op_opts {
	enum he_pm_protocol protocol; /* only this protocol (--protocol); HE_PM_NONE: auto */
	bool force;                   /* keep an IPv4 forward on a non-public address */
	bool dry_run;                 /* open: firewall commands only, nothing changes; close:
					 the router plan (rep->router, not carried out) and the
					 firewall commands (rep->fw_text) */
	bool forget;                  /* close: remove the drop-in even after a failure */
};

struct he_op_report {
	enum he_op_stage failed;
	int rc;
	char msg[HE_ERR_MSG_MAX];
	size_t ndrift; /* open of an existing exposure: what was gone before */
	char drift[HE_DRIFT_MAX][HE_DRIFT_LEN];
	/* firewall */
	bool fw_done;
	char fw_backend[16];
	size_t fw_openings;
	struct he_fw_plan fwp;
	char *fw_text;  /* dry run: the exact commands ("" nothing to do) */
	int fw_restore; /* after a failure: 0 put back as it was, or -errno */
	/* router */
	struct he_eng_results router;
	bool kept_failed; /* close: something could not be removed, forgotten anyway */
};

/*
 * open: e (new, or replacing its namesake in existing) is carried out:
 * refusals first, then the host firewall, then the router (every mapping of
 * e, with rollback), then its drop-in; a failure undoes the steps before it.
 * Returns 0 or -errno; rep says which stage failed and why.
 */
int he_op_open(const struct he_config *cfg, const struct he_exposure *e,
	       const struct he_exposures *existing, const struct he_op_opts *o,
	       struct he_op_report *rep);
/* close: e's recorded mappings removed, its openings closed, its drop-in removed. */
int he_op_close(const struct he_config *cfg, const struct he_exposure *e,
		const struct he_exposures *all, const struct he_op_opts *o,
		struct he_op_report *rep);
void he_op_report_free(struct he_op_report *r);
/* Portmap options from [router] and a protocol override (HE_PM_NONE: automatic). */
void he_op_portmap_opts(const struct he_config *cfg, enum he_pm_protocol protocol,
			struct he_portmap_opts *o);

#endif
