/* SPDX-License-Identifier: MIT */
#include "core/clock.h"
#include "agent/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct handler {
	struct handler *next;
	int fd;
	bool dead;
	he_loop_fd_cb cb;
	void *ctx;
	struct he_loop_timer *timer; /* set for timer handlers */
};

struct he_loop_timer {
	struct he_loop *loop;
	struct handler *h;
	he_loop_timer_cb cb;
	void *ctx;
	uint64_t deadline_ms; /* 0: disarmed */
};

struct he_loop {
	int epfd;
	int sigfd;
	sigset_t oldmask;
	bool stop;
	struct handler *handlers;
	he_loop_signal_cb on_signal;
	void *sig_ctx;
};

static struct handler *handler_add(struct he_loop *l, int fd, uint32_t events, he_loop_fd_cb cb,
				   void *ctx, struct he_error *err)
{
	struct handler *h = calloc(1, sizeof(*h));
	struct epoll_event ev = {.events = events};

	if (!h) {
		he_error_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	h->fd = fd;
	h->cb = cb;
	h->ctx = ctx;
	ev.data.ptr = h;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		he_error_set(err, -errno, "epoll_ctl(ADD, fd %d): %s", fd, strerror(errno));
		free(h);
		return NULL;
	}
	h->next = l->handlers;
	l->handlers = h;
	return h;
}

static void on_sigfd(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (l->on_signal)
			l->on_signal(l, (int)si.ssi_signo, l->sig_ctx);
		else if (si.ssi_signo != SIGHUP)
			l->stop = true;
	}
}

int he_loop_new(he_loop_signal_cb on_signal, void *ctx, struct he_loop **out, struct he_error *err)
{
	struct he_loop *l = calloc(1, sizeof(*l));
	sigset_t set;
	int r;

	if (!l)
		return he_error_set(err, -ENOMEM, "out of memory");
	l->sigfd = -1;
	l->on_signal = on_signal;
	l->sig_ctx = ctx;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		r = he_error_set(err, -errno, "epoll_create1: %s", strerror(errno));
		free(l);
		return r;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, &l->oldmask) < 0) {
		r = he_error_set(err, -errno, "sigprocmask: %s", strerror(errno));
		goto fail;
	}
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sigfd < 0) {
		r = he_error_set(err, -errno, "signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
		goto fail;
	}
	if (!handler_add(l, l->sigfd, EPOLLIN, on_sigfd, NULL, err)) {
		r = err->code;
		close(l->sigfd);
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
		goto fail;
	}
	*out = l;
	return 0;
fail:
	close(l->epfd);
	free(l);
	return r;
}

static void sweep(struct he_loop *l)
{
	struct handler **pp = &l->handlers;

	while (*pp) {
		struct handler *h = *pp;

		if (h->dead) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
}

void he_loop_free(struct he_loop *l)
{
	struct handler *h, *next;

	if (!l)
		return;
	for (h = l->handlers; h; h = next) {
		next = h->next;
		if (h->timer) {
			close(h->fd);
			free(h->timer);
		}
		free(h);
	}
	if (l->sigfd >= 0) {
		close(l->sigfd);
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	}
	close(l->epfd);
	free(l);
}

int he_loop_add_fd(struct he_loop *l, int fd, uint32_t events, he_loop_fd_cb cb, void *ctx,
		   struct he_error *err)
{
	return handler_add(l, fd, events, cb, ctx, err) ? 0 : err->code;
}

int he_loop_mod_fd(struct he_loop *l, int fd, uint32_t events)
{
	for (struct handler *h = l->handlers; h; h = h->next) {
		if (h->fd == fd && !h->dead && !h->timer) {
			struct epoll_event ev = {.events = events, .data.ptr = h};

			return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
		}
	}
	return -ENOENT;
}

void he_loop_del_fd(struct he_loop *l, int fd)
{
	for (struct handler *h = l->handlers; h; h = h->next) {
		if (h->fd == fd && !h->dead && !h->timer) {
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			h->dead = true;
			return;
		}
	}
}

static void on_timerfd(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	struct he_loop_timer *t = ctx;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return; /* re-armed meanwhile: not expired */
	t->deadline_ms = 0;
	t->cb(l, t, t->ctx);
}

int he_loop_timer_new(struct he_loop *l, he_loop_timer_cb cb, void *ctx, struct he_loop_timer **out,
		      struct he_error *err)
{
	struct he_loop_timer *t = calloc(1, sizeof(*t));
	int fd;

	if (!t)
		return he_error_set(err, -ENOMEM, "out of memory");
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		free(t);
		return he_error_set(err, -errno, "timerfd_create: %s", strerror(errno));
	}
	t->loop = l;
	t->cb = cb;
	t->ctx = ctx;
	t->h = handler_add(l, fd, EPOLLIN, on_timerfd, t, err);
	if (!t->h) {
		close(fd);
		free(t);
		return err->code;
	}
	t->h->timer = t;
	*out = t;
	return 0;
}

int he_loop_timer_arm(struct he_loop_timer *t, uint64_t ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (ms) {
		its.it_value.tv_sec = (time_t)(ms / 1000);
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	}
	if (timerfd_settime(t->h->fd, 0, &its, NULL) < 0)
		return -errno;
	t->deadline_ms = ms ? he_now_ms() + ms : 0;
	return 0;
}

int he_loop_timer_arm_before(struct he_loop_timer *t, uint64_t ms)
{
	if (he_loop_timer_remaining(t) <= ms)
		return 0;
	return he_loop_timer_arm(t, ms ? ms : 1);
}

uint64_t he_loop_timer_remaining(const struct he_loop_timer *t)
{
	uint64_t now;

	if (!t->deadline_ms)
		return UINT64_MAX;
	now = he_now_ms();
	return t->deadline_ms > now ? t->deadline_ms - now : 0;
}

void he_loop_timer_del(struct he_loop_timer *t)
{
	if (!t)
		return;
	epoll_ctl(t->loop->epfd, EPOLL_CTL_DEL, t->h->fd, NULL);
	close(t->h->fd);
	t->h->fd = -1;
	t->h->timer = NULL;
	t->h->dead = true;
	free(t);
}

int he_loop_run(struct he_loop *l, struct he_error *err)
{
	struct epoll_event ev[16];

	l->stop = false;
	while (!l->stop) {
		int n = epoll_wait(l->epfd, ev, 16, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return he_error_set(err, -errno, "epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct handler *h = ev[i].data.ptr;

			if (!h->dead)
				h->cb(l, h->fd, ev[i].events, h->ctx);
		}
		sweep(l);
	}
	return 0;
}

void he_loop_stop(struct he_loop *l)
{
	l->stop = true;
}
