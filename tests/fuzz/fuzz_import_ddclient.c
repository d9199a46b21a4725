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
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
