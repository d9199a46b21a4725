/* SPDX-License-Identifier: MIT */
/*
 * nft_rs.h - the parsed `nft -j list ruleset` shared by the analysis files;
 * private to lib/firewall.
 *
 * Owner: lib/firewall. nft_ruleset.c loads the JSON into chains and sets,
 * nft_match.c decides one match expression, nft_shadow.c walks the base
 * chains for drops, nft_json.c compares our own table and is the entry point.
 */
#ifndef HE_FIREWALL_NFT_RS_H
#define HE_FIREWALL_NFT_RS_H

#include <jansson.h>
#include <string.h>

#include "firewall/fw_internal.h"

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
	json_t *dev;    /* borrowed: a netdev/ingress chain's device(s), or NULL */
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
	int ipv;            /* 4 or 6: the family of the packet */
	const char *wan_if; /* the interface it comes in on, NULL unknown */
	uint32_t mark;      /* its mark when this chain sees it */
	int uncertain;      /* a MAYBE accept/return/vmap came before */
	int maybe_drop;     /* a MAYBE drop was seen (where_maybe holds it) */
	char where[192];    /* what dropped */
	char where_maybe[192];
	const struct nchain *drop_chain; /* the chain whose rule or policy dropped */
};

static inline const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* nft_ruleset.c */
int he_nrs_load(const char *json, size_t len, struct ruleset *rs, struct he_error *err);
void he_nrs_free(struct ruleset *rs);
struct nchain *he_nrs_find_chain(const struct ruleset *rs, const char *family, const char *table,
				 const char *name);
struct nset *he_nrs_find_set(const struct ruleset *rs, const char *family, const char *table,
			     const char *name);

/* nft_match.c */
const char *he_nrs_proto_name(unsigned proto);
/* Does match expression M (in chain C) hold for the packet of CX? */
enum tri he_nrs_match(const struct evalctx *cx, const struct nchain *c, json_t *m);

/* nft_shadow.c */
int he_nrs_table_has_ufw(const struct ruleset *rs, const char *family, const char *table);
int he_nrs_shadows(const struct ruleset *rs, const struct he_fw_ports *ports, unsigned flags,
		   const struct he_nft_view *view, struct he_fw_report *rep);

#endif
