/* SPDX-License-Identifier: MIT */
/*
 * nft_json.c - read `nft -j list ruleset`: is homeexpose's table intact
 * (drift), and which other table/chain would still drop a wanted port.
 *
 * The shadow analysis walks every filter base chain on the input and
 * prerouting hooks outside our table, following jump/goto, for a new
 * connection from outside (not lo, any source) to PORT/PROTO. Each match is
 * YES, NO or MAYBE (source addresses, marks, opaque iptables xt matches...).
 * A drop/reject or a drop policy reached with only YES matches on the way is
 * certain; one reached past a MAYBE is reported as "may drop". iptables
 * conntrack/state xt matches are taken to be the usual
 * "ESTABLISHED,RELATED" (they do not match a new connection).
 */
#include "firewall/fw_internal.h"
#include "core/portspec.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 16

enum tri { T_NO = 0, T_YES = 1, T_MAYBE = 2 };
enum res { R_CONT, R_ACCEPT, R_DROP };

struct nchain {
	const char *family, *table, *name;
	const char *hook, *type, *policy;
	json_int_t prio;
	int base;
	size_t nrules;
	json_t **rules; /* borrowed: each rule's "expr" array */
	json_int_t *handles;
};

struct nset {
	const char *family, *table, *name;
	json_t *elem; /* borrowed, may be NULL */
};

struct ruleset {
	json_t *root;
	size_t nchains, nsets;
	struct nchain *chains;
	struct nset *sets;
};

struct evalctx {
	const struct ruleset *rs;
	const struct nchain *base;
	uint16_t port;
	unsigned proto;
	int uncertain;   /* a MAYBE accept/return/vmap came before */
	int maybe_drop;  /* a MAYBE drop was seen (where_maybe holds it) */
	char where[192]; /* what dropped */
	char where_maybe[192];
};

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->nchains; i++) {
		free(rs->chains[i].rules);
		free(rs->chains[i].handles);
	}
	free(rs->chains);
	free(rs->sets);
	json_decref(rs->root);
	memset(rs, 0, sizeof(*rs));
}

static struct nchain *find_chain(const struct ruleset *rs, const char *family, const char *table,
				 const char *name)
{
	for (size_t i = 0; i < rs->nchains; i++) {
		struct nchain *c = &rs->chains[i];

		if (streq(c->family, family) && streq(c->table, table) && streq(c->name, name))
			return c;
	}
	return NULL;
}

static struct nset *find_set(const struct ruleset *rs, const char *family, const char *table,
			     const char *name)
{
	for (size_t i = 0; i < rs->nsets; i++) {
		struct nset *s = &rs->sets[i];

		if (streq(s->family, family) && streq(s->table, table) && streq(s->name, name))
			return s;
	}
	return NULL;
}

static int add_rule(struct nchain *c, json_t *expr, json_int_t handle)
{
	json_t **nr = realloc(c->rules, (c->nrules + 1) * sizeof(*nr));
	json_int_t *nh;

	if (!nr)
		return -ENOMEM;
	c->rules = nr;
	nh = realloc(c->handles, (c->nrules + 1) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	c->handles = nh;
	c->rules[c->nrules] = expr;
	c->handles[c->nrules] = handle;
	c->nrules++;
	return 0;
}

static int ruleset_load(const char *json, size_t len, struct ruleset *rs, struct he_error *err)
{
	json_error_t jerr;
	json_t *arr, *it;
	size_t i, n;

	memset(rs, 0, sizeof(*rs));
	rs->root = json_loadb(json, len, 0, &jerr);
	if (!rs->root)
		return he_error_set(err, -EINVAL, "nftables ruleset JSON: %s (line %d)", jerr.text,
				    jerr.line);
	arr = json_object_get(rs->root, "nftables");
	if (!json_is_array(arr)) {
		ruleset_free(rs);
		return he_error_set(err, -EINVAL,
				    "nftables ruleset JSON has no \"nftables\" array");
	}
	n = json_array_size(arr);
	rs->chains = calloc(n + 1, sizeof(*rs->chains));
	rs->sets = calloc(n + 1, sizeof(*rs->sets));
	if (!rs->chains || !rs->sets)
		goto oom;
	/* chains and sets first, then rules (rules may come before their chain) */
	json_array_foreach(arr, i, it)
	{
		json_t *o;

		if ((o = json_object_get(it, "chain")) && json_is_object(o)) {
			struct nchain *c = &rs->chains[rs->nchains];
			json_t *prio = json_object_get(o, "prio");

			c->family = jstr(o, "family");
			c->table = jstr(o, "table");
			c->name = jstr(o, "name");
			if (!c->family || !c->table || !c->name)
				continue;
			c->hook = jstr(o, "hook");
			c->type = jstr(o, "type");
			c->policy = jstr(o, "policy");
			c->prio = json_is_integer(prio) ? json_integer_value(prio) : 0;
			c->base = c->hook != NULL;
			if (!find_chain(rs, c->family, c->table, c->name))
				rs->nchains++;
		} else if ((o = json_object_get(it, "set")) || (o = json_object_get(it, "map"))) {
			struct nset *s = &rs->sets[rs->nsets];

			if (!json_is_object(o))
				continue;
			s->family = jstr(o, "family");
			s->table = jstr(o, "table");
			s->name = jstr(o, "name");
			s->elem = json_object_get(o, "elem");
			if (s->family && s->table && s->name &&
			    !find_set(rs, s->family, s->table, s->name))
				rs->nsets++;
		}
	}
	json_array_foreach(arr, i, it)
	{
		json_t *o = json_object_get(it, "rule"), *expr, *h;
		struct nchain *c;

		if (!json_is_object(o))
			continue;
		expr = json_object_get(o, "expr");
		c = find_chain(rs, jstr(o, "family"), jstr(o, "table"), jstr(o, "chain"));
		if (!c || !json_is_array(expr))
			continue;
		h = json_object_get(o, "handle");
		if (add_rule(c, expr, json_is_integer(h) ? json_integer_value(h) : -1) < 0)
			goto oom;
	}
	return 0;
oom:
	ruleset_free(rs);
	return he_error_set(err, -ENOMEM, "out of memory");
}

/* --- matching ------------------------------------------------------------ */

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
		set = find_set(cx->rs, family, table, s + 1);
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

static const char *proto_name(unsigned proto)
{
	return he_proto_name(proto);
}

/* Does a protocol value ("tcp", 6, set of them) name our protocol? */
static enum tri proto_in_value(const struct evalctx *cx, json_t *v, int depth)
{
	json_t *o;

	if (depth > 8)
		return T_MAYBE;
	if (json_is_string(v))
		return !strcmp(json_string_value(v), proto_name(cx->proto)) ? T_YES : T_NO;
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

static enum tri eval_match(const struct evalctx *cx, const struct nchain *c, json_t *m)
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
			if (strcmp(p, proto_name(cx->proto)))
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

/* --- chain walk --------------------------------------------------------- */

static void set_where(char *buf, size_t len, const struct nchain *c, json_int_t handle,
		      const char *verdict)
{
	snprintf(buf, len, "rule handle %lld in chain %s: %s", (long long)handle, c->name, verdict);
}

static enum res eval_chain(struct evalctx *cx, const struct nchain *c, int maybe_in, int depth);

/* Returns R_CONT to go on with the next rule; sets *ret for return/goto-end. */
static enum res eval_rule(struct evalctx *cx, const struct nchain *c, size_t ri, int maybe_in,
			  int depth, int *ret)
{
	json_t *expr = c->rules[ri], *e;
	int maybe = maybe_in;
	size_t i;

	json_array_foreach(expr, i, e)
	{
		json_t *o;
		const char *verdict = NULL;

		if (!json_is_object(e))
			continue;
		if ((o = json_object_get(e, "match"))) {
			enum tri t = eval_match(cx, c, o);

			if (t == T_NO)
				return R_CONT;
			if (t == T_MAYBE)
				maybe = 1;
			continue;
		}
		if ((o = json_object_get(e, "xt"))) {
			const char *type = jstr(o, "type"), *name = jstr(o, "name");

			if (streq(type, "match")) {
				if (streq(name, "conntrack") || streq(name, "state"))
					return R_CONT; /* see the top of this file */
				maybe = 1;
				continue;
			}
			if (streq(type, "target") && streq(name, "REJECT"))
				verdict = "reject";
			else if (streq(type, "target")) {
				cx->uncertain = 1; /* unknown target: may end evaluation */
				return R_CONT;
			} else {
				continue;
			}
		}
		if (!verdict && json_object_get(e, "limit")) {
			maybe = 1;
			continue;
		}
		if (!verdict && (json_object_get(e, "vmap") || json_object_get(e, "queue"))) {
			cx->uncertain = 1;
			return R_CONT;
		}
		if (!verdict) {
			static const char *const verdicts[] = {"accept", "drop", "reject",
							       "jump",   "goto", "return"};

			for (size_t k = 0; k < sizeof(verdicts) / sizeof(verdicts[0]); k++) {
				if (json_object_get(e, verdicts[k]))
					verdict = verdicts[k];
			}
		}
		if (!verdict)
			continue; /* counter, log, meta set, ... */
		if (!strcmp(verdict, "accept")) {
			if (!maybe)
				return R_ACCEPT;
			cx->uncertain = 1;
			return R_CONT;
		}
		if (!strcmp(verdict, "drop") || !strcmp(verdict, "reject")) {
			if (!maybe) {
				set_where(cx->where, sizeof(cx->where), c, c->handles[ri], verdict);
				return R_DROP;
			}
			if (!cx->maybe_drop && !cx->uncertain) {
				cx->maybe_drop = 1;
				set_where(cx->where_maybe, sizeof(cx->where_maybe), c,
					  c->handles[ri], verdict);
			}
			return R_CONT;
		}
		if (!strcmp(verdict, "return")) {
			if (!maybe)
				*ret = 1;
			else if (!c->base)
				cx->uncertain = 1;
			return R_CONT;
		}
		/* jump / goto */
		{
			json_t *v = json_object_get(e, verdict);
			const char *target = jstr(v, "target");
			const struct nchain *tc = find_chain(cx->rs, c->family, c->table, target);
			enum res r;

			if (!tc || depth >= MAX_DEPTH) {
				cx->uncertain = 1;
				return R_CONT;
			}
			r = eval_chain(cx, tc, maybe, depth + 1);
			if (r != R_CONT)
				return r;
			if (!strcmp(verdict, "goto") && !maybe)
				*ret = 1;
			return R_CONT;
		}
	}
	return R_CONT;
}

static enum res eval_chain(struct evalctx *cx, const struct nchain *c, int maybe_in, int depth)
{
	for (size_t ri = 0; ri < c->nrules; ri++) {
		int ret = 0;
		enum res r = eval_rule(cx, c, ri, maybe_in, depth, &ret);

		if (r != R_CONT)
			return r;
		if (ret)
			break;
	}
	if (c->base && streq(c->policy, "drop")) {
		snprintf(cx->where, sizeof(cx->where), "policy drop of chain %s", c->name);
		return R_DROP;
	}
	return R_CONT;
}

/* --- ownership and fixes ------------------------------------------------ */

static int table_has_ufw(const struct ruleset *rs, const char *family, const char *table)
{
	for (size_t i = 0; i < rs->nchains; i++) {
		const struct nchain *c = &rs->chains[i];

		if (streq(c->family, family) && streq(c->table, table) &&
		    (!strncmp(c->name, "ufw-", 4) || !strncmp(c->name, "ufw6-", 5)))
			return 1;
	}
	return 0;
}

static const char *table_owner(const struct ruleset *rs, const struct nchain *c)
{
	if (table_has_ufw(rs, c->family, c->table))
		return "ufw";
	if (!strcmp(c->table, "firewalld"))
		return "firewalld";
	if ((!strcmp(c->family, "ip") || !strcmp(c->family, "ip6")) &&
	    (!strcmp(c->name, "INPUT") || !strcmp(c->name, "PREROUTING")))
		return "iptables-nft";
	return "nftables";
}

static void make_fix(const struct nchain *c, const char *owner, uint16_t port, unsigned proto,
		     char *buf, size_t len)
{
	const char *p = proto_name(proto);

	if (!strcmp(owner, "ufw"))
		snprintf(buf, len, "ufw allow %u/%s (or set [firewall] backend = ufw)", port, p);
	else if (!strcmp(owner, "firewalld"))
		snprintf(buf, len,
			 "firewall-cmd --permanent --add-port=%u/%s && firewall-cmd --reload "
			 "(or set [firewall] backend = firewalld)",
			 port, p);
	else if (!strcmp(owner, "iptables-nft"))
		snprintf(buf, len, "%s -I %s -p %s --dport %u -j ACCEPT",
			 !strcmp(c->family, "ip6") ? "ip6tables" : "iptables", c->name, p, port);
	else
		snprintf(buf, len, "nft insert rule %s %s %s %s dport %u accept", c->family,
			 c->table, c->name, p, port);
}

static int hook_checked(const struct nchain *c)
{
	if (!c->base || !streq(c->type, "filter"))
		return 0;
	if (!streq(c->family, "inet") && !streq(c->family, "ip") && !streq(c->family, "ip6"))
		return 0;
	return streq(c->hook, "input") || streq(c->hook, "prerouting");
}

static int analyze_shadows(const struct ruleset *rs, const struct he_fw_ports *ports,
			   unsigned flags, struct he_fw_report *rep)
{
	for (size_t ci = 0; ci < rs->nchains; ci++) {
		const struct nchain *c = &rs->chains[ci];
		const char *owner;

		if (!hook_checked(c))
			continue;
		if ((flags & HE_NFT_SKIP_OWN) && streq(c->family, "inet") &&
		    streq(c->table, HE_NFT_TABLE))
			continue;
		owner = table_owner(rs, c);
		if ((flags & HE_NFT_SKIP_UFW) && !strcmp(owner, "ufw"))
			continue;
		if ((flags & HE_NFT_SKIP_FIREWALLD) && !strcmp(owner, "firewalld"))
			continue;
		for (size_t pi = 0; pi < ports->n; pi++) {
			struct evalctx cx = {.rs = rs, .base = c};
			struct he_fw_shadow s = {0};
			enum res r;

			cx.port = ports->v[pi].port;
			cx.proto = ports->v[pi].proto;
			r = eval_chain(&cx, c, 0, 0);
			if (r == R_DROP) {
				/* an earlier "may drop" does not make a later sure drop unsure */
				s.certain = !cx.uncertain;
				snprintf(s.where, sizeof(s.where), "%s", cx.where);
			} else if (cx.maybe_drop) {
				s.certain = 0;
				snprintf(s.where, sizeof(s.where), "%s", cx.where_maybe);
			} else {
				continue;
			}
			s.port = cx.port;
			s.proto = cx.proto;
			snprintf(s.family, sizeof(s.family), "%s", c->family);
			snprintf(s.table, sizeof(s.table), "%s", c->table);
			snprintf(s.chain, sizeof(s.chain), "%s", c->name);
			snprintf(s.owner, sizeof(s.owner), "%s", owner);
			make_fix(c, owner, s.port, s.proto, s.fix, sizeof(s.fix));
			if (he_fw_report_add_shadow(rep, &s) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* --- our own table ------------------------------------------------------ */

/* Does our chain hold "PROTO dport @PROTO_ports accept"? */
static int own_rule_ok(const struct nchain *c, unsigned proto)
{
	char setref[32];

	snprintf(setref, sizeof(setref), "@%s_ports", proto_name(proto));
	for (size_t ri = 0; c && ri < c->nrules; ri++) {
		json_t *expr = c->rules[ri];
		json_t *m = json_object_get(json_array_get(expr, 0), "match");
		json_t *pl = json_object_get(json_object_get(m, "left"), "payload");

		if (json_array_size(expr) == 2 && streq(jstr(m, "op"), "==") &&
		    streq(jstr(pl, "protocol"), proto_name(proto)) &&
		    streq(jstr(pl, "field"), "dport") && streq(jstr(m, "right"), setref) &&
		    json_object_get(json_array_get(expr, 1), "accept"))
			return 1;
	}
	return 0;
}

static int analyze_own(const struct ruleset *rs, const struct he_fw_ports *ports,
		       struct he_fw_report *rep)
{
	const struct nchain *in = find_chain(rs, "inet", HE_NFT_TABLE, "input");
	int in_sync = 1, present = 0;

	for (size_t i = 0; i < rs->nchains; i++)
		present |=
		    streq(rs->chains[i].family, "inet") && streq(rs->chains[i].table, HE_NFT_TABLE);
	for (size_t i = 0; i < rs->nsets; i++)
		present |=
		    streq(rs->sets[i].family, "inet") && streq(rs->sets[i].table, HE_NFT_TABLE);
	if (!present) {
		/* a table without chains or sets still counts */
		json_t *arr = json_object_get(rs->root, "nftables"), *it;
		size_t i;

		json_array_foreach(arr, i, it)
		{
			json_t *t = json_object_get(it, "table");

			if (json_is_object(t) && streq(jstr(t, "family"), "inet") &&
			    streq(jstr(t, "name"), HE_NFT_TABLE))
				present = 1;
		}
	}
	rep->present = present;
	if (!in || !in->base || !streq(in->hook, "input") || !streq(in->type, "filter") ||
	    !streq(in->policy, "accept"))
		in = NULL;
	for (unsigned proto = HE_PROTO_TCP; proto <= HE_PROTO_UDP; proto <<= 1) {
		char sname[16];
		const struct nset *set;
		int rule_ok = in && own_rule_ok(in, proto);
		size_t i;
		json_t *e;

		snprintf(sname, sizeof(sname), "%s_ports", proto_name(proto));
		set = find_set(rs, "inet", HE_NFT_TABLE, sname);
		/* desired ports present with the right comment */
		for (size_t pi = 0; pi < ports->n; pi++) {
			const struct he_fw_port *p = &ports->v[pi];
			int found = 0, same = 0;

			if (p->proto != proto)
				continue;
			json_array_foreach(set ? set->elem : NULL, i, e)
			{
				json_t *w = json_object_get(e, "elem");
				json_t *val = w ? json_object_get(w, "val") : e;

				if (json_is_integer(val) && json_integer_value(val) == p->port) {
					found = 1;
					same = streq(jstr(w, "comment"), p->comment);
				}
			}
			if (!found || !rule_ok) {
				if (he_fw_report_add_missing(rep, p) < 0)
					return -ENOMEM;
				in_sync = 0;
			} else if (!same) {
				in_sync = 0; /* open, but the exposure names changed */
			}
		}
		/* elements no longer wanted */
		json_array_foreach(set ? set->elem : NULL, i, e)
		{
			json_t *w = json_object_get(e, "elem");
			json_t *val = w ? json_object_get(w, "val") : e;
			json_int_t v;

			if (!json_is_integer(val)) {
				in_sync = 0; /* a range or other element we never add */
				continue;
			}
			v = json_integer_value(val);
			if (v < 1 || v > 65535 || !he_fw_ports_find(ports, (uint16_t)v, proto)) {
				if (v >= 1 && v <= 65535 &&
				    he_fw_report_add_extra(rep, (uint16_t)v, proto,
							   jstr(w, "comment")) < 0)
					return -ENOMEM;
				in_sync = 0;
			}
		}
		if (ports->n && (!set || !rule_ok))
			in_sync = 0;
	}
	if (!ports->n)
		in_sync = !present;
	else if (!in)
		in_sync = 0;
	rep->in_sync = in_sync;
	return 0;
}

int he_nft_analyze(const char *json, size_t len, const struct he_fw_ports *ports, unsigned flags,
		   struct he_fw_report *rep, struct he_error *err)
{
	struct ruleset rs;
	int rc;

	rc = ruleset_load(json, len, &rs, err);
	if (rc < 0)
		return rc;
	if (flags & HE_NFT_OWN_STATE)
		rc = analyze_own(&rs, ports, rep);
	if (rc == 0 && !(flags & HE_NFT_NO_SHADOW))
		rc = analyze_shadows(&rs, ports, flags, rep);
	ruleset_free(&rs);
	if (rc < 0)
		return he_error_set(err, rc, "out of memory");
	return 0;
}

int he_nft_ruleset_has_ufw(const char *json, size_t len)
{
	struct ruleset rs;
	int found = 0;

	if (ruleset_load(json, len, &rs, NULL) < 0)
		return 0;
	for (size_t i = 0; i < rs.nchains && !found; i++)
		found = table_has_ufw(&rs, rs.chains[i].family, rs.chains[i].table);
	ruleset_free(&rs);
	return found;
}
