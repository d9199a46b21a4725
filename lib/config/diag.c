/* SPDX-License-Identifier: MIT */
#include "config/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void he_diags_add(struct he_diags *d, enum he_diag_level level, const char *file, int line,
		  const char *fmt, ...)
{
	char buf[1024];
	struct he_diag *dg;
	va_list ap;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct he_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return; /* out of memory: the diagnostic is lost, not the program */
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dg = &d->v[d->n];
	dg->level = level;
	dg->file = file ? strdup(file) : NULL;
	dg->line = line;
	dg->msg = strdup(buf);
	if (!dg->msg) {
		free(dg->file);
		return;
	}
	d->n++;
	if (level == HE_DIAG_ERROR)
		d->nerrors++;
}

void he_diag_format(const struct he_diag *dg, char *buf, size_t len)
{
	const char *lvl = dg->level == HE_DIAG_WARNING ? "warning: " : "";

	if (dg->file && dg->line > 0)
		snprintf(buf, len, "%s:%d: %s%s", dg->file, dg->line, lvl, dg->msg);
	else if (dg->file)
		snprintf(buf, len, "%s: %s%s", dg->file, lvl, dg->msg);
	else
		snprintf(buf, len, "%s%s", lvl, dg->msg);
}

void he_diags_free(struct he_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = d->nerrors = 0;
}
