/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/ddns DuckDNS provider (request, token redaction, replies). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ddns/ddns_internal.h"
#include "ddns/duckdns.h"
#include "test_ddns_fake.h"

static void test_request(void **state)
{
	struct he_ddns_record r;
	struct he_http_req req = {0};
	struct he_ddns_answer ans;
	struct he_error err = {0};
	struct he_ddns_job job = {.rec = &r,
				  .family = AF_INET,
				  .addr = "11.77.0.2",
				  .secret = "a7c4d0ad-114e-40ef-ba1d-d217904a50f2"};
	char shown[HE_DDNS_URL_MAX];

	(void)state;
	record(&r, "duck", "duckdns", "", "myhome.duckdns.org", "A AAAA");
	assert_int_equal(he_ddns_provider_find("duckdns")->step(&job, NULL, &req, &ans, &err),
			 HE_DDNS_SEND);
	assert_string_equal(req.url,
			    "https://www.duckdns.org/update?domains=myhome&token="
			    "a7c4d0ad-114e-40ef-ba1d-d217904a50f2&ip=11.77.0.2&verbose=true");
	assert_string_equal(req.redact, job.secret);
	he_ddns_redact(req.url, req.redact, shown, sizeof(shown));
	assert_string_equal(shown, "https://www.duckdns.org/update?domains=myhome&token=REDACTED"
				   "&ip=11.77.0.2&verbose=true");
	assert_null(req.user);

	job.family = AF_INET6;
	job.addr = "2e77:77:1::2";
	assert_int_equal(he_ddns_provider_find("duckdns")->step(&job, NULL, &req, &ans, &err),
			 HE_DDNS_SEND);
	assert_non_null(strstr(req.url, "&ipv6=2e77%3A77%3A1%3A%3A2&"));
	assert_null(strstr(req.url, "&ip="));
}

/* A reply echoing the URL, cut to a snippet in the middle of the token: no
 * piece of 8 characters of the token is left in the message or the code. */
static void test_echo_cut_is_redacted(void **state)
{
	static const char tok[] = "a7c4d0ad-114e-40ef-ba1d-d217904a50f2";
	static const char body[] = "reply: GET https://www.duckdns.org/update?"
				   "domains=myhome&token=a7c4d0ad-114e-40ef-ba1d-d217904a50f2"
				   "&ip=11.77.0.2";
	struct he_ddns_answer ans = {0};

	(void)state;
	he_duckdns_parse(200, body, strlen(body), &ans);
	he_ddns_answer_redact(&ans, tok);
	for (size_t i = 0; i + HE_DDNS_PIECE <= sizeof(tok) - 1; i++) {
		char piece[HE_DDNS_PIECE + 1];

		snprintf(piece, sizeof(piece), "%.*s", HE_DDNS_PIECE, tok + i);
		if (strstr(ans.message, piece) || strstr(ans.code, piece))
			fail_msg("'%s' of the token left in: %s", piece, ans.message);
	}
	assert_non_null(strstr(ans.message, "REDACTED"));
}

static void test_domain(void **state)
{
	char d[64];

	(void)state;
	he_duckdns_domain("Home.DuckDNS.org.", d, sizeof(d));
	assert_string_equal(d, "Home");
	he_duckdns_domain("home", d, sizeof(d));
	assert_string_equal(d, "home");
}

static void expect(long status, const char *fx, enum he_ddns_outcome o, const char *code)
{
	struct he_ddns_answer ans = {0};
	struct he_http_resp r = reply(status, fx);

	assert_int_equal(he_duckdns_parse(r.status, r.body, r.len, &ans), HE_DDNS_DONE);
	if (ans.outcome != o || strcmp(ans.code, code))
		fail_msg("%s (HTTP %ld): got %s/%s, want %s/%s", fx ? fx : "(empty)", status,
			 he_ddns_outcome_name(ans.outcome), ans.code, he_ddns_outcome_name(o),
			 code);
	he_http_resp_free(&r);
}

static void test_replies(void **state)
{
	(void)state;
	expect(200, "duckdns_ok.txt", HE_DDNS_GOOD, "good");
	expect(200, "duckdns_verbose_updated.txt", HE_DDNS_GOOD, "good");
	expect(200, "duckdns_verbose_nochange.txt", HE_DDNS_NOCHG, "nochg");
	expect(200, "duckdns_ko.txt", HE_DDNS_FATAL, "KO");
	expect(401, NULL, HE_DDNS_FATAL, "KO");
	expect(503, "http_503.html", HE_DDNS_TRANSIENT, "http 503");
	expect(200, "http_503.html", HE_DDNS_TRANSIENT, "unexpected");
	expect(200, NULL, HE_DDNS_TRANSIENT, "unexpected");
	expect(429, NULL, HE_DDNS_RETRY_LATER, "http 429");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_domain),
	    cmocka_unit_test(test_echo_cut_is_redacted),
	    cmocka_unit_test(test_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
