/* SPDX-License-Identifier: MIT */
/*
 * wait.h - wait for a descriptor until an absolute deadline (he_now_ms()).
 *
 * Owner: lib/core. For I/O that must not outlive its deadline however the
 * peer trickles (the reflector's probes and its TLS).
 */
#ifndef HE_CORE_WAIT_H
#define HE_CORE_WAIT_H

#include <stdint.h>

/* Poll fd for events until deadline_ms: 1 ready, 0 the deadline passed, -errno. */
int he_wait_fd(int fd, short events, int64_t deadline_ms);

#endif
