/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dns_answer.c - libFuzzer target for the DNS answer parser the ddns
 * verification reads records back with (a server's answer is untrusted).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/rfc2136.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fams[2] = {AF_INET, AF_INET6};
	uint8_t *copy;

	if (size < 2)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (int i = 0; i < 2; i++) {
		struct he_rfc2136_addrs out;
		struct he_error err;
		uint16_t id = (uint16_t)((data[0] << 8) | data[1]);

		if (he_rfc2136_parse_answer(copy, size, id, "nas.home.example", fams[i], &out,
					    &err) == 0) {
			if (out.n > HE_RFC2136_MAX_ADDR)
				abort();
			for (size_t k = 0; k < out.n; k++) {
				unsigned char bin[16];

				if (inet_pton(fams[i], out.addr[k], bin) != 1)
					abort();
			}
		}
	}
	free(copy);
	return 0;
}
