/* SPDX-License-Identifier: MIT */
/*
 * plan.h - the agent's reconcile planning: desired router mappings against
 * what the state (and, for UPnP, the router) says is true, and when to act.
 *
 * Owner: lib/agent. Pure functions, no I/O: the wanted mappings come from the
 * exposures (he_agent_wants_build), the observed ones from section "portmap"
 * of the runtime state (he_agent_haves_from_state, written by lib/portmap),
 * and he_agent_plan_router() says what to map, renew or remove and when the
 * next renewal is due (at half the granted lease, RFC 6886 3.3 / RFC 6887
 * 11.2.1). A removal is never planned for an exposure whose drop-in could not
 * be read (it is still wanted, just unreadable now).
 */
#ifndef HE_AGENT_PLAN_H
#define HE_AGENT_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/exposure.h"
#include "core/error.h"
#include "portmap/portmap.h"

/* One mapping the exposures want on the router. */
struct he_agent_want {
	char name[HE_PM_NAME_MAX];
	unsigned proto; /* HE_PROTO_TCP or HE_PROTO_UDP */
	int family;     /* AF_INET (forward) or AF_INET6 (pinhole) */
	uint16_t ext_port, int_port;
	uint32_t lease; /* 0: the [router] lease */
	char to[HE_HOST_MAX];
};

/* One mapping the state records (and, when checked, whether the router has it). */
struct he_agent_have {
	char name[HE_PM_NAME_MAX];
	unsigned proto;
	int family;
	uint16_t ext_port, int_port;
	enum he_pm_protocol protocol;
	uint32_t lease;  /* granted */
	int64_t expires; /* unix time; 0 when permanent */
	bool permanent;
	int on_router; /* 1 confirmed, 0 confirmed missing, -1 not checked */
};

struct he_agent_wants {
	size_t n, cap;
	struct he_agent_want *v;
};

struct he_agent_haves {
	size_t n, cap;
	struct he_agent_have *v;
};

/*
 * The router mappings of every exposure with router = yes: per port, per
 * transport, IPv4 unless family = ipv6, IPv6 pinholes only when have_v6 (this
 * host has a global IPv6 address) and family is not ipv4.
 */
int he_agent_wants_build(const struct he_exposures *ex, bool have_v6, struct he_agent_wants *out,
			 struct he_error *err);
void he_agent_wants_free(struct he_agent_wants *w);

/* The "mappings" object of section "portmap" (may be NULL: none). */
int he_agent_haves_from_state(const json_t *portmap_section, struct he_agent_haves *out,
			      struct he_error *err);
void he_agent_haves_free(struct he_agent_haves *h);

/* Same mapping (the state's key: name, transport, family, ext port - int port for IPv6)? */
bool he_agent_same_mapping(const struct he_agent_want *w, const struct he_agent_have *h);

/*
 * When to renew a mapping granted for lease seconds that ends at expires:
 * half-way through the lease. INT64_MAX for a permanent mapping.
 */
int64_t he_agent_renew_at(const struct he_agent_have *h);

/* Retry delay in seconds after `failures` failures in a row: 1, 2, 4 ... capped at 60. */
unsigned he_agent_backoff(unsigned failures);

enum he_agent_act {
	HE_AGENT_MAP = 1, /* missing (or lost by the router): create */
	HE_AGENT_RENEW,   /* half the lease gone: renew (same PCP nonce) */
	HE_AGENT_UNMAP,   /* recorded but no longer wanted */
};

struct he_agent_action {
	enum he_agent_act act;
	size_t idx; /* into wants (MAP, RENEW) or haves (UNMAP) */
};

struct he_agent_plan {
	size_t n, cap;
	struct he_agent_action *v;
	int64_t next_at; /* next renewal due (unix time); INT64_MAX: none */
};

/* Why a plan is made: what the caller knows beyond the state. */
enum {
	HE_AGENT_PLAN_REMAP_ALL = 1, /* the router lost its state (epoch reset): map everything */
};

/*
 * Plan the router side. keep_names (n_keep, may be 0) are exposures whose
 * drop-in is unreadable: their recorded mappings are never removed.
 */
int he_agent_plan_router(const struct he_agent_wants *w, const struct he_agent_haves *h,
			 const char *const *keep_names, size_t n_keep, int64_t now, unsigned flags,
			 struct he_agent_plan *out, struct he_error *err);
void he_agent_plan_free(struct he_agent_plan *p);

/* "map", "renew", "unmap". */
const char *he_agent_act_name(enum he_agent_act a);

#endif
