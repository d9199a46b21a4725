/* SPDX-License-Identifier: MIT */
/*
 * connset.h - the connections accepted from one listening socket (the control
 * socket, the metrics listener), bounded in number and in time.
 *
 * Owner: lib/agent. At most MAX connections at once: at the cap the listener
 * is not polled (the kernel's backlog holds the rest) until one closes. Each
 * connection lives at most TIMEOUT_MS; then its close callback runs. When
 * accept() fails for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
 * ENOMEM) the listener is not polled for a second, so the loop never spins on
 * a connection it cannot take.
 *
 *   while (he_connset_room(cs) && (fd = accept4(...)) >= 0) he_connset_add(...);
 *   he_connset_accept_done(cs, fd < 0 ? errno : 0);
 *   ... and he_connset_del() before closing a connection.
 */
#ifndef HE_AGENT_CONNSET_H
#define HE_AGENT_CONNSET_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/loop.h"
#include "core/error.h"

struct he_connset;

/* Close the connection fd (and call he_connset_del): its time is up. */
typedef void (*he_connset_expire_cb)(struct he_loop *l, int fd, void *conn_ctx);

/* Watch listener lfd (EPOLLIN, on_accept with ctx) through the set. */
int he_connset_new(struct he_loop *l, int lfd, he_loop_fd_cb on_accept, void *ctx, unsigned max,
		   unsigned timeout_ms, struct he_connset **out, struct he_error *err);
/* Free the set (not the connections, not the listener). Accepts NULL. */
void he_connset_free(struct he_connset *cs);

/* May one more connection be accepted? */
bool he_connset_room(const struct he_connset *cs);
/* Track fd (already accepted) until he_connset_del or its deadline. */
int he_connset_add(struct he_connset *cs, int fd, he_connset_expire_cb expire, void *conn_ctx);
/* Forget fd (it is being closed); polls the listener again below the cap. */
void he_connset_del(struct he_connset *cs, int fd);
/*
 * After an accept loop: e is the errno that ended it (0 or EAGAIN: none).
 * Returns true when it was a lack of resources (the caller may count it).
 */
bool he_connset_accept_done(struct he_connset *cs, int e);

unsigned he_connset_count(const struct he_connset *cs);
/* Is the listener not being polled right now (cap or back-off)? */
bool he_connset_paused(const struct he_connset *cs);

#endif
