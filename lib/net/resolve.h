/* SPDX-License-Identifier: MIT */
/*
 * resolve.h - getaddrinfo with a deadline.
 *
 * Owner: lib/net. glibc's resolver can hang far past any deadline of ours
 * (a dead name server: 5 s per try and server, per family). The lookup runs
 * on a detached thread; the caller waits at most timeout_ms and then goes on
 * without it (the thread frees its own result when it ends later).
 */
#ifndef HE_NET_RESOLVE_H
#define HE_NET_RESOLVE_H

#include <netdb.h>

#include "core/error.h"

/*
 * Like getaddrinfo(host, service, hints, res), waiting at most timeout_ms.
 * 0 with *res set (freeaddrinfo() it); -ETIMEDOUT when the resolver did not
 * answer in time, -ENOENT for no such name / no data, -EAGAIN for another
 * resolver failure, -ENOMEM; err names the host and the cause.
 */
int he_resolve(const char *host, const char *service, const struct addrinfo *hints, int timeout_ms,
	       struct addrinfo **res, struct he_error *err);

#endif
