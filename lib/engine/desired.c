/* SPDX-License-Identifier: MIT */
/*
 * desired.c - exposures -> router mappings, firewall openings, check targets.
 * The one expansion of an exposure into port x transport x family.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "net/route.h"

#define GROW(ptr, n, cap, err)                                                                     \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			size_t nc_ = (cap) ? (cap)*2 : 8;                                          \
			void *nv_ = realloc((ptr), nc_ * sizeof(*(ptr)));                          \
			if (!nv_)                                                                  \
				return he_error_set(err, -ENOMEM, "out of memory");                \
			(ptr) = nv_;                                                               \
			(cap) = nc_;                                                               \
		}                                                                                  \
	} while (0)

bool he_engine_have_v6(void)
{
	struct in6_addr a;
	struct he_error err;

	return he_net_global_ipv6(0, &a, &err) == 0;
}

/* The family of e's `to` address (another LAN host), or 0 for this host. */
static int to_family(const struct he_exposure *e)
{
	struct in6_addr a;

	if (!*e->to)
		return 0;
	return inet_pton(AF_INET6, e->to, &a) == 1 ? AF_INET6 : AF_INET;
}

static bool family_allowed(const struct he_exposure *e, int family)
{
	return strcmp(e->family, family == AF_INET ? "ipv6" : "ipv4") != 0;
}

static int refuse(struct he_desired *d, size_t x, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(struct he_desired *d, size_t x, int code, const char *fmt, ...)
{
	struct he_eng_refusal *r;
	struct he_error err;
	va_list ap;

	GROW(d->ref, d->nref, d->capref, &err);
	r = &d->ref[d->nref++];
	memset(r, 0, sizeof(*r));
	r->x = x;
	r->code = code;
	snprintf(r->name, sizeof(r->name), "%s", d->ex[x].name);
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return 1;
}

/*
 * Settings that cannot be carried out: recorded as a refusal (returns 1),
 * 0 when the exposure is fine, -ENOMEM.
 */
static int validate(struct he_desired *d, size_t x, bool have_v6)
{
	const struct he_exposure *e = &d->ex[x];
	struct he_error err = {0};
	int tf = to_family(e);

	if (tf == AF_INET && !family_allowed(e, AF_INET))
		return refuse(d, x, -EINVAL,
			      "to = %s is an IPv4 address but family = ipv6: give the LAN host's "
			      "IPv6 address",
			      e->to);
	if (tf == AF_INET6 && !family_allowed(e, AF_INET6))
		return refuse(d, x, -EINVAL,
			      "to = %s is an IPv6 address but family = ipv4: give the LAN host's "
			      "IPv4 address",
			      e->to);
	if (e->router && !family_allowed(e, AF_INET) && !have_v6)
		return refuse(d, x, -ENETUNREACH,
			      "IPv6 only: this host has no global IPv6 address, so there is no "
			      "IPv6 pinhole to open");
	if (he_exposure_check_danger(e, &err) < 0)
		return refuse(d, x, -EPERM, "%s. If you really mean it: homeexpose open %s --force",
			      err.msg, e->name);
	return 0;
}

static int add_target(struct he_desired *d, size_t x, const struct he_portspec *ps, unsigned proto,
		      int family, struct he_error *err)
{
	struct he_eng_target *t;

	GROW(d->t, d->nt, d->capt, err);
	t = &d->t[d->nt++];
	t->x = x;
	t->proto = proto;
	t->family = family;
	t->ext = ps->ext;
	t->in = ps->in;
	return 0;
}

static int add_want(struct he_desired *d, const struct he_exposure *e,
		    const struct he_eng_target *t, struct he_error *err)
{
	struct he_eng_want *w;

	GROW(d->want, d->nwant, d->capwant, err);
	w = &d->want[d->nwant++];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", e->name);
	w->proto = t->proto;
	w->family = t->family;
	w->ext_port = t->ext;
	w->int_port = t->in;
	w->lease = e->lease;
	snprintf(w->to, sizeof(w->to), "%s", e->to);
	return 0;
}

/*
 * Families of e: IPv4 unless family = ipv6 or `to` is an IPv6 host; IPv6
 * unless family = ipv4 or `to` is an IPv4 host, and only when this host has
 * a global IPv6 address (the LAN has IPv6 then).
 */
static bool wants_family(const struct he_exposure *e, int family, bool have_v6)
{
	int tf = to_family(e);

	if (!family_allowed(e, family))
		return false;
	if (family == AF_INET)
		return tf != AF_INET6;
	return have_v6 && tf != AF_INET;
}

/* One port of exposure x: its firewall opening, check targets and router mappings. */
static int expand_port(struct he_desired *d, size_t x, const struct he_portspec *ps, bool have_v6,
		       struct he_error *err)
{
	static const unsigned protos[] = {HE_PROTO_TCP, HE_PROTO_UDP};
	static const int fams[] = {AF_INET, AF_INET6};
	const struct he_exposure *e = &d->ex[x];

	/* the firewall is this host's: none for a service on another (to) */
	if (e->firewall && !*e->to &&
	    he_fw_desired_add(&d->fw, e->name, ps->in, ps->proto, err) < 0)
		return err ? err->code : -ENOMEM;
	for (size_t p = 0; p < 2; p++) {
		if (!(ps->proto & protos[p]))
			continue;
		for (size_t f = 0; f < 2; f++) {
			if (!wants_family(e, fams[f], have_v6))
				continue;
			if (add_target(d, x, ps, protos[p], fams[f], err) < 0)
				return -ENOMEM;
			if (e->router && add_want(d, e, &d->t[d->nt - 1], err) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int he_desired_build(const struct he_exposure *ex, size_t n, const struct he_desired_opts *o,
		     struct he_desired *out, struct he_error *err)
{
	bool have_v6 = o ? o->have_v6 : false;

	memset(out, 0, sizeof(*out));
	out->ex = ex;
	out->nex = n;
	for (size_t x = 0; x < n; x++) {
		const struct he_exposure *e = &ex[x];
		int r = validate(out, x, have_v6);
		/*
		 * IPv6 only without a global IPv6 address right now: no pinhole and
		 * nothing to check, but its firewall openings stay (the address
		 * may come back; a reload must not close the port meanwhile).
		 */
		bool fw_only = r > 0 && out->ref[out->nref - 1].code == -ENETUNREACH;

		if (r < 0)
			goto nomem;
		if (r > 0 && !fw_only)
			continue;
		/* a range FIRST-LAST is one port after another here, each mapped to itself */
		for (size_t i = 0; i < e->ports.n; i++) {
			for (unsigned k = 0; k < he_portspec_count(&e->ports.v[i]); k++) {
				const struct he_portspec one = he_portspec_at(&e->ports.v[i], k);

				if (expand_port(out, x, &one, have_v6, err) < 0)
					goto fail;
			}
		}
	}
	return 0;
nomem:
	he_error_set(err, -ENOMEM, "out of memory");
fail:
	he_desired_free(out);
	return err ? err->code : -ENOMEM;
}

void he_desired_free(struct he_desired *d)
{
	if (!d)
		return;
	free(d->want);
	free(d->t);
	free(d->ref);
	he_fw_desired_free(&d->fw);
	memset(d, 0, sizeof(*d));
}

const struct he_eng_refusal *he_desired_refusal(const struct he_desired *d, const char *name)
{
	for (size_t i = 0; i < d->nref; i++)
		if (!strcmp(d->ref[i].name, name))
			return &d->ref[i];
	return NULL;
}
