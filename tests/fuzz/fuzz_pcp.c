/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pcp.c - libFuzzer target for the PCP reply decoder (a router's reply
 * is untrusted input). Checks the decoder's promises, not just crashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portmap/pcp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_pcp_reply r, before;
	uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees over-reads */
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&r, 0xa5, sizeof(r));
	before = r;
	ret = he_pcp_decode(copy, size, &r);
	if (ret == -EBADMSG && memcmp(&r, &before, sizeof(r)))
		abort(); /* output must stay untouched on failure */
	if (ret == 0) {
		if (size < HE_PCP_HDR_LEN || size > HE_PCP_MAX_LEN || (size & 3))
			abort();
		if (r.has_map && size < HE_PCP_MAP_LEN)
			abort();
		if (r.version == HE_PCP_VERSION && r.opcode == HE_PCP_OP_MAP &&
		    r.result == HE_PCP_SUCCESS && !r.has_map)
			abort();
	}
	if (ret != 0 && ret != -EBADMSG && ret != -EPROTO)
		abort();
	(void)he_pcp_result_explain(r.result);
	free(copy);
	return 0;
}
