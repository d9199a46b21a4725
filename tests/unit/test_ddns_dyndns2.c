/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/ddns dyndns2 provider (request building, every reply kind), redaction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ddns/ddns_internal.h"
#include "ddns/dyndns2.h"
#include "test_ddns_fake.h"

static int first(const struct he_ddns_provider *p, struct he_ddns_job *job, struct he_http_req *req)
{
	struct he_ddns_answer ans = {0};
	struct he_error err = {0};

	memset(req, 0, sizeof(*req));
	return p->step(job, NULL, req, &ans, &err);
}

static void test_request_presets(void **state)
{
	static const struct {
		const char *preset, *server, *addr;
		int family;
		const char *url;
	} cases[] = {
	    {"dyn", "", "11.77.0.2", AF_INET,
	     "https://members.dyndns.org/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"noip", "", "11.77.0.2", AF_INET,
	     "https://dynupdate.no-ip.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"dynu", "", "2e77:77:1::2", AF_INET6,
	     "https://api.dynu.com/nic/update?hostname=home.example.org&myipv6=2e77%3A77%3A1%3A%3A2"
	     "&myip=no"},
	    {"selfhost", "", "11.77.0.2", AF_INET,
	     "https://carol.selfhost.de/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"strato", "", "11.77.0.2", AF_INET,
	     "https://dyndns.strato.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"freedns", "", "11.77.0.2", AF_INET,
	     "https://freedns.afraid.org/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"desec", "", "11.77.0.2", AF_INET,
	     "https://update.dedyn.io/nic/update?hostname=home.example.org&myipv4=11.77.0.2"
	     "&myipv6=preserve"},
	    {"custom", "ddns.lab.test:8443", "11.77.0.2", AF_INET,
	     "https://ddns.lab.test:8443/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"", "https://ddns.lab.test/dyn/update/", "11.77.0.2", AF_INET,
	     "https://ddns.lab.test/dyn/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"dyn", "ddns.lab.test", "11.77.0.2", AF_INET, /* server overrides the preset's */
	     "https://ddns.lab.test/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"ovh", "", "11.77.0.2", AF_INET,
	     "https://www.ovh.com/nic/"
	     "update?system=dyndns&hostname=home.example.org&myip=11.77.0.2"},
	    {"ovh", "", "2e77:77:1::2", AF_INET6,
	     "https://www.ovh.com/nic/"
	     "update?system=dyndns&hostname=home.example.org&myip=2e77%3A77%3A1%3A%3A2"},
	    {"he", "", "11.77.0.2", AF_INET,
	     "https://dyn.dns.he.net/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"he", "", "2e77:77:1::2", AF_INET6,
	     "https://dyn.dns.he.net/nic/"
	     "update?hostname=home.example.org&myip=2e77%3A77%3A1%3A%3A2"},
	    {"inwx", "", "11.77.0.2", AF_INET,
	     "https://dyndns.inwx.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"all-inkl", "", "11.77.0.2", AF_INET,
	     "https://dyndns.kasserver.com/?hostname=home.example.org&myip=11.77.0.2"},
	    {"infomaniak", "", "11.77.0.2", AF_INET,
	     "https://infomaniak.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"infomaniak", "", "2e77:77:1::2", AF_INET6,
	     "https://infomaniak.com/nic/"
	     "update?hostname=home.example.org&myip=2e77%3A77%3A1%3A%3A2"},
	    {"ipv64", "", "11.77.0.2", AF_INET,
	     "https://ipv64.net/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"ipv64", "", "2e77:77:1::2", AF_INET6,
	     "https://ipv64.net/nic/update?hostname=home.example.org&myipv6=2e77%3A77%3A1%3A%3A2"},
	    {"spdyn", "", "11.77.0.2", AF_INET,
	     "https://update.spdyn.de/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"spdyn", "", "2e77:77:1::2", AF_INET6,
	     "https://update.spdyn.de/nic/"
	     "update?hostname=home.example.org&myip=2e77%3A77%3A1%3A%3A2"},
	    {"loopia", "", "11.77.0.2", AF_INET,
	     "https://dns.loopia.se/XDynDNSServer/"
	     "XDynDNS.php?hostname=home.example.org&myip=11.77.0.2"},
	    {"dnsomatic", "", "11.77.0.2", AF_INET,
	     "https://updates.dnsomatic.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"opendns", "", "11.77.0.2", AF_INET,
	     "https://updates.opendns.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"changeip", "", "11.77.0.2", AF_INET,
	     "https://nic.changeip.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"dyfi", "", "11.77.0.2", AF_INET,
	     "https://www.dy.fi/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"joker", "", "11.77.0.2", AF_INET,
	     "https://svc.joker.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"schokokeks", "", "11.77.0.2", AF_INET,
	     "https://dyndns.schokokeks.org/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"variomedia", "", "11.77.0.2", AF_INET,
	     "https://dyndns.variomedia.de/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"udmedia", "", "11.77.0.2", AF_INET,
	     "https://www.udmedia.de/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"dyndns-it", "", "11.77.0.2", AF_INET,
	     "https://update.dyndns.it/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"simply", "", "11.77.0.2", AF_INET,
	     "https://ddns.simply.com/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"do-de", "", "11.77.0.2", AF_INET,
	     "https://ddns.do.de/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"3322", "", "11.77.0.2", AF_INET,
	     "https://members.3322.org/dyndns/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"tunnelbroker", "", "11.77.0.2", AF_INET,
	     "https://ipv4.tunnelbroker.net/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	    {"nsupdate-info", "", "11.77.0.2", AF_INET,
	     "https://ipv4.nsupdate.info/nic/update?hostname=home.example.org&myip=11.77.0.2"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct he_ddns_record r;
		struct he_http_req req;
		struct he_ddns_job job = {.rec = &r,
					  .family = cases[i].family,
					  .addr = cases[i].addr,
					  .user = "alice",
					  .secret = "s3cret"};

		record(&r, "home", "dyndns2", cases[i].preset, "home.example.org", "A");
		snprintf(r.server, sizeof(r.server), "%s", cases[i].server);
		assert_int_equal(first(he_ddns_provider_find("dyndns2"), &job, &req), HE_DDNS_SEND);
		assert_string_equal(req.method, "GET");
		assert_string_equal(req.url, cases[i].url);
		assert_string_equal(req.user, "alice");
		assert_string_equal(req.password, "s3cret");
		assert_null(strstr(req.url, "s3cret"));
		assert_null(req.bearer);
	}
}

/* A preset that takes no AAAA refuses a record that asks for one. */
static void test_v4_only_presets(void **state)
{
	const struct he_ddns_provider *p = he_ddns_provider_find("dyndns2");
	size_t n;
	const struct he_dyndns2_preset *t = he_dyndns2_presets(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct he_ddns_record r;
		struct he_error err = {0};

		record(&r, "home", "dyndns2", t[i].name, "home.example.org", "A AAAA");
		snprintf(r.server, sizeof(r.server), "%s", t[i].server ? "" : "ddns.lab.test");
		assert_int_equal(p->check(&r, &err), t[i].v4_only ? -EINVAL : 0);
		if (t[i].v4_only)
			assert_non_null(strstr(err.msg, "families = A"));
		record(&r, "home", "dyndns2", t[i].name, "home.example.org", "A");
		snprintf(r.server, sizeof(r.server), "%s", t[i].server ? "" : "ddns.lab.test");
		assert_int_equal(p->check(&r, &err), 0);
	}
}

/* Every preset of the table is a 'preset' the configuration accepts; an unknown one is refused. */
static void test_presets_match_config(void **state)
{
	size_t n;
	const struct he_dyndns2_preset *t = he_dyndns2_presets(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char text[256];
		static struct he_config cfg;
		struct he_diags d = {0};

		snprintf(text, sizeof(text),
			 "[ddns x]\nprovider = dyndns2\npreset = %s\nhostname = h.example.org\n"
			 "server = s.example.org\npassword-file = /x\n",
			 t[i].name);
		he_config_defaults(&cfg, "/t.conf");
		assert_int_equal(he_config_load_string(&cfg, "t.conf", text, &d), 0);
		he_diags_free(&d);
	}
	{
		static struct he_config cfg;
		struct he_diags d = {0};

		he_config_defaults(&cfg, "/t.conf");
		assert_int_equal(he_config_load_string(&cfg, "t.conf",
						       "[ddns x]\nprovider = dyndns2\npreset = "
						       "nosuch\nhostname = h.example.org\n",
						       &d),
				 -EINVAL);
		he_diags_free(&d);
	}
	assert_ptr_equal(he_dyndns2_preset_by_server("dyn.dns.he.net"), he_dyndns2_preset("he"));
	assert_ptr_equal(he_dyndns2_preset_by_server("https://www.ovh.com"),
			 he_dyndns2_preset("ovh"));
	assert_ptr_equal(he_dyndns2_preset_by_server("dns.loopia.se"), he_dyndns2_preset("loopia"));
	assert_null(he_dyndns2_preset_by_server("dyn.dns.he.net.evil.test"));
	assert_null(he_dyndns2_preset_by_server(""));
}

static void test_request_desec_provider(void **state)
{
	struct he_ddns_record r;
	struct he_http_req req;
	struct he_ddns_job job = {
	    .rec = &r, .family = AF_INET6, .addr = "2e77:77:1::2", .secret = "tok"};

	(void)state;
	record(&r, "d", "desec", "", "home.dedyn.io", "AAAA");
	assert_int_equal(first(he_ddns_provider_find("desec"), &job, &req), HE_DDNS_SEND);
	assert_string_equal(req.url, "https://update.dedyn.io/nic/update?hostname=home.dedyn.io"
				     "&myipv6=2e77%3A77%3A1%3A%3A2&myipv4=preserve");
	/* no username: the hostname is the login (deSEC, Dynu) */
	assert_string_equal(req.user, "home.dedyn.io");
}

static void expect(long status, const char *fx, enum he_ddns_outcome o, const char *code)
{
	struct he_ddns_answer ans = {0};
	struct he_http_resp r = reply(status, fx);

	assert_int_equal(he_dyndns2_parse(r.status, r.body, r.len, &ans), HE_DDNS_DONE);
	if (ans.outcome != o || strcmp(ans.code, code))
		fail_msg("%s (HTTP %ld): got %s/%s, want %s/%s", fx ? fx : "(empty)", status,
			 he_ddns_outcome_name(ans.outcome), ans.code, he_ddns_outcome_name(o),
			 code);
	assert_true(*ans.message);
	he_http_resp_free(&r);
}

static void test_replies(void **state)
{
	(void)state;
	expect(200, "dyndns2_good.txt", HE_DDNS_GOOD, "good");
	expect(200, "dyndns2_nochg.txt", HE_DDNS_NOCHG, "nochg");
	expect(200, "dyndns2_badauth.txt", HE_DDNS_FATAL, "badauth");
	expect(200, "dyndns2_donator.txt", HE_DDNS_FATAL, "!donator");
	expect(200, "dyndns2_notfqdn.txt", HE_DDNS_FATAL, "notfqdn");
	expect(200, "dyndns2_nohost.txt", HE_DDNS_FATAL, "nohost");
	expect(200, "dyndns2_numhost.txt", HE_DDNS_FATAL, "numhost");
	expect(200, "dyndns2_abuse.txt", HE_DDNS_FATAL, "abuse");
	expect(200, "dyndns2_badagent.txt", HE_DDNS_FATAL, "badagent");
	expect(200, "dyndns2_yours.txt", HE_DDNS_FATAL, "!yours");
	expect(200, "dyndns2_911.txt", HE_DDNS_RETRY_LATER, "911");
	expect(200, "dyndns2_dnserr.txt", HE_DDNS_RETRY_LATER, "dnserr");
	expect(401, "dyndns2_401.txt", HE_DDNS_FATAL, "badauth");
	expect(401, "dyndns2_badauth.txt", HE_DDNS_FATAL, "badauth");
	expect(503, "http_503.html", HE_DDNS_TRANSIENT, "http 503");
	expect(500, NULL, HE_DDNS_TRANSIENT, "http 500");
	expect(429, NULL, HE_DDNS_RETRY_LATER, "http 429");
	expect(404, "http_503.html", HE_DDNS_FATAL, "http 404");
	expect(200, NULL, HE_DDNS_TRANSIENT, "unexpected");
	expect(200, "http_503.html", HE_DDNS_TRANSIENT, "unexpected");
}

static void test_fatal_says_why(void **state)
{
	struct he_ddns_answer ans = {0};

	(void)state;
	he_dyndns2_parse(200, "nohost", 6, &ans);
	assert_non_null(strstr(ans.message, "does not exist"));
	assert_non_null(strstr(ans.message, "--force"));
}

static void test_redact(void **state)
{
	char out[256];

	(void)state;
	he_ddns_redact("https://x/update?token=a+b/c&ip=1", "a+b/c", out, sizeof(out));
	assert_string_equal(out, "https://x/update?token=REDACTED&ip=1");
	he_ddns_redact("https://x/update?token=a%2Bb%2Fc&ip=1", "a+b/c", out, sizeof(out));
	assert_string_equal(out, "https://x/update?token=REDACTED&ip=1");
	he_ddns_redact("https://x/?t=tok&u=tok", "tok", out, sizeof(out));
	assert_string_equal(out, "https://x/?t=REDACTED&u=REDACTED");
	/* too small to hold the replacement: cut, never leak */
	he_ddns_redact("https://x/?t=tok", "tok", out, 16);
	assert_null(strstr(out, "tok"));
	/*
	 * found by fuzz_ddns_reply: what is left beside a mark must not join the
	 * mark's first letter into a piece ("EY1:SEC" + "REDACTED" gives
	 * "EY1:SECR", 8 characters of the secret): it is cut off there
	 */
	{
		struct he_ddns_answer a = {0};
		static const char secret[] = "SECRETKEY1:SECRETTOKEN";

		snprintf(a.code, sizeof(a.code), "unexpected");
		snprintf(a.message, sizeof(a.message),
			 "reply: '\"rrset\"EY1:SECEY1:SECR: [ \"11.'");
		he_ddns_answer_redact(&a, secret);
		for (size_t i = 0; i + HE_DDNS_PIECE <= strlen(secret); i++) {
			char piece[HE_DDNS_PIECE + 1];

			memcpy(piece, secret + i, HE_DDNS_PIECE);
			piece[HE_DDNS_PIECE] = '\0';
			assert_null(strstr(a.message, piece));
		}
		assert_non_null(strstr(a.message, "reply: '")); /* the rest of it stays */
	}
}

static void test_url_too_long(void **state)
{
	struct he_ddns_record r;
	struct he_http_req req;
	struct he_ddns_answer ans;
	struct he_error err = {0};
	struct he_ddns_job job = {.rec = &r, .family = AF_INET, .addr = "11.77.0.2"};

	(void)state;
	record(&r, "home", "dyndns2", "custom", "", "A");
	memset(r.hostname, '%', sizeof(r.hostname) - 1);
	memset(r.server, 'a', 400);
	assert_int_equal(he_ddns_provider_find("dyndns2")->step(&job, NULL, &req, &ans, &err),
			 -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_presets), cmocka_unit_test(test_request_desec_provider),
	    cmocka_unit_test(test_v4_only_presets), cmocka_unit_test(test_presets_match_config),
	    cmocka_unit_test(test_replies),         cmocka_unit_test(test_fatal_says_why),
	    cmocka_unit_test(test_redact),          cmocka_unit_test(test_url_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
