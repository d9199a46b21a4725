/* SPDX-License-Identifier: MIT */
/*
 * diag.h - a list of configuration diagnostics, each "file:line: message".
 *
 * Owner: lib/config. The parser collects every problem it finds instead of
 * stopping at the first, so `homeexpose config check` can show them all.
 */
#ifndef HE_CONFIG_DIAG_H
#define HE_CONFIG_DIAG_H

#include <stddef.h>

enum he_diag_level { HE_DIAG_ERROR, HE_DIAG_WARNING };

struct he_diag {
	enum he_diag_level level;
	char *file; /* may be NULL for whole-program problems */
	int line;   /* 0 when not tied to a line */
	char *msg;
};

struct he_diags {
	struct he_diag *v;
	size_t n, cap;
	size_t nerrors;
};

void he_diags_add(struct he_diags *d, enum he_diag_level level, const char *file, int line,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Format one as "file:line: [warning: ]message" into buf. */
void he_diag_format(const struct he_diag *dg, char *buf, size_t len);
/* Free the entries (the struct itself may be on the stack). Accepts NULL. */
void he_diags_free(struct he_diags *d);

#endif
