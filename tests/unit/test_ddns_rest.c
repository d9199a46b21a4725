/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the REST-API providers (Porkbun, Hetzner DNS, Gandi LiveDNS,
 * GoDaddy, DigitalOcean, Linode, IONOS). For each: the requests of an update
 * (only the address changes, the TTL found is kept), no write when the
 * record already holds the address, a missing record created, and a refused
 * credential fatal. Replies are fixtures written from each provider's API
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

/* The request body's JSON (the caller frees it). */
static json_t *body_of(const struct ddns_conv *c)
{
	json_t *b = json_loads(c->req.body, 0, NULL);

	assert_non_null(b);
	assert_string_equal(c->req.content_type, "application/json");
	return b;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	assert_non_null(s);
	return s;
}

static void assert_outcome(const struct ddns_conv *c, enum he_ddns_outcome o, const char *code)
{
	assert_int_equal(c->ans.outcome, o);
	assert_string_equal(c->ans.code, code);
}

#define PB "https://api.porkbun.com/api/json/v3/dns/"

static void test_porkbun(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "porkbun", "home.example.com", AF_INET, "11.77.0.2", "pk1_abc:sk1_def");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	assert_string_equal(c.req.url, PB "retrieveByNameType/example.com/A/home");
	b = body_of(&c);
	assert_string_equal(str(b, "apikey"), "pk1_abc");
	assert_string_equal(str(b, "secretapikey"), "sk1_def");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "porkbun_records_a.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, PB "editByNameType/example.com/A/home");
	b = body_of(&c);
	assert_int_equal(json_object_size(b), 4); /* credentials, content, ttl */
	assert_string_equal(str(b, "content"), "11.77.0.2");
	assert_string_equal(str(b, "ttl"), "3600"); /* as found */
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "porkbun_success.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "porkbun", "home.example.com", AF_INET, "11.77.0.2", "pk1_abc\nsk1_def\n");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "porkbun_records_same.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "porkbun", "example.com", AF_INET6, "2e77:77:1::2", "pk1_abc:sk1_def");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, PB "retrieveByNameType/example.com/AAAA");
	assert_int_equal(conv_feed(&c, 200, "porkbun_records_empty.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, PB "create/example.com");
	b = body_of(&c);
	assert_string_equal(str(b, "name"), "");
	assert_string_equal(str(b, "type"), "AAAA");
	assert_string_equal(str(b, "content"), "2e77:77:1::2");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "porkbun_create_ok.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");

	conv_init(&c, "porkbun", "home.example.com", AF_INET, "11.77.0.2", "pk1_abc:sk1_def");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 400, "porkbun_badkey.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
	assert_non_null(strstr(c.ans.message, "Invalid API key"));
	assert_null(strstr(c.ans.message, "sk1_def"));

	/* a token file without both keys cannot make a request */
	conv_init(&c, "porkbun", "home.example.com", AF_INET, "11.77.0.2", "pk1_only");
	assert_int_equal(conv_first(&c), -EINVAL);
	assert_non_null(strstr(c.err.msg, "format"));
}

#define HZ     "https://dns.hetzner.com/api/v1"
#define HZ_ZID "HauBnSzemhYRH9Ho2fqCoF"

static void test_hetzner(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "hetzner", "home.example.com", AF_INET, "11.77.0.2", "hz-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, HZ "/zones?name=example.com");
	assert_string_equal(c.req.header[0], "Auth-API-Token: hz-token");
	assert_int_equal(conv_feed(&c, 200, "hetzner_zones.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, HZ "/records?zone_id=" HZ_ZID);
	assert_int_equal(conv_feed(&c, 200, "hetzner_records.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PUT");
	assert_string_equal(c.req.url, HZ "/records/b8c6d5fb4a3c2e1f0e9d8c7b6a5f4e3d");
	b = body_of(&c);
	assert_string_equal(str(b, "value"), "11.77.0.2");
	assert_string_equal(str(b, "name"), "home");
	assert_string_equal(str(b, "zone_id"), HZ_ZID);
	assert_int_equal(json_integer_value(json_object_get(b, "ttl")), 3600);
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "hetzner_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "hetzner", "www.example.com", AF_INET, "198.51.100.9", "hz-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "hetzner_zones.json"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "hetzner_records.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "hetzner", "home.example.com", AF_INET6, "2e77:77:1::2", "hz-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "hetzner_zones.json"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "hetzner_records.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	assert_string_equal(c.req.url, HZ "/records");
	b = body_of(&c);
	assert_string_equal(str(b, "type"), "AAAA");
	assert_null(json_object_get(b, "ttl")); /* the zone's default */
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "hetzner_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");

	conv_init(&c, "hetzner", "home.example.org", AF_INET, "11.77.0.2", "hz-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "hetzner_zones.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "nozone");
	assert_int_equal(conv_feed(&c, 401, "hetzner_unauthorized.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
	assert_non_null(strstr(c.ans.message, "Invalid authentication credentials"));
}

#define GANDI "https://api.gandi.net/v5/livedns/domains/example.com/records/"

static void test_gandi(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "gandi", "home.example.com", AF_INET, "11.77.0.2", "gandi-pat");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, GANDI "home/A");
	assert_string_equal(c.req.bearer, "gandi-pat");
	assert_int_equal(conv_feed(&c, 200, "gandi_rrset_a.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PUT");
	assert_string_equal(c.req.url, GANDI "home/A");
	b = body_of(&c);
	assert_int_equal(json_object_size(b), 2);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(b, "rrset_values"), 0)), "11.77.0.2");
	assert_int_equal(json_integer_value(json_object_get(b, "rrset_ttl")), 3600);
	json_decref(b);
	assert_int_equal(conv_feed(&c, 201, "gandi_created.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "gandi", "home.example.com", AF_INET, "11.77.0.2", "gandi-pat");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "gandi_rrset_same.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "gandi", "example.com", AF_INET6, "2e77:77:1::2", "gandi-pat");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, GANDI "%40/AAAA");
	assert_int_equal(conv_feed(&c, 404, "gandi_not_found.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	assert_int_equal(conv_feed(&c, 201, "gandi_created.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");

	conv_init(&c, "gandi", "home.example.com", AF_INET, "11.77.0.2", "gandi-pat");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 401, "gandi_unauthorized.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
}

#define GD "https://api.godaddy.com/v1/domains/example.com/records/"

static void test_godaddy(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "godaddy", "home.example.com", AF_INET, "11.77.0.2", "gdkey:gdsecret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, GD "A/home");
	assert_string_equal(c.req.header[0], "Authorization: sso-key gdkey:gdsecret");
	assert_int_equal(conv_feed(&c, 200, "godaddy_records_a.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PUT");
	b = json_loads(c.req.body, 0, NULL);
	assert_int_equal(json_array_size(b), 1);
	assert_string_equal(str(json_array_get(b, 0), "data"), "11.77.0.2");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "ttl")), 3600);
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, NULL), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "godaddy", "home.example.com", AF_INET, "198.51.100.4", "gdkey:gdsecret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "godaddy_records_a.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "godaddy", "home.example.com", AF_INET, "11.77.0.2", "gdkey:gdsecret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "godaddy_records_empty.json"), HE_DDNS_SEND);
	b = json_loads(c.req.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "ttl")), 600);
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, NULL), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");

	conv_init(&c, "godaddy", "home.example.com", AF_INET, "11.77.0.2", "gdkey:gdsecret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 401, "godaddy_unauthorized.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
	assert_int_equal(conv_feed(&c, 403, "godaddy_access_denied.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
	assert_non_null(strstr(c.ans.message, "ACCESS_DENIED"));
	assert_int_equal(conv_feed(&c, 404, "godaddy_unknown_domain.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "rejected");
	assert_null(strstr(c.ans.message, "gdsecret"));
}

#define DO "https://api.digitalocean.com/v2/domains/example.com/records"

static void test_digitalocean(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "digitalocean", "home.example.com", AF_INET, "11.77.0.2", "do-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, DO "?type=A&name=home.example.com");
	assert_string_equal(c.req.bearer, "do-token");
	assert_int_equal(conv_feed(&c, 200, "digitalocean_records_a.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PATCH");
	assert_string_equal(c.req.url, DO "/3352896");
	b = body_of(&c);
	assert_int_equal(json_object_size(b), 2);
	assert_string_equal(str(b, "data"), "11.77.0.2");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "digitalocean_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "digitalocean", "home.example.com", AF_INET, "198.51.100.4", "do-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "digitalocean_records_a.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "digitalocean", "home.example.com", AF_INET6, "2e77:77:1::2", "do-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "digitalocean_records_empty.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	b = body_of(&c);
	assert_string_equal(str(b, "name"), "home");
	assert_string_equal(str(b, "type"), "AAAA");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 201, "digitalocean_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");
	assert_int_equal(conv_feed(&c, 401, "digitalocean_unauthorized.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
}

#define LN "https://api.linode.com/v4/domains"

static void test_linode(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "linode", "home.example.com", AF_INET, "11.77.0.2", "ln-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, LN);
	assert_string_equal(c.req.header[0], "X-Filter: {\"domain\": \"example.com\"}");
	assert_int_equal(conv_feed(&c, 200, "linode_domains.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, LN "/1234/records?page_size=500");
	assert_int_equal(conv_feed(&c, 200, "linode_records.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PUT");
	assert_string_equal(c.req.url, LN "/1234/records/28014");
	b = body_of(&c);
	assert_int_equal(json_object_size(b), 1);
	assert_string_equal(str(b, "target"), "11.77.0.2");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "linode_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "linode", "www.example.com", AF_INET, "198.51.100.9", "ln-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "linode_domains.json"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "linode_records.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "linode", "example.com", AF_INET, "11.77.0.2", "ln-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "linode_domains.json"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "linode_records.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	b = body_of(&c);
	assert_string_equal(str(b, "name"), "");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "linode_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");

	conv_init(&c, "linode", "home.example.org", AF_INET, "11.77.0.2", "ln-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "linode_domains.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "nozone");
	assert_int_equal(conv_feed(&c, 401, "linode_unauthorized.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
	assert_non_null(strstr(c.ans.message, "Invalid Token"));
}

#define IO     "https://api.hosting.ionos.com/dns/v1/zones"
#define IO_ZID "11af3414-ebba-11e9-8df5-66fbe8a334b4"

static void test_ionos(void **state)
{
	struct ddns_conv c;
	json_t *b;

	(void)state;
	conv_init(&c, "ionos", "home.example.com", AF_INET, "11.77.0.2", "pfx.secret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_string_equal(c.req.url, IO);
	assert_string_equal(c.req.header[0], "X-API-Key: pfx.secret");
	assert_int_equal(conv_feed(&c, 200, "ionos_zones.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.url, IO "/" IO_ZID "?suffix=home.example.com&recordType=A");
	assert_int_equal(conv_feed(&c, 200, "ionos_zone_records.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "PUT");
	assert_string_equal(c.req.url,
			    IO "/" IO_ZID "/records/22af3414-abbe-9e11-5df5-66fbe8e334b4");
	b = body_of(&c);
	assert_string_equal(str(b, "content"), "11.77.0.2");
	assert_int_equal(json_integer_value(json_object_get(b, "ttl")), 3600);
	json_decref(b);
	assert_int_equal(conv_feed(&c, 200, "ionos_record.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "good");

	conv_init(&c, "ionos", "home.example.com", AF_INET, "198.51.100.4", "pfx.secret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "ionos_zones.json"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "ionos_zone_records.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_NOCHG, "nochg");

	conv_init(&c, "ionos", "home.example.com", AF_INET6, "2e77:77:1::2", "pfx.secret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "ionos_zones.json"), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 200, "ionos_zone_empty.json"), HE_DDNS_SEND);
	assert_string_equal(c.req.method, "POST");
	b = json_loads(c.req.body, 0, NULL);
	assert_string_equal(str(json_array_get(b, 0), "name"), "home.example.com");
	assert_string_equal(str(json_array_get(b, 0), "type"), "AAAA");
	json_decref(b);
	assert_int_equal(conv_feed(&c, 201, NULL), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_GOOD, "created");

	conv_init(&c, "ionos", "home.example.com", AF_INET, "11.77.0.2", "pfx.secret");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	assert_int_equal(conv_feed(&c, 401, "ionos_unauthorized.json"), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_FATAL, "badauth");
	assert_non_null(strstr(c.ans.message, "not authorized"));
}

/* Ids in replies never reach a URL unless they are plain. */
static void test_hostile_ids(void **state)
{
	struct ddns_conv c;
	struct he_http_resp r = {.status = 200};
	char body[] =
	    "{\"domain_records\": [{\"id\": \"../../x\", \"type\": \"A\", \"data\": \"1.2.3.4\"}]}";

	(void)state;
	conv_init(&c, "digitalocean", "home.example.com", AF_INET, "11.77.0.2", "do-token");
	assert_int_equal(conv_first(&c), HE_DDNS_SEND);
	r.body = body;
	r.len = strlen(body);
	assert_int_equal(c.p->step(&c.job, &r, &c.req, &c.ans, &c.err), HE_DDNS_DONE);
	assert_outcome(&c, HE_DDNS_TRANSIENT, "unexpected");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_porkbun),      cmocka_unit_test(test_hetzner),
	    cmocka_unit_test(test_gandi),        cmocka_unit_test(test_godaddy),
	    cmocka_unit_test(test_digitalocean), cmocka_unit_test(test_linode),
	    cmocka_unit_test(test_ionos),        cmocka_unit_test(test_hostile_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
