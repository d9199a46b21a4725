/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: lib/ddns import of ddclient.conf and inadyn.conf (the samples in
 * tests/fixtures/import, written from the two manuals, and the syntax corners
 * one by one), and the writing of new sections with their 0600 secrets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "core/file.h"
#include "ddns/import.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

static char *load(const char *name)
{
	char path[512], *text = NULL;

	snprintf(path, sizeof(path), "%s/import/%s", FIXTURES, name);
	assert_int_equal(he_read_text(path, 1 << 20, &text), 0);
	return text;
}

static const struct he_ddns_new *rec(const struct he_ddns_import *im, const char *name)
{
	for (size_t i = 0; i < im->n; i++)
		if (!strcmp(im->rec[i].name, name))
			return &im->rec[i];
	fail_msg("no record %s", name);
	return NULL;
}

static bool skipped(const struct he_ddns_import *im, const char *what_part, bool dropped)
{
	for (size_t i = 0; i < im->nskip; i++)
		if (strstr(im->skip[i].what, what_part) && im->skip[i].dropped_record == dropped)
			return true;
	return false;
}

static void expect(const struct he_ddns_new *r, const char *provider, const char *preset,
		   const char *families, const char *username, const char *secret)
{
	assert_string_equal(r->provider, provider);
	assert_string_equal(r->preset, preset);
	assert_string_equal(r->families, families);
	assert_string_equal(r->username, username);
	assert_non_null(r->secret);
	assert_string_equal(r->secret, secret);
}

static void test_ddclient_sample(void **state)
{
	char *text = load("ddclient.conf");
	struct he_ddns_import im;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_ddns_import_text(text, strlen(text), &im, &err), 0);
	assert_string_equal(im.format, "ddclient");
	assert_int_equal(im.n, 7);
	/* two hosts on one line, login and password as arguments */
	expect(rec(&im, "home.dyndns.example"), "dyndns2", "dyn", "A", "dynuser", "dyn-pass1");
	expect(rec(&im, "nas.dyndns.example"), "dyndns2", "dyn", "A", "dynuser", "dyn-pass1");
	/* continuation lines; a '#' inside password= is not a comment; server -> preset */
	expect(rec(&im, "he.example.net"), "dyndns2", "he", "A", "he.example.net",
	       "he-key#0123456789");
	assert_string_equal(rec(&im, "he.example.net")->server, "");
	/* protocol noip, usev4 and usev6, a quoted password */
	expect(rec(&im, "myhost.ddns.net"), "dyndns2", "noip", "A AAAA", "noipuser", "noip pass");
	/* cloudflare: zone kept, login=token left out, the token into token-file */
	assert_string_equal(rec(&im, "www.example.com")->zone, "example.com");
	assert_string_equal(rec(&im, "www.example.com")->secret_key, "token-file");
	expect(rec(&im, "www.example.com"), "cloudflare", "", "A", "", "cf-token-abc123");
	expect(rec(&im, "mybox.duckdns.org"), "duckdns", "", "A", "", "0123abcd-duck-token-4567");
	expect(rec(&im, "ovh.example.org"), "dyndns2", "ovh", "A", "example.org-dynhost",
	       "ovh-pass");
	/* what could not be carried over, and why */
	assert_true(skipped(&im, "use=cmd", false));
	assert_true(skipped(&im, "usev6=ifv6", false));
	assert_true(skipped(&im, "ttl=1", false));
	assert_true(skipped(&im, "host dx.example.com", true));
	assert_true(skipped(&im, "host *.wild.example", true));
	for (size_t i = 0; i < im.nskip; i++) /* a secret never appears in a skip */
		assert_null(strstr(im.skip[i].why, "pass"));
	he_ddns_import_free(&im);
	free(text);
}

static void test_inadyn_sample(void **state)
{
	char *text = load("inadyn.conf");
	struct he_ddns_import im;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_ddns_import_text(text, strlen(text), &im, &err), 0);
	assert_string_equal(im.format, "inadyn");
	assert_int_equal(im.n, 8);
	/* allow-ipv6 = true: both families; a hostname list */
	expect(rec(&im, "home.dyndns.example"), "dyndns2", "dyn", "A AAAA", "dynuser",
	       "dyn-secret");
	expect(rec(&im, "nas.dyndns.example"), "dyndns2", "dyn", "A AAAA", "dynuser", "dyn-secret");
	/* dyndns@he.net:1 -> he (the :ID suffix dropped) */
	expect(rec(&im, "he.example.net"), "dyndns2", "he", "A AAAA", "he.example.net",
	       "he-key-0123456789");
	/* ipv6@ -> AAAA only */
	expect(rec(&im, "v6.spdns.de"), "dyndns2", "spdyn", "AAAA", "spuser", "sp pass");
	/* DuckDNS: the token is the username */
	expect(rec(&im, "mybox.duckdns.org"), "duckdns", "", "A AAAA", "",
	       "0123abcd-duck-token-4567");
	/* Cloudflare: username is the zone */
	assert_string_equal(rec(&im, "www.example.com")->zone, "example.com");
	expect(rec(&im, "www.example.com"), "cloudflare", "", "A AAAA", "", "cf-token-abc123");
	/* an IPv4-only preset keeps A and says so */
	expect(rec(&im, "inwx.example.de"), "dyndns2", "inwx", "A", "inwxuser", "inwx-pass");
	assert_true(skipped(&im, "IPv6 (AAAA)", false));
	/* custom: dyndns2 to its server, the path without the standard query */
	expect(rec(&im, "cust.example.net"), "dyndns2", "", "A AAAA", "custuser", "cust-pass");
	assert_string_equal(rec(&im, "cust.example.net")->server,
			    "https://update.example.com/nic/update");
	assert_true(skipped(&im, "period", false));
	assert_true(skipped(&im, "checkip-command", false));
	assert_true(skipped(&im, "include(\"/etc/inadyn-freedns.pw\")", false));
	assert_true(skipped(&im, "host fd.mooo.com", true));
	assert_true(skipped(&im, "host ze.example.org", true));
	he_ddns_import_free(&im);
	free(text);
}

static void test_ddclient_syntax(void **state)
{
	static const char text[] =
	    "# globals, then hosts\n"
	    "protocol=dyndns2\n"
	    "server=dyn.dns.he.net, login=a\n"
	    "password='q w#e'\n"
	    "a.example.org\n"
	    "login=b b.example.org,c.example.org\n"
	    "host=d.example.org, protocol=dyndns2, server=my.server.test, script=/up/date, \\\n"
	    "   password=pd\n"
	    "a.example.org login=ignored\n" /* the first definition wins */
	    "protocol=dyndns2, password_env=PW e.example.org\n"
	    "protocol=nosuch f.example.org\n"
	    "protocol=nsupdate, server=ns1.example.org, zone=example.org, "
	    "password=/etc/ddclient/nsupdate.key, login=/usr/bin/nsupdate g.example.org\n";
	struct he_ddns_import im;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_ddns_import_ddclient(text, sizeof(text) - 1, &im, &err), 0);
	expect(rec(&im, "a.example.org"), "dyndns2", "he", "A", "a", "q w#e");
	expect(rec(&im, "b.example.org"), "dyndns2", "he", "A", "b", "q w#e");
	expect(rec(&im, "c.example.org"), "dyndns2", "he", "A", "b", "q w#e");
	expect(rec(&im, "d.example.org"), "dyndns2", "", "A", "a", "pd");
	assert_string_equal(rec(&im, "d.example.org")->server, "my.server.test/up/date");
	/* e has its password from the environment: not carried over */
	assert_true(skipped(&im, "password_env", false));
	/* nsupdate: rfc2136, the key file stays where it is and is named, login left out */
	assert_string_equal(rec(&im, "g.example.org")->provider, "rfc2136");
	assert_null(rec(&im, "g.example.org")->secret);
	assert_string_equal(rec(&im, "g.example.org")->secret_path, "/etc/ddclient/nsupdate.key");
	assert_string_equal(rec(&im, "g.example.org")->secret_key, "tsig-key-file");
	assert_string_equal(rec(&im, "g.example.org")->server, "ns1.example.org");
	assert_string_equal(rec(&im, "g.example.org")->zone, "example.org");
	assert_string_equal(rec(&im, "g.example.org")->username, "");
	assert_int_equal(im.n, 6); /* e: password_env replaces nothing, the global one stays */
	assert_true(skipped(&im, "host f.example.org", true));
	he_ddns_import_free(&im);
}

static void test_inadyn_syntax(void **state)
{
	static const char text[] = "allow-ipv6 = false\n"
				   "ca-trust-file = /etc/ssl/lab.pem\n"
				   "provider no-ip { username = u password = \"p\\\"q\" "
				   "hostname = 'x.example.org' }\n"
				   "provider nsupdate { hostname = y.example.org password = p }\n"
				   "provider spdyn { hostname = s.example.org password = p }\n"
				   "provider dyn { hostname = t.example.org password = p }\n"
				   "custom http:1 { ssl = false ddns-server = h.test:8080 "
				   "ddns-path = \"/update?host=%h&ip=%i&x=1\" "
				   "username = u password = p hostname = z.example.org }\n";
	struct he_ddns_import im;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_ddns_import_inadyn(text, sizeof(text) - 1, &im, &err), 0);
	/* "no-ip" is a unique substring (no-ip.com and noip.com are one target) */
	expect(rec(&im, "x.example.org"), "dyndns2", "noip", "A", "u", "p\"q");
	assert_string_equal(rec(&im, "x.example.org")->ca_file, "/etc/ssl/lab.pem");
	/* "nsupdate" matches ipv4@nsupdate.info alone; "spdyn" prefers default@spdyn.de */
	expect(rec(&im, "y.example.org"), "dyndns2", "nsupdate-info", "A", "", "p");
	expect(rec(&im, "s.example.org"), "dyndns2", "spdyn", "A", "", "p");
	/* "dyn" is in a dozen names: refused */
	assert_true(skipped(&im, "host t.example.org", true));
	/* ssl = false: still https (said in the list) */
	assert_string_equal(rec(&im, "z.example.org")->server, "https://h.test:8080/update");
	assert_true(skipped(&im, "ssl = false", false));
	assert_true(skipped(&im, "ddns-path host=%h", false));
	he_ddns_import_free(&im);

	/* the table itself */
	assert_string_equal(he_ddns_import_map_find("inadyn", "default@he.net")->preset, "he");
	assert_string_equal(he_ddns_import_map_find("ddclient", "noip")->preset, "noip");
	assert_string_equal(he_ddns_import_map_find("inadyn", "ipv6@spdyn.de")->families, "AAAA");
	assert_null(he_ddns_import_map_find("ddclient", "default@he.net"));
	assert_null(he_ddns_import_map_find("inadyn", "zoneedit"));

	assert_int_equal(he_ddns_import_inadyn("provider x {", 12, &im, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "syntax error"));
	assert_int_equal(he_ddns_import_inadyn("a = \"open", 10, &im, &err), -EINVAL);
}

/* A written configuration passes the loader and the secret checks; secrets are 0600. */
static void test_write(void **state)
{
	char dir[] = "/tmp/he-import-XXXXXX", conf[128], sec[256], *text = load("inadyn.conf");
	struct he_ddns_import im;
	struct he_error err = {0};
	static struct he_config cfg;
	struct he_diags d = {0};
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/homeexpose.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("# mine\n[router]\nenabled = no", f); /* no final newline */
	fclose(f);
	assert_int_equal(he_ddns_import_text(text, strlen(text), &im, &err), 0);
	assert_int_equal(he_ddns_conf_append(conf, im.rec, im.n, &err), 0);
	assert_int_equal(he_config_load(&cfg, conf, true, &d), 0);
	he_config_check_secrets(&cfg, &d);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(cfg.nddns, im.n);
	assert_false(cfg.router_enabled);
	snprintf(sec, sizeof(sec), "%s/secrets/he.example.net.password", dir);
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a second append of the same names is refused, nothing changes */
	assert_int_equal(he_ddns_conf_append(conf, im.rec, 1, &err), -EEXIST);
	assert_true(he_ddns_conf_has("[ddns  x ]\n", "x"));
	assert_false(he_ddns_conf_has("[ddnsx]\n[ddns xy]\n", "x"));
	he_diags_free(&d);
	he_ddns_import_free(&im);
	free(text);
	for (size_t i = 0; i < cfg.nddns; i++) {
		unlink(cfg.ddns[i].password_file);
		unlink(cfg.ddns[i].token_file);
	}
	snprintf(sec, sizeof(sec), "%s/secrets", dir);
	rmdir(sec);
	unlink(conf);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ddclient_sample), cmocka_unit_test(test_inadyn_sample),
	    cmocka_unit_test(test_ddclient_syntax), cmocka_unit_test(test_inadyn_syntax),
	    cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
