/* SPDX-License-Identifier: MIT */
/*
 * ops.c - the command line's operations on one exposure, built on the
 * engine: open (firewall, router, drop-in; a failure undoes the steps before
 * it) and close. Nothing prints: the report says what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "engine/engine.h"
#include "state/state.h"

#define STATE_LOCK_MS 10000

void he_op_portmap_opts(const struct he_config *cfg, enum he_pm_protocol protocol,
			struct he_portmap_opts *o)
{
	he_portmap_opts_from_config(cfg, false, o);
	if (protocol != HE_PM_NONE)
		o->force = protocol;
}

/*
 * The exposures after the operation: existing with e in place of its
 * namesake (or added), minus the one named without. malloc'ed.
 */
static struct he_exposure *merged(const struct he_exposures *existing, const struct he_exposure *e,
				  const char *without, size_t *n)
{
	size_t cnt = existing ? existing->n : 0;
	struct he_exposure *v = calloc(cnt + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < cnt; i++) {
		const struct he_exposure *x = &existing->v[i];

		if ((without && !strcmp(x->name, without)) || (e && !strcmp(x->name, e->name)))
			continue;
		v[(*n)++] = *x;
	}
	if (e)
		v[(*n)++] = *e;
	return v;
}

static int fail(struct he_op_report *rep, enum he_op_stage stage, int rc, const char *msg)
{
	rep->failed = stage;
	rep->rc = rc ? rc : -EIO;
	if (msg)
		snprintf(rep->msg, sizeof(rep->msg), "%s", msg);
	return rep->rc;
}

/* The family setting ("both", "ipv4", "ipv6") of exposure name in d. */
static const char *scope_family(const struct he_desired *d, const char *name)
{
	for (size_t i = 0; i < d->nex; i++)
		if (!strcmp(d->ex[i].name, name))
			return d->ex[i].family;
	return "both";
}

/*
 * Make the firewall match d, refusing when another table would still drop
 * a port of scope. dry_run: only the commands, into rep->fw_text.
 */
static int firewall(const struct he_config *cfg, const struct he_desired *d, const char *scope,
		    bool dry_run, struct he_fw_report *keep, struct he_op_report *rep)
{
	struct he_firewall *fw = NULL;
	struct he_fw_report fr;
	struct he_error err = {0};
	bool have_report = false, fr_in_sync = false;
	int rc;

	if (he_firewall_open_config(cfg, &fw, &err) < 0)
		return fail(rep, HE_OP_FIREWALL, err.code, err.msg);
	snprintf(rep->fw_backend, sizeof(rep->fw_backend), "%s", he_firewall_backend(fw));
	/* an accept is not final: another table that drops a port of scope refuses */
	if (scope) {
		/* judged for the families the scope exposes (an IPv6-only drop spares IPv4) */
		struct he_fw_desired want = d->fw;

		want.families = he_fw_families(scope_family(d, scope));
		have_report = he_firewall_verify(fw, &want, &fr, &err) == 0;
		fr_in_sync = have_report && fr.in_sync;
	}
	he_error_clear(&err);
	he_fw_plan_free(&rep->fwp);
	/* with the backend's report, a firewall already in sync is not applied again */
	rc = he_plan_firewall(d, have_report ? &fr : NULL, scope,
			      HE_FWPLAN_PRUNE | (have_report ? 0 : HE_FWPLAN_ALWAYS), &rep->fwp,
			      &err);
	if (have_report && keep)
		*keep = fr; /* the caller's now (drift of open NAME) */
	else if (have_report)
		he_fw_report_free(&fr);
	if (rc < 0)
		goto out;
	if (rep->fwp.decision == HE_FW_REFUSE) {
		rc = fail(rep, HE_OP_FIREWALL, -EPERM,
			  "nothing was changed: homeexpose does not edit other tables; apply the "
			  "fix above (your decision), then run open again");
		goto done;
	}
	if (rep->fwp.decision == HE_FW_NOTHING)
		rc = 0; /* the report says every opening is in place: nothing to run */
	else
		rc = he_firewall_apply(
		    fw, &rep->fwp.apply,
		    (dry_run ? HE_FW_DRY_RUN : 0) |
			(have_report && !fr_in_sync ? HE_FW_KNOWN_OUT_OF_SYNC : 0),
		    dry_run ? &rep->fw_text : NULL, &err);
	if (rc == 0)
		rep->fw_openings = rep->fwp.apply.n;
out:
	if (rc < 0)
		fail(rep, HE_OP_FIREWALL, rc, err.msg);
done:
	he_firewall_close(fw);
	return rc;
}

/* Does exposure name open anything in this host's firewall (firewall = yes, no `to`)? */
static bool has_openings(const struct he_desired *d, const char *name)
{
	for (size_t i = 0; i < d->fw.n; i++)
		if (!strcmp(d->fw.v[i].name, name))
			return true;
	return false;
}

/* Put the firewall back to d (after a later step failed); errors are kept in rep. */
static void firewall_restore(const struct he_config *cfg, const struct he_desired *d,
			     struct he_op_report *rep)
{
	struct he_firewall *fw = NULL;
	struct he_error err = {0};

	rep->fw_restore = he_firewall_open_config(cfg, &fw, &err);
	if (rep->fw_restore == 0)
		rep->fw_restore = he_firewall_apply(fw, &d->fw, 0, NULL, &err);
	he_firewall_close(fw);
}

/* Carry out the router plan for exposure scope under the state lock st. */
static int router(const struct he_config *cfg, struct he_state *st, const struct he_desired *d,
		  const char *scope, const struct he_op_opts *o, unsigned apply_flags,
		  struct he_op_report *rep)
{
	const struct he_plan_opts po = {.scope = scope,
					.now = (int64_t)time(NULL),
					.flags = apply_flags & HE_APPLY_ROLLBACK ? HE_PLAN_REMAP_ALL
										 : 0};
	struct he_observed obs = {0};
	struct he_plan plan = {0};
	struct he_portmap_opts pmo;
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	int rc;

	rc = he_observed_router(st, &obs, &err);
	if (rc == 0)
		rc = he_plan_router(d, obs.maps, obs.nmaps, &po, &plan, &err);
	if (rc < 0) {
		fail(rep, HE_OP_ROUTER, rc, err.msg);
		goto out;
	}
	if (plan.n == 0)
		goto out; /* nothing recorded to remove, nothing to map */
	he_op_portmap_opts(cfg, o->protocol, &pmo);
	rc = he_portmap_open(&pmo, st, &pm, &err);
	if (rc < 0) {
		fail(rep, HE_OP_ROUTER, rc, err.msg);
		goto out;
	}
	rc = he_apply_router_plan(pm, d, obs.maps, &plan, apply_flags, &rep->router);
	if (rc < 0)
		fail(rep, HE_OP_ROUTER, rc, NULL);
out:
	he_portmap_close(pm);
	he_plan_free(&plan);
	he_observed_free(&obs);
	return rc;
}

/* Remove the mappings this run made (a later step failed). */
static void router_undo(const struct he_config *cfg, struct he_state *st,
			const struct he_op_opts *o, struct he_op_report *rep)
{
	struct he_portmap_opts pmo;
	struct he_portmap *pm = NULL;
	struct he_error err = {0};

	if (!rep->router.n)
		return;
	he_op_portmap_opts(cfg, o->protocol, &pmo);
	if (he_portmap_open(&pmo, st, &pm, &err) == 0)
		he_apply_rollback(pm, &rep->router);
	he_portmap_close(pm);
}

/*
 * What of e is gone now (open of an existing exposure: drift repair): the
 * router from the records (and the router where it can list), the firewall
 * from the report firewall() read just before (fw; NULL: not this host's).
 */
static void drift(const struct he_config *cfg, const struct he_exposures *existing,
		  const char *name, const struct he_fw_report *fw, struct he_op_report *rep)
{
	struct he_live lv;

	he_live_read_router(cfg, existing, &lv);
	if (fw) { /* lent for the judgement, not freed with lv */
		lv.o.fw = *fw;
		lv.o.fw_read = true;
	}
	for (size_t x = 0; x < lv.d.nex; x++)
		if (!strcmp(lv.d.ex[x].name, name))
			rep->ndrift = he_live_drift(&lv, x, rep->drift, HE_DRIFT_MAX);
	memset(&lv.o.fw, 0, sizeof(lv.o.fw));
	he_live_free(&lv);
}

int he_op_open(const struct he_config *cfg, const struct he_exposure *e,
	       const struct he_exposures *existing, const struct he_op_opts *o,
	       struct he_op_report *rep)
{
	const struct he_desired_opts dopts = {.have_v6 = he_engine_have_v6()};
	struct he_desired before = {0}, after = {0};
	const struct he_eng_refusal *ref;
	struct he_exposure *v_before = NULL, *v_after;
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_fw_report fw_before = {0};
	bool have_fw_before = false;
	size_t n_before = 0, n_after;
	int rc;

	memset(rep, 0, sizeof(*rep));
	v_after = merged(existing, e, NULL, &n_after);
	if (!v_after)
		return fail(rep, HE_OP_REFUSED, -ENOMEM, "out of memory");
	rc = he_desired_build(v_after, n_after, &dopts, &after, &err);
	if (rc < 0) {
		fail(rep, HE_OP_REFUSED, rc, err.msg);
		goto out;
	}
	ref = he_desired_refusal(&after, e->name);
	if (ref) {
		rc = fail(rep, HE_OP_REFUSED, ref->code, ref->msg);
		goto out;
	}
	if (o->dry_run) {
		if (has_openings(&after, e->name))
			rc = firewall(cfg, &after, e->name, true, NULL, rep);
		goto out;
	}
	if (has_openings(&after, e->name)) { /* first: it says plainly when root is needed */
		/* its verify (before any change) is also the firewall's drift of open NAME */
		rc = firewall(cfg, &after, e->name, false, &fw_before, rep);
		have_fw_before = fw_before.backend[0] != '\0'; /* its verify could read it */
		if (rc < 0)
			goto drift_out;
		rep->fw_done = true;
	}
drift_out:
	if (he_exposures_find((struct he_exposures *)existing, e->name))
		drift(cfg, existing, e->name, have_fw_before ? &fw_before : NULL, rep);
	if (rc < 0)
		goto out;
	rc = he_state_open(cfg->state_dir, HE_STATE_WRITE, STATE_LOCK_MS, &st, &err);
	if (rc < 0) {
		fail(rep, HE_OP_STATE, rc, err.msg);
		goto undo;
	}
	if (e->router && cfg->router_enabled) {
		rc = router(cfg, st, &after, e->name, o,
			    HE_APPLY_ROLLBACK | (o->force ? 0 : HE_APPLY_REQUIRE_PUBLIC), rep);
		if (rc < 0)
			goto undo;
	}
	rc = he_exposure_save(cfg->exposures_dir, (struct he_exposure *)e, &err);
	if (rc < 0) {
		fail(rep, HE_OP_SAVE, rc, err.msg);
		router_undo(cfg, st, o, rep); /* nothing of it stays without its drop-in */
		goto undo;
	}
	goto out;
undo:
	if (rep->fw_done) { /* put the firewall back as it was */
		v_before = merged(existing, NULL, NULL, &n_before);
		if (v_before && he_desired_build(v_before, n_before, &dopts, &before, &err) == 0)
			firewall_restore(cfg, &before, rep);
		else
			rep->fw_restore = -ENOMEM;
	}
out:
	he_fw_report_free(&fw_before);
	he_state_close(st);
	he_desired_free(&before);
	he_desired_free(&after);
	free(v_before);
	free(v_after);
	return rc < 0 ? rc : 0;
}

/* close --dry-run: the router plan for e's recorded mappings, the firewall commands. */
static int close_dry_run(const struct he_config *cfg, const struct he_desired *after,
			 const struct he_exposure *e, struct he_op_report *rep)
{
	const struct he_plan_opts po = {.scope = e->name, .now = (int64_t)time(NULL)};
	struct he_observed obs = {0};
	struct he_plan plan = {0};
	struct he_state *st = NULL;
	struct he_error err = {0};
	int rc = 0;

	if (cfg->router_enabled) {
		rc = he_state_open(cfg->state_dir, HE_STATE_READ, STATE_LOCK_MS, &st, &err);
		if (rc == 0)
			rc = he_observed_router(st, &obs, &err);
		if (rc == 0)
			rc = he_plan_router(after, obs.maps, obs.nmaps, &po, &plan, &err);
		if (rc == 0 && he_plan_describe(after, obs.maps, &plan, &rep->router) < 0)
			rc = he_error_set(&err, -ENOMEM, "out of memory");
		if (rc < 0)
			fail(rep, HE_OP_STATE, rc, err.msg);
		he_plan_free(&plan);
		he_observed_free(&obs);
		he_state_close(st);
	}
	if (rc == 0 && e->firewall && !*e->to)
		rc = firewall(cfg, after, NULL, true, NULL, rep);
	return rc;
}

int he_op_close(const struct he_config *cfg, const struct he_exposure *e,
		const struct he_exposures *all, const struct he_op_opts *o,
		struct he_op_report *rep)
{
	const struct he_desired_opts dopts = {.have_v6 = he_engine_have_v6()};
	struct he_desired after = {0};
	struct he_exposure *v;
	struct he_state *st = NULL;
	struct he_error err = {0};
	size_t n;
	int rc, first = 0;

	memset(rep, 0, sizeof(*rep));
	v = merged(all, NULL, e->name, &n);
	if (!v)
		return fail(rep, HE_OP_REFUSED, -ENOMEM, "out of memory");
	rc = he_desired_build(v, n, &dopts, &after, &err);
	if (rc < 0) {
		fail(rep, HE_OP_REFUSED, rc, err.msg);
		goto out;
	}
	if (o->dry_run) {
		rc = close_dry_run(cfg, &after, e, rep);
		goto out;
	}
	rc = he_state_open(cfg->state_dir, HE_STATE_WRITE, STATE_LOCK_MS, &st, &err);
	if (rc < 0) {
		fail(rep, HE_OP_STATE, rc, err.msg);
		goto out;
	}
	/* every recorded mapping of e goes, whatever its drop-in says now */
	if (cfg->router_enabled)
		first = router(cfg, st, &after, e->name, o, 0, rep);
	if (e->firewall && !*e->to) {
		struct he_op_report fr = {0};

		rc = firewall(cfg, &after, NULL, false, NULL, &fr);
		snprintf(rep->fw_backend, sizeof(rep->fw_backend), "%s", fr.fw_backend);
		rep->fw_openings = fr.fw_openings;
		if (rc < 0 && !first) {
			first = rc;
			rep->failed = HE_OP_FIREWALL;
			rep->rc = rc;
			snprintf(rep->msg, sizeof(rep->msg), "%s", fr.msg);
		}
		he_op_report_free(&fr);
	}
	rc = first;
	if (rc < 0 && !o->forget)
		goto out;
	rep->kept_failed = rc < 0;
	rc = he_exposure_remove(cfg->exposures_dir, e->name, &err);
	if (rc < 0) {
		fail(rep, HE_OP_SAVE, rc, err.msg);
		goto out;
	}
	if (rep->kept_failed) /* forgotten anyway (close --force): the failures stay in rep */
		rep->rc = 0;
out:
	he_state_close(st);
	he_desired_free(&after);
	free(v);
	return rc < 0 ? rc : 0;
}

void he_op_report_free(struct he_op_report *r)
{
	if (!r)
		return;
	he_fw_plan_free(&r->fwp);
	free(r->fw_text);
	r->fw_text = NULL;
	he_eng_results_free(&r->router);
}
