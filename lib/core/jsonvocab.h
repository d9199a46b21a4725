/* SPDX-License-Identifier: MIT */
/*
 * jsonvocab.h - what every JSON document homeexpose writes shares: the
 * vocabulary's version (docs/json.md, docs/schema/homeexpose.schema.json)
 * and "missing is null, never an empty string".
 *
 * Owner: lib/core. Used by cmd/ (every --json document) and lib/ where a
 * document is built there (ddns status, the agent's control replies).
 */
#ifndef HE_CORE_JSONVOCAB_H
#define HE_CORE_JSONVOCAB_H

#include <stddef.h>

/* The version of the JSON vocabulary; each document says it as schema_version. */
#define HE_JSON_SCHEMA_VERSION 1

/* s, or NULL for "" (json_pack's "s?" then writes null). */
static inline const char *he_json_nz(const char *s)
{
	return s && *s ? s : NULL;
}

#endif
