/* SPDX-License-Identifier: MIT */
/*
 * apply.c - carry out a router plan: one result per action, and on request
 * rollback of what this run made.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/addrclass.h"

#include "engine/engine.h"

static struct he_eng_result *result_add(struct he_eng_results *r)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 8;
		void *nv = realloc(r->v, nc * sizeof(*r->v));

		if (!nv)
			return NULL;
		r->v = nv;
		r->cap = nc;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

int he_plan_describe(const struct he_desired *d, const struct he_pm_entry *have,
		     const struct he_plan *p, struct he_eng_results *out)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct he_eng_action *ac = &p->v[i];
		struct he_eng_result *r = result_add(out);

		if (!r)
			return -ENOMEM;
		r->act = ac->act;
		if (ac->act == HE_ACT_UNMAP) {
			const struct he_pm_entry *h = &have[ac->idx];

			snprintf(r->name, sizeof(r->name), "%s", h->name);
			r->proto = h->proto;
			r->family = h->family;
			r->ext_port = h->ext_port;
			r->int_port = h->int_port;
			r->res.protocol = h->protocol;
		} else {
			const struct he_eng_want *w = &d->want[ac->idx];

			snprintf(r->name, sizeof(r->name), "%s", w->name);
			r->proto = w->proto;
			r->family = w->family;
			r->ext_port = w->ext_port;
			r->int_port = w->int_port;
		}
	}
	return 0;
}

static void request_of_want(const struct he_eng_want *w, struct he_pm_request *q)
{
	memset(q, 0, sizeof(*q));
	q->name = w->name;
	q->proto = w->proto;
	q->ext_port = w->ext_port;
	q->int_port = w->int_port;
	q->lease = w->lease;
	q->family = w->family;
	q->to = w->to[0] ? w->to : NULL;
}

static void request_of_have(const struct he_pm_entry *h, struct he_pm_request *q)
{
	memset(q, 0, sizeof(*q));
	q->name = h->name;
	q->proto = h->proto;
	q->ext_port = h->ext_port;
	q->int_port = h->int_port;
	q->family = h->family;
}

static void describe(struct he_eng_result *r, enum he_eng_act act, const struct he_pm_request *q)
{
	r->act = act;
	snprintf(r->name, sizeof(r->name), "%s", q->name);
	r->proto = q->proto;
	r->family = q->family;
	r->ext_port = q->ext_port;
	r->int_port = q->int_port;
}

void he_apply_rollback(struct he_portmap *pm, struct he_eng_results *out)
{
	for (size_t i = out->n; i-- > 0;) {
		struct he_eng_result *r = &out->v[i];
		struct he_pm_request q;
		struct he_error err = {0};

		if (r->act != HE_ACT_MAP || (r->rc < 0 && !r->not_public))
			continue; /* a refused non-public mapping was made: it goes too */
		memset(&q, 0, sizeof(q));
		q.name = r->name;
		q.proto = r->proto;
		q.ext_port = r->ext_port;
		q.int_port = r->int_port;
		q.family = r->family;
		if (he_portmap_unmap(pm, &q, &err) < 0)
			snprintf(r->msg, sizeof(r->msg), "could not remove it again: %.700s",
				 err.msg);
		else
			r->rolled_back = true;
	}
}

/* Does exposure name want an IPv6 pinhole (made in this run or before)? */
static bool wants_v6(const struct he_desired *d, const char *name)
{
	for (size_t i = 0; i < d->nwant; i++)
		if (d->want[i].family == AF_INET6 && !strcmp(d->want[i].name, name))
			return true;
	return false;
}

/*
 * Is IPv4 impossible here (the carrier's NAT: CGNAT, DS-Lite)? From the class
 * a mapping answer carried, or (addr NULL) the router's external address.
 */
static bool v4_impossible(struct he_portmap *pm, enum he_addr_class cls, const char *addr,
			  struct he_eng_results *out)
{
	char buf[HE_PM_ADDR_MAX] = "";
	struct he_error err = {0};

	if (out->v4_impossible)
		return true;
	if (!addr) {
		if (he_portmap_external_address(pm, buf, sizeof(buf), &cls, &err) < 0 || !*buf)
			return false;
		addr = buf;
	}
	if (!he_addr_class_v4_impossible(cls))
		return false;
	out->v4_impossible = true;
	out->v4_class = cls;
	snprintf(out->v4_addr, sizeof(out->v4_addr), "%s", addr);
	return true;
}

int he_apply_router_plan(struct he_portmap *pm, const struct he_desired *d,
			 const struct he_pm_entry *have, const struct he_plan *p, unsigned flags,
			 struct he_eng_results *out)
{
	int first = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct he_eng_action *ac = &p->v[i];
		struct he_eng_result *r = result_add(out);
		struct he_pm_request q;
		struct he_error err = {0};

		if (!r)
			return -ENOMEM;
		if (ac->act == HE_ACT_UNMAP) {
			request_of_have(&have[ac->idx], &q);
			describe(r, ac->act, &q);
			if (he_portmap_unmap(pm, &q, &err) < 0 && err.code != -ENOENT) {
				r->rc = err.code;
				snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
			}
		} else {
			bool v4_opt;

			request_of_want(&d->want[ac->idx], &q);
			q.fresh = (flags & HE_APPLY_FRESH) != 0;
			describe(r, ac->act, &q);
			v4_opt = q.family == AF_INET && wants_v6(d, q.name);
			if (v4_opt && out->v4_impossible) {
				r->v4_impossible = true; /* known already: not asked again */
				continue;
			}
			if (he_portmap_map(pm, &q, &r->res, &err) < 0) {
				if (v4_opt && v4_impossible(pm, HE_ADDR_PUBLIC, NULL, out)) {
					r->v4_impossible = true;
					continue;
				}
				r->rc = err.code;
				snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
			} else if (v4_opt && (flags & HE_APPLY_REQUIRE_PUBLIC) &&
				   r->res.ext_addr[0] &&
				   v4_impossible(pm, r->res.ext_class, r->res.ext_addr, out)) {
				/* the router mapped it, but its address is the carrier's NAT's */
				struct he_error e2 = {0};

				r->v4_impossible = true;
				if (he_portmap_unmap(pm, &q, &e2) == 0)
					continue;
				/* it stays on the router and in the state: say so */
				r->rc = e2.code;
				snprintf(
				    r->msg, sizeof(r->msg),
				    "IPv4 is not possible here, and the mapping the router made "
				    "could not be removed: %.600s",
				    e2.msg);
			} else if ((flags & HE_APPLY_REQUIRE_PUBLIC) && r->res.family == AF_INET &&
				   r->res.ext_addr[0] && r->res.ext_class != HE_ADDR_PUBLIC) {
				r->not_public = true;
				r->rc = -EADDRNOTAVAIL;
				he_addr_class_explain(r->res.ext_class, r->res.ext_addr, NULL,
						      r->msg, sizeof(r->msg));
			} else {
				r->not_public = r->res.family == AF_INET && r->res.ext_addr[0] &&
						r->res.ext_class != HE_ADDR_PUBLIC;
				out->epoch_reset |= r->res.epoch_reset;
			}
		}
		if (r->rc < 0) {
			out->failed++;
			if (!first)
				first = r->rc;
			if (flags & HE_APPLY_ROLLBACK) {
				he_apply_rollback(pm, out);
				return first;
			}
		}
		if (out->epoch_reset && (flags & HE_APPLY_STOP_ON_RESET))
			break;
	}
	return first;
}

void he_eng_results_free(struct he_eng_results *r)
{
	if (!r)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}
