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

/* Called at each "[section]" header (the name as the key callback gets it). */
typedef void (*he_ini_section_fn)(void *user, const char *section, int line);

/* Lines longer than this are reported and ignored. */
#define HE_INI_MAX_LINE 1000

/*
 * Parse a file. Syntax errors and over-long lines become diagnostics named
 * after the file. Returns 0, or -errno when the file cannot be read or is a
 * directory (also added as a diagnostic).
 *
 * Syntax beyond inih's: leading white space is ignored (no continuation
 * lines), and '#' or ';' after white space starts a comment, so a value
 * cannot hold " #" or " ;".
 */
int he_ini_parse_file(const char *path, he_ini_fn fn, void *user, struct he_diags *d);

/* Parse text held in memory; name is used in diagnostics. */
int he_ini_parse_string(const char *name, const char *text, he_ini_fn fn, void *user,
			struct he_diags *d);

/* The same, calling sfn at every section header too (sfn may be NULL). */
int he_ini_parse_file_sections(const char *path, he_ini_fn fn, he_ini_section_fn sfn, void *user,
			       struct he_diags *d);
int he_ini_parse_string_sections(const char *name, const char *text, he_ini_fn fn,
				 he_ini_section_fn sfn, void *user, struct he_diags *d);

#endif
