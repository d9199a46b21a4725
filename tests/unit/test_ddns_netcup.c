/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the netcup CCP DNS API provider (login, infoDnsRecords,
 * updateDnsRecords, logout), from replies written from netcup's DNS API
 * documentation (tests/fixtures/ddns/README.md).
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

#define NC_URL "https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON"
#define SID    "Mzg5NjM4NzQ2NzM5NDIwNjU3MTI3NTk1Mjk1"

static json_t *param(const struct ddns_conv *c, const char *action)
{
	json_t *b = json_loads(c->req.body, 0, NULL), *p;

	assert_non_null(b);
	assert_string_equal(c->req.method, "POST");
	assert_string_equal(c->req.url, NC_URL);
	assert_string_equal(json_string_value(json_object_get(b, "action")), action);
	p = json_incref(json_object_get(b, "param"));
	json_decref(b);
	return p;
}

static const char *pstr(json_t *p, const char *k)
{
	const char *s = json_string_value(json_object_get(p, k));

	assert_non_null(s);
	return s;
}

static void start(struct ddns_conv *c, const char *host, int family, const char *addr)
{
	json_t *p;

	conv_init(c, "netcup", host, family, addr, "ncapikey:ncapipass");
	snprintf(c->rec.username, sizeof(c->rec.username), "12345");
	assert_int_equal(conv_first(c), HE_DDNS_SEND);
	p = param(c, "login");
	assert_string_equal(pstr(p, "customernumber"), "12345");
	assert_string_equal(pstr(p, "apikey"), "ncapikey");
	assert_string_equal(pstr(p, "apipassword"), "ncapipass");
	json_decref(p);
	assert_int_equal(conv_feed(c, 200, "netcup_login_ok.json"), HE_DDNS_SEND);
	p = param(c, "infoDnsRecords");
	assert_string_equal(pstr(p, "domainname"), "example.com");
	assert_string_equal(pstr(p, "apisessionid"), SID);
	assert_string_equal(pstr(p, "apikey"), "ncapikey");
	assert_null(json_object_get(p, "apipassword")); /* only the login carries it */
	json_decref(p);
}

static void test_update(void **state)
{
	struct ddns_conv c;
	json_t *p, *r;

	(void)state;
	start(&c, "home.example.com", AF_INET, "11.77.0.2");
	assert_int_equal(conv_feed(&c, 200, "netcup_info.json"), HE_DDNS_SEND);
	p = param(&c, "updateDnsRecords");
	r = json_array_get(json_object_get(json_object_get(p, "dnsrecordset"), "dnsrecords"), 0);
	assert_string_equal(pstr(r, "id"), "40123452");
	assert_string_equal(pstr(r, "hostname"), "home");
	assert_string_equal(pstr(r, "type"), "A");
	assert_string_equal(pstr(r, "destination"), "11.77.0.2");
	assert_true(json_is_false(json_object_get(r, "deleterecord")));
	json_decref(p);
	assert_int_equal(conv_feed(&c, 200, "netcup_update_ok.json"), HE_DDNS_SEND);
	p = param(&c, "logout");
	assert_string_equal(pstr(p, "apisessionid"), SID);
	json_decref(p);
	assert_int_equal(conv_feed(&c, 200, "netcup_logout_ok.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_GOOD);
	assert_string_equal(c.ans.code, "good");
}

static void test_nochg_create(void **state)
{
	struct ddns_conv c;
	json_t *p, *r;

	(void)state;
	start(&c, "example.com", AF_INET, "198.51.100.9");
	assert_int_equal(conv_feed(&c, 200, "netcup_info.json"), HE_DDNS_SEND);
	p = param(&c, "logout"); /* the apex (@) already holds it: log out, no write */
	json_decref(p);
	assert_int_equal(conv_feed(&c, 200, "netcup_logout_ok.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_NOCHG);

	start(&c, "home.example.com", AF_INET6, "2e77:77:1::2");
	assert_int_equal(conv_feed(&c, 200, "netcup_info.json"), HE_DDNS_SEND);
	p = param(&c, "updateDnsRecords");
	r = json_array_get(json_object_get(json_object_get(p, "dnsrecordset"), "dnsrecords"), 0);
	assert_null(json_object_get(r, "id")); /* no id: a new record */
	assert_string_equal(pstr(r, "type"), "AAAA");
	json_decref(p);
	assert_int_equal(conv_feed(&c, 200, "netcup_update_ok.json"), HE_DDNS_SEND);
	/* a failed logout changes nothing: the session expires anyway */
	assert_int_equal(conv_feed(&c, 500, NULL), HE_DDNS_DONE);
	assert_string_equal(c.ans.code, "created");

	/* a zone without records yet (5029) */
	start(&c, "home.example.com", AF_INET, "11.77.0.2");
	assert_int_equal(conv_feed(&c, 200, "netcup_info_none.json"), HE_DDNS_SEND);
	p = param(&c, "updateDnsRecords");
	json_decref(p);
}

static void test_errors(void **state)
{
	struct ddns_conv c;

	(void)state;
	conv_init(&c, "netcup", "home.example.com", AF_INET, "11.77.0.2", "ncapikey:ncapipass");
	snprintf(c.rec.username, sizeof(c.rec.username), "12345");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "netcup_login_failed.json"), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_FATAL);
	assert_string_equal(c.ans.code, "badauth");
	assert_non_null(strstr(c.ans.message, "login failed"));
	assert_null(strstr(c.ans.message, "ncapipass"));
	assert_int_equal(conv_feed(&c, 503, NULL), HE_DDNS_DONE);
	assert_int_equal(c.ans.outcome, HE_DDNS_TRANSIENT);

	conv_init(&c, "netcup", "home.example.com", AF_INET, "11.77.0.2", "ncapikey:ncapipass");
	assert_int_equal(conv_first(&c), -EINVAL); /* no customer number */
	conv_init(&c, "netcup", "home.example.com", AF_INET, "11.77.0.2", "onlyonepart");
	snprintf(c.rec.username, sizeof(c.rec.username), "12345");
	assert_int_equal(conv_first(&c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_update),
	    cmocka_unit_test(test_nochg_create),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
