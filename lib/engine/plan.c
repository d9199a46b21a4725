/* SPDX-License-Identifier: MIT */
/*
 * plan.c - desired + observed -> actions. Pure: no I/O, no clock (the caller
 * passes the time), so every rule is tested table by table.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

static int act_add(struct he_plan *p, enum he_eng_act act, size_t idx, struct he_error *err)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 8;
		void *nv = realloc(p->v, nc * sizeof(*p->v));

		if (!nv)
			return he_error_set(err, -ENOMEM, "out of memory");
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n].act = act;
	p->v[p->n].idx = idx;
	p->n++;
	return 0;
}

bool he_eng_same_mapping(const struct he_eng_want *w, const struct he_pm_entry *h)
{
	if (w->proto != h->proto || w->family != h->family || strcmp(w->name, h->name) != 0)
		return false;
	return w->family == AF_INET6 ? w->int_port == h->int_port : w->ext_port == h->ext_port;
}

/*
 * The same mapping with the same ports (a changed internal port is a new
 * mapping). A pinhole has no external port: the router records its own.
 */
static bool identical(const struct he_eng_want *w, const struct he_pm_entry *h)
{
	return he_eng_same_mapping(w, h) && w->int_port == h->int_port &&
	       (w->family == AF_INET6 || w->ext_port == h->ext_port);
}

int64_t he_eng_renew_at(const struct he_pm_entry *h)
{
	if (h->permanent || h->expires <= 0)
		return INT64_MAX;
	return h->expires - (int64_t)(h->lease / 2);
}

unsigned he_eng_backoff(unsigned failures)
{
	if (failures == 0)
		return 0;
	if (failures > 6)
		return 60;
	return 1u << (failures - 1);
}

static bool in_list(const char *name, const char *const *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] && strcmp(keep[i], name) == 0)
			return true;
	return false;
}

static bool in_scope(const struct he_plan_opts *o, const char *name)
{
	return !o->scope || strcmp(o->scope, name) == 0;
}

int he_plan_router(const struct he_desired *d, const struct he_pm_entry *have, size_t nhave,
		   const struct he_plan_opts *o, struct he_plan *out, struct he_error *err)
{
	out->n = 0;
	out->next_at = INT64_MAX;
	/* removals first: a changed internal port frees the old record before the new one */
	for (size_t j = 0; j < nhave; j++) {
		bool wanted = false;

		if (!in_scope(o, have[j].name) || in_list(have[j].name, o->keep, o->n_keep))
			continue;
		for (size_t i = 0; i < d->nwant && !wanted; i++)
			wanted = identical(&d->want[i], &have[j]);
		if (!wanted && act_add(out, HE_ACT_UNMAP, j, err) < 0)
			return err->code;
	}
	for (size_t i = 0; i < d->nwant; i++) {
		const struct he_pm_entry *found = NULL;
		int64_t at;

		if (!in_scope(o, d->want[i].name))
			continue;
		for (size_t j = 0; j < nhave && !found; j++)
			if (identical(&d->want[i], &have[j]))
				found = &have[j];
		if (!found || (found->router_checked && !found->on_router) ||
		    (o->flags & HE_PLAN_REMAP_ALL)) {
			if (act_add(out, HE_ACT_MAP, i, err) < 0)
				return err->code;
			continue;
		}
		at = he_eng_renew_at(found);
		if (at <= o->now) {
			if (act_add(out, HE_ACT_RENEW, i, err) < 0)
				return err->code;
		} else if (at < out->next_at) {
			out->next_at = at;
		}
	}
	return 0;
}

void he_plan_free(struct he_plan *p)
{
	if (!p)
		return;
	free(p->v);
	memset(p, 0, sizeof(*p));
	p->next_at = INT64_MAX;
}

const char *he_eng_act_name(enum he_eng_act a)
{
	switch (a) {
	case HE_ACT_MAP:
		return "map";
	case HE_ACT_RENEW:
		return "renew";
	case HE_ACT_UNMAP:
		return "unmap";
	}
	return "?";
}

/* ---- firewall ----------------------------------------------------------- */

/* Does exposure scope (in d) open internal port/proto on this host? */
static bool scope_has(const struct he_desired *d, const char *scope, uint16_t port, unsigned proto)
{
	for (size_t i = 0; scope && i < d->fw.n; i++)
		if (!strcmp(d->fw.v[i].name, scope) && d->fw.v[i].port == port &&
		    (d->fw.v[i].proto & proto))
			return true;
	return false;
}

/* An extra opening's exposure name from its tag ("homeexpose:a,b" -> "a"). */
static void extra_name(const struct he_fw_missing *x, char *name, size_t len)
{
	const char *p = x->comment;

	if (strncmp(p, HE_FW_TAG, strlen(HE_FW_TAG)) == 0)
		p += strlen(HE_FW_TAG);
	snprintf(name, len, "%.*s", (int)strcspn(p, ","), p);
	if (!he_fw_name_valid(name))
		snprintf(name, len, "kept");
}

int he_plan_firewall(const struct he_desired *d, const struct he_fw_report *rep, const char *scope,
		     unsigned flags, struct he_fw_plan *out, struct he_error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < d->fw.n; i++)
		if (he_fw_desired_add(&out->apply, d->fw.v[i].name, d->fw.v[i].port,
				      d->fw.v[i].proto, err) < 0)
			goto fail;
	if (!rep) {
		out->decision = HE_FW_APPLY;
		return 0;
	}
	for (size_t i = 0; i < rep->n_shadow; i++) {
		const struct he_fw_shadow *s = &rep->shadow[i];

		if (!scope_has(d, scope, s->port, s->proto))
			continue; /* another exposure's: list and check report it */
		void *nv = realloc(out->shadow, (out->nshadow + 1) * sizeof(*out->shadow));

		if (!nv) {
			he_error_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
		out->shadow = nv;
		out->shadow[out->nshadow++] = *s;
		out->ncertain += s->certain != 0;
	}
	if (out->ncertain) {
		out->decision = HE_FW_REFUSE;
		return 0;
	}
	out->nmissing = rep->n_missing;
	out->nextra = flags & HE_FWPLAN_PRUNE ? rep->n_extra : 0;
	if (!(flags & HE_FWPLAN_PRUNE)) {
		/* `open` opens the firewall before it writes its drop-in: keep extras */
		for (size_t i = 0; i < rep->n_extra; i++) {
			char name[HE_FW_NAME_MAX];

			extra_name(&rep->extra[i], name, sizeof(name));
			if (he_fw_desired_add(&out->apply, name, rep->extra[i].port,
					      rep->extra[i].proto, err) < 0)
				goto fail;
		}
	}
	if ((flags & HE_FWPLAN_ALWAYS) || out->nmissing || out->nextra ||
	    (!rep->in_sync && (flags & HE_FWPLAN_PRUNE)))
		out->decision = HE_FW_APPLY;
	return 0;
fail:
	he_fw_plan_free(out);
	return err->code;
}

void he_fw_plan_free(struct he_fw_plan *p)
{
	if (!p)
		return;
	he_fw_desired_free(&p->apply);
	free(p->shadow);
	memset(p, 0, sizeof(*p));
}
