/* SPDX-License-Identifier: MIT */
/*
 * schema.h - typed configuration keys, validated as they are set.
 *
 * Owner: lib/config. A section is described by a table of struct he_key; each
 * key knows its type, bounds and where its value lives in the target struct.
 * Unknown keys get a "did you mean" suggestion.
 */
#ifndef HE_CONFIG_SCHEMA_H
#define HE_CONFIG_SCHEMA_H

#include <stddef.h>

enum he_key_type {
	HE_KT_STRING, /* char[size] */
	HE_KT_PATH,   /* char[size], absolute path */
	HE_KT_SECRET, /* char[size], absolute path of a secret file (checked later) */
	HE_KT_BOOL,   /* bool: yes/no/true/false/on/off/1/0 */
	HE_KT_UINT,   /* unsigned, min..max */
	HE_KT_ENUM,   /* char[size], one of choices */
	HE_KT_WORDS,  /* char[size], space/comma separated words each one of choices, no repeats */
	HE_KT_PORTS,  /* struct he_portlist */
	HE_KT_HOST,   /* char[size], host name or address, optional :port */
};

struct he_key {
	const char *name;
	enum he_key_type type;
	size_t off;
	size_t size;
	unsigned long min, max;
	const char *const *choices; /* NULL-terminated */
};

/* Find a key by name; NULL if unknown. */
const struct he_key *he_key_find(const struct he_key *keys, const char *name);

/*
 * Set key from value into target. Returns 0, or -EINVAL with a message in
 * msg (value problems) or -ENOENT (unknown key, msg holds a suggestion).
 */
int he_key_set(const struct he_key *keys, void *target, const char *key, const char *value,
	       char *msg, size_t msglen);

/* Parse a boolean word; -EINVAL if not one. */
int he_parse_bool(const char *s, int *out);

/* Closest name in a NULL-terminated list (edit distance <= 2), or NULL. */
const char *he_suggest(const char *word, const char *const *names);

#endif
