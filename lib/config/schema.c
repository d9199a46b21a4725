/* SPDX-License-Identifier: MIT */
#include "config/schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/portspec.h"

const struct he_key *he_key_find(const struct he_key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

int he_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1", NULL};
	static const char *const no[] = {"no", "false", "off", "0", NULL};

	for (int i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						    tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

const char *he_suggest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (; *names; names++) {
		size_t d = edit_distance(word, *names);

		if (d < bestd) {
			bestd = d;
			best = *names;
		}
	}
	return best;
}

static int key_suggestion(const struct he_key *keys, const char *key, char *msg, size_t len)
{
	const char *names[64];
	size_t n = 0;
	const char *s;

	for (const struct he_key *k = keys; k->name && n < 63; k++)
		names[n++] = k->name;
	names[n] = NULL;
	s = he_suggest(key, names);
	if (s)
		snprintf(msg, len, "unknown key '%s' (did you mean '%s'?)", key, s);
	else
		snprintf(msg, len, "unknown key '%s'", key);
	return -ENOENT;
}

static int set_string(const struct he_key *k, char *dst, const char *value, char *msg, size_t len)
{
	if (strlen(value) >= k->size) {
		snprintf(msg, len, "%s: value too long (at most %zu characters)", k->name,
			 k->size - 1);
		return -EINVAL;
	}
	for (const char *p = value; *p; p++) {
		if ((unsigned char)*p < 0x20) {
			snprintf(msg, len, "%s: control character in value", k->name);
			return -EINVAL;
		}
	}
	strcpy(dst, value);
	return 0;
}

static bool in_choices(const char *const *choices, const char *w, size_t wl)
{
	for (; *choices; choices++)
		if (strlen(*choices) == wl && strncasecmp(*choices, w, wl) == 0)
			return true;
	return false;
}

static void join_choices(const char *const *choices, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; choices[i] && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", choices[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

static int check_words(const struct he_key *k, const char *value, char *msg, size_t len)
{
	char list[256];
	const char *seen[16];
	size_t nseen = 0;
	const char *p = value;

	while (*p) {
		size_t wl;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		wl = strcspn(p, " \t,");
		if (!in_choices(k->choices, p, wl)) {
			join_choices(k->choices, list, sizeof(list));
			snprintf(msg, len, "%s: '%.*s' is not one of: %s", k->name, (int)wl, p,
				 list);
			return -EINVAL;
		}
		for (size_t i = 0; i < nseen; i++) {
			if (strncasecmp(seen[i], p, wl) == 0 &&
			    (seen[i][wl] == '\0' || strchr(" \t,", seen[i][wl]))) {
				snprintf(msg, len, "%s: '%.*s' listed twice", k->name, (int)wl, p);
				return -EINVAL;
			}
		}
		if (nseen < 16)
			seen[nseen++] = p;
		p += wl;
	}
	if (nseen == 0) {
		snprintf(msg, len, "%s: empty list", k->name);
		return -EINVAL;
	}
	return 0;
}

static int check_host(const struct he_key *k, const char *value, char *msg, size_t len)
{
	for (const char *p = value; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]_", *p)) {
			snprintf(msg, len, "%s: '%s' is not a host name or address", k->name,
				 value);
			return -EINVAL;
		}
	}
	if (!*value) {
		snprintf(msg, len, "%s: empty host", k->name);
		return -EINVAL;
	}
	return 0;
}

int he_key_set(const struct he_key *keys, void *target, const char *key, const char *value,
	       char *msg, size_t len)
{
	const struct he_key *k = he_key_find(keys, key);
	char *dst;
	char list[256];
	int b, r;

	if (!k)
		return key_suggestion(keys, key, msg, len);
	dst = (char *)target + k->off;
	switch (k->type) {
	case HE_KT_STRING:
		return set_string(k, dst, value, msg, len);
	case HE_KT_PATH:
	case HE_KT_SECRET:
		/* a secret may also be a systemd credential: credential:NAME */
		if (k->type == HE_KT_SECRET && strncmp(value, "credential:", 11) == 0) {
			if (!value[11] || strchr(value + 11, '/')) {
				snprintf(msg, len, "%s: '%s' is not a valid credential name",
					 k->name, value);
				return -EINVAL;
			}
			return set_string(k, dst, value, msg, len);
		}
		if (value[0] != '/') {
			snprintf(msg, len, "%s: '%s' is not an absolute path", k->name, value);
			return -EINVAL;
		}
		return set_string(k, dst, value, msg, len);
	case HE_KT_HOST:
		r = check_host(k, value, msg, len);
		return r < 0 ? r : set_string(k, dst, value, msg, len);
	case HE_KT_BOOL:
		if (he_parse_bool(value, &b) < 0) {
			snprintf(msg, len, "%s: '%s' is not a boolean (use yes or no)", k->name,
				 value);
			return -EINVAL;
		}
		*(bool *)dst = b;
		return 0;
	case HE_KT_UINT: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(value, &end, 10);
		if (!isdigit((unsigned char)value[0]) || *end || errno) {
			snprintf(msg, len, "%s: '%s' is not a number", k->name, value);
			return -EINVAL;
		}
		if (v < k->min || v > k->max) {
			snprintf(msg, len, "%s: %lu is out of range (%lu-%lu)", k->name, v, k->min,
				 k->max);
			return -EINVAL;
		}
		*(unsigned *)dst = (unsigned)v;
		return 0;
	}
	case HE_KT_ENUM:
		if (!in_choices(k->choices, value, strlen(value))) {
			join_choices(k->choices, list, sizeof(list));
			snprintf(msg, len, "%s: '%s' is not one of: %s", k->name, value, list);
			return -EINVAL;
		}
		return set_string(k, dst, value, msg, len);
	case HE_KT_WORDS:
		r = check_words(k, value, msg, len);
		return r < 0 ? r : set_string(k, dst, value, msg, len);
	case HE_KT_PORTS: {
		struct he_portlist pl = {0};
		struct he_error err;

		if (he_portlist_parse(&pl, value, &err) < 0) {
			snprintf(msg, len, "%s: %s", k->name, err.msg);
			return -EINVAL;
		}
		if (pl.n == 0) {
			snprintf(msg, len, "%s: no ports given", k->name);
			return -EINVAL;
		}
		memcpy(dst, &pl, sizeof(pl));
		return 0;
	}
	}
	snprintf(msg, len, "%s: unsupported key type", k->name);
	return -EINVAL;
}
