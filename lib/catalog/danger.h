/* SPDX-License-Identifier: MIT */
/*
 * danger.h - ports never to expose without --force, each with its reason.
 *
 * Owner: lib/catalog. Checked against both the external and the internal
 * port of every spec (8443:445 still exposes SMB).
 */
#ifndef HE_CATALOG_DANGER_H
#define HE_CATALOG_DANGER_H

#include <stddef.h>
#include <stdint.h>

#include "core/portspec.h"

struct he_danger {
	uint16_t lo, hi;  /* inclusive port range */
	unsigned proto;   /* he_proto flags it applies to */
	const char *what; /* the service usually found there */
	const char *reason;
};

/* The whole list (for `homeexpose services`), terminated by lo == 0. */
const struct he_danger *he_danger_list(void);

/* The entry matching port/proto, or NULL. */
const struct he_danger *he_danger_find(uint16_t port, unsigned proto);

struct he_danger_hit {
	struct he_portspec spec;
	uint16_t port; /* the port that matched (ext or internal) */
	const struct he_danger *d;
};

/* Every dangerous port in a list; returns the number of hits written (<= max). */
size_t he_danger_check(const struct he_portlist *l, struct he_danger_hit *hits, size_t max);

#endif
