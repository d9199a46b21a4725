/* SPDX-License-Identifier: MIT */
/*
 * fuzz_import.h - what every `ddns import` result must be, for the two
 * import fuzzers: at most HE_DDNS_IMPORT_MAX records, each named, with a
 * provider, a hostname and a secret, and their rendering loads through the
 * configuration loader without an error, every record.
 */
#ifndef HE_FUZZ_IMPORT_H
#define HE_FUZZ_IMPORT_H

#include <stdlib.h>

#include "ddns/import.h"

/* What every import result must be. */
static void promises(const struct he_ddns_import *im)
{
	static struct he_config cfg;
	struct he_diags d = {0};
	char *text;

	if (im->n > HE_DDNS_IMPORT_MAX)
		abort();
	for (size_t i = 0; i < im->n; i++)
		if (!*im->rec[i].name || !*im->rec[i].provider || !*im->rec[i].hostname ||
		    (!im->rec[i].secret && !*im->rec[i].secret_path))
			abort();
	text = he_ddns_render(im->rec, im->n, "/etc/homeexpose/secrets");
	if (!text)
		abort();
	he_config_defaults(&cfg, "/etc/homeexpose/homeexpose.conf");
	/* what the import wrote, the configuration's loader takes, every record */
	if (he_config_load_string(&cfg, "fuzz", text, &d) != 0 || cfg.nddns != im->n)
		abort();
	he_diags_free(&d);
	free(text);
}

#endif
