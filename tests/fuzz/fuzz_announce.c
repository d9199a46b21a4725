/* SPDX-License-Identifier: MIT */
/*
 * fuzz_announce.c - libFuzzer target for the PCP / NAT-PMP announcement
 * decoder and the sender check (anyone on the link can send a datagram to
 * 224.0.0.1:5350 or [ff02::1]:5350).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/announce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct he_announce a, before;
	uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees over-reads */
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&a, 0x5a, sizeof(a));
	before = a;
	ret = he_announce_decode(copy, size, &a);
	if (ret != 0 && memcmp(&a, &before, sizeof(a)))
		abort(); /* untouched on failure */
	if (ret == 0) {
		if (a.kind != HE_ANNOUNCE_PCP && a.kind != HE_ANNOUNCE_NATPMP)
			abort();
		if (a.has_addr != (a.kind == HE_ANNOUNCE_NATPMP))
			abort();
		/* the sender check: the input's tail as the sender's text */
		memset(a.from, 0, sizeof(a.from));
		memcpy(a.from, data, size < sizeof(a.from) - 1 ? size : sizeof(a.from) - 1);
		if (he_announce_from_router(&a, "", "") || he_announce_from_router(&a, NULL, NULL))
			abort(); /* nothing is from an unknown router */
		if (!he_announce_from_router(&a, a.from[0] ? a.from : "x", "fe80::1") && a.from[0])
			abort(); /* the gateway itself always is */
	}
	free(copy);
	return 0;
}
