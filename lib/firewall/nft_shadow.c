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
			enum tri t = he_nrs_match(cx, c, o);

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
			const struct nchain *tc =
			    he_nrs_find_chain(cx->rs, c->family, c->table, target);
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

static void make_fix(const struct nchain *c, const char *owner, uint16_t port, unsigned proto,
		     char *buf, size_t len)
{
	const char *p = he_nrs_proto_name(proto);

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

int he_nrs_shadows(const struct ruleset *rs, const struct he_fw_ports *ports, unsigned flags,
		   struct he_fw_report *rep)
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
