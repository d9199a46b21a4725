/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/ddns Cloudflare API v4 provider (the conversation, every error kind). */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ddns/cloudflare.h"
#include "test_ddns_fake.h"

#define ZID "023e105f4ecef8ad9ca31a8372d0c353"
#define RID "372e67954025e0ba6aaa6d586b9e0b59"

struct conv {
	struct he_ddns_record rec;
	struct he_ddns_job job;
	struct he_http_req req;
	struct he_ddns_answer ans;
	struct he_error err;
};

static void start(struct conv *c, int family, const char *addr, const char *server)
{
	memset(c, 0, sizeof(*c));
	record(&c->rec, "cf", "cloudflare", "", "home.example.com", "A AAAA");
	snprintf(c->rec.server, sizeof(c->rec.server), "%s", server);
	c->job.rec = &c->rec;
	c->job.family = family;
	c->job.addr = addr;
	c->job.secret = "cf-token-123";
	assert_int_equal(
	    he_ddns_provider_find("cloudflare")->step(&c->job, NULL, &c->req, &c->ans, &c->err),
	    HE_DDNS_SEND);
}

static int feed(struct conv *c, long status, const char *fx)
{
	struct he_http_resp r = reply(status, fx);
	int rc;

	memset(&c->req, 0, sizeof(c->req));
	rc = he_cloudflare_step(&c->job, &r, &c->req, &c->ans, &c->err);
	he_http_resp_free(&r);
	return rc;
}

static void test_patch_only_content(void **state)
{
	struct conv c;
	json_t *body;

	(void)state;
	start(&c, AF_INET, "11.77.0.2", "");
	assert_string_equal(c.req.method, "GET");
	assert_string_equal(c.req.url,
			    "https://api.cloudflare.com/client/v4/zones?name=example.com");
	assert_string_equal(c.req.bearer, "cf-token-123");
	assert_null(strstr(c.req.url, "cf-token"));
	assert_int_equal(feed(&c, 200, "cf_zones.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "GET");
	assert_string_equal(c.req.url, "https://api.cloudflare.com/client/v4/zones/" ZID
				       "/dns_records?type=A&name=home.example.com");
	assert_int_equal(feed(&c, 200, "cf_records_a.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PATCH");
	assert_string_equal(c.req.url,
			    "https://api.cloudflare.com/client/v4/zones/" ZID "/dns_records/" RID);
	assert_string_equal(c.req.content_type, "application/json");
	body = json_loads(c.req.body, 0, NULL);
	assert_non_null(body);
	/* exactly one key: proxied, ttl, comment are left as the user set them */
	assert_int_equal(json_object_size(body), 1);
	assert_string_equal(json_string_value(json_object_get(body, "content")), "11.77.0.2");
	json_decref(body);
	assert_int_equal(feed(&c, 200, "cf_patch_ok.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	assert_string_equal(c.ans.code, "good");
}

static void test_create_missing_aaaa(void **state)
{
	struct conv c;
	json_t *body;

	(void)state;
	start(&c, AF_INET6, "2e77:77:1::2", "https://cf.lab.test:8443/client/v4/");
	assert_string_equal(c.req.url, "https://cf.lab.test:8443/client/v4/zones?name=example.com");
	assert_int_equal(feed(&c, 200, "cf_zones.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, "https://cf.lab.test:8443/client/v4/zones/" ZID
				       "/dns_records?type=AAAA&name=home.example.com");
	assert_int_equal(feed(&c, 200, "cf_records_empty.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	assert_string_equal(c.req.url,
			    "https://cf.lab.test:8443/client/v4/zones/" ZID "/dns_records");
	body = json_loads(c.req.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(body, "type")), "AAAA");
	assert_string_equal(json_string_value(json_object_get(body, "name")), "home.example.com");
	assert_string_equal(json_string_value(json_object_get(body, "content")), "2e77:77:1::2");
	assert_true(json_is_false(json_object_get(body, "proxied")));
	json_decref(body);
	assert_int_equal(feed(&c, 200, "cf_create_ok.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	assert_string_equal(c.ans.code, "created");
}

static void test_same_content_no_write(void **state)
{
	struct conv c;

	(void)state;
	start(&c, AF_INET, "11.77.0.2", "");
	assert_int_equal(feed(&c, 200, "cf_zones.json"), HE_DDNS_SEND);
	assert_int_equal(feed(&c, 200, "cf_records_a_same.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_NOCHG);
}

static void test_explicit_zone(void **state)
{
	struct he_ddns_record r;
	char z[HE_HOST_MAX];

	(void)state;
	record(&r, "cf", "cloudflare", "", "a.b.example.co.uk.", "A");
	he_cloudflare_zone(&r, z, sizeof(z));
	assert_string_equal(z, "co.uk"); /* the default is naive: hence 'zone' */
	snprintf(r.zone, sizeof(r.zone), "example.co.uk");
	he_cloudflare_zone(&r, z, sizeof(z));
	assert_string_equal(z, "example.co.uk");
}

static void expect_err(int step_replies, long status, const char *fx, enum he_ddns_outcome o,
		       const char *code)
{
	struct conv c;

	start(&c, AF_INET, "11.77.0.2", "");
	if (step_replies >= 1)
		assert_int_equal(feed(&c, 200, "cf_zones.json"), HE_DDNS_SEND);
	if (step_replies >= 2)
		assert_int_equal(feed(&c, 200, "cf_records_a.json"), HE_DDNS_SEND);
	assert_int_equal(feed(&c, status, fx), HE_DDNS_DONE);
	if (c.ans.outcome != o || strcmp(c.ans.code, code))
		fail_msg("%s (HTTP %ld) at step %d: got %s/%s, want %s/%s", fx ? fx : "(empty)",
			 status, step_replies, he_ddns_outcome_name(c.ans.outcome), c.ans.code,
			 he_ddns_outcome_name(o), code);
	assert_null(strstr(c.ans.message, "cf-token-123"));
}

static void test_errors(void **state)
{
	(void)state;
	expect_err(0, 403, "cf_auth_error.json", HE_DDNS_FATAL, "badauth");
	expect_err(0, 400, "cf_invalid_token.json", HE_DDNS_FATAL, "badauth");
	expect_err(0, 200, "cf_zones_empty.json", HE_DDNS_FATAL, "nozone");
	expect_err(0, 429, "cf_rate_limited.json", HE_DDNS_RETRY_LATER, "http 429");
	expect_err(0, 502, "http_503.html", HE_DDNS_TRANSIENT, "http 502");
	expect_err(1, 200, "http_503.html", HE_DDNS_TRANSIENT, "unexpected");
	expect_err(1, 200, NULL, HE_DDNS_TRANSIENT, "unexpected");
	expect_err(2, 400, "cf_validation_error.json", HE_DDNS_FATAL, "rejected");
	expect_err(2, 401, "cf_auth_error.json", HE_DDNS_FATAL, "badauth");
	expect_err(2, 503, NULL, HE_DDNS_TRANSIENT, "http 503");
}

static void test_bad_ids_refused(void **state)
{
	struct conv c;
	struct he_http_resp r = {.status = 200};
	static char evil[] = "{\"success\":true,\"result\":[{\"id\":\"../../user/tokens\"}]}";

	(void)state;
	start(&c, AF_INET, "11.77.0.2", "");
	r.body = evil;
	r.len = strlen(evil);
	assert_int_equal(he_cloudflare_step(&c.job, &r, &c.req, &c.ans, &c.err), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_TRANSIENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_patch_only_content),
	    cmocka_unit_test(test_create_missing_aaaa),
	    cmocka_unit_test(test_same_content_no_write),
	    cmocka_unit_test(test_explicit_zone),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_bad_ids_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
