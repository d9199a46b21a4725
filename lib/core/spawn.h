/* SPDX-License-Identifier: MIT */
/*
 * spawn.h - run an external tool with an argument vector and capture it.
 *
 * Owner: lib/core. The only way library code runs another program: no shell,
 * no system()/popen(). The child gets /dev/null as stdin, its stdout and
 * stderr are captured (each capped at HE_SPAWN_OUT_MAX bytes, the rest is
 * read and dropped), and it is killed (SIGKILL) when the timeout passes.
 * This is also the link-time seam unit tests wrap (-Wl,--wrap=he_spawn_run).
 */
#ifndef HE_CORE_SPAWN_H
#define HE_CORE_SPAWN_H

#include <stddef.h>

#include "core/error.h"

#define HE_SPAWN_OUT_MAX (1024 * 1024)

struct he_spawn_result {
	int exit_code;   /* exit status 0..255, or -1 when killed by a signal */
	int term_signal; /* the signal that ended the child, 0 when it exited */
	int timed_out;   /* 1 when homeexpose killed it at the timeout */
	char *out;       /* captured stdout, NUL-terminated (never NULL on success) */
	size_t out_len;
	char *err; /* captured stderr, NUL-terminated (never NULL on success) */
	size_t err_len;
};

/*
 * Run argv[0] (looked up in PATH when it has no '/') with argv, wait at most
 * timeout_ms (<= 0: 10 s). Returns 0 when the program ran (whatever its exit
 * status: look at res->exit_code), -ENOENT when it is not installed, another
 * -errno on a local failure. On success the caller owns res and frees it with
 * he_spawn_result_free(); on failure res is left zeroed.
 */
int he_spawn_run(const char *const argv[], int timeout_ms, struct he_spawn_result *res,
		 struct he_error *err);

/* Free the captured output. Accepts NULL and a zeroed struct. */
void he_spawn_result_free(struct he_spawn_result *res);

#endif
