/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.h - per-source token buckets for the reflector (pure).
 *
 * Owner: lib/reach. One bucket per source: an IPv4 address, or an IPv6 /64
 * (one home gets a whole /64, so its addresses share a bucket); an
 * IPv4-mapped IPv6 address counts as the IPv4 address. The table has a fixed
 * number of slots; when full, the fullest bucket is reused (a full one holds
 * nothing worth keeping), the least recently used among equals. Time
 * is passed in (milliseconds, monotonic), so tests need no clock.
 */
#ifndef HE_REACH_RATELIMIT_H
#define HE_REACH_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define HE_RL_SLOTS  1024
#define HE_RL_KEYLEN 17

struct he_ratelimit {
	double per_ms; /* tokens added per millisecond */
	double burst;  /* bucket size */
	struct {
		uint8_t key[17]; /* family byte + 16 address bytes; all zero: free */
		double tokens;
		int64_t last_ms;
	} v[HE_RL_SLOTS];
};

/* per_minute requests sustained, burst at once (both >= 1). */
void he_ratelimit_init(struct he_ratelimit *rl, unsigned per_minute, unsigned burst);

/* Take one token for the source sa at now_ms; false when over the limit. */
bool he_ratelimit_take(struct he_ratelimit *rl, const struct sockaddr *sa, int64_t now_ms);

/* Give back the token of a request that was not served (e.g. answered 503). */
void he_ratelimit_refund(struct he_ratelimit *rl, const struct sockaddr *sa);

/* The bucket key of sa: family byte + the IPv4 address or the IPv6 /64. */
void he_ratelimit_key(const struct sockaddr *sa, uint8_t key[HE_RL_KEYLEN]);

/* Milliseconds until sa may ask again (0: now); for Retry-After. */
int64_t he_ratelimit_wait_ms(const struct he_ratelimit *rl, const struct sockaddr *sa,
			     int64_t now_ms);

#endif
