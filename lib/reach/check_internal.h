/* SPDX-License-Identifier: MIT */
/*
 * check_internal.h - what the check chain's files share: the run's context
 * and the steps. Not for use outside lib/reach (check.h is the interface).
 *
 *   check.c         the driver: targets from the engine, the verdicts
 *   check_local.c   steps on this host and its router: listener, firewall, router
 *   check_remote.c  steps beyond: addresses, outside (reflector), DNS, hairpin
 */
#ifndef HE_REACH_CHECK_INTERNAL_H
#define HE_REACH_CHECK_INTERNAL_H

#include "firewall/firewall.h"
#include "portmap/portmap.h"
#include "publicip/publicip.h"
#include "reach/check.h"
#include "reach/reflector_proto.h"

/* What a target needs during the run only. */
struct priv {
	const struct he_exposure *e;
	char token[HE_RP_TOKEN_MAX + 1];
};

struct ctx {
	const struct he_config *cfg;
	struct he_check_opts opts;
	struct he_check_target *t;
	struct priv *p;
	size_t nt;
	struct he_check_refused *refused; /* exposures the engine refuses */
	size_t nrefused;
	char local4[HE_PM_ADDR_MAX], global6[HE_PM_ADDR_MAX];
	char wan4[HE_PM_ADDR_MAX];
	enum he_addr_class wan4_cls;
	char pub[2][HE_PM_ADDR_MAX]; /* what the outside sees, per family (0: v4) */
	struct he_state *st;         /* held only while the router / addresses are read */
	/* firewall */
	bool fw_done, fw_ok;
	struct he_fw_report fw;
	char fw_err[HE_ERR_MSG_MAX], fw_backend[16];
	/* router */
	bool pm_done, pm_ok, confirm_ok;
	struct he_pm_entry *ents, *rtr;
	size_t nents, nrtr;
	char pm_err[HE_ERR_MSG_MAX], pm_proto[16];
	/* publicip (when linked) */
	bool pubip_ok;
	struct he_pubip_report pubip;
};

struct priv *he_chk_priv(struct ctx *c, const struct he_check_target *t);
#define P(c, t) he_chk_priv((c), (t))
/* The runtime state, locked shared only while the router and addresses are read. */
void he_chk_state_lock(struct ctx *c);
void he_chk_state_unlock(struct ctx *c);
/* One step's line: status, evidence (printf), fix (NULL: none). */
void he_chk_set(struct he_check_line *l, enum he_check_status st, const char *fix, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
/* The port the outside uses: the external port for IPv4, the service port for IPv6. */
uint16_t he_chk_outside_port(const struct he_check_target *t);
/* Index of a family in ctx.pub: 0 IPv4, 1 IPv6. */
static inline int he_chk_fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* check_local.c */
void he_chk_listener(struct ctx *c, struct he_check_target *t);
void he_chk_firewall(struct ctx *c, struct he_check_target *t, const struct he_exposures *all);
void he_chk_router(struct ctx *c, struct he_check_target *t);
/* check_remote.c */
void he_chk_pubip_once(struct ctx *c);
void he_chk_addr(struct ctx *c, struct he_check_target *t);
void he_chk_outside(struct ctx *c);
void he_chk_dns(struct ctx *c, struct he_check_target *t);
void he_chk_hairpin(struct ctx *c, struct he_check_target *t);

#endif
