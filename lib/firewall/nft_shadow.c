/* SPDX-License-Identifier: MIT */
/*
 * nft_shadow.c - which other table/chain would still drop a wanted port.
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
#include "firewall/nft_rs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

static void set_where(char *buf, size_t len, const struct nchain *c, json_int_t handle,
		      const char *verdict)
{
	snprintf(buf, len, "rule handle %lld in chain %s: %s", (long long)handle, c->name, verdict);
}

static enum res eval_chain(struct evalctx *cx, const struct nchain *c, int maybe_in, int depth);

/*
 * An iptables-nft xt match. nft -j shows only its name; the live reader
 * (nft_xt.c) adds what the kernel holds as "homeexpose": {"new": bool} for
 * conntrack/state and {"dports": [[lo, hi], ...]} for multiport.
 */
static enum tri xt_match(const struct evalctx *cx, json_t *xt)
{
	const char *name = jstr(xt, "name");
	json_t *ann = json_object_get(xt, "homeexpose"), *v;

	if (streq(name, "conntrack") || streq(name, "state")) {
		v = json_object_get(ann, "new");
		if (json_is_boolean(v))
			return json_is_true(v) ? T_YES : T_NO;
		return T_NO; /* unread: the usual ESTABLISHED,RELATED */
	}
	if (streq(name, "multiport") && json_is_array(v = json_object_get(ann, "dports"))) {
		size_t i;
		json_t *r;

		json_array_foreach(v, i, r)
		{
			json_int_t lo = json_integer_value(json_array_get(r, 0));
			json_int_t hi = json_integer_value(json_array_get(r, 1));

			if (lo <= cx->port && cx->port <= hi)
				return T_YES;
		}
		return T_NO;
	}
	if (streq(name, "comment"))
		return T_YES;
	return T_MAYBE;
}

/* The verdict an expression object gives, or NULL (counter, log, ...). */
static const char *verdict_of(json_t *e)
{
	static const char *const verdicts[] = {"accept", "drop",   "reject", "jump",
					       "goto",   "return", "queue",  "continue"};

	for (size_t k = 0; k < sizeof(verdicts) / sizeof(verdicts[0]); k++) {
		if (json_object_get(e, verdicts[k]))
			return verdicts[k];
	}
	return NULL;
}

/* One verdict (of a rule or a vmap element; E holds its argument) reached with MAYBE or not. */
static enum res do_verdict(struct evalctx *cx, const struct nchain *c, json_int_t handle,
			   const char *verdict, json_t *e, int maybe, int depth, int *ret)
{
	if (!verdict || !strcmp(verdict, "continue"))
		return R_CONT;
	if (!strcmp(verdict, "queue")) {
		cx->uncertain = 1;
		return R_CONT;
	}
	if (!strcmp(verdict, "accept")) {
		if (!maybe)
			return R_ACCEPT;
		cx->uncertain = 1;
		return R_CONT;
	}
	if (!strcmp(verdict, "drop") || !strcmp(verdict, "reject")) {
		if (!maybe) {
			set_where(cx->where, sizeof(cx->where), c, handle, verdict);
			cx->drop_chain = c;
			return R_DROP;
		}
		if (!cx->maybe_drop && !cx->uncertain) {
			cx->maybe_drop = 1;
			cx->drop_chain = c;
			set_where(cx->where_maybe, sizeof(cx->where_maybe), c, handle, verdict);
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
		const char *target = jstr(json_object_get(e, verdict), "target");
		const struct nchain *tc = he_nrs_find_chain(cx->rs, c->family, c->table, target);
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

/*
 * A verdict map: `tcp dport vmap { 22 : accept, 8443 : drop }`, `ct state
 * vmap { established : accept, invalid : drop }`, `iifname vmap { ... }`.
 * The key is tested against each element as an `==` match would be.
 */
static enum res eval_vmap(struct evalctx *cx, const struct nchain *c, json_int_t handle,
			  json_t *vmap, int maybe, int depth, int *ret)
{
	json_t *key = json_object_get(vmap, "key"), *data = json_object_get(vmap, "data"), *el;
	const char *name;
	size_t i;
	int unsure = 0;

	if (json_is_object(data) && json_object_get(data, "set"))
		data = json_object_get(data, "set");
	if (json_is_string(data) && (name = json_string_value(data))[0] == '@') {
		const struct nset *m = he_nrs_find_set(cx->rs, c->family, c->table, name + 1);

		data = m ? m->elem : NULL;
		if (!m) {
			cx->uncertain = 1;
			return R_CONT;
		}
	}
	json_array_foreach(data, i, el)
	{
		json_t *m, *val;
		enum tri t;

		if (!json_is_array(el) || json_array_size(el) != 2)
			continue;
		m = json_pack("{s:s, s:O, s:O}", "op", "==", "left", key, "right",
			      json_array_get(el, 0));
		if (!m)
			return R_CONT;
		t = he_nrs_match(cx, c, m);
		json_decref(m);
		if (t == T_NO)
			continue;
		val = json_array_get(el, 1);
		if (t == T_MAYBE) {
			enum res r = do_verdict(cx, c, handle, verdict_of(val), val, 1, depth, ret);

			unsure = 1;
			if (r != R_CONT)
				return r;
			continue;
		}
		return do_verdict(cx, c, handle, verdict_of(val), val, maybe || unsure, depth, ret);
	}
	return R_CONT;
}

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
		enum tri t;

		if (!json_is_object(e))
			continue;
		if ((o = json_object_get(e, "match")) || (o = json_object_get(e, "xt"))) {
			if (json_object_get(e, "xt") && streq(jstr(o, "type"), "target")) {
				if (!streq(jstr(o, "name"), "REJECT")) {
					cx->uncertain = 1; /* unknown target: may end it */
					return R_CONT;
				}
				return do_verdict(cx, c, c->handles[ri], "reject", e, maybe, depth,
						  ret);
			}
			t = json_object_get(e, "xt") ? xt_match(cx, o) : he_nrs_match(cx, c, o);
			if (t == T_NO)
				return R_CONT;
			if (t == T_MAYBE)
				maybe = 1;
			continue;
		}
		if (json_object_get(e, "limit")) {
			maybe = 1;
			continue;
		}
		if ((o = json_object_get(e, "vmap")))
			return eval_vmap(cx, c, c->handles[ri], o, maybe, depth, ret);
		if (verdict_of(e))
			return do_verdict(cx, c, c->handles[ri], verdict_of(e), e, maybe, depth,
					  ret);
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
		cx->drop_chain = c;
		return R_DROP;
	}
	return R_CONT;
}

/* --- ownership and fixes ------------------------------------------------ */

int he_nrs_table_has_ufw(const struct ruleset *rs, const char *family, const char *table)
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
	if (he_nrs_table_has_ufw(rs, c->family, c->table))
		return "ufw";
	if (!strcmp(c->table, "firewalld"))
		return "firewalld";
	if ((!strcmp(c->family, "ip") || !strcmp(c->family, "ip6")) &&
	    (!strcmp(c->name, "INPUT") || !strcmp(c->name, "PREROUTING")))
		return "iptables-nft";
	return "nftables";
}

/* fail2ban's chains and tables hold its bans: an accept there lets banned hosts in. */
static int is_fail2ban(const struct nchain *c)
{
	return c && (!strncmp(c->name, "f2b-", 4) || strstr(c->table, "f2b") ||
		     strstr(c->table, "fail2ban"));
}

static void make_fix(const struct nchain *c, const struct nchain *dropper, const char *owner,
		     uint16_t port, unsigned proto, char *buf, size_t len)
{
	const char *p = he_nrs_proto_name(proto);

	if (is_fail2ban(dropper) || is_fail2ban(c))
		snprintf(buf, len,
			 "none to insert: this is fail2ban's ban list (an accept there would let "
			 "banned addresses back in); if an address is wrongly banned, run "
			 "`fail2ban-client unban ADDRESS`");
	else if (!strcmp(owner, "ufw"))
		snprintf(buf, len, "ufw allow %u/%s (or set [firewall] backend = ufw)", port, p);
	else if (!strcmp(owner, "firewalld"))
		snprintf(buf, len,
			 "firewall-cmd --permanent --add-port=%u/%s && firewall-cmd --reload "
			 "(or set [firewall] backend = firewalld)",
			 port, p);
	else if (!strcmp(owner, "iptables-nft"))
		snprintf(buf, len, "%s%s%s -I %s -p %s --dport %u -j ACCEPT",
			 !strcmp(c->family, "ip6") ? "ip6tables" : "iptables",
			 strcmp(c->table, "filter") ? " -t " : "",
			 strcmp(c->table, "filter") ? c->table : "", c->name, p, port);
	else if (streq(c->hook, "input") && streq(c->type, "filter"))
		snprintf(buf, len,
			 "homeexpose firewall integrate %s %s %s (or, for this port only: nft "
			 "insert rule %s %s %s %s dport %u accept)",
			 c->family, c->table, c->name, c->family, c->table, c->name, p, port);
	else
		snprintf(buf, len, "nft insert rule %s %s %s %s dport %u accept", c->family,
			 c->table, c->name, p, port);
}

/* Chains a new connection from outside passes on its way in. */
static int hook_checked(const struct nchain *c, const struct he_nft_view *view)
{
	if (!c->base)
		return 0;
	if (streq(c->family, "netdev") || streq(c->hook, "ingress")) {
		const char *wan = view ? view->wan_if : NULL;
		json_t *dev = c->dev, *d;
		size_t i;
		int on = !wan || !*wan || !dev;

		if (!streq(c->type, "filter") || !streq(c->hook, "ingress"))
			return 0;
		if (json_is_string(dev))
			on |= !strcmp(json_string_value(dev), wan ? wan : "");
		json_array_foreach(json_is_array(dev) ? dev : NULL, i, d) on |=
		    streq(json_string_value(d), wan);
		return on;
	}
	if (!streq(c->family, "inet") && !streq(c->family, "ip") && !streq(c->family, "ip6"))
		return 0;
	if (streq(c->type, "nat"))
		return streq(c->hook, "prerouting");
	if (!streq(c->type, "filter"))
		return 0;
	return streq(c->hook, "input") || streq(c->hook, "prerouting");
}

/* Walk base chain C for one port and one IP version; 1 when it drops (s filled). */
static int walk(const struct ruleset *rs, const struct nchain *c, const struct he_fw_port *p,
		int ipv, const struct he_nft_view *view, struct he_fw_shadow *s,
		const struct nchain **dropper)
{
	struct evalctx cx = {.rs = rs, .base = c};
	enum res r;

	cx.port = p->port;
	cx.proto = p->proto;
	cx.ipv = ipv;
	cx.wan_if = view && view->wan_if && *view->wan_if ? view->wan_if : NULL;
	/* our mark chain runs before this one: the packet carries the bit */
	if (view && view->mark && streq(c->hook, "input") && c->prio > view->mark_prio)
		cx.mark = view->mark;
	r = eval_chain(&cx, c, 0, 0);
	memset(s, 0, sizeof(*s));
	if (r == R_DROP) {
		s->certain = !cx.uncertain;
		snprintf(s->where, sizeof(s->where), "%s", cx.where);
	} else if (cx.maybe_drop) {
		snprintf(s->where, sizeof(s->where), "%s", cx.where_maybe);
	} else {
		return 0;
	}
	*dropper = cx.drop_chain;
	return 1;
}

int he_nrs_shadows(const struct ruleset *rs, const struct he_fw_ports *ports, unsigned flags,
		   const struct he_nft_view *view, struct he_fw_report *rep)
{
	unsigned fams = view && view->families ? view->families : (HE_FW_IPV4 | HE_FW_IPV6);

	for (size_t ci = 0; ci < rs->nchains; ci++) {
		const struct nchain *c = &rs->chains[ci];
		const char *owner;

		if (!hook_checked(c, view))
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
			struct he_fw_shadow s4, s6, *s = NULL;
			const struct nchain *d4 = NULL, *d6 = NULL, *d;
			int v4 = (fams & HE_FW_IPV4) && !streq(c->family, "ip6") &&
				 walk(rs, c, &ports->v[pi], 4, view, &s4, &d4);
			int v6 = (fams & HE_FW_IPV6) && !streq(c->family, "ip") &&
				 walk(rs, c, &ports->v[pi], 6, view, &s6, &d6);

			for (int k = 0; k < 2; k++) {
				if (k == 0 && v4) {
					s = &s4;
					d = d4;
					/* the same drop for both: one entry */
					snprintf(s->ipfam, sizeof(s->ipfam), "%s",
						 v6 && s6.certain == s4.certain &&
							 !strcmp(s6.where, s4.where)
						     ? "both"
						     : "ipv4");
					if (!strcmp(s->ipfam, "both"))
						v6 = 0;
				} else if (k == 1 && v6) {
					s = &s6;
					d = d6;
					snprintf(s->ipfam, sizeof(s->ipfam), "ipv6");
				} else {
					continue;
				}
				s->port = ports->v[pi].port;
				s->proto = ports->v[pi].proto;
				snprintf(s->family, sizeof(s->family), "%s", c->family);
				snprintf(s->table, sizeof(s->table), "%s", c->table);
				snprintf(s->chain, sizeof(s->chain), "%s", c->name);
				snprintf(s->hook, sizeof(s->hook), "%s %s", c->type ? c->type : "",
					 c->hook ? c->hook : "");
				snprintf(s->owner, sizeof(s->owner), "%s",
					 is_fail2ban(d) ? "fail2ban" : owner);
				make_fix(c, d, owner, s->port, s->proto, s->fix, sizeof(s->fix));
				if (he_fw_report_add_shadow(rep, s) < 0)
					return -ENOMEM;
			}
		}
	}
	return 0;
}
