/* SPDX-License-Identifier: MIT */
/* resolve.c - getaddrinfo on a detached thread, waited for up to a deadline. */
#include "net/resolve.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lookup {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs; /* the caller and the thread */
	bool done;
	char *host, *service;
	struct addrinfo hints;
	struct addrinfo *res;
	int rc;
};

static void lookup_put(struct lookup *l)
{
	bool last;

	pthread_mutex_lock(&l->mu);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	if (l->res)
		freeaddrinfo(l->res);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l->host);
	free(l->service);
	free(l);
}

static void *lookup_thread(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(l->host, l->service, &l->hints, &res);

	pthread_mutex_lock(&l->mu);
	l->res = res;
	l->rc = rc;
	l->done = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	lookup_put(l);
	return NULL;
}

static int lookup_new(const char *host, const char *service, const struct addrinfo *hints,
		      struct lookup **out)
{
	struct lookup *l = calloc(1, sizeof(*l));
	pthread_condattr_t ca;

	if (!l)
		return -ENOMEM;
	l->refs = 2;
	l->host = strdup(host);
	l->service = service ? strdup(service) : NULL;
	if (hints)
		l->hints = *hints;
	l->hints.ai_addr = NULL;
	l->hints.ai_canonname = NULL;
	l->hints.ai_next = NULL;
	if (!l->host || (service && !l->service)) {
		free(l->host);
		free(l->service);
		free(l);
		return -ENOMEM;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = l;
	return 0;
}

int he_resolve(const char *host, const char *service, const struct addrinfo *hints, int timeout_ms,
	       struct addrinfo **res, struct he_error *err)
{
	struct lookup *l = NULL;
	struct timespec until;
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	if (lookup_new(host, service, hints, &l) < 0)
		return he_error_set(err, -ENOMEM, "resolving %s: out of memory", host);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, lookup_thread, l);
	pthread_attr_destroy(&attr);
	if (rc) {
		l->refs = 1;
		lookup_put(l);
		return he_error_set(err, -rc, "resolving %s: cannot start a thread: %s", host,
				    strerror(rc));
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->mu);
	while (!l->done && pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT)
		;
	if (l->done) {
		rc = l->rc;
		*res = l->res;
		l->res = NULL;
	} else {
		rc = EAI_AGAIN;
	}
	bool done = l->done;
	pthread_mutex_unlock(&l->mu);
	lookup_put(l);
	if (!done)
		return he_error_set(err, -ETIMEDOUT,
				    "%s: the resolver did not answer within %d ms (check this "
				    "host's resolver in /etc/resolv.conf)",
				    host, timeout_ms);
	if (rc == 0)
		return 0;
	return he_error_set(err, rc == EAI_NONAME || rc == EAI_NODATA ? -ENOENT : -EAGAIN,
			    "%s does not resolve: %s", host, gai_strerror(rc));
}
