/* SPDX-License-Identifier: MIT */
/*
 * fuzz_natpmp.c - libFuzzer target for the NAT-PMP reply decoder (a router's
 * reply is untrusted input). Checks the decoder's promises, not just crashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portmap/natpmp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_natpmp_reply r, before;
	uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees over-reads */
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&r, 0xa5, sizeof(r));
	before = r;
	ret = he_natpmp_decode(copy, size, &r);
	if (ret != 0 && memcmp(&r, &before, sizeof(r)))
		abort(); /* output untouched on failure */
	if (ret == 0) {
		if (size < 8 || r.opcode > HE_NATPMP_OP_MAP_TCP)
			abort();
		if (r.result == 0 && size < (r.opcode == HE_NATPMP_OP_PUBLICADDR ? 12u : 16u))
			abort();
	}
	if (ret != 0 && ret != -EBADMSG && ret != -EPROTO)
		abort();
	(void)he_natpmp_result_explain(ret == 0 ? r.result : 0);
	free(copy);
	return 0;
}
