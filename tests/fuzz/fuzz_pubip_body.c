/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pubip_body.c - libFuzzer target for the "what is my IP" body parser
 * (a check service's answer is untrusted input).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "publicip/sources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fams[2] = {AF_INET, AF_INET6};
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (int i = 0; i < 2; i++) {
		char out[64];
		unsigned char bin[16];
		struct he_error err;

		if (he_pubip_parse_body(copy, size, fams[i], out, sizeof(out), &err) == 0 &&
		    inet_pton(fams[i], out, bin) != 1)
			abort(); /* the output is an address of the asked family */
	}
	free(copy);
	return 0;
}
