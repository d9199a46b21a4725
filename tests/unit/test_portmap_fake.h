/* SPDX-License-Identifier: MIT */
/*
 * test_portmap_fake.h - a scripted fake router for the portmap unit tests:
 * a thread with a UDP socket on a random 127.77.x.1:5351 (loopback only)
 * that records each request and answers through a callback. Also fixture
 * loading. Included by tests/unit/test_pcp.c, test_natpmp.c, test_portmap.c.
 */
#ifndef TEST_PORTMAP_FAKE_H
#define TEST_PORTMAP_FAKE_H

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef FIXDIR
#define FIXDIR "tests/fixtures/portmap"
#endif

/* reply callback: fill out, return its length (0: stay silent) */
typedef size_t (*fake_reply_fn)(const uint8_t *req, size_t len, uint8_t *out, void *ctx);

struct fake_router {
	int fd;
	char addr[32];
	pthread_t thr;
	pthread_mutex_t mu;
	volatile int stop;
	fake_reply_fn fn;
	void *ctx;
	int nreq;
	uint8_t req[16][128];
	size_t req_len[16];
};

static void *fake_main(void *arg)
{
	struct fake_router *f = arg;

	while (!f->stop) {
		uint8_t buf[1200], out[1200];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		size_t olen;

		if (n < 0)
			continue; /* SO_RCVTIMEO: check stop */
		pthread_mutex_lock(&f->mu);
		if (f->nreq < 16) {
			memcpy(f->req[f->nreq], buf, (size_t)n < 128 ? (size_t)n : 128);
			f->req_len[f->nreq] = (size_t)n;
			f->nreq++;
		}
		olen = f->fn ? f->fn(buf, (size_t)n, out, f->ctx) : 0;
		pthread_mutex_unlock(&f->mu);
		if (olen)
			sendto(f->fd, out, olen, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

/* Start on 127.77.R.1:port; returns 0 or -1 (port in use: retry another R). */
static inline int fake_start(struct fake_router *f, uint16_t port, fake_reply_fn fn, void *ctx)
{
	struct timeval tv = {0, 50000};
	int tries;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	f->fn = fn;
	f->ctx = ctx;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (tries = 0; tries < 20; tries++) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

		snprintf(f->addr, sizeof(f->addr), "127.77.%d.%d", rand() % 250 + 1,
			 rand() % 250 + 1);
		inet_pton(AF_INET, f->addr, &sa.sin_addr);
		f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (f->fd < 0)
			return -1;
		if (bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(f->fd);
		f->fd = -1;
	}
	if (f->fd < 0)
		return -1;
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return pthread_create(&f->thr, NULL, fake_main, f) ? -1 : 0;
}

static inline void fake_set(struct fake_router *f, fake_reply_fn fn, void *ctx)
{
	pthread_mutex_lock(&f->mu);
	f->fn = fn;
	f->ctx = ctx;
	f->nreq = 0;
	pthread_mutex_unlock(&f->mu);
}

static inline void fake_stop(struct fake_router *f)
{
	f->stop = 1;
	pthread_join(f->thr, NULL);
	close(f->fd);
	pthread_mutex_destroy(&f->mu);
}

/* A free loopback gateway address with nothing on it (for "no router"). */
static inline void fake_silent_addr(char *buf, size_t len)
{
	snprintf(buf, len, "127.78.%d.%d", rand() % 250 + 1, rand() % 250 + 1);
}

static inline size_t load_fixture(const char *name, uint8_t *buf, size_t len)
{
	char path[512];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FIXDIR, name);
	fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "missing fixture %s\n", path);
		abort();
	}
	n = fread(buf, 1, len, fp);
	fclose(fp);
	return n;
}

static inline uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
