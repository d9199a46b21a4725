/* SPDX-License-Identifier: MIT */
/* wait.c - poll until an absolute deadline (wait.h). */
#include "core/wait.h"

#include <errno.h>
#include <poll.h>

#include "core/clock.h"

int he_wait_fd(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int64_t left = deadline_ms - he_now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}
