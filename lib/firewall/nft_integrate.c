/* SPDX-License-Identifier: MIT */
/*
 * nft_integrate.c - the one rule homeexpose keeps in another table's chain
 * when asked to (`homeexpose firewall integrate`, [firewall] integrate):
 *
 *     meta mark & BIT == BIT accept comment "homeexpose"
 *
 * inserted at the top of the chain; our own mark chain sets BIT on packets to
 * the ports of our sets, so this rule lets exactly those through. It is found
 * again by its comment and deleted by handle; nothing else in that table is
 * touched.
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int he_nft_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 63 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static const char *js(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

long long he_nft_find_tagged(const char *json, size_t len, const char *family, const char *table,
			     const char *chain)
{
	json_t *root = json_loadb(json, len, 0, NULL), *it;
	long long handle = 0;
	size_t i;

	json_array_foreach(json_object_get(root, "nftables"), i, it)
	{
		json_t *r = json_object_get(it, "rule");

		if (json_is_object(r) && !strcmp(js(r, "family"), family) &&
		    !strcmp(js(r, "table"), table) && !strcmp(js(r, "chain"), chain) &&
		    !strcmp(js(r, "comment"), "homeexpose") &&
		    json_is_integer(json_object_get(r, "handle")))
			handle = json_integer_value(json_object_get(r, "handle"));
	}
	json_decref(root);
	return handle;
}

static int check_names(const char *family, const char *table, const char *chain,
		       struct he_error *err)
{
	if (!family || (strcmp(family, "inet") && strcmp(family, "ip") && strcmp(family, "ip6")))
		return he_error_set(err, -EINVAL,
				    "family '%s': the integration rule goes in an inet, ip or ip6 "
				    "table",
				    family ? family : "");
	if (!he_nft_name_ok(table) || !he_nft_name_ok(chain))
		return he_error_set(err, -EINVAL, "'%s %s' is not a table and chain name nft takes",
				    table ? table : "", chain ? chain : "");
	return 0;
}

int he_nft_integrate_find(const char *family, const char *table, const char *chain,
			  struct he_error *err)
{
	char *json = NULL;
	long long h;
	int rc = check_names(family, table, chain, err);

	if (rc < 0)
		return rc;
	rc = he_nft_list_ruleset(&json, err);
	if (rc < 0)
		return rc;
	h = he_nft_find_tagged(json, strlen(json), family, table, chain);
	free(json);
	return h > 0 && h < 0x7fffffff ? (int)h : 0;
}

int he_nft_integrate(uint32_t mark, const char *family, const char *table, const char *chain,
		     int remove, struct he_error *err)
{
	char cmd[512];
	int h = he_nft_integrate_find(family, table, chain, err);

	if (h < 0)
		return h;
	if (remove && !h)
		return 0;
	if (!remove && h)
		return 0;
	if (remove)
		snprintf(cmd, sizeof(cmd), "delete rule %s %s %s handle %d\n", family, table, chain,
			 h);
	else
		snprintf(cmd, sizeof(cmd), "insert rule %s %s %s " HE_NFT_INTEGRATE_FMT "\n",
			 family, table, chain, mark, mark);
	return he_nft_run(cmd, 0, NULL, err);
}
