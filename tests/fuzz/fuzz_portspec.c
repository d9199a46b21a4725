/* SPDX-License-Identifier: MIT */
/* Fuzz port specification lists (command line and drop-ins). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/portspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_portlist l = {0};
	struct he_error err;
	char out[HE_PORTSPEC_MAX * 24];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (he_portlist_parse(&l, text, &err) == 0) {
		struct he_portlist again = {0};

		/* what we print must parse back to the same list */
		he_portlist_format(&l, out, sizeof(out));
		if (he_portlist_parse(&again, out, &err) != 0 || again.n != l.n ||
		    memcmp(again.v, l.v, l.n * sizeof(l.v[0])) != 0)
			abort();
	}
	free(text);
	return 0;
}
