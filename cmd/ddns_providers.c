/* SPDX-License-Identifier: MIT */
/*
 * homeexpose ddns providers [--json]: every DNS provider of lib/ddns's table
 * and every dyndns2 preset, with the [ddns NAME] keys each reads. Nothing
 * here knows a provider: it prints what the tables say.
 *
 * JSON: { "providers": [ { name, title, kind ("api", "dyndns2-preset"),
 *         provider, preset (or null), server (or null), families ["A", "AAAA"],
 *         keys: [ { key, required, secret, help } ] } ... ], "count": N }
 */
#include <stdio.h>
#include <string.h>

#include "ddns/ddns.h"
#include "ddns/dyndns2.h"
#include "ddns_providers.h"

static json_t *families_json(unsigned f)
{
	json_t *a = json_array();

	if (f & HE_DDNS_FAM_A)
		json_array_append_new(a, json_string("A"));
	if (f & HE_DDNS_FAM_AAAA)
		json_array_append_new(a, json_string("AAAA"));
	return a;
}

/* p's keys; skip_preset leaves out 'preset' (a preset entry names it already). */
static json_t *keys_json(const struct he_ddns_provider *p, bool skip_preset)
{
	json_t *a = json_array();

	for (const struct he_ddns_key *k = p->keys; k && k->name; k++) {
		if (skip_preset && !strcmp(k->name, "preset"))
			continue;
		json_array_append_new(
		    a, json_pack("{s:s, s:b, s:b, s:s}", "key", k->name, "required",
				 (k->flags & HE_DDNS_KEY_REQUIRED) != 0, "secret",
				 (k->flags & HE_DDNS_KEY_SECRET) != 0, "help", k->help));
	}
	return a;
}

static json_t *providers_json(void)
{
	const struct he_ddns_provider *const *all, *dd = he_ddns_provider_find("dyndns2");
	const struct he_dyndns2_preset *presets;
	json_t *arr = json_array();
	size_t n, np;

	all = he_ddns_providers(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s, s:s, s:n, s:n, s:o, s:o}", "name", all[i]->name,
			      "title", all[i]->title ? all[i]->title : all[i]->name, "kind", "api",
			      "provider", all[i]->name, "preset", "server", "families",
			      families_json(all[i]->families), "keys", keys_json(all[i], false)));
	presets = he_dyndns2_presets(&np);
	for (size_t i = 0; dd && i < np; i++) {
		if (!presets[i].server)
			continue; /* "custom": the dyndns2 entry above covers it */
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "name",
				   presets[i].name, "title", presets[i].server, "kind",
				   "dyndns2-preset", "provider", "dyndns2", "preset",
				   presets[i].name, "server", presets[i].server, "families",
				   families_json(dd->families), "keys", keys_json(dd, true)));
	}
	return json_pack("{s:o, s:I}", "providers", arr, "count", (json_int_t)json_array_size(arr));
}

static void print_keys(json_t *keys)
{
	json_t *k;
	size_t i;

	json_array_foreach(keys, i, k)
	{
		bool req = json_is_true(json_object_get(k, "required"));
		bool sec = json_is_true(json_object_get(k, "secret"));

		printf("    %-14s %-17s %s\n", json_string_value(json_object_get(k, "key")),
		       req && sec ? "required, secret"
		       : req      ? "required"
		       : sec      ? "secret"
				  : "optional",
		       json_string_value(json_object_get(k, "help")));
	}
}

int he_ddns_providers_print(struct he_cli *cli)
{
	json_t *doc = providers_json(), *p;
	size_t i;
	bool header = false;

	if (!doc) {
		he_errorf(cli, "out of memory");
		return HE_EXIT_FAIL;
	}
	if (cli->json) {
		he_json_print(doc);
		return HE_EXIT_OK;
	}
	printf("%lld services. In [ddns NAME]: provider = NAME and the keys below.\n\n",
	       (long long)json_integer_value(json_object_get(doc, "count")));
	json_array_foreach(json_object_get(doc, "providers"), i, p)
	{
		const char *kind = json_string_value(json_object_get(p, "kind"));
		json_t *fam = json_object_get(p, "families");
		char fams[16];

		snprintf(fams, sizeof(fams), "%s%s%s", json_string_value(json_array_get(fam, 0)),
			 json_array_size(fam) > 1 ? " " : "",
			 json_array_size(fam) > 1 ? json_string_value(json_array_get(fam, 1)) : "");
		if (!strcmp(kind, "api")) {
			printf("%-14s %-7s %s\n", json_string_value(json_object_get(p, "name")),
			       fams, json_string_value(json_object_get(p, "title")));
			print_keys(json_object_get(p, "keys"));
			continue;
		}
		if (!header) {
			printf("\ndyndns2 presets: provider = dyndns2, preset = NAME, and these "
			       "keys:\n");
			print_keys(json_object_get(p, "keys"));
			printf("\n");
			header = true;
		}
		printf("  %-12s %-7s %s\n", json_string_value(json_object_get(p, "name")), fams,
		       json_string_value(json_object_get(p, "server")));
	}
	json_decref(doc);
	return HE_EXIT_OK;
}
