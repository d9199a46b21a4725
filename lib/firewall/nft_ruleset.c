/* SPDX-License-Identifier: MIT */
/* nft_ruleset.c - load `nft -j list ruleset` into chains (with their rules) and sets. */
#include "firewall/nft_rs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void he_nrs_free(struct ruleset *rs)
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

struct nchain *he_nrs_find_chain(const struct ruleset *rs, const char *family, const char *table,
				 const char *name)
{
	for (size_t i = 0; i < rs->nchains; i++) {
		struct nchain *c = &rs->chains[i];

		if (streq(c->family, family) && streq(c->table, table) && streq(c->name, name))
			return c;
	}
	return NULL;
}

struct nset *he_nrs_find_set(const struct ruleset *rs, const char *family, const char *table,
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

int he_nrs_load(const char *json, size_t len, struct ruleset *rs, struct he_error *err)
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
		he_nrs_free(rs);
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
			c->dev = json_object_get(o, "dev");
			if (!he_nrs_find_chain(rs, c->family, c->table, c->name))
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
			    !he_nrs_find_set(rs, s->family, s->table, s->name))
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
		c = he_nrs_find_chain(rs, jstr(o, "family"), jstr(o, "table"), jstr(o, "chain"));
		if (!c || !json_is_array(expr))
			continue;
		h = json_object_get(o, "handle");
		if (add_rule(c, expr, json_is_integer(h) ? json_integer_value(h) : -1) < 0)
			goto oom;
	}
	return 0;
oom:
	he_nrs_free(rs);
	return he_error_set(err, -ENOMEM, "out of memory");
}
