/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the one-request providers (Namecheap, dynv6, Njalla): the URL
 * each builds, the secret marked for redaction, and what each reply means
 * (fixtures written from the providers' documentation, see the README).
 */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "test_ddns_fake.h"

static void test_namecheap(void **state)
{
	struct ddns_conv c;

	(void)state;
	conv_init(&c, "namecheap", "home.example.com", AF_INET, "11.77.0.2", "nc-pass/1");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "GET");
	assert_string_equal(c.req.url, "https://dynamicdns.park-your-domain.com/update?host=home"
				       "&domain=example.com&password=nc-pass%2F1&ip=11.77.0.2");
	assert_string_equal(c.req.redact, "nc-pass/1");
	assert_int_equal(conv_feed(&c, 200, "namecheap_ok.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	assert_int_equal(conv_feed(&c, 200, "namecheap_badpass.xml"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_non_null(strstr(c.ans.message, "Passwords do not match"));
	assert_int_equal(conv_feed(&c, 503, "http_503.html"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_TRANSIENT);
	assert_int_equal(conv_feed(&c, 200, "dyndns2_good.txt"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_TRANSIENT); /* not the XML it speaks */

	/* the zone itself is host=@; an explicit zone splits a deeper name */
	conv_init(&c, "namecheap", "example.com", AF_INET, "11.77.0.2", "p");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_non_null(strstr(c.req.url, "?host=%40&domain=example.com&"));
	conv_init(&c, "namecheap", "a.b.example.co.uk", AF_INET, "11.77.0.2", "p");
	snprintf(c.rec.zone, sizeof(c.rec.zone), "example.co.uk");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_non_null(strstr(c.req.url, "?host=a.b&domain=example.co.uk&"));
	/* IPv4 only: the table says so (the engine and config check ask it) */
	assert_int_equal(c.p->families, HE_DDNS_FAM_A);
}

static void test_dynv6(void **state)
{
	struct ddns_conv c;

	(void)state;
	conv_init(&c, "dynv6", "home.dynv6.net", AF_INET6, "2e77:77:1::2", "tok-123");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, "https://dynv6.com/api/update?hostname=home.dynv6.net"
				       "&token=tok-123&ipv6=2e77%3A77%3A1%3A%3A2");
	assert_string_equal(c.req.redact, "tok-123");
	assert_int_equal(conv_feed(&c, 200, "dynv6_updated.txt"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	assert_int_equal(conv_feed(&c, 200, "dynv6_unchanged.txt"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_NOCHG);
	assert_int_equal(conv_feed(&c, 401, "dynv6_badtoken.txt"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_string_equal(c.ans.code, "badauth");
	assert_int_equal(conv_feed(&c, 404, "dynv6_nozone.txt"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_int_equal(conv_feed(&c, 429, NULL), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_RETRY_LATER);
	conv_init(&c, "dynv6", "home.dynv6.net", AF_INET, "11.77.0.2", "tok-123");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_non_null(strstr(c.req.url, "&ipv4=11.77.0.2"));
}

static void test_njalla(void **state)
{
	struct ddns_conv c;

	(void)state;
	conv_init(&c, "njalla", "home.example.com", AF_INET, "11.77.0.2", "zeubesojOLgC2eJC");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, "https://njal.la/update/?h=home.example.com"
				       "&k=zeubesojOLgC2eJC&a=11.77.0.2");
	assert_string_equal(c.req.redact, "zeubesojOLgC2eJC");
	assert_int_equal(conv_feed(&c, 200, "njalla_ok.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	/* the status in the body counts, whatever the HTTP status */
	assert_int_equal(conv_feed(&c, 200, "njalla_badkey.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_string_equal(c.ans.code, "badauth");
	assert_int_equal(conv_feed(&c, 200, "njalla_norecord.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_int_equal(conv_feed(&c, 502, NULL), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_TRANSIENT);
	conv_init(&c, "njalla", "home.example.com", AF_INET6, "2e77:77:1::2", "k");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_non_null(strstr(c.req.url, "&aaaa=2e77%3A77%3A1%3A%3A2"));
}

/* A reply that echoes the secret never carries it into the answer. */
static void test_secret_echo(void **state)
{
	static const char *const provs[] = {"namecheap", "dynv6", "njalla"};
	struct ddns_conv c;
	struct he_http_resp r = {.status = 400};
	char body[] = "{\"status\": 400, \"message\": \"bad key s3cr3t-token-9\"} s3cr3t-token-9";

	(void)state;
	for (size_t i = 0; i < sizeof(provs) / sizeof(provs[0]); i++) {
		conv_init(&c, provs[i], "home.example.com", AF_INET, "11.77.0.2", "s3cr3t-token-9");
		assert_int_equal(conv_first(&c), HE_DDNS_SEND);
		r.body = body;
		r.len = strlen(body);
		assert_int_equal(c.p->step(&c.job, &r, &c.req, &c.ans, &c.err), HE_DDNS_DONE);
		assert_null(strstr(c.ans.message, "s3cr3t"));
		assert_true(c.ans.outcome >= HE_DDNS_GOOD && c.ans.outcome <= HE_DDNS_TRANSIENT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_namecheap),
	    cmocka_unit_test(test_dynv6),
	    cmocka_unit_test(test_njalla),
	    cmocka_unit_test(test_secret_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
