/* SPDX-License-Identifier: MIT */
/*
 * ini.h - INI reading with line numbers, on top of inih.
 *
 * Owner: lib/config. inih does the parsing; this wrapper feeds it lines and
 * counts them so every callback and every syntax error carries file:line.
 * Used for homeexpose.conf, the exposure drop-ins and the service catalog.
 */
#ifndef HE_CONFIG_INI_H
#define HE_CONFIG_INI_H

#include "config/diag.h"

/* Called for each "key = value"; return 0 to go on. line is 1-based. */
typedef void (*he_ini_fn)(void *user, const char *section, const char *key, const char *value,
			  int line);

/* Lines longer than this are reported and ignored. */
#define HE_INI_MAX_LINE 1000

/*
 * Parse a file. Syntax errors and over-long lines become diagnostics named
 * after the file. Returns 0, or -errno when the file cannot be read (also
 * added as a diagnostic).
 */
int he_ini_parse_file(const char *path, he_ini_fn fn, void *user, struct he_diags *d);

/* Parse text held in memory; name is used in diagnostics. */
int he_ini_parse_string(const char *name, const char *text, he_ini_fn fn, void *user,
			struct he_diags *d);

#endif
