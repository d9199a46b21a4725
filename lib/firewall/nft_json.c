/* SPDX-License-Identifier: MIT */
/*
 * nft_json.c - read `nft -j list ruleset`: is homeexpose's table intact
 * (drift); the entry point of the analysis (the shadow walk is nft_shadow.c).
 */
#include "firewall/nft_rs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does our chain hold "PROTO dport @PROTO_ports accept"? */
static int own_rule_ok(const struct nchain *c, unsigned proto)
{
	char setref[32];

	snprintf(setref, sizeof(setref), "@%s_ports", he_nrs_proto_name(proto));
	for (size_t ri = 0; c && ri < c->nrules; ri++) {
		json_t *expr = c->rules[ri];
		json_t *m = json_object_get(json_array_get(expr, 0), "match");
		json_t *pl = json_object_get(json_object_get(m, "left"), "payload");

		if (json_array_size(expr) == 2 && streq(jstr(m, "op"), "==") &&
		    streq(jstr(pl, "protocol"), he_nrs_proto_name(proto)) &&
		    streq(jstr(pl, "field"), "dport") && streq(jstr(m, "right"), setref) &&
		    json_object_get(json_array_get(expr, 1), "accept"))
			return 1;
	}
	return 0;
}

/*
 * One element of our set: a port or a range FIRST-LAST (an interval set).
 * 1 with *lo..*hi and *comment, 0 for anything we never add.
 */
static int own_elem(json_t *e, json_int_t *lo, json_int_t *hi, const char **comment)
{
	json_t *w = json_object_get(e, "elem");
	json_t *val = w ? json_object_get(w, "val") : e;
	json_t *r = json_object_get(val, "range");

	*comment = jstr(w, "comment");
	if (json_is_integer(val)) {
		*lo = *hi = json_integer_value(val);
	} else if (json_array_size(r) == 2 && json_is_integer(json_array_get(r, 0)) &&
		   json_is_integer(json_array_get(r, 1))) {
		*lo = json_integer_value(json_array_get(r, 0));
		*hi = json_integer_value(json_array_get(r, 1));
	} else {
		return 0;
	}
	return *lo >= 1 && *lo <= *hi && *hi <= 65535;
}

static int analyze_own(const struct ruleset *rs, const struct he_fw_ports *ports, uint32_t mark,
		       struct he_fw_report *rep)
{
	const struct nchain *in = he_nrs_find_chain(rs, "inet", HE_NFT_TABLE, "input");
	const struct nchain *mk = he_nrs_find_chain(rs, "inet", HE_NFT_TABLE, "mark_ports");
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

		snprintf(sname, sizeof(sname), "%s_ports", he_nrs_proto_name(proto));
		set = he_nrs_find_set(rs, "inet", HE_NFT_TABLE, sname);
		/* desired ports present with the right comment */
		for (size_t pi = 0; pi < ports->n; pi++) {
			const struct he_fw_port *p = &ports->v[pi];
			int found = 0, same = 0;

			if (p->proto != proto)
				continue;
			json_array_foreach(set ? set->elem : NULL, i, e)
			{
				json_int_t lo, hi;
				const char *cm;

				if (own_elem(e, &lo, &hi, &cm) && lo <= p->port && p->port <= hi) {
					found = 1;
					same = streq(cm, p->comment);
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
		/* elements (or ports of a range) no longer wanted */
		json_array_foreach(set ? set->elem : NULL, i, e)
		{
			json_int_t lo, hi;
			const char *cm;

			if (!own_elem(e, &lo, &hi, &cm)) {
				in_sync = 0; /* an element we never add */
				continue;
			}
			for (json_int_t v = lo; v <= hi; v++) {
				if (he_fw_ports_find(ports, (uint16_t)v, proto))
					continue;
				if (he_fw_report_add_extra(rep, (uint16_t)v, proto, cm) < 0)
					return -ENOMEM;
				in_sync = 0;
			}
		}
		if (ports->n && (!set || !rule_ok))
			in_sync = 0;
	}
	/* the mark chain: on the input hook before filter chains, one rule per set */
	if (mark &&
	    (!mk || !streq(mk->hook, "input") || mk->prio != HE_NFT_MARK_PRIO || mk->nrules != 2))
		in_sync = 0;
	if (!ports->n)
		in_sync = !present;
	else if (!in)
		in_sync = 0;
	rep->in_sync = in_sync;
	return 0;
}

int he_nft_analyze(const char *json, size_t len, const struct he_fw_ports *ports, unsigned flags,
		   const struct he_nft_view *view, struct he_fw_report *rep, struct he_error *err)
{
	struct ruleset rs;
	int rc;

	rc = he_nrs_load(json, len, &rs, err);
	if (rc < 0)
		return rc;
	if (flags & HE_NFT_OWN_STATE)
		rc = analyze_own(&rs, ports, view ? view->mark : 0, rep);
	if (rc == 0 && !(flags & HE_NFT_NO_SHADOW))
		rc = he_nrs_shadows(&rs, ports, flags, view, rep);
	he_nrs_free(&rs);
	if (rc < 0)
		return he_error_set(err, rc, "out of memory");
	return 0;
}

int he_nft_ruleset_has_ufw(const char *json, size_t len)
{
	struct ruleset rs;
	int found = 0;

	if (he_nrs_load(json, len, &rs, NULL) < 0)
		return 0;
	for (size_t i = 0; i < rs.nchains && !found; i++)
		found = he_nrs_table_has_ufw(&rs, rs.chains[i].family, rs.chains[i].table);
	he_nrs_free(&rs);
	return found;
}
