/* SPDX-License-Identifier: MIT */
/* A progress line on stderr while a step waits (see progress.h). */
#include "progress.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

#define TICK_MS 100

struct he_progress {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int64_t start_ms;
	char label[160];
};

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_nsec += ms * 1000000L;
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

/* Wait HE_PROGRESS_DELAY_MS, then redraw the line every TICK_MS until done. */
static void *watch(void *arg)
{
	struct he_progress *p = arg;
	struct timespec ts;
	bool shown = false;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	add_ms(&ts, HE_PROGRESS_DELAY_MS);
	pthread_mutex_lock(&p->mu);
	while (!p->done) {
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT)
			continue;
		fprintf(stderr, "\r\033[K%s ... %.1f s", p->label,
			(double)(he_now_ms() - p->start_ms) / 1000.0);
		fflush(stderr);
		shown = true;
		add_ms(&ts, TICK_MS);
	}
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct he_progress *he_progress_start(const struct he_cli *cli, const char *label)
{
	const char *term = getenv("TERM");
	struct he_progress *p;
	pthread_condattr_t ca;

	if (cli->verbosity < 0 || !isatty(STDERR_FILENO) || (term && !strcmp(term, "dumb")))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL; /* a progress line is a nicety */
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->start_ms = he_now_ms();
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, watch, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void he_progress_stop(struct he_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
