/* SPDX-License-Identifier: MIT */
/* connset.c - bounded connections of one listener (connset.h). */
#include "agent/connset.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "core/clock.h"

#define BACKOFF_MS 1000 /* listener rest after EMFILE and the like */

struct conn {
	int fd; /* -1: free */
	int64_t deadline;
	he_connset_expire_cb expire;
	void *ctx;
};

struct he_connset {
	struct he_loop *loop;
	struct he_loop_timer *t;
	int lfd;
	unsigned max, n, timeout_ms;
	bool paused;
	int64_t backoff_until; /* 0: none */
	struct conn *v;
};

static void set_paused(struct he_connset *cs, bool pause)
{
	if (cs->paused == pause)
		return;
	if (he_loop_mod_fd(cs->loop, cs->lfd, pause ? 0 : EPOLLIN) == 0)
		cs->paused = pause;
}

/* Poll the listener when below the cap and not resting; arm the timer. */
static void update(struct he_connset *cs)
{
	int64_t now = he_now_ms(), next = 0;

	if (cs->backoff_until && now >= cs->backoff_until)
		cs->backoff_until = 0;
	set_paused(cs, cs->backoff_until || cs->n >= cs->max);
	if (cs->backoff_until)
		next = cs->backoff_until;
	for (unsigned i = 0; i < cs->max; i++)
		if (cs->v[i].fd >= 0 && (!next || cs->v[i].deadline < next))
			next = cs->v[i].deadline;
	he_loop_timer_arm(cs->t, next ? (uint64_t)(next > now ? next - now : 1) : 0);
}

static void on_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct he_connset *cs = ctx;
	int64_t now = he_now_ms();

	for (unsigned i = 0; i < cs->max; i++) {
		struct conn *c = &cs->v[i];

		if (c->fd >= 0 && c->deadline <= now)
			c->expire(l, c->fd, c->ctx);    /* calls he_connset_del */
		if (c->fd >= 0 && c->deadline <= now) { /* it did not: drop it anyway */
			c->fd = -1;
			cs->n--;
		}
	}
	update(cs);
}

int he_connset_new(struct he_loop *l, int lfd, he_loop_fd_cb on_accept, void *ctx, unsigned max,
		   unsigned timeout_ms, struct he_connset **out, struct he_error *err)
{
	struct he_connset *cs = calloc(1, sizeof(*cs));
	int r;

	if (!cs || !max || !(cs->v = calloc(max, sizeof(*cs->v)))) {
		free(cs);
		return he_error_set(err, -ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < max; i++)
		cs->v[i].fd = -1;
	cs->loop = l;
	cs->lfd = lfd;
	cs->max = max;
	cs->timeout_ms = timeout_ms;
	r = he_loop_timer_new(l, on_timer, cs, &cs->t, err);
	if (r == 0)
		r = he_loop_add_fd(l, lfd, EPOLLIN, on_accept, ctx, err);
	if (r < 0) {
		he_loop_timer_del(cs->t);
		free(cs->v);
		free(cs);
		return r;
	}
	*out = cs;
	return 0;
}

void he_connset_free(struct he_connset *cs)
{
	if (!cs)
		return;
	he_loop_del_fd(cs->loop, cs->lfd);
	he_loop_timer_del(cs->t);
	free(cs->v);
	free(cs);
}

bool he_connset_room(const struct he_connset *cs)
{
	return cs->n < cs->max && !cs->backoff_until;
}

int he_connset_add(struct he_connset *cs, int fd, he_connset_expire_cb expire, void *conn_ctx)
{
	for (unsigned i = 0; i < cs->max; i++) {
		struct conn *c = &cs->v[i];

		if (c->fd >= 0)
			continue;
		c->fd = fd;
		c->deadline = he_now_ms() + cs->timeout_ms;
		c->expire = expire;
		c->ctx = conn_ctx;
		cs->n++;
		update(cs);
		return 0;
	}
	return -ENOSPC;
}

void he_connset_del(struct he_connset *cs, int fd)
{
	for (unsigned i = 0; i < cs->max; i++) {
		if (cs->v[i].fd == fd) {
			cs->v[i].fd = -1;
			cs->n--;
			update(cs);
			return;
		}
	}
}

bool he_connset_accept_done(struct he_connset *cs, int e)
{
	bool starved = e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;

	if (starved)
		cs->backoff_until = he_now_ms() + BACKOFF_MS;
	update(cs);
	return starved;
}

unsigned he_connset_count(const struct he_connset *cs)
{
	return cs->n;
}

bool he_connset_paused(const struct he_connset *cs)
{
	return cs->paused;
}
