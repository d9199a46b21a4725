/* SPDX-License-Identifier: MIT */
/* Fuzz the configuration parsers: homeexpose.conf, exposure drop-ins, profiles. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "config/config.h"
#include "config/exposure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct he_config cfg; /* large: keep it off the stack */
	struct he_exposure e;
	struct he_catalog cat = {0};
	struct he_diags d = {0};
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	he_config_defaults(&cfg, "/fuzz/homeexpose.conf");
	he_config_load_string(&cfg, "fuzz.conf", text, &d);
	he_exposure_init(&e, "fuzz");
	he_exposure_parse(&e, "fuzz.conf", text, &d);
	free(he_exposure_format(&e));
	he_catalog_parse(&cat, "fuzz.conf", text, &d);
	he_catalog_free(&cat);
	he_diags_free(&d);
	free(text);
	return 0;
}
