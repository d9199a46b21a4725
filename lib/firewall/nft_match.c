/* SPDX-License-Identifier: MIT */
/*
 * nft_match.c - does one nftables match expression hold for a new connection
 * from outside to PORT/PROTO? YES, NO or MAYBE.
 */
#include "firewall/nft_rs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum tri tri_not(enum tri t)
{
	return t == T_MAYBE ? T_MAYBE : (t == T_YES ? T_NO : T_YES);
}

/* Does one element (int, range, elem wrapper) hold port? */
static enum tri port_in_value(const struct evalctx *cx, json_t *v, const char *family,
			      const char *table, int depth);

static enum tri port_in_array(const struct evalctx *cx, json_t *arr, const char *family,
			      const char *table, int depth)
{
	enum tri r = T_NO;
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		enum tri t = port_in_value(cx, e, family, table, depth + 1);

		if (t == T_YES)
			return T_YES;
		if (t == T_MAYBE)
			r = T_MAYBE;
	}
	return r;
}

static enum tri port_in_value(const struct evalctx *cx, json_t *v, const char *family,
			      const char *table, int depth)
{
	json_t *o;

	if (depth > 8)
		return T_MAYBE;
	if (json_is_integer(v))
		return json_integer_value(v) == cx->port ? T_YES : T_NO;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		struct nset *set;

		if (s[0] != '@')
			return T_MAYBE; /* a service name: cannot tell */
		set = he_nrs_find_set(cx->rs, family, table, s + 1);
		if (!set)
			return T_MAYBE;
		if (!set->elem)
			return T_NO;
		return port_in_array(cx, set->elem, family, table, depth);
	}
	if (json_is_array(v))
		return port_in_array(cx, v, family, table, depth);
	if (!json_is_object(v))
		return T_MAYBE;
	if ((o = json_object_get(v, "set")))
		return json_is_array(o) ? port_in_array(cx, o, family, table, depth)
					: port_in_value(cx, o, family, table, depth + 1);
	if ((o = json_object_get(v, "elem")))
		return port_in_value(cx, json_object_get(o, "val"), family, table, depth + 1);
	if ((o = json_object_get(v, "range")) && json_is_array(o) && json_array_size(o) == 2) {
		json_t *a = json_array_get(o, 0), *b = json_array_get(o, 1);

		if (!json_is_integer(a) || !json_is_integer(b))
			return T_MAYBE;
		return json_integer_value(a) <= cx->port && cx->port <= json_integer_value(b)
			   ? T_YES
			   : T_NO;
	}
	return T_MAYBE;
}

const char *he_nrs_proto_name(unsigned proto)
{
	return proto == HE_PROTO_UDP ? "udp" : "tcp";
}

/* Does a protocol value ("tcp", 6, set of them) name our protocol? */
static enum tri proto_in_value(const struct evalctx *cx, json_t *v, int depth)
{
	json_t *o;

	if (depth > 8)
		return T_MAYBE;
	if (json_is_string(v))
		return !strcmp(json_string_value(v), he_nrs_proto_name(cx->proto)) ? T_YES : T_NO;
	if (json_is_integer(v))
		return json_integer_value(v) == (cx->proto == HE_PROTO_UDP ? 17 : 6) ? T_YES : T_NO;
	if (json_is_object(v) && (o = json_object_get(v, "set")))
		v = o;
	if (json_is_array(v)) {
		enum tri r = T_NO;
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			enum tri t = proto_in_value(cx, e, depth + 1);

			if (t == T_YES)
				return T_YES;
			if (t == T_MAYBE)
				r = T_MAYBE;
		}
		return r;
	}
	return T_MAYBE;
}

static enum tri ctstate_new(json_t *v, int depth)
{
	json_t *o;

	if (depth > 8)
		return T_MAYBE;
	if (json_is_string(v))
		return !strcmp(json_string_value(v), "new") ? T_YES : T_NO;
	if (json_is_object(v) && (o = json_object_get(v, "set")))
		v = o;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			if (ctstate_new(e, depth + 1) == T_YES)
				return T_YES;
		}
		return T_NO;
	}
	return T_MAYBE;
}

/* Interface match: only "lo" is known (never where outside traffic comes in). */
static enum tri iface_is(json_t *v)
{
	if (json_is_string(v))
		return !strcmp(json_string_value(v), "lo") ? T_YES : T_MAYBE;
	return T_MAYBE;
}

static int is_l4_other(const char *p)
{
	static const char *const l4[] = {"icmp", "icmpv6", "igmp",    "esp", "ah",    "comp",
					 "sctp", "dccp",   "udplite", "gre", "ipcomp"};

	for (size_t i = 0; i < sizeof(l4) / sizeof(l4[0]); i++) {
		if (!strcmp(p, l4[i]))
			return 1;
	}
	return 0;
}

enum tri he_nrs_match(const struct evalctx *cx, const struct nchain *c, json_t *m)
{
	const char *op = jstr(m, "op");
	json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right"), *o;
	int neg = op && !strcmp(op, "!=");
	enum tri t = T_MAYBE;

	if (op && strcmp(op, "==") && strcmp(op, "!=") && strcmp(op, "in"))
		return T_MAYBE; /* <, >, bit tests: cannot tell */
	if ((o = json_object_get(left, "payload"))) {
		const char *p = jstr(o, "protocol"), *f = jstr(o, "field");

		if (!p || !f)
			return T_MAYBE;
		if (!strcmp(p, "tcp") || !strcmp(p, "udp")) {
			if (strcmp(p, he_nrs_proto_name(cx->proto)))
				return T_NO; /* implies the other protocol, even with != */
			if (strcmp(f, "dport"))
				return T_MAYBE;
			t = port_in_value(cx, right, c->family, c->table, 0);
		} else if (!strcmp(p, "th") && !strcmp(f, "dport")) {
			t = port_in_value(cx, right, c->family, c->table, 0);
		} else if (is_l4_other(p)) {
			return T_NO;
		} else if ((!strcmp(p, "ip") && !strcmp(f, "protocol")) ||
			   (!strcmp(p, "ip6") && !strcmp(f, "nexthdr"))) {
			t = proto_in_value(cx, right, 0);
		} else {
			return T_MAYBE; /* addresses, lengths, ... */
		}
	} else if ((o = json_object_get(left, "meta"))) {
		const char *k = jstr(o, "key");

		if (streq(k, "l4proto")) {
			t = proto_in_value(cx, right, 0);
		} else if (streq(k, "iif") || streq(k, "iifname")) {
			if (iface_is(right) != T_YES)
				return T_MAYBE;
			t = T_NO; /* outside traffic never comes in on lo */
		} else {
			return T_MAYBE;
		}
	} else if ((o = json_object_get(left, "ct"))) {
		if (!streq(jstr(o, "key"), "state"))
			return T_MAYBE;
		t = ctstate_new(right, 0);
	} else {
		return T_MAYBE;
	}
	return neg ? tri_not(t) : t;
}
