/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the one monotonic millisecond clock for deadlines and timings
 * (the one wait on a descriptor until such a deadline: core/wait.h).
 *
 * Owner: lib/core. Signed, so "deadline - he_now_ms()" is simply negative
 * once a deadline has passed.
 */
#ifndef HE_CORE_CLOCK_H
#define HE_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC (not wall time; only differences mean anything). */
int64_t he_now_ms(void);

#endif
