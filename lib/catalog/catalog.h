/* SPDX-License-Identifier: MIT */
/*
 * catalog.h - service profiles: which ports a known service needs.
 *
 * Owner: lib/catalog. Profiles are small INI files (one or more [NAME]
 * sections: title, ports, note, local-only, reason), shipped in
 * /usr/share/homeexpose/services and overridable, profile by profile, from
 * /etc/homeexpose/services. Names not in the catalog are looked up in
 * /etc/services (getservbyname), TCP first.
 */
#ifndef HE_CATALOG_CATALOG_H
#define HE_CATALOG_CATALOG_H

#include <limits.h>
#include <stdbool.h>

#include "config/config.h"
#include "config/diag.h"
#include "core/portspec.h"

struct he_profile {
	char name[HE_NAME_MAX];
	char title[128];
	char note[256];
	struct he_portlist ports;
	bool local_only;  /* never to be exposed without --force */
	char reason[256]; /* why local-only */
	char file[PATH_MAX];
	int line;
	int ports_line; /* where 'ports' was given, 0 if not */
};

struct he_catalog {
	struct he_profile *v;
	size_t n;
};

/*
 * Load every *.conf from each directory in order; a profile in a later
 * directory replaces one of the same name from an earlier one (so pass the
 * shipped catalog first, the local override directory last). Missing
 * directories are skipped. Bad profiles become diagnostics and are left out.
 */
int he_catalog_load(const char *const *dirs, size_t ndirs, struct he_catalog *out,
		    struct he_diags *d);

/* Parse profiles from text (for tests and the fuzzer) into cat (appending/replacing). */
int he_catalog_parse(struct he_catalog *cat, const char *file, const char *text,
		     struct he_diags *d);

void he_catalog_free(struct he_catalog *cat);

const struct he_profile *he_catalog_find(const struct he_catalog *cat, const char *name);

/*
 * Resolve a SERVICE word: a catalog profile, else an /etc/services name.
 * On success fills ports (and *profile when it came from the catalog, else
 * NULL) and a short description of where it came from in origin.
 */
int he_service_resolve(const struct he_catalog *cat, const char *name, struct he_portlist *ports,
		       const struct he_profile **profile, char *origin, size_t originlen,
		       struct he_error *err);

#endif
