/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: lib/ddns Signature V4 signer against AWS's published SigV4
 * test suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite:
 * get-vanilla, get-vanilla-query-order-key-case, post-vanilla; credentials
 * AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z,
 * us-east-1, service "service").
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddns/sigv4.h"

#define CRED "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
#define SH   "SignedHeaders=host;x-amz-date, Signature="

static void sign(const char *method, const char *query, char *out, size_t outsz)
{
	struct he_sigv4_req r = {
	    .method = method,
	    .host = "example.amazonaws.com",
	    .path = "/",
	    .query = query,
	    .amz_date = "20150830T123600Z",
	    .region = "us-east-1",
	    .service = "service",
	    .access_key_id = "AKIDEXAMPLE",
	    .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	};

	assert_int_equal(he_sigv4_authorization(&r, out, outsz), 0);
}

static void test_get_vanilla(void **state)
{
	char auth[512];

	(void)state;
	sign("GET", "", auth, sizeof(auth));
	assert_string_equal(auth, CRED SH
			    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

static void test_query_order(void **state)
{
	char a[512], b[512];

	(void)state;
	/* get-vanilla-query-order-key-case: pairs are sorted before signing */
	sign("GET", "Param2=value2&Param1=value1", a, sizeof(a));
	assert_string_equal(a, CRED SH
			    "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
	sign("GET", "Param1=value1&Param2=value2", b, sizeof(b));
	assert_string_equal(a, b);
}

static void test_post_vanilla(void **state)
{
	char auth[512];

	(void)state;
	sign("POST", "", auth, sizeof(auth));
	assert_string_equal(auth, CRED SH
			    "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

static void test_date_and_limits(void **state)
{
	char d[20], auth[64];
	struct he_sigv4_req r = {.method = "GET", .host = "h", .path = "/", .query = "",
				 .amz_date = "20150830T123600Z", .region = "us-east-1",
				 .service = "route53", .access_key_id = "A", .secret_key = "S"};

	(void)state;
	he_sigv4_date(1440938160, d, sizeof(d));
	assert_string_equal(d, "20150830T123600Z");
	assert_int_equal(he_sigv4_authorization(&r, auth, sizeof(auth)), -ENAMETOOLONG);
	r.query = "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17";
	assert_int_equal(he_sigv4_authorization(&r, auth, sizeof(auth)), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_vanilla),
	    cmocka_unit_test(test_query_order),
	    cmocka_unit_test(test_post_vanilla),
	    cmocka_unit_test(test_date_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
