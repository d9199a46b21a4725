/* SPDX-License-Identifier: MIT */
/*
 * check.h - the reachability check chain, shared by `homeexpose check`,
 * `open` (at its end) and the agent's periodic self-check.
 *
 * Owner: lib/reach. For each port of each exposure, each protocol and each
 * family it walks listener -> host firewall -> router mapping -> addresses
 * (CGNAT, double NAT, global IPv6) -> outside (the reflector) -> DNS ->
 * hairpin (information only) and records, per step, pass / warn / fail /
 * n/a with one line of evidence and, where it helps, the fix. It names the
 * first broken link and says whether the port was proven reachable.
 *
 * Nothing here prints. A run blocks for up to a few seconds (router, the
 * reflector, hairpin and UDP arrival timeouts); it shares no state with its
 * caller, so it may run in a thread of its own. The runtime state is locked
 * (shared) only while the router and the public address are read.
 */
#ifndef HE_REACH_CHECK_H
#define HE_REACH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "config/exposure.h"
#include "core/error.h"

enum he_check_step {
	HE_CHK_LISTENER = 0,
	HE_CHK_FIREWALL,
	HE_CHK_ROUTER,
	HE_CHK_ADDRESSES,
	HE_CHK_OUTSIDE,
	HE_CHK_DNS,
	HE_CHK_HAIRPIN,
	HE_CHK_NSTEPS,
};

enum he_check_status {
	HE_CHK_NA = 0,
	HE_CHK_PASS,
	HE_CHK_WARN,
	HE_CHK_FAIL,
};

enum he_check_reach {
	HE_CHK_UNPROVEN = 0, /* no failing link, but no proof from outside either */
	HE_CHK_REACHABLE,
	HE_CHK_UNREACHABLE, /* a link is broken */
	HE_CHK_IRRELEVANT,  /* IPv6 without a way to test it (no address, no reflector over IPv6) */
	HE_CHK_IMPOSSIBLE,  /* IPv4 behind CGNAT/DS-Lite: not possible here, not a broken link */
};

#define HE_CHK_TEXT_MAX 400

struct he_check_line {
	enum he_check_status status;
	char evidence[HE_CHK_TEXT_MAX];
	char fix[HE_CHK_TEXT_MAX]; /* "" when none */
};

/* One port, one transport, one family of one exposure. */
struct he_check_target {
	char name[HE_NAME_MAX];
	uint16_t ext, in; /* external (IPv4 router) port, service port */
	unsigned proto;   /* HE_PROTO_TCP or HE_PROTO_UDP */
	int family;       /* AF_INET / AF_INET6 */
	struct he_check_line l[HE_CHK_NSTEPS];
	int broken; /* first broken step (enum he_check_step), -1 none */
	enum he_check_reach reach;
	/* IPv4 behind CGNAT/DS-Lite: why it is not possible here ("" otherwise) */
	char impossible[HE_CHK_TEXT_MAX];
};

/* An exposure the engine refuses to apply (never-expose port, contradictions). */
struct he_check_refused {
	char name[HE_NAME_MAX];
	char msg[HE_ERR_MSG_MAX];
};

struct he_check_result {
	struct he_check_target *v;
	size_t n;
	/* exposures of the list the engine refuses: nothing of them is open (not reachable) */
	struct he_check_refused *refused;
	size_t nrefused;
	bool reachable; /* every wanted port and family proven from outside */
	bool reflector; /* an outside vantage point is configured (a reflector or a SOCKS proxy) */
	char vantage[HE_CHK_TEXT_MAX]; /* which: "from reflector URL", "through socks H:P", "" */
	int64_t started;               /* unix time the run began */
	int64_t finished;
};

struct he_check_opts {
	/*
	 * Also ask the configured public-address sources (STUN, HTTP) to name
	 * CGNAT and double NAT. The agent leaves this off: its periodic check
	 * must not add requests to outside address services.
	 */
	bool pubip_sources;
	/* HOST:PORT: the outside probe goes through this SOCKS5 proxy, not a reflector */
	const char *via_socks;
};

/*
 * Check the exposures in list (all, when not NULL, gives every exposure for
 * the host firewall's desired state). Fills out (to free with
 * he_check_result_free). Returns 0, or -ENOMEM; every other problem is a
 * step's evidence, never an error.
 */
int he_check_run_chain(const struct he_config *cfg, const struct he_check_opts *opts,
		       const struct he_exposure *list, size_t n, const struct he_exposures *all,
		       struct he_check_result *out, struct he_error *err);
void he_check_result_free(struct he_check_result *r);

/*
 * The verdict for one exposure: reachable when every one of its targets was
 * (or is irrelevant, or is IPv4 not possible here) and at least one was
 * proven; unreachable when a link is broken, with *first set to its first
 * broken target; unproven otherwise. HE_CHK_IRRELEVANT when the result holds
 * no target of that name.
 */
enum he_check_reach he_check_exposure_verdict(const struct he_check_result *r, const char *name,
					      const struct he_check_target **first);

/* "listener", "firewall", "router", "addresses", "outside", "dns", "hairpin". */
const char *he_check_step_name(int step);
/* "n/a", "pass", "warn", "fail". */
const char *he_check_status_name(enum he_check_status s);
/* "unproven", "reachable", "not reachable", "n/a", "not possible here". */
const char *he_check_reach_name(enum he_check_reach r);

#endif
