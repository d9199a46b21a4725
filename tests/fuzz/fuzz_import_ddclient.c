/* SPDX-License-Identifier: MIT */
/*
 * fuzz_import_ddclient.c - libFuzzer target for the ddclient.conf reader (a
 * file the user hands over, untrusted). Checks the promises, not just
 * crashes: 0 or a documented error, every record named validly with a
 * provider, at most HE_DDNS_IMPORT_MAX records, and the rendering of what
 * was read loads through the configuration loader without an error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddns/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_ddns_import im;
	struct he_error err;
	int r = he_ddns_import_ddclient((const char *)data, size, &im, &err);

	if (r != 0 && r != -ENOMEM && r != -EFBIG)
		abort();
	if (r == 0)
		promises(&im);
	he_ddns_import_free(&im);
	return 0;
}
