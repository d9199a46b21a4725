/* SPDX-License-Identifier: MIT */
/*
 * nft_match.c - does one nftables match expression hold for a new connection
 * from outside to PORT/PROTO? YES, NO or MAYBE.
 */
#include "firewall/nft_rs.h"

#include "net/addrclass.h"

#include <arpa/inet.h>
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

/*
 * Interface match: the packet comes in on the WAN-facing interface (the
 * default route's, when known). "lo" never; other names: YES/NO when the WAN
 * interface is known, MAYBE when not. A trailing '*' is a prefix match.
 */
static enum tri iface_is(const struct evalctx *cx, json_t *v, int depth)
{
	json_t *o;

	if (depth > 8)
		return T_MAYBE;
	if (json_is_object(v) && (o = json_object_get(v, "set")))
		v = o;
	if (json_is_array(v)) {
		enum tri r = T_NO;
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			enum tri t = iface_is(cx, e, depth + 1);

			if (t == T_YES)
				return T_YES;
			if (t == T_MAYBE)
				r = T_MAYBE;
		}
		return r;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = strlen(s);

		if (!strcmp(s, "lo"))
			return T_NO;
		if (!cx->wan_if || !*cx->wan_if)
			return T_MAYBE;
		if (n && s[n - 1] == '*')
			return !strncmp(s, cx->wan_if, n - 1) ? T_YES : T_NO;
		return !strcmp(s, cx->wan_if) ? T_YES : T_NO;
	}
	return T_MAYBE;
}

/* Do all addresses from A to B (text) lie in one non-public class? */
static int span_not_public(const char *a, const char *b)
{
	enum he_addr_class ca, cb;

	if (he_addr_class_str(a, &ca) < 0 || he_addr_class_str(b, &cb) < 0)
		return 0;
	return ca == cb && ca != HE_ADDR_PUBLIC;
}

/* The last address of ADDR/LEN as text in last[]. */
static int prefix_last(const char *addr, json_int_t len, char *last, size_t size)
{
	unsigned char b[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET, bits = fam == AF_INET6 ? 128 : 32;

	if (inet_pton(fam, addr, b) != 1 || len < 0 || len > bits)
		return -1;
	for (int i = (int)len; i < bits; i++)
		b[i / 8] |= (unsigned char)(0x80 >> (i % 8));
	return inet_ntop(fam, b, last, (socklen_t)size) ? 0 : -1;
}

/*
 * Source address match for a new connection from the internet: NO when every
 * address the value names is private, loopback, link-local, CGNAT...; MAYBE
 * when it may hold a public address (an address set, a public prefix).
 */
static enum tri saddr_public(const struct evalctx *cx, json_t *v, const char *family,
			     const char *table, int depth)
{
	json_t *o;

	if (depth > 8)
		return T_MAYBE;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		struct nset *set;

		if (s[0] != '@')
			return span_not_public(s, s) ? T_NO : T_MAYBE;
		set = he_nrs_find_set(cx->rs, family, table, s + 1);
		if (!set)
			return T_MAYBE;
		return set->elem ? saddr_public(cx, set->elem, family, table, depth + 1) : T_NO;
	}
	if (json_is_object(v) && (o = json_object_get(v, "set")))
		v = o;
	if (json_is_object(v) && (o = json_object_get(v, "elem")))
		return saddr_public(cx, json_object_get(o, "val"), family, table, depth + 1);
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			if (saddr_public(cx, e, family, table, depth + 1) != T_NO)
				return T_MAYBE;
		}
		return T_NO;
	}
	if (json_is_object(v) && (o = json_object_get(v, "prefix"))) {
		const char *a = jstr(o, "addr");
		json_t *len = json_object_get(o, "len");
		char last[INET6_ADDRSTRLEN];

		if (!a || !json_is_integer(len) ||
		    prefix_last(a, json_integer_value(len), last, sizeof(last)) < 0)
			return T_MAYBE;
		return span_not_public(a, last) ? T_NO : T_MAYBE;
	}
	if (json_is_object(v) && (o = json_object_get(v, "range")) && json_array_size(o) == 2) {
		const char *a = json_string_value(json_array_get(o, 0));
		const char *b = json_string_value(json_array_get(o, 1));

		return a && b && span_not_public(a, b) ? T_NO : T_MAYBE;
	}
	return T_MAYBE;
}

/* Does the value (a string or a set of strings) hold one of WORDS? */
static int value_has(json_t *v, const char *const *words, int depth)
{
	json_t *o;

	if (depth > 8)
		return 0;
	if (json_is_object(v) && (o = json_object_get(v, "set")))
		v = o;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			if (value_has(e, words, depth + 1))
				return 1;
		}
		return 0;
	}
	if (!json_is_string(v))
		return 0;
	for (size_t k = 0; words[k]; k++) {
		if (!strcmp(json_string_value(v), words[k]))
			return 1;
	}
	return 0;
}

/* `meta mark & N == M`, `meta mark M`: the mark our own chain set (or 0). */
static enum tri mark_match(const struct evalctx *cx, json_t *left, json_t *right)
{
	json_t *and = json_object_get(left, "&");
	json_int_t mask = 0xffffffff;

	if (json_is_array(and) && json_array_size(and) == 2) {
		json_t *k = json_object_get(json_array_get(and, 0), "meta");

		if (!streq(jstr(k, "key"), "mark") || !json_is_integer(json_array_get(and, 1)))
			return T_MAYBE;
		mask = json_integer_value(json_array_get(and, 1));
	} else if (!streq(jstr(json_object_get(left, "meta"), "key"), "mark")) {
		return T_MAYBE;
	}
	if (!json_is_integer(right))
		return T_MAYBE;
	return ((json_int_t)cx->mark & mask) == json_integer_value(right) ? T_YES : T_NO;
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
	static const char *const ct_not_new[] = {"dnat",    "snat",  "seen-reply",
						 "assured", "dying", NULL};
	const char *op = jstr(m, "op");
	json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right"), *o;
	int neg = op && !strcmp(op, "!=");
	enum tri t = T_MAYBE;

	if (op && strcmp(op, "==") && strcmp(op, "!=") && strcmp(op, "in"))
		return T_MAYBE; /* <, >: cannot tell */
	if (json_object_get(left, "&")) {
		t = mark_match(cx, left, right);
	} else if ((o = json_object_get(left, "payload"))) {
		const char *p = jstr(o, "protocol"), *f = jstr(o, "field");

		if (!p || !f)
			return T_MAYBE;
		if ((!strcmp(p, "ip") && cx->ipv == 6) || (!strcmp(p, "ip6") && cx->ipv == 4))
			return T_NO; /* a header the packet does not have, even with != */
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
		} else if (!strcmp(f, "saddr") && (!strcmp(p, "ip") || !strcmp(p, "ip6"))) {
			t = saddr_public(cx, right, c->family, c->table, 0);
		} else {
			return T_MAYBE; /* destination addresses, lengths, ... */
		}
	} else if ((o = json_object_get(left, "meta"))) {
		const char *k = jstr(o, "key");

		if (streq(k, "l4proto")) {
			t = proto_in_value(cx, right, 0);
		} else if (streq(k, "iif") || streq(k, "iifname")) {
			t = iface_is(cx, right, 0);
		} else if (streq(k, "nfproto")) {
			static const char *const v4[] = {"ipv4", NULL}, *const v6[] = {"ipv6",
										       NULL};

			t = value_has(right, cx->ipv == 6 ? v6 : v4, 0) ? T_YES : T_NO;
		} else if (streq(k, "mark")) {
			t = mark_match(cx, left, right);
		} else if (streq(k, "pkttype")) {
			static const char *const host[] = {"host", NULL};

			t = value_has(right, host, 0) ? T_YES : T_NO;
		} else {
			return T_MAYBE;
		}
	} else if ((o = json_object_get(left, "ct"))) {
		const char *k = jstr(o, "key");

		if (streq(k, "state"))
			t = ctstate_new(right, 0);
		else if (streq(k, "status") && value_has(right, ct_not_new, 0))
			t = T_NO; /* a new connection from outside has none of these */
		else
			return T_MAYBE;
	} else if ((o = json_object_get(left, "fib"))) {
		/* reverse-path checks pass for a routable public source */
		if (streq(jstr(o, "result"), "oif") && json_is_false(right))
			t = T_NO;
		else if (streq(jstr(o, "result"), "type"))
			t = value_has(right, (const char *const[]){"local", NULL}, 0) ? T_YES
										      : T_NO;
		else
			return T_MAYBE;
	} else {
		return T_MAYBE;
	}
	return neg ? tri_not(t) : t;
}
