/* SPDX-License-Identifier: MIT */
/*
 * exposure.h - the exposure drop-ins, one file per exposure.
 *
 * Owner: lib/config. EXPOSURES_DIR/NAME.conf holds one [exposure] section;
 * `open` writes it (atomically), `close` removes it, people and
 * config-management tools may write them too. The file name is the name.
 */
#ifndef HE_CONFIG_EXPOSURE_H
#define HE_CONFIG_EXPOSURE_H

#include <limits.h>
#include <stdbool.h>

#include "config/config.h"
#include "config/diag.h"
#include "core/portspec.h"

enum he_family {
	HE_FAMILY_BOTH = 0,
	HE_FAMILY_IPV4 = 1,
	HE_FAMILY_IPV6 = 2,
};

struct he_exposure {
	char name[HE_NAME_MAX];
	char file[PATH_MAX];
	struct he_portlist ports;
	char service[HE_NAME_MAX]; /* catalog profile it came from, if any */
	bool router;               /* ask the router for a mapping */
	bool firewall;             /* open the host firewall */
	char family[8];            /* both, ipv4, ipv6 */
	unsigned lease;            /* 0: the [router] lease */
	char to[HE_HOST_MAX];      /* another LAN host, named explicitly */
	bool force;                /* dangerous ports were accepted with --force */
	int ports_line;            /* line of 'ports' in file (0: unknown) */
};

struct he_exposures {
	struct he_exposure *v;
	size_t n;
};

/* Is this a valid exposure name ([A-Za-z0-9][A-Za-z0-9._-]*, < 64)? */
bool he_exposure_name_valid(const char *name);

/* Fill defaults for a new exposure called name. */
void he_exposure_init(struct he_exposure *e, const char *name);

/* Parse one drop-in's text (name from the file name). Diagnostics to d. */
int he_exposure_parse(struct he_exposure *e, const char *file, const char *text,
		      struct he_diags *d);

/*
 * The never-expose check (lib/catalog/danger.h) for every path that applies an
 * exposure: 0 when no port of E is on the list or E has force = yes, else
 * -EPERM with "FILE:LINE: port N/PROTO (WHAT) is never exposed without force:
 * REASON; ..." in err. he_exposure_parse() runs it, so a drop-in that fails it
 * is a `config check` error and is left out by he_exposures_load(); the
 * exposure engine calls it again before applying anything.
 */
int he_exposure_check_danger(const struct he_exposure *e, struct he_error *err);

/*
 * Load every *.conf in dir, sorted by name. A missing directory is an empty
 * list. Bad files become diagnostics; they are left out of the list.
 */
int he_exposures_load(const char *dir, struct he_exposures *out, struct he_diags *d);
void he_exposures_free(struct he_exposures *l);

/* Find by name; NULL if absent. */
struct he_exposure *he_exposures_find(struct he_exposures *l, const char *name);

/* Render as drop-in text (malloc'd). */
char *he_exposure_format(const struct he_exposure *e);

/* Write dir/NAME.conf atomically (creates dir). */
int he_exposure_save(const char *dir, struct he_exposure *e, struct he_error *err);

/* Remove dir/NAME.conf; -ENOENT if there is none. */
int he_exposure_remove(const char *dir, const char *name, struct he_error *err);

#endif
