/* SPDX-License-Identifier: MIT */
/*
 * resolve.h - getaddrinfo that a deadline can cut short.
 *
 * Owner: lib/net. glibc's resolver can hang far past any deadline of ours
 * (a dead name server: 5 s per try and server, per family). A lookup runs on
 * a detached thread and signals an eventfd when it ends; the caller polls
 * that fd beside its other work (he_resolve_start/_fd/_take/_put), or waits
 * for it up to a deadline (he_resolve). A caller that gives up drops its
 * reference; the thread frees the lookup and its result when it ends later.
 */
#ifndef HE_NET_RESOLVE_H
#define HE_NET_RESOLVE_H

#include <netdb.h>
#include <stdbool.h>

#include "core/error.h"

struct he_resolve;

/* Start resolving host/service (either may be NULL as for getaddrinfo). */
int he_resolve_start(const char *host, const char *service, const struct addrinfo *hints,
		     struct he_resolve **out, struct he_error *err);

/* An eventfd that becomes readable when the lookup has ended. */
int he_resolve_fd(const struct he_resolve *r);

/*
 * When the lookup has ended: true, with getaddrinfo's return value in *gai
 * and its result moved to *res (freeaddrinfo() it; NULL on failure). false
 * while it is still running.
 */
bool he_resolve_take(struct he_resolve *r, int *gai, struct addrinfo **res);

/* Drop the caller's reference (a running lookup then cleans up after itself). Accepts NULL. */
void he_resolve_put(struct he_resolve *r);

/*
 * Like getaddrinfo(host, service, hints, res), waiting at most timeout_ms.
 * 0 with *res set (freeaddrinfo() it); -ETIMEDOUT when the resolver did not
 * answer in time, -ENOENT for no such name / no data, -EAGAIN for another
 * resolver failure, -ENOMEM; err names the host and the cause.
 */
int he_resolve(const char *host, const char *service, const struct addrinfo *hints, int timeout_ms,
	       struct addrinfo **res, struct he_error *err);

#endif
