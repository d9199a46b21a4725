/* SPDX-License-Identifier: MIT */
/*
 * dyndns2.h - the dyndns2 (/nic/update) reply parser and presets, exposed
 * for the unit tests and the fuzzer.
 *
 * Owner: lib/ddns (dyndns2.c).
 */
#ifndef HE_DDNS_DYNDNS2_H
#define HE_DDNS_DYNDNS2_H

#include <stdbool.h>
#include <stddef.h>

#include "ddns/ddns.h"

/* A service speaking dyndns2, and how it takes each family's address. */
struct he_dyndns2_preset {
	const char *name;     /* the config's preset = NAME */
	const char *server;   /* host (https) */
	const char *v4_param; /* query key for an IPv4 address */
	const char *v6_param; /* query key for an IPv6 address */
	const char *keep;  /* value for the other family's key so it stays ("preserve"), or NULL */
	bool v4_only;      /* the service takes no AAAA this way: records must say families = A */
	const char *title; /* the service, for listings */
};

/* All presets (for `ddns providers` and the docs); *n set to how many. */
const struct he_dyndns2_preset *he_dyndns2_presets(size_t *n);

/* The preset called name, NULL if none. */
const struct he_dyndns2_preset *he_dyndns2_preset(const char *name);

/* Every preset, in table order (for listings and `ddns import`). */
const struct he_dyndns2_preset *he_dyndns2_presets(size_t *n);

/* The preset whose server is host (a host name, or a URL whose host it is), NULL if none. */
const struct he_dyndns2_preset *he_dyndns2_preset_by_server(const char *host);

/* The meaning of one /nic/update reply; returns HE_DDNS_DONE (ans filled). */
int he_dyndns2_parse(long status, const char *body, size_t len, struct he_ddns_answer *ans);

#endif
