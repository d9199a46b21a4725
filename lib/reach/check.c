/* SPDX-License-Identifier: MIT */
/*
 * check.c - the reachability check chain (check.h): listener -> host
 * firewall -> router mapping -> addresses -> outside (reflector) -> DNS ->
 * hairpin, for each port, transport and family of the exposures asked for.
 * This file drives the run and judges it; the steps are in check_local.c and
 * check_remote.c.
 */
#include "reach/check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "net/route.h"
#include "reach/check_internal.h"
#include "reach/outside_socks.h"
#include "state/state.h"

static const char *const step_names[HE_CHK_NSTEPS] = {"listener", "firewall", "router", "addresses",
						      "outside",  "dns",      "hairpin"};
static const char *const status_names[] = {"n/a", "pass", "warn", "fail"};
static const char *const reach_names[] = {"unproven", "reachable", "not reachable", "n/a",
					  "not possible here"};

const char *he_check_step_name(int step)
{
	return step >= 0 && step < HE_CHK_NSTEPS ? step_names[step] : "?";
}

const char *he_check_status_name(enum he_check_status s)
{
	return (unsigned)s <= HE_CHK_FAIL ? status_names[s] : "?";
}

const char *he_check_reach_name(enum he_check_reach r)
{
	return (unsigned)r <= HE_CHK_IMPOSSIBLE ? reach_names[r] : "?";
}

struct priv *he_chk_priv(struct ctx *c, const struct he_check_target *t)
{
	return &c->p[t - c->t];
}

void he_chk_state_lock(struct ctx *c)
{
	struct he_error err = {0};

	if (he_state_open(c->cfg->state_dir, HE_STATE_READ, 5000, &c->st, &err) < 0)
		c->st = NULL;
}

void he_chk_state_unlock(struct ctx *c)
{
	he_state_close(c->st);
	c->st = NULL;
}

void he_chk_set(struct he_check_line *l, enum he_check_status st, const char *fix, const char *fmt,
		...)
{
	va_list ap;

	l->status = st;
	va_start(ap, fmt);
	vsnprintf(l->evidence, sizeof(l->evidence), fmt, ap);
	va_end(ap);
	snprintf(l->fix, sizeof(l->fix), "%s", fix ? fix : "");
}

/* The port the outside uses: the external port for IPv4, the service port for IPv6. */
uint16_t he_chk_outside_port(const struct he_check_target *t)
{
	return t->family == AF_INET6 ? t->in : t->ext;
}

/* ---- driver ------------------------------------------------------------ */

/* The targets: one per port, transport and family, as the engine expands them. */
static int add_targets(struct ctx *c, const struct he_exposure *list, size_t n,
		       struct he_error *err)
{
	const struct he_desired_opts dopts = {.have_v6 = *c->global6 != '\0'};
	struct he_desired d;
	int rc = he_desired_build(list, n, &dopts, &d, err);

	if (rc < 0)
		return rc;
	c->t = calloc(d.nt ? d.nt : 1, sizeof(*c->t));
	c->p = calloc(d.nt ? d.nt : 1, sizeof(*c->p));
	if (!c->t || !c->p) {
		he_desired_free(&d);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < d.nt; i++) {
		struct he_check_target *t = &c->t[i];

		c->p[i].e = &list[d.t[i].x];
		snprintf(t->name, sizeof(t->name), "%s", c->p[i].e->name);
		t->ext = d.t[i].ext;
		t->in = d.t[i].in;
		t->proto = d.t[i].proto;
		t->family = d.t[i].family;
	}
	c->nt = d.nt;
	/* refused exposures have no targets: say so, or check would print nothing for them */
	if (d.nref && !(c->refused = calloc(d.nref, sizeof(*c->refused)))) {
		he_desired_free(&d);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < d.nref; i++) {
		snprintf(c->refused[i].name, sizeof(c->refused[i].name), "%s", d.ref[i].name);
		snprintf(c->refused[i].msg, sizeof(c->refused[i].msg), "%s", d.ref[i].msg);
	}
	c->nrefused = d.nref;
	he_desired_free(&d);
	return 0;
}

/*
 * The first failing step; but when the addresses fail (CGNAT, double NAT) a
 * failing router step is only its consequence: no mapping can help then.
 */
static int first_broken(const struct he_check_target *t)
{
	for (int s = 0; s < HE_CHK_HAIRPIN; s++)
		if (t->l[s].status == HE_CHK_FAIL)
			return s == HE_CHK_ROUTER && t->l[HE_CHK_ADDRESSES].status == HE_CHK_FAIL
				   ? HE_CHK_ADDRESSES
				   : s;
	return -1;
}

static void verdicts(struct he_check_result *r)
{
	bool all = r->n > 0, any = false;

	for (size_t i = 0; i < r->n; i++) {
		struct he_check_target *t = &r->v[i];
		enum he_check_status out = t->l[HE_CHK_OUTSIDE].status;

		if (*t->impossible) { /* IPv4 behind CGNAT/DS-Lite: neither proof nor breakage */
			t->broken = -1;
			t->reach = HE_CHK_IMPOSSIBLE;
			continue;
		}
		t->broken = first_broken(t);
		if (out == HE_CHK_PASS)
			t->reach = HE_CHK_REACHABLE;
		else if (out == HE_CHK_NA && t->family == AF_INET6 && t->broken < 0)
			t->reach =
			    HE_CHK_IRRELEVANT; /* no global address, no reflector over IPv6 */
		else if (t->broken >= 0)
			t->reach = HE_CHK_UNREACHABLE;
		else
			t->reach = HE_CHK_UNPROVEN;
		/* as before: IPv6 may be n/a (no global address, reflector without IPv6) */
		if (out == HE_CHK_PASS)
			any = true;
		else if (out != HE_CHK_NA || t->family == AF_INET)
			all = false;
	}
	r->reachable = all && any && r->nrefused == 0; /* a refused exposure is not open */
}

enum he_check_reach he_check_exposure_verdict(const struct he_check_result *r, const char *name,
					      const struct he_check_target **first)
{
	bool seen = false, any = false, all = true;

	if (first)
		*first = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct he_check_target *t = &r->v[i];

		if (strcmp(t->name, name) != 0)
			continue;
		seen = true;
		if (t->reach == HE_CHK_UNREACHABLE) {
			if (first)
				*first = t;
			return HE_CHK_UNREACHABLE;
		}
		any = any || t->reach == HE_CHK_REACHABLE;
		all = all && (t->reach == HE_CHK_REACHABLE || t->reach == HE_CHK_IRRELEVANT ||
			      t->reach == HE_CHK_IMPOSSIBLE);
	}
	if (!seen)
		return HE_CHK_IRRELEVANT;
	return all && any ? HE_CHK_REACHABLE : HE_CHK_UNPROVEN;
}

int he_check_run_chain(const struct he_config *cfg, const struct he_check_opts *opts,
		       const struct he_exposure *list, size_t n, const struct he_exposures *all,
		       struct he_check_result *out, struct he_error *err)
{
	struct ctx c = {.cfg = cfg};
	struct he_route_info ri;
	struct in6_addr a6;
	struct he_error e2 = {0};

	memset(out, 0, sizeof(*out));
	out->started = (int64_t)time(NULL);
	if (opts)
		c.opts = *opts;
	he_check_vantage(cfg, &c.opts, out->vantage, sizeof(out->vantage));
	out->reflector = *out->vantage != '\0';
	if (he_route_default(AF_INET, &ri, &e2) == 0 && ri.has_src)
		he_inaddr_str(AF_INET, &ri.src, c.local4, sizeof(c.local4));
	if (he_net_global_ipv6(0, &a6, &e2) == 0)
		inet_ntop(AF_INET6, &a6, c.global6, sizeof(c.global6));
	if (add_targets(&c, list, n, err) < 0) {
		free(c.t);
		free(c.p);
		free(c.refused);
		return err->code;
	}
	for (size_t i = 0; i < c.nt; i++) {
		he_chk_listener(&c, &c.t[i]);
		he_chk_firewall(&c, &c.t[i], all);
		he_chk_router(&c, &c.t[i]);
	}
	he_chk_pubip_once(&c);
	he_chk_outside(&c);
	for (size_t i = 0; i < c.nt; i++) {
		he_chk_addr(&c, &c.t[i]);
		he_chk_dns(&c, &c.t[i]);
		he_chk_hairpin(&c, &c.t[i]);
	}
	he_fw_report_free(&c.fw);
	free(c.ents);
	free(c.rtr);
	free(c.p);
	out->v = c.t;
	out->n = c.nt;
	out->refused = c.refused;
	out->nrefused = c.nrefused;
	verdicts(out);
	out->finished = (int64_t)time(NULL);
	return 0;
}

void he_check_result_free(struct he_check_result *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = 0;
	free(r->refused);
	r->refused = NULL;
	r->nrefused = 0;
}
