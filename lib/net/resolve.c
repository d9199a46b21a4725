/* SPDX-License-Identifier: MIT */
/* resolve.c - getaddrinfo on a detached thread, signalled through an eventfd. */
#include "core/clock.h"
#include "net/resolve.h"
#include "core/wait.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/*
 * Shared by the thread and the caller; whoever drops the last reference
 * frees it. The thread signals the eventfd under the lock while it still
 * holds its reference, so the fd is open then.
 */
struct he_resolve {
	pthread_mutex_t mu;
	int refs;
	int efd;
	bool done;
	int gai;
	struct addrinfo *res;
	struct addrinfo hints;
	char *host, *service;
};

static void resolve_free(struct he_resolve *r)
{
	if (r->res)
		freeaddrinfo(r->res);
	if (r->efd >= 0)
		close(r->efd);
	pthread_mutex_destroy(&r->mu);
	free(r->host);
	free(r->service);
	free(r);
}

void he_resolve_put(struct he_resolve *r)
{
	bool last;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->mu);
	if (last)
		resolve_free(r);
}

static void *resolve_thread(void *arg)
{
	struct he_resolve *r = arg;
	struct addrinfo *res = NULL;
	uint64_t one = 1;
	int gai = getaddrinfo(r->host, r->service, &r->hints, &res);

	pthread_mutex_lock(&r->mu);
	r->gai = gai;
	r->res = res;
	r->done = true;
	if (write(r->efd, &one, sizeof(one)) < 0)
		r->gai = gai; /* an eventfd write cannot fail short of overflow */
	pthread_mutex_unlock(&r->mu);
	he_resolve_put(r);
	return NULL;
}

int he_resolve_start(const char *host, const char *service, const struct addrinfo *hints,
		     struct he_resolve **out, struct he_error *err)
{
	struct he_resolve *r = calloc(1, sizeof(*r));
	pthread_attr_t attr;
	pthread_t th;
	int ret;

	if (!r)
		return he_error_set(err, -ENOMEM, "resolving %s: out of memory", host);
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->efd < 0) {
		ret = -errno;
		free(r);
		return he_error_set(err, ret, "resolving %s: eventfd: %s", host, strerror(-ret));
	}
	pthread_mutex_init(&r->mu, NULL);
	r->refs = 1;
	if (hints)
		r->hints = *hints;
	r->hints.ai_addr = NULL;
	r->hints.ai_canonname = NULL;
	r->hints.ai_next = NULL;
	r->host = host ? strdup(host) : NULL;
	r->service = service ? strdup(service) : NULL;
	if ((host && !r->host) || (service && !r->service)) {
		resolve_free(r);
		return he_error_set(err, -ENOMEM, "resolving %s: out of memory", host);
	}
	r->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&th, &attr, resolve_thread, r);
	pthread_attr_destroy(&attr);
	if (ret) {
		resolve_free(r);
		return he_error_set(err, -ret, "cannot start resolving '%s': %s", host,
				    strerror(ret));
	}
	*out = r;
	return 0;
}

int he_resolve_fd(const struct he_resolve *r)
{
	return r->efd;
}

bool he_resolve_take(struct he_resolve *r, int *gai, struct addrinfo **res)
{
	bool done;

	pthread_mutex_lock(&r->mu);
	done = r->done;
	if (done) {
		*gai = r->gai;
		*res = r->res;
		r->res = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	return done;
}

int he_resolve(const char *host, const char *service, const struct addrinfo *hints, int timeout_ms,
	       struct addrinfo **res, struct he_error *err)
{
	struct he_resolve *r = NULL;
	int64_t deadline = he_now_ms() + timeout_ms;
	bool done;
	int gai = 0, rc;

	rc = he_resolve_start(host, service, hints, &r, err);
	if (rc < 0)
		return rc;
	while (!(done = he_resolve_take(r, &gai, res)) &&
	       he_wait_fd(he_resolve_fd(r), POLLIN, deadline) > 0)
		;
	he_resolve_put(r);
	if (!done)
		return he_error_set(err, -ETIMEDOUT,
				    "%s: the resolver did not answer within %d ms (check this "
				    "host's resolver in /etc/resolv.conf)",
				    host, timeout_ms);
	if (gai == 0)
		return 0;
	return he_error_set(err, gai == EAI_NONAME || gai == EAI_NODATA ? -ENOENT : -EAGAIN,
			    "%s does not resolve: %s", host, gai_strerror(gai));
}
