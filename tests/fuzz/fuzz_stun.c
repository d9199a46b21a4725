/* SPDX-License-Identifier: MIT */
/*
 * fuzz_stun.c - libFuzzer target for the STUN response decoder (a STUN
 * server's answer is untrusted input). Checks the decoder's promises, not
 * just crashes. The first 12 bytes of the seeds' transaction ids are taken
 * from the input itself (bytes 8..19) so mutations reach the attribute walk.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "publicip/stun_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_stun_response r, before;
	uint8_t tid[HE_STUN_TID_LEN] = {0};
	uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees over-reads */
	char text[64];
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= HE_STUN_HDR_LEN)
		memcpy(tid, data + 8, HE_STUN_TID_LEN);
	memset(&r, 0xa5, sizeof(r));
	before = r;
	ret = he_stun_decode(copy, size, tid, &r);
	if (ret != 0 && memcmp(&r, &before, sizeof(r)))
		abort(); /* output must stay untouched on failure */
	if (ret == 0) {
		if (size < HE_STUN_HDR_LEN || size > HE_STUN_MAX_LEN || (size & 3))
			abort();
		if (r.is_error && (r.error_code < 300 || r.error_code > 699 || r.family))
			abort();
		if (!r.is_error && r.family != AF_INET && r.family != AF_INET6)
			abort();
		if (!memchr(r.reason, 0, sizeof(r.reason)) ||
		    !memchr(r.software, 0, sizeof(r.software)))
			abort();
		he_stun_addr_str(&r, text, sizeof(text));
		if (!r.is_error && !text[0])
			abort();
	}
	if (ret != 0 && ret != -EBADMSG && ret != -ENOMSG && ret != -EPROTO)
		abort();
	free(copy);
	return 0;
}
