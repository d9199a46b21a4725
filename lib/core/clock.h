/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the one monotonic millisecond clock for deadlines and timings,
 * and the one wait on a descriptor until such a deadline.
 *
 * Owner: lib/core. Signed, so "deadline - he_now_ms()" is simply negative
 * once a deadline has passed.
 */
#ifndef HE_CORE_CLOCK_H
#define HE_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC (not wall time; only differences mean anything). */
int64_t he_now_ms(void);

/*
 * The one wait on a descriptor until a deadline (he_now_ms clock): poll for
 * events, EINTR retried. 1 ready, 0 the deadline passed (also when it already
 * had), -errno on a poll error.
 */
int he_wait_fd(int fd, short events, int64_t deadline_ms);

#endif
