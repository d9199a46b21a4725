/* SPDX-License-Identifier: MIT */
#include "agent/plan.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW(vec, err)                                                                             \
	do {                                                                                       \
		if ((vec)->n == (vec)->cap) {                                                      \
			size_t nc_ = (vec)->cap ? (vec)->cap * 2 : 8;                              \
			void *nv_ = realloc((vec)->v, nc_ * sizeof(*(vec)->v));                    \
			if (!nv_)                                                                  \
				return he_error_set(err, -ENOMEM, "out of memory");                \
			(vec)->v = nv_;                                                            \
			(vec)->cap = nc_;                                                          \
		}                                                                                  \
	} while (0)

static int want_add(struct he_agent_wants *out, const struct he_exposure *e,
		    const struct he_portspec *ps, unsigned proto, int family, struct he_error *err)
{
	struct he_agent_want *w;

	GROW(out, err);
	w = &out->v[out->n++];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", e->name);
	w->proto = proto;
	w->family = family;
	w->ext_port = ps->ext;
	w->int_port = ps->in;
	w->lease = e->lease;
	snprintf(w->to, sizeof(w->to), "%s", e->to);
	return 0;
}

int he_agent_wants_build(const struct he_exposures *ex, bool have_v6, struct he_agent_wants *out,
			 struct he_error *err)
{
	static const unsigned protos[] = {HE_PROTO_TCP, HE_PROTO_UDP};

	out->n = 0;
	for (size_t i = 0; ex && i < ex->n; i++) {
		const struct he_exposure *e = &ex->v[i];
		bool v4 = strcmp(e->family, "ipv6") != 0;
		bool v6 = have_v6 && strcmp(e->family, "ipv4") != 0;

		if (!e->router)
			continue;
		for (size_t j = 0; j < e->ports.n; j++) {
			for (size_t p = 0; p < 2; p++) {
				if (!(e->ports.v[j].proto & protos[p]))
					continue;
				if (v4 && want_add(out, e, &e->ports.v[j], protos[p], AF_INET, err))
					return err->code;
				if (v6 &&
				    want_add(out, e, &e->ports.v[j], protos[p], AF_INET6, err))
					return err->code;
			}
		}
	}
	return 0;
}

void he_agent_wants_free(struct he_agent_wants *w)
{
	if (!w)
		return;
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

int he_agent_haves_from_state(const json_t *sec, struct he_agent_haves *out, struct he_error *err)
{
	const json_t *m = sec ? json_object_get(sec, "mappings") : NULL;
	const char *key;
	json_t *rec;

	out->n = 0;
	if (!json_is_object(m))
		return 0;
	json_object_foreach((json_t *)m, key, rec)
	{
		struct he_agent_have *h;
		const char *name = json_string_value(json_object_get(rec, "name"));
		const char *proto = json_string_value(json_object_get(rec, "proto"));
		json_int_t ext = jint(rec, "ext_port"), in = jint(rec, "int_port");

		if (!json_is_object(rec) || !name || !proto || ext < 0 || ext > 65535 || in < 0 ||
		    in > 65535)
			continue; /* not a record lib/portmap wrote: leave it alone */
		GROW(out, err);
		h = &out->v[out->n++];
		memset(h, 0, sizeof(*h));
		snprintf(h->name, sizeof(h->name), "%s", name);
		h->proto = strcmp(proto, "udp") == 0 ? HE_PROTO_UDP : HE_PROTO_TCP;
		h->family = jint(rec, "family") == 6 ? AF_INET6 : AF_INET;
		h->ext_port = (uint16_t)ext;
		h->int_port = (uint16_t)in;
		if (he_pm_protocol_parse(json_string_value(json_object_get(rec, "protocol")),
					 &h->protocol, NULL) < 0)
			h->protocol = HE_PM_NONE;
		h->lease = jint(rec, "lease") > 0 ? (uint32_t)jint(rec, "lease") : 0;
		h->expires = (int64_t)jint(rec, "expires");
		h->permanent = json_is_true(json_object_get(rec, "permanent"));
		h->on_router = -1;
	}
	return 0;
}

void he_agent_haves_free(struct he_agent_haves *h)
{
	if (!h)
		return;
	free(h->v);
	memset(h, 0, sizeof(*h));
}

bool he_agent_same_mapping(const struct he_agent_want *w, const struct he_agent_have *h)
{
	if (w->proto != h->proto || w->family != h->family || strcmp(w->name, h->name) != 0)
		return false;
	return w->family == AF_INET6 ? w->int_port == h->int_port : w->ext_port == h->ext_port;
}

int64_t he_agent_renew_at(const struct he_agent_have *h)
{
	if (h->permanent || h->expires <= 0)
		return INT64_MAX;
	return h->expires - (int64_t)(h->lease / 2);
}

unsigned he_agent_backoff(unsigned failures)
{
	if (failures == 0)
		return 0;
	if (failures > 6)
		return 60;
	return 1u << (failures - 1);
}

static int act_add(struct he_agent_plan *p, enum he_agent_act act, size_t idx, struct he_error *err)
{
	GROW(p, err);
	p->v[p->n].act = act;
	p->v[p->n].idx = idx;
	p->n++;
	return 0;
}

static bool kept(const char *name, const char *const *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] && strcmp(keep[i], name) == 0)
			return true;
	return false;
}

int he_agent_plan_router(const struct he_agent_wants *w, const struct he_agent_haves *h,
			 const char *const *keep, size_t n_keep, int64_t now, unsigned flags,
			 struct he_agent_plan *out, struct he_error *err)
{
	out->n = 0;
	out->next_at = INT64_MAX;
	/* removals first: a changed internal port frees the old record before the new one */
	for (size_t j = 0; j < h->n; j++) {
		const struct he_agent_have *hv = &h->v[j];
		bool wanted = false;

		for (size_t i = 0; i < w->n && !wanted; i++)
			wanted = he_agent_same_mapping(&w->v[i], hv) &&
				 w->v[i].int_port == hv->int_port &&
				 w->v[i].ext_port == hv->ext_port;
		if (!wanted && !kept(hv->name, keep, n_keep) &&
		    act_add(out, HE_AGENT_UNMAP, j, err))
			return err->code;
	}
	for (size_t i = 0; i < w->n; i++) {
		const struct he_agent_have *found = NULL;
		int64_t at;

		for (size_t j = 0; j < h->n && !found; j++)
			if (he_agent_same_mapping(&w->v[i], &h->v[j]) &&
			    w->v[i].int_port == h->v[j].int_port &&
			    w->v[i].ext_port == h->v[j].ext_port)
				found = &h->v[j];
		if (!found || found->on_router == 0 || (flags & HE_AGENT_PLAN_REMAP_ALL)) {
			if (act_add(out, HE_AGENT_MAP, i, err))
				return err->code;
			continue;
		}
		at = he_agent_renew_at(found);
		if (at <= now) {
			if (act_add(out, HE_AGENT_RENEW, i, err))
				return err->code;
		} else if (at < out->next_at) {
			out->next_at = at;
		}
	}
	return 0;
}

void he_agent_plan_free(struct he_agent_plan *p)
{
	if (!p)
		return;
	free(p->v);
	memset(p, 0, sizeof(*p));
	p->next_at = INT64_MAX;
}

const char *he_agent_act_name(enum he_agent_act a)
{
	switch (a) {
	case HE_AGENT_MAP:
		return "map";
	case HE_AGENT_RENEW:
		return "renew";
	case HE_AGENT_UNMAP:
		return "unmap";
	}
	return "?";
}
