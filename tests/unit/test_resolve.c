/* SPDX-License-Identifier: MIT */
/*
 * test_resolve.c - lib/net/resolve.c: getaddrinfo with a deadline.
 *
 * getaddrinfo is interposed below (the test program's definition wins over
 * libc's): names under .slow.test hang 1.5 s like a dead name server, names
 * under .none.test do not exist; anything else must be numeric, so no query
 * ever leaves this host.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "net/resolve.h"

#define SLOW_MS 1500

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res);

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
			      struct addrinfo **);
	struct addrinfo h = hints ? *hints : (struct addrinfo){0};
	gai_fn real;

	if (node && ends_with(node, ".slow.test")) {
		struct timespec ts = {SLOW_MS / 1000, (SLOW_MS % 1000) * 1000000L};

		nanosleep(&ts, NULL);
		return EAI_AGAIN;
	}
	if (node && ends_with(node, ".none.test"))
		return EAI_NONAME;
	h.ai_flags |= AI_NUMERICHOST; /* never a real query from a unit test */
	*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, &h, res);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000L + (t1.tv_nsec - t0->tv_nsec) / 1000000L;
}

static void test_numeric_answers(void **s)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	struct he_error err = {0};

	(void)s;
	assert_int_equal(he_resolve("192.0.2.7", NULL, &hints, 500, &res, &err), 0);
	assert_non_null(res);
	assert_int_equal(res->ai_family, AF_INET);
	freeaddrinfo(res);
}

static void test_no_such_name(void **s)
{
	struct addrinfo *res = NULL;
	struct he_error err = {0};

	(void)s;
	assert_int_equal(he_resolve("host.none.test", NULL, NULL, 500, &res, &err), -ENOENT);
	assert_null(res);
	assert_non_null(strstr(err.msg, "host.none.test"));
}

static void test_hanging_resolver_is_cut_at_the_deadline(void **s)
{
	struct addrinfo *res = NULL;
	struct he_error err = {0};
	struct timespec t0;
	long ms;

	(void)s;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(he_resolve("ns.slow.test", NULL, NULL, 200, &res, &err), -ETIMEDOUT);
	ms = ms_since(&t0);
	assert_true(ms >= 190);
	assert_true(ms < SLOW_MS - 500); /* did not wait for the resolver */
	assert_null(res);
	assert_non_null(strstr(err.msg, "ns.slow.test"));
	assert_non_null(strstr(err.msg, "200 ms"));
	/* the abandoned lookup ends on its own and frees itself (ASan checks) */
	struct timespec ts = {SLOW_MS / 1000 + 1, 0};
	nanosleep(&ts, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numeric_answers),
	    cmocka_unit_test(test_no_such_name),
	    cmocka_unit_test(test_hanging_resolver_is_cut_at_the_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
