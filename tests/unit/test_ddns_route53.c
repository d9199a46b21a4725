/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the Route 53 provider (its conversation, from replies written
 * from the Route 53 API reference) and its Signature V4 signer against AWS's
 * published SigV4
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

#include <sys/socket.h>

#include "ddns/sigv4.h"
#include "test_ddns_fake.h"

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
	struct he_sigv4_req r = {.method = "GET",
				 .host = "h",
				 .path = "/",
				 .query = "",
				 .amz_date = "20150830T123600Z",
				 .region = "us-east-1",
				 .service = "route53",
				 .access_key_id = "A",
				 .secret_key = "S"};

	(void)state;
	he_sigv4_date(1440938160, d, sizeof(d));
	assert_string_equal(d, "20150830T123600Z");
	assert_int_equal(he_sigv4_authorization(&r, auth, sizeof(auth)), -ENAMETOOLONG);
	r.query = "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17";
	assert_int_equal(he_sigv4_authorization(&r, auth, sizeof(auth)), -E2BIG);
}

#define R53 "https://route53.amazonaws.com/2013-04-01"

static void start(struct ddns_conv *c, int family, const char *addr)
{
	conv_init(c, "route53", "home.example.com", family, addr, "wJalrXUtnFEMI/K7MDENG");
	snprintf(c->rec.username, sizeof(c->rec.username), "AKIDEXAMPLE");
	assert_int_equal(conv_first(c), HE_DDNS_SEND);
}

static void test_r53_update(void **state)
{
	struct ddns_conv c;

	(void)state;
	start(&c, AF_INET, "11.77.0.2");
	assert_string_equal(c.req.method, "GET");
	assert_string_equal(c.req.url, R53 "/hostedzonesbyname?dnsname=example.com&maxitems=1");
	assert_string_equal(c.req.header[0], "X-Amz-Date: 20150830T123600Z");
	assert_non_null(strstr(c.req.header[1], "Authorization: AWS4-HMAC-SHA256 "
						"Credential=AKIDEXAMPLE/20150830/us-east-1/route53/"
						"aws4_request, SignedHeaders=host;x-amz-date, "
						"Signature="));
	assert_null(strstr(c.req.url, "wJalr"));
	assert_int_equal(conv_feed(&c, 200, "route53_zones.xml"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, R53 "/hostedzone/Z1D633PJN98FT9/rrset?maxitems=1"
					   "&name=home.example.com.&type=A");
	assert_int_equal(conv_feed(&c, 200, "route53_rrset_a.xml"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	assert_string_equal(c.req.url, R53 "/hostedzone/Z1D633PJN98FT9/rrset/");
	assert_non_null(strstr(c.req.body, "<Action>UPSERT</Action>"));
	assert_non_null(strstr(c.req.body, "<Name>home.example.com.</Name><Type>A</Type>"
					   "<TTL>3600</TTL>")); /* the TTL found */
	assert_non_null(strstr(c.req.body, "<Value>11.77.0.2</Value>"));
	assert_int_equal(conv_feed(&c, 200, "route53_change.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	assert_string_equal(c.ans.code, "good");
	assert_non_null(strstr(c.ans.message, "PENDING"));
}

static void test_r53_nochg_create(void **state)
{
	struct ddns_conv c;

	(void)state;
	start(&c, AF_INET, "11.77.0.2");
	assert_int_equal(conv_feed(&c, 200, "route53_zones.xml"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "route53_rrset_same.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_NOCHG);

	/* the listing starts at the name: another name there means ours is missing */
	start(&c, AF_INET6, "2e77:77:1::2");
	assert_int_equal(conv_feed(&c, 200, "route53_zones.xml"), HE_DDNS_SEND);
	assert_non_null(strstr(c.req.url, "&type=AAAA"));
	assert_int_equal(conv_feed(&c, 200, "route53_rrset_next.xml"), HE_DDNS_SEND);
	assert_non_null(strstr(c.req.body, "<Type>AAAA</Type><TTL>300</TTL>"));
	assert_int_equal(conv_feed(&c, 200, "route53_change.xml"), HE_DDNS_DONE);
	assert_string_equal(c.ans.code, "created");

	/* the zone list starts at the name too: another zone there means none */
	start(&c, AF_INET, "11.77.0.2");
	assert_int_equal(conv_feed(&c, 200, "route53_zones_other.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_string_equal(c.ans.code, "nozone");
}

static void test_r53_errors(void **state)
{
	struct ddns_conv c;

	(void)state;
	start(&c, AF_INET, "11.77.0.2");
	assert_int_equal(conv_feed(&c, 403, "route53_bad_signature.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_string_equal(c.ans.code, "badauth");
	assert_non_null(strstr(c.ans.message, "SignatureDoesNotMatch"));
	assert_null(strstr(c.ans.message, "wJalr"));
	assert_int_equal(conv_feed(&c, 400, "route53_throttling.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_RETRY_LATER);
	assert_int_equal(conv_feed(&c, 503, NULL), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_TRANSIENT);

	start(&c, AF_INET, "11.77.0.2");
	assert_int_equal(conv_feed(&c, 200, "route53_zones.xml"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "route53_rrset_a.xml"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 400, "route53_invalid_batch.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_string_equal(c.ans.code, "rejected");

	/* no access key ID: no request */
	conv_init(&c, "route53", "home.example.com", AF_INET, "11.77.0.2", "s");
	assert_int_equal(conv_first(&c), -EINVAL);
	assert_non_null(strstr(c.err.msg, "username"));
}

/* A server override (the lab's contract server) is what gets signed as Host. */
static void test_r53_server(void **state)
{
	struct ddns_conv c, d;

	(void)state;
	start(&c, AF_INET, "11.77.0.2");
	conv_init(&d, "route53", "home.example.com", AF_INET, "11.77.0.2", "wJalrXUtnFEMI/K7MDENG");
	snprintf(d.rec.username, sizeof(d.rec.username), "AKIDEXAMPLE");
	snprintf(d.rec.server, sizeof(d.rec.server), "https://11.77.0.1:8443");
	assert_int_equal(conv_first(&d), HE_DDNS_SEND);
	assert_string_equal(d.req.url, "https://11.77.0.1:8443/2013-04-01/hostedzonesbyname"
				       "?dnsname=example.com&maxitems=1");
	assert_string_not_equal(c.req.header[1], d.req.header[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_vanilla),  cmocka_unit_test(test_query_order),
	    cmocka_unit_test(test_post_vanilla), cmocka_unit_test(test_date_and_limits),
	    cmocka_unit_test(test_r53_update),   cmocka_unit_test(test_r53_nochg_create),
	    cmocka_unit_test(test_r53_errors),   cmocka_unit_test(test_r53_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
