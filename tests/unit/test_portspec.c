/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/core/portspec.c */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/portspec.h"

static void parses(const char *s, unsigned ext, unsigned in, unsigned proto)
{
	struct he_portspec ps;
	struct he_error err = {0};

	assert_int_equal(he_portspec_parse(s, &ps, &err), 0);
	assert_int_equal(ps.ext, ext);
	assert_int_equal(ps.in, in);
	assert_int_equal(ps.proto, proto);
}

static void refuses(const char *s, int code, const char *needle)
{
	struct he_portspec ps = {.ext = 7, .in = 7, .proto = 1};
	struct he_error err = {0};

	assert_int_equal(he_portspec_parse(s, &ps, &err), code);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, needle))
		fail_msg("message for '%s' lacks '%s': %s", s, needle, err.msg);
	/* output untouched on failure */
	assert_int_equal(ps.ext, 7);
}

static void test_valid(void **state)
{
	(void)state;
	parses("443", 443, 443, HE_PROTO_TCP);
	parses("8443:8080/tcp", 8443, 8080, HE_PROTO_TCP);
	parses("10000/udp", 10000, 10000, HE_PROTO_UDP);
	parses("22000/both", 22000, 22000, HE_PROTO_BOTH);
	parses("1", 1, 1, HE_PROTO_TCP);
	parses("65535:1/UDP", 65535, 1, HE_PROTO_UDP);
}

static void test_invalid(void **state)
{
	(void)state;
	refuses("0", -ERANGE, "port 0 is not a valid port");
	refuses("65536", -ERANGE, "out of range");
	refuses("99999999999", -ERANGE, "out of range");
	refuses("443:0", -ERANGE, "internal port 0");
	refuses("443:65536/tcp", -ERANGE, "out of range");
	refuses("44x", -EINVAL, "not a number");
	refuses("443/sctp", -EINVAL, "unknown protocol 'sctp'");
	refuses("443/", -EINVAL, "unknown protocol");
	refuses(":443", -EINVAL, "missing external port");
	refuses("443:", -EINVAL, "missing internal port");
	refuses("", -EINVAL, "empty");
	refuses("-1", -EINVAL, "not a number");
	refuses("+80", -EINVAL, "not a number");
	refuses("80 ", -EINVAL, "not a number");
}

/* Ranges FIRST-LAST: a cap, each port mapped to itself, never FIRST:LAST. */
static void test_ranges(void **state)
{
	struct he_portspec ps, one;
	struct he_portlist l = {0};
	struct he_error err = {0};
	char buf[32];

	(void)state;
	assert_int_equal(he_portspec_parse("60000-60002/udp", &ps, &err), 0);
	assert_int_equal(ps.ext, 60000);
	assert_int_equal(ps.last, 60002);
	assert_int_equal(ps.in, 60000);
	assert_int_equal(ps.proto, HE_PROTO_UDP);
	assert_int_equal(he_portspec_count(&ps), 3);
	one = he_portspec_at(&ps, 2);
	assert_int_equal(one.ext, 60002);
	assert_int_equal(one.in, 60002);
	assert_int_equal(one.last, 0);
	he_portspec_format(&ps, buf, sizeof(buf));
	assert_string_equal(buf, "60000-60002/udp");
	/* a one-port range is that port */
	assert_int_equal(he_portspec_parse("5000-5000", &ps, &err), 0);
	assert_int_equal(ps.last, 0);
	assert_int_equal(he_portspec_count(&ps), 1);
	/* the cap: HE_PORTRANGE_MAX ports */
	assert_int_equal(he_portspec_parse("1000-1099", &ps, &err), 0);
	assert_int_equal(he_portspec_count(&ps), HE_PORTRANGE_MAX);
	refuses("1000-1100", -E2BIG, "ranges are supported up to 100 ports");
	refuses("60000-61000/udp", -E2BIG, "1001 ports");
	refuses("2000-1000", -EINVAL, "below its first");
	refuses("1000-2000:3000", -EINVAL, "maps each port to itself");
	refuses("1000-", -EINVAL, "missing last port");
	refuses("1000-x", -EINVAL, "not a number");
	/* overlaps with a range are duplicates */
	assert_int_equal(he_portlist_parse(&l, "60000-60010/udp 443", &err), 0);
	assert_int_equal(he_portlist_count(&l), 12);
	assert_int_equal(he_portlist_parse(&l, "60005/both", &err), -EEXIST);
	assert_non_null(strstr(err.msg, "external port 60005/udp"));
	assert_int_equal(he_portlist_parse(&l, "60005/tcp 59990-60000/tcp", &err), 0);
	/* ufw's FIRST:LAST is a forward here; range_like says when to warn */
	assert_int_equal(he_portspec_parse("60000:61000/udp", &ps, &err), 0);
	assert_true(he_portspec_range_like(&ps));
	assert_int_equal(he_portspec_parse("8443:8080", &ps, &err), 0);
	assert_false(he_portspec_range_like(&ps));
	assert_int_equal(he_portspec_parse("80:8080", &ps, &err), 0);
	assert_false(he_portspec_range_like(&ps));
	assert_int_equal(he_portspec_parse("60000-60002", &ps, &err), 0);
	assert_false(he_portspec_range_like(&ps));
}

/* Ranges count port by port against HE_PORTS_MAX. */
static void test_range_total_cap(void **state)
{
	struct he_portlist l = {0};
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_portlist_parse(&l, "1000-1099/udp", &err), 0);
	assert_int_equal(he_portlist_parse(&l, "2000-2027/udp", &err), 0);
	assert_int_equal(he_portlist_count(&l), HE_PORTS_MAX);
	assert_int_equal(he_portlist_parse(&l, "3000", &err), -E2BIG);
	assert_non_null(strstr(err.msg, "ranges counted port by port"));
}

static void test_list_duplicates(void **state)
{
	struct he_portlist l = {0};
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_portlist_parse(&l, "443/tcp 10000/udp", &err), 0);
	assert_int_equal(l.n, 2);
	/* same external port and protocol again */
	assert_int_equal(he_portlist_parse(&l, "443:8443", &err), -EEXIST);
	assert_non_null(strstr(err.msg, "duplicate port"));
	assert_int_equal(l.n, 2);
	/* "both" overlaps udp */
	assert_int_equal(he_portlist_parse(&l, "10000/both", &err), -EEXIST);
	/* same port other protocol is fine */
	assert_int_equal(he_portlist_parse(&l, "443/udp", &err), 0);
	assert_int_equal(l.n, 3);
}

static void test_list_limits_and_format(void **state)
{
	struct he_portlist l = {0};
	struct he_error err = {0};
	char buf[256];

	(void)state;
	for (int i = 0; i < HE_PORTSPEC_MAX; i++) {
		struct he_portspec ps = {.ext = (uint16_t)(1000 + i), .in = 80, .proto = 1};

		assert_int_equal(he_portlist_add(&l, &ps, &err), 0);
	}
	struct he_portspec one = {.ext = 5, .in = 5, .proto = 1};
	assert_int_equal(he_portlist_add(&l, &one, &err), -E2BIG);

	memset(&l, 0, sizeof(l));
	assert_int_equal(he_portlist_parse(&l, " 8443:8080/tcp,10000/udp ,22000/both", &err), 0);
	he_portlist_format(&l, buf, sizeof(buf));
	assert_string_equal(buf, "8443:8080/tcp 10000/udp 22000/both");
	/* a token that is far too long is refused, not cut */
	memset(&l, 0, sizeof(l));
	assert_int_equal(
	    he_portlist_parse(
		&l, "1111111111111111111111111111111111111111111111111111111111111111111", &err),
	    -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),           cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_ranges),          cmocka_unit_test(test_range_total_cap),
	    cmocka_unit_test(test_list_duplicates), cmocka_unit_test(test_list_limits_and_format),
	};
	return cmocka_run_group_tests_name("portspec", tests, NULL, NULL);
}
