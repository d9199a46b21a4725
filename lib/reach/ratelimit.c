/* SPDX-License-Identifier: MIT */
/* ratelimit.c - per-source token buckets (IPv4 /32, IPv6 /64). */
#include "reach/ratelimit.h"

#include <netinet/in.h>
#include <string.h>

void he_ratelimit_init(struct he_ratelimit *rl, unsigned per_minute, unsigned burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->per_ms = (per_minute ? per_minute : 1) / 60000.0;
	rl->burst = burst ? burst : 1;
}

void he_ratelimit_key(const struct sockaddr *sa, uint8_t key[HE_RL_KEYLEN])
{
	memset(key, 0, 17);
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = 4;
			memcpy(key + 1, a->s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a->s6_addr, 8); /* the /64 */
		}
	} else {
		key[0] = 0xff;
	}
}

static int find(const struct he_ratelimit *rl, const uint8_t key[17])
{
	for (int i = 0; i < HE_RL_SLOTS; i++)
		if (!memcmp(rl->v[i].key, key, 17))
			return i;
	return -1;
}

static double level(const struct he_ratelimit *rl, int i, int64_t now_ms)
{
	double t = rl->v[i].tokens + (double)(now_ms - rl->v[i].last_ms) * rl->per_ms;

	return t > rl->burst ? rl->burst : t;
}

bool he_ratelimit_take(struct he_ratelimit *rl, const struct sockaddr *sa, int64_t now_ms)
{
	uint8_t key[17];
	int i;

	he_ratelimit_key(sa, key);
	i = find(rl, key);
	if (i < 0) {
		/*
		 * A free slot, else the fullest bucket (a full one holds nothing
		 * worth keeping: a new bucket starts full), the least recently
		 * used among equals. A drained bucket goes last, so many passing
		 * prefixes cannot reset a limited source's bucket.
		 */
		double best = -1.0;

		i = 0;
		for (int j = 0; j < HE_RL_SLOTS; j++) {
			double l;

			if (!rl->v[j].key[0]) {
				i = j;
				break;
			}
			l = level(rl, j, now_ms);
			if (l > best || (l == best && rl->v[j].last_ms < rl->v[i].last_ms)) {
				best = l;
				i = j;
			}
		}
		memcpy(rl->v[i].key, key, 17);
		rl->v[i].tokens = rl->burst;
		rl->v[i].last_ms = now_ms;
	}
	rl->v[i].tokens = level(rl, i, now_ms);
	rl->v[i].last_ms = now_ms;
	if (rl->v[i].tokens < 1.0)
		return false;
	rl->v[i].tokens -= 1.0;
	return true;
}

int64_t he_ratelimit_wait_ms(const struct he_ratelimit *rl, const struct sockaddr *sa,
			     int64_t now_ms)
{
	uint8_t key[17];
	int i;
	double t;

	he_ratelimit_key(sa, key);
	i = find(rl, key);
	if (i < 0)
		return 0;
	t = level(rl, i, now_ms);
	return t >= 1.0 ? 0 : (int64_t)((1.0 - t) / rl->per_ms) + 1;
}

void he_ratelimit_refund(struct he_ratelimit *rl, const struct sockaddr *sa)
{
	uint8_t key[HE_RL_KEYLEN];
	int i;

	he_ratelimit_key(sa, key);
	i = find(rl, key);
	if (i >= 0 && rl->v[i].tokens + 1.0 <= rl->burst)
		rl->v[i].tokens += 1.0;
}
