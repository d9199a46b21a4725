/* SPDX-License-Identifier: MIT */
/* clock.c - monotonic milliseconds. */
#include "core/clock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>

int64_t he_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
