/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ssdp.c - libFuzzer target for the SSDP answer parser (any host on the
 * LAN may answer an M-SEARCH).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "portmap/ssdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), loc[256];
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(loc, 'x', sizeof(loc));
	ret = he_ssdp_parse(copy, size, loc, sizeof(loc));
	if (ret == 0) {
		if (!memchr(loc, '\0', sizeof(loc)) || strncasecmp(loc, "http://", 7))
			abort(); /* a terminated http:// URL */
		for (const char *p = loc; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				abort(); /* no spaces or control characters in it */
	} else if (ret != -EBADMSG) {
		abort();
	}
	free(copy);
	return 0;
}
