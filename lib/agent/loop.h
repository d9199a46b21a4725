/* SPDX-License-Identifier: MIT */
/*
 * loop.h - the agent's one event loop: epoll over file descriptors, timerfd
 * timers and a signalfd for SIGHUP / SIGTERM / SIGINT. No sleeping, no
 * polling: the process blocks in epoll_wait until something happens.
 *
 * Owner: lib/agent. Single-threaded. The signals are blocked for the whole
 * process while the loop exists (signalfd receives them) and unblocked again
 * by he_loop_free. A handler may add or remove descriptors and timers,
 * itself included, while it runs.
 */
#ifndef HE_AGENT_LOOP_H
#define HE_AGENT_LOOP_H

#include <stdint.h>

#include "core/error.h"

struct he_loop;
struct he_loop_timer;

typedef void (*he_loop_fd_cb)(struct he_loop *l, int fd, uint32_t events, void *ctx);
typedef void (*he_loop_timer_cb)(struct he_loop *l, struct he_loop_timer *t, void *ctx);
typedef void (*he_loop_signal_cb)(struct he_loop *l, int signo, void *ctx);

/* A loop with SIGHUP, SIGTERM and SIGINT routed to on_signal (may be NULL). */
int he_loop_new(he_loop_signal_cb on_signal, void *ctx, struct he_loop **out, struct he_error *err);
void he_loop_free(struct he_loop *l);

/* Watch fd for events (EPOLLIN ...). The loop does not own fd. */
int he_loop_add_fd(struct he_loop *l, int fd, uint32_t events, he_loop_fd_cb cb, void *ctx,
		   struct he_error *err);
/* Change the events watched on fd (0: none, e.g. a listener at its cap). */
int he_loop_mod_fd(struct he_loop *l, int fd, uint32_t events);
/* Stop watching fd (safe inside its own callback). */
void he_loop_del_fd(struct he_loop *l, int fd);

/* A disarmed timer (CLOCK_MONOTONIC timerfd). Freed by he_loop_free or he_loop_timer_del. */
int he_loop_timer_new(struct he_loop *l, he_loop_timer_cb cb, void *ctx, struct he_loop_timer **out,
		      struct he_error *err);
/* Fire once after ms milliseconds (0 disarms). Re-arming replaces the previous deadline. */
int he_loop_timer_arm(struct he_loop_timer *t, uint64_t ms);
/* Fire after ms unless the timer is already armed to fire sooner. */
int he_loop_timer_arm_before(struct he_loop_timer *t, uint64_t ms);
/* Milliseconds until it fires; UINT64_MAX when disarmed. */
uint64_t he_loop_timer_remaining(const struct he_loop_timer *t);
void he_loop_timer_del(struct he_loop_timer *t);

/* Run until he_loop_stop. Returns 0, or -errno when epoll itself failed. */
int he_loop_run(struct he_loop *l, struct he_error *err);
void he_loop_stop(struct he_loop *l);

#endif
