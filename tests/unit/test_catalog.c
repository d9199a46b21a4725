/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/catalog (profiles, /etc/services, refused ports). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog/catalog.h"
#include "catalog/danger.h"

/* The shipped profiles, relative to the repository root (make runs tests there). */
#define SHIPPED "config/services"

static const struct he_profile *must_find(const struct he_catalog *c, const char *name)
{
	const struct he_profile *p = he_catalog_find(c, name);

	if (!p)
		fail_msg("profile %s missing from %s", name, SHIPPED);
	return p;
}

static int has_port(const struct he_portlist *l, unsigned port, unsigned proto)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].ext == port && l->v[i].proto == proto)
			return 1;
	return 0;
}

static void test_shipped_catalog(void **state)
{
	static const char *const required[] = {
	    "nextcloud", "gitea",     "forgejo",     "jitsi",      "matrix",         "mastodon",
	    "navidrome", "paperless", "vaultwarden", "jellyfin",   "home-assistant", "syncthing",
	    "wireguard", "minecraft", "kodi",        "prometheus", "pihole",         NULL};
	const char *dirs[] = {SHIPPED};
	struct he_catalog c = {0};
	struct he_diags d = {0};
	const struct he_profile *p;

	(void)state;
	assert_int_equal(he_catalog_load(dirs, 1, &c, &d), 0);
	assert_int_equal(d.n, 0); /* shipped profiles are clean, warnings included */
	for (int i = 0; required[i]; i++) {
		p = must_find(&c, required[i]);
		assert_true(p->ports.n > 0);
		assert_true(strlen(p->note) > 10);
	}
	p = must_find(&c, "jitsi");
	assert_int_equal(p->ports.n, 2);
	assert_true(has_port(&p->ports, 443, HE_PROTO_TCP));
	assert_true(has_port(&p->ports, 10000, HE_PROTO_UDP));
	p = must_find(&c, "matrix");
	assert_true(has_port(&p->ports, 443, HE_PROTO_TCP));
	assert_true(has_port(&p->ports, 8448, HE_PROTO_TCP));
	p = must_find(&c, "syncthing");
	assert_int_equal(p->ports.n, 2);
	assert_true(has_port(&p->ports, 22000, HE_PROTO_TCP));
	assert_true(has_port(&p->ports, 22000, HE_PROTO_UDP));
	assert_false(has_port(&p->ports, 8384, HE_PROTO_TCP)); /* GUI stays local */
	assert_true(must_find(&c, "pihole")->local_only);
	assert_true(must_find(&c, "prometheus")->local_only);
	assert_false(must_find(&c, "nextcloud")->local_only);
	/* inline ';' inside a note is kept, not taken for a comment */
	assert_non_null(strstr(must_find(&c, "kodi")->note, "; prefer a VPN"));
	he_catalog_free(&c);
}

static void test_override_and_errors(void **state)
{
	struct he_catalog c = {0};
	struct he_diags d = {0};
	const struct he_profile *p;

	(void)state;
	assert_int_equal(he_catalog_parse(&c, "a.conf", "[web]\nports = 443\nnote = one\n", &d), 0);
	assert_int_equal(he_catalog_parse(&c, "b.conf", "[web]\nports = 8443/tcp\n", &d), 0);
	p = he_catalog_find(&c, "web");
	assert_non_null(p);
	assert_int_equal(p->ports.v[0].ext, 8443);
	assert_string_equal(p->file, "b.conf");
	assert_int_equal(c.n, 1);

	assert_int_equal(he_catalog_parse(&c, "c.conf",
					  "[bad]\nnote = no ports\n[worse]\nports = 70000\n"
					  "[x]\nports = 1\nlocal-only = yes\n",
					  &d),
			 -EINVAL);
	assert_null(he_catalog_find(&c, "bad"));
	assert_null(he_catalog_find(&c, "worse"));
	assert_non_null(he_catalog_find(&c, "x"));
	assert_int_equal(d.nerrors, 2);
	assert_int_equal(d.n, 3); /* + a warning: local-only without reason */
	he_diags_free(&d);
	he_catalog_free(&c);
}

static void test_etc_services(void **state)
{
	struct he_catalog c = {0};
	struct he_portlist ports;
	const struct he_profile *p = (const void *)1;
	struct he_error err = {0};
	char origin[128];

	(void)state;
	if (access("/etc/services", R_OK) != 0)
		fail_msg("/etc/services is missing (Debian package netbase)");
	assert_int_equal(he_service_resolve(&c, "https", &ports, &p, origin, sizeof(origin), &err),
			 0);
	assert_null(p);
	assert_int_equal(ports.n, 1);
	assert_int_equal(ports.v[0].ext, 443);
	assert_int_equal(ports.v[0].proto, HE_PROTO_TCP);
	assert_int_equal(he_service_resolve(&c, "no-such-service-here", &ports, &p, origin,
					    sizeof(origin), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "homeexpose services"));
}

static void test_dangerous_ports(void **state)
{
	static const unsigned refused[] = {25, 53,   111,  137,  138,   139,  445,  3389,
					   23, 2323, 5900, 6379, 27017, 9200, 2375, 0};
	struct he_portlist l = {0};
	struct he_danger_hit hits[8];
	struct he_error err = {0};

	(void)state;
	for (int i = 0; refused[i]; i++) {
		const struct he_danger *d = he_danger_find((uint16_t)refused[i], HE_PROTO_TCP);

		if (!d) {
			fail_msg("port %u should be refused", refused[i]);
			return;
		}
		assert_true(strlen(d->reason) > 20);
	}
	assert_null(he_danger_find(443, HE_PROTO_BOTH));
	assert_null(he_danger_find(140, HE_PROTO_TCP));
	assert_non_null(strstr(he_danger_find(25, HE_PROTO_TCP)->reason, "blocklist"));
	/* SMTP is TCP only */
	assert_null(he_danger_find(25, HE_PROTO_UDP));

	assert_int_equal(he_portlist_parse(&l, "443 8445:445 25 10000/udp", &err), 0);
	assert_int_equal(he_danger_check(&l, hits, 8), 2);
	assert_int_equal(hits[0].port, 445); /* the internal port counts too */
	assert_int_equal(hits[1].port, 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_catalog),
	    cmocka_unit_test(test_override_and_errors),
	    cmocka_unit_test(test_etc_services),
	    cmocka_unit_test(test_dangerous_ports),
	};
	return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
