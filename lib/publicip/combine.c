/* SPDX-License-Identifier: MIT */
/*
 * combine.c - the pure decision step: which public address to trust per
 * family, and what NAT sits in front of the router (publicip.h,
 * he_pubip_combine).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "publicip/publicip.h"

struct tally {
	const char *addr;
	unsigned votes;
};

const char *he_pubip_nat_name(enum he_pubip_nat nat)
{
	switch (nat) {
	case HE_PUBIP_NAT_NONE:
		return "none";
	case HE_PUBIP_NAT_CGNAT:
		return "cgnat";
	case HE_PUBIP_NAT_DOUBLE:
		return "double-nat";
	case HE_PUBIP_NAT_DSLITE:
		return "ds-lite";
	case HE_PUBIP_NAT_MISMATCH:
		return "mismatch";
	case HE_PUBIP_NAT_UNKNOWN:
	default:
		return "unknown";
	}
}

const char *he_pubip_kind_name(enum he_pubip_kind kind)
{
	switch (kind) {
	case HE_PUBIP_ROUTER:
		return "router";
	case HE_PUBIP_STUN:
		return "stun";
	case HE_PUBIP_HTTP:
		return "http";
	case HE_PUBIP_IFACE:
		return "interface";
	default:
		return "?";
	}
}

static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append a sentence to buf (separated by a blank), truncating quietly. */
static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 2 >= len)
		return;
	if (used) {
		buf[used++] = ' ';
		buf[used] = '\0';
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static bool is_router_nat(const struct he_pubip_answer *a)
{
	return a->kind == HE_PUBIP_ROUTER && a->rc == 0 && a->cls != HE_ADDR_PUBLIC;
}

/* Tally the public answers of family (kinds in mask; 0 = all). Returns the
 * number of distinct addresses; *winner is the unique top one or NULL. */
static size_t tally(const struct he_pubip_report *r, int family, unsigned kind_mask,
		    struct tally *t, const struct tally **winner)
{
	size_t n = 0, i, k;

	*winner = NULL;
	for (i = 0; i < r->nanswers; i++) {
		const struct he_pubip_answer *a = &r->answers[i];

		if (a->family != family || a->rc != 0 || a->cls != HE_ADDR_PUBLIC)
			continue;
		if (kind_mask && !(kind_mask & (1u << a->kind)))
			continue;
		for (k = 0; k < n && strcmp(t[k].addr, a->addr); k++)
			;
		if (k == n) {
			t[n].addr = a->addr;
			t[n].votes = 0;
			n++;
		}
		t[k].votes++;
	}
	for (k = 0; k < n; k++) {
		if (!*winner || t[k].votes > (*winner)->votes)
			*winner = &t[k];
	}
	for (k = 0; *winner && k < n; k++)
		if (&t[k] != *winner && t[k].votes == (*winner)->votes)
			*winner = NULL;
	return n;
}

/* "stun 11.77.0.1:3478, http http://..." for the answers of family saying addr. */
static void who(const struct he_pubip_report *r, int family, const char *addr, char *buf,
		size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < r->nanswers; i++) {
		const struct he_pubip_answer *a = &r->answers[i];
		size_t used = strlen(buf);

		if (a->family != family || a->rc != 0 || strcmp(a->addr, addr) != 0)
			continue;
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", a->source);
	}
}

static void decide_family(struct he_pubip_report *r, int family, unsigned required, char *out,
			  unsigned *agree)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	struct tally t[HE_PUBIP_SOURCES_MAX];
	const struct tally *win;
	unsigned exist = 0, answered = 0;
	char names[256];
	size_t i, nt;

	out[0] = '\0';
	*agree = 0;
	for (i = 0; i < r->nanswers; i++) {
		const struct he_pubip_answer *a = &r->answers[i];

		if (a->family != family || is_router_nat(a))
			continue;
		exist++;
		if (a->rc == 0)
			answered++;
	}
	if (!exist)
		return;
	nt = tally(r, family, 0, t, &win);
	if (win && (win->votes >= required || (exist < required && win->votes == exist))) {
		snprintf(out, HE_PUBIP_ADDR_MAX, "%s", win->addr);
		*agree = win->votes;
	}
	/* say what kept an address from being trusted, or who dissented */
	for (i = 0; i < r->nanswers; i++) {
		const struct he_pubip_answer *a = &r->answers[i];

		if (a->family == family && a->rc == 0 && a->cls != HE_ADDR_PUBLIC &&
		    !is_router_nat(a))
			add(r->verdict, sizeof(r->verdict),
			    "%s: %s says %s, which is not a public address (%s): ignored.", fam,
			    a->source, a->addr, he_addr_class_name(a->cls));
	}
	if (out[0]) {
		for (i = 0; i < nt; i++) {
			if (t[i].addr == win->addr)
				continue;
			who(r, family, t[i].addr, names, sizeof(names));
			add(r->verdict, sizeof(r->verdict),
			    "%s: %s says %s instead of %s: that source is wrong or sees another "
			    "path; "
			    "the majority (%u) is trusted.",
			    fam, names, t[i].addr, out, win->votes);
		}
		return;
	}
	if (!answered) {
		add(r->verdict, sizeof(r->verdict), "%s: no source answered (%u asked).", fam,
		    exist);
	} else if (nt > 1) {
		add(r->verdict, sizeof(r->verdict), "%s: the sources disagree:", fam);
		for (i = 0; i < nt; i++) {
			who(r, family, t[i].addr, names, sizeof(names));
			add(r->verdict, sizeof(r->verdict), "%s (%s)%s", t[i].addr, names,
			    i + 1 < nt ? ";" : ".");
		}
		add(r->verdict, sizeof(r->verdict),
		    "No %s address is trusted (sources-required = %u): a wrong check service "
		    "must not decide it; fix or replace the odd one out.",
		    fam, required);
	} else {
		add(r->verdict, sizeof(r->verdict),
		    "%s: only %u of %u sources agree on %s (%u required): not trusted; see the "
		    "failed sources' errors.",
		    fam, nt ? t[0].votes : 0, exist, nt ? t[0].addr : "an address", required);
	}
}

static const struct he_pubip_answer *first_answer(const struct he_pubip_report *r,
						  enum he_pubip_kind kind, int family)
{
	size_t i;

	for (i = 0; i < r->nanswers; i++)
		if (r->answers[i].kind == kind && r->answers[i].family == family &&
		    r->answers[i].rc == 0)
			return &r->answers[i];
	return NULL;
}

static bool router_asked(const struct he_pubip_report *r)
{
	size_t i;

	for (i = 0; i < r->nanswers; i++)
		if (r->answers[i].kind == HE_PUBIP_ROUTER)
			return true;
	return false;
}

static void nat_verdict(struct he_pubip_report *r)
{
	const struct he_pubip_answer *rt = first_answer(r, HE_PUBIP_ROUTER, AF_INET);
	const struct he_pubip_answer *ifc = first_answer(r, HE_PUBIP_IFACE, AF_INET);
	struct tally t[HE_PUBIP_SOURCES_MAX];
	const struct tally *win;
	const char *outside = r->v4[0] ? r->v4 : NULL;
	char seen[96] = "";
	const char *v6fix;
	char v6buf[96];

	if (!outside) {
		tally(r, AF_INET, (1u << HE_PUBIP_STUN) | (1u << HE_PUBIP_HTTP), t, &win);
		if (win)
			outside = win->addr;
	}
	if (outside)
		snprintf(seen, sizeof(seen), " while the internet sees %s", outside);
	else
		snprintf(seen, sizeof(seen), " (no outside source confirmed the public address)");
	if (r->v6[0]) {
		snprintf(v6buf, sizeof(v6buf), "use IPv6 (this host has %s)", r->v6);
		v6fix = v6buf;
	} else {
		v6fix = "use IPv6 if the ISP offers it";
	}
	r->nat = HE_PUBIP_NAT_UNKNOWN;
	r->router_wan[0] = '\0';
	if (!rt) {
		if (ifc && ifc->cls == HE_ADDR_PUBLIC && outside && !strcmp(ifc->addr, outside))
			r->nat = HE_PUBIP_NAT_NONE; /* this host holds the public address */
		else if (router_asked(r) && (r->v4[0] || outside))
			add(r->verdict, sizeof(r->verdict),
			    "NAT: unknown: the router did not tell its external address (no PCP, "
			    "NAT-PMP or UPnP answer), so CGNAT or double NAT cannot be ruled out.");
		return;
	}
	snprintf(r->router_wan, sizeof(r->router_wan), "%s", rt->addr);
	switch (rt->cls) {
	case HE_ADDR_PUBLIC:
		if (outside && strcmp(outside, rt->addr) != 0) {
			r->nat = HE_PUBIP_NAT_MISMATCH;
			add(r->verdict, sizeof(r->verdict),
			    "NAT mismatch: the router's external address %s is public, but the "
			    "internet sees %s: another NAT, a VPN or a proxy sits in between (or "
			    "the check services are wrong). Fix: look for a VPN or policy routing "
			    "on this host or a second router; forwarding on this router will not "
			    "reach %s.",
			    rt->addr, outside, outside);
		} else {
			r->nat = HE_PUBIP_NAT_NONE;
		}
		return;
	case HE_ADDR_CGNAT:
		r->nat = HE_PUBIP_NAT_CGNAT;
		add(r->verdict, sizeof(r->verdict),
		    "CGNAT: the router's external address %s is in the ISP's shared range "
		    "100.64.0.0/10%s: the ISP's carrier-grade NAT sits in front of the router, so "
		    "port forwarding cannot make services reachable over IPv4. Fix: %s, a tunnel "
		    "to a VPS, or ask the ISP for a public IPv4 address.",
		    rt->addr, seen, v6fix);
		return;
	case HE_ADDR_DSLITE:
		r->nat = HE_PUBIP_NAT_DSLITE;
		add(r->verdict, sizeof(r->verdict),
		    "DS-Lite: the router's external address %s (192.0.0.0/29) means IPv4 runs "
		    "through the ISP's AFTR, a carrier-grade NAT%s: no IPv4 port forwarding is "
		    "possible. Fix: %s, a tunnel to a VPS, or ask the ISP for a dual-stack line "
		    "with a public IPv4 address.",
		    rt->addr, seen, v6fix);
		return;
	default:
		r->nat = HE_PUBIP_NAT_DOUBLE;
		add(r->verdict, sizeof(r->verdict),
		    "double NAT: the router's external address %s is %s%s: another router (often "
		    "the ISP's modem) sits in front of it. Fix: put the first router in bridge "
		    "mode, or forward the same ports on it to this router (or make this router "
		    "its exposed host/DMZ).",
		    rt->addr,
		    rt->cls == HE_ADDR_PRIVATE ? "private (RFC 1918)" : he_addr_class_name(rt->cls),
		    seen);
		return;
	}
}

void he_pubip_combine(struct he_pubip_report *r, unsigned required)
{
	char notes[sizeof(r->verdict)];

	if (required == 0)
		required = 1;
	r->verdict[0] = '\0';
	decide_family(r, AF_INET, required, r->v4, &r->v4_agree);
	decide_family(r, AF_INET6, required, r->v6, &r->v6_agree);
	/* the NAT verdict first: it is what the user must act on */
	memcpy(notes, r->verdict, sizeof(notes));
	r->verdict[0] = '\0';
	nat_verdict(r);
	if (notes[0])
		add(r->verdict, sizeof(r->verdict), "%s", notes);
}
