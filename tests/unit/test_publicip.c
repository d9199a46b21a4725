/* SPDX-License-Identifier: MIT */
/*
 * test_publicip.c - the decision step (agreement rule, every NAT verdict,
 * disagreement, a lying check service), the HTTP body rule, STUN server
 * strings, options from the config, and the STUN client against fake servers
 * on loopback (answer, retransmission, error response, refusal, deadline),
 * and that a hanging resolver cannot stretch the deadline (STUN and HTTP).
 *
 * getaddrinfo is interposed below (the test program's definition wins over
 * libc's, for libcurl too): names under .slow.test hang 1.5 s as a resolver
 * with a dead name server would, then fail; everything else goes to libc.
 * No query ever leaves the host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "publicip/publicip.h"
#include "publicip/sources.h"
#include "publicip/stun_wire.h"

/* ---- building reports ---- */

static void ans(struct he_pubip_report *r, enum he_pubip_kind kind, int family, const char *source,
		const char *addr)
{
	struct he_pubip_answer *a = &r->answers[r->nanswers++];

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->family = family;
	snprintf(a->source, sizeof(a->source), "%s", source);
	if (addr) {
		snprintf(a->addr, sizeof(a->addr), "%s", addr);
		assert_int_equal(he_addr_class_str(addr, &a->cls), 0);
	} else {
		a->rc = -ETIMEDOUT;
		snprintf(a->error, sizeof(a->error), "no answer");
	}
}

static void fresh(struct he_pubip_report *r)
{
	memset(r, 0, sizeof(*r));
}

#define V4 AF_INET
#define V6 AF_INET6

/* ---- agreement ---- */

static void test_all_agree(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "11.77.0.2");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	ans(&r, HE_PUBIP_IFACE, V6, "interface eth0", "2e77:77:1::2");
	ans(&r, HE_PUBIP_STUN, V6, "stun a6", "2e77:77:1::2");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "11.77.0.2");
	assert_int_equal(r.v4_agree, 3);
	assert_string_equal(r.v6, "2e77:77:1::2");
	assert_int_equal(r.v6_agree, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_NONE);
	assert_string_equal(r.router_wan, "11.77.0.2");
	assert_string_equal(r.verdict, "");
	assert_string_equal(he_pubip_nat_name(r.nat), "none");
}

/* A single lying HTTP service among honest sources is outvoted and named. */
static void test_single_liar_outvoted(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "11.77.0.2");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http honest", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http liar", "11.77.0.99");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "11.77.0.2");
	assert_int_equal(r.v4_agree, 3);
	assert_non_null(strstr(r.verdict, "http liar says 11.77.0.99"));
	/* the liar comes first: the order of answers changes nothing */
	fresh(&r);
	ans(&r, HE_PUBIP_HTTP, V4, "http liar", "11.77.0.99");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http honest", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "11.77.0.2");
}

/* One honest and one lying source: a tie, nothing is trusted. */
static void test_single_liar_tie(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_HTTP, V4, "http honest", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http liar", "11.77.0.99");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "");
	assert_int_equal(r.v4_agree, 0);
	assert_non_null(strstr(r.verdict, "disagree"));
	assert_non_null(strstr(r.verdict, "11.77.0.99 (http liar)"));
	/* even with required = 1 a tie trusts nothing */
	he_pubip_combine(&r, 1);
	assert_string_equal(r.v4, "");
}

/* The liar answers, the honest sources fail: the liar alone is not enough. */
static void test_liar_alone_among_failures(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", NULL);
	ans(&r, HE_PUBIP_HTTP, V4, "http honest", NULL);
	ans(&r, HE_PUBIP_HTTP, V4, "http liar", "11.77.0.99");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "");
	assert_non_null(strstr(r.verdict, "only 1 of 3"));
	/* with required = 1 the user accepted one source */
	he_pubip_combine(&r, 1);
	assert_string_equal(r.v4, "11.77.0.99");
}

/* Fewer sources exist than required: all of them must answer and agree. */
static void test_fewer_sources_than_required(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "11.77.0.2");
	assert_int_equal(r.v4_agree, 1);
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	he_pubip_combine(&r, 3);
	assert_string_equal(r.v4, "11.77.0.2");
	/* two exist, required 3, one failed: not every source answered */
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", NULL);
	he_pubip_combine(&r, 3);
	assert_string_equal(r.v4, "");
	/* nothing answered at all */
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V6, "stun a6", NULL);
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v6, "");
	assert_non_null(strstr(r.verdict, "IPv6: no source answered"));
	/* no sources of a family: nothing said about it */
	fresh(&r);
	he_pubip_combine(&r, 2);
	assert_string_equal(r.verdict, "");
	assert_int_equal(r.nat, HE_PUBIP_NAT_UNKNOWN);
}

/* Two against two: no majority. Three against two: the three win. */
static void test_majority(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "s1", "11.77.0.2");
	ans(&r, HE_PUBIP_STUN, V4, "s2", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "h1", "11.77.0.3");
	ans(&r, HE_PUBIP_HTTP, V4, "h2", "11.77.0.3");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "");
	ans(&r, HE_PUBIP_HTTP, V4, "h3", "11.77.0.3");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "11.77.0.3");
	assert_int_equal(r.v4_agree, 3);
}

/* A non-public answer from an outside source is ignored (and said so). */
static void test_outside_private_answer(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http proxyish", "10.0.0.5");
	ans(&r, HE_PUBIP_HTTP, V4, "http b", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "11.77.0.2");
	assert_non_null(strstr(r.verdict, "10.0.0.5, which is not a public address"));
	/* but it still counts as a source that did not agree */
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http proxyish", "10.0.0.5");
	he_pubip_combine(&r, 2);
	assert_string_equal(r.v4, "");
}

/* ---- NAT verdicts ---- */

static void test_nat_cgnat(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "100.64.77.2");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	ans(&r, HE_PUBIP_IFACE, V6, "interface eth0", "2e77:77:1::2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_CGNAT);
	assert_string_equal(he_pubip_nat_name(r.nat), "cgnat");
	/* the router's CGNAT address does not vote: STUN + HTTP are the two */
	assert_string_equal(r.v4, "11.77.0.2");
	assert_int_equal(r.v4_agree, 2);
	assert_string_equal(r.router_wan, "100.64.77.2");
	assert_non_null(strstr(r.verdict, "CGNAT"));
	assert_non_null(strstr(r.verdict, "100.64.77.2"));
	assert_non_null(strstr(r.verdict, "11.77.0.2"));
	assert_non_null(strstr(r.verdict, "IPv6 (this host has 2e77:77:1::2)"));
	assert_non_null(strstr(r.verdict, "tunnel"));
	assert_non_null(strstr(r.verdict, "public IPv4"));
	/* the verdict begins with the NAT */
	assert_memory_equal(r.verdict, "CGNAT", 5);
}

static void test_nat_cgnat_unconfirmed(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "100.64.77.2");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", NULL);
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_CGNAT);
	assert_string_equal(r.v4, "");
	assert_non_null(strstr(r.verdict, "no outside source confirmed"));
}

static void test_nat_double(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "192.168.178.20");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_DOUBLE);
	assert_string_equal(he_pubip_nat_name(r.nat), "double-nat");
	assert_non_null(strstr(r.verdict, "double NAT"));
	assert_non_null(strstr(r.verdict, "RFC 1918"));
	assert_non_null(strstr(r.verdict, "bridge mode"));
	/* another reserved block in front: also a second NAT */
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "198.18.0.7");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_DOUBLE);
	assert_non_null(strstr(r.verdict, "reserved"));
}

static void test_nat_dslite(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "192.0.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http b", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_DSLITE);
	assert_string_equal(he_pubip_nat_name(r.nat), "ds-lite");
	assert_non_null(strstr(r.verdict, "DS-Lite"));
	assert_non_null(strstr(r.verdict, "AFTR"));
	assert_non_null(strstr(r.verdict, "IPv6"));
}

static void test_nat_mismatch(void **s)
{
	struct he_pubip_report r;

	(void)s;
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "11.77.0.2");
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.88.0.5");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.88.0.5");
	ans(&r, HE_PUBIP_HTTP, V4, "http b", "11.88.0.5");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_MISMATCH);
	assert_string_equal(he_pubip_nat_name(r.nat), "mismatch");
	/* the router's public answer voted and lost */
	assert_string_equal(r.v4, "11.88.0.5");
	assert_non_null(strstr(r.verdict, "NAT mismatch"));
	assert_non_null(strstr(r.verdict, "VPN"));
}

static void test_nat_no_router(void **s)
{
	struct he_pubip_report r;

	(void)s;
	/* router asked, no answer: unknown, said so */
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", NULL);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_UNKNOWN);
	assert_string_equal(r.v4, "11.77.0.2");
	assert_non_null(strstr(r.verdict, "cannot be ruled out"));
	/* the router was not asked: unknown, quietly */
	fresh(&r);
	ans(&r, HE_PUBIP_STUN, V4, "stun a", "11.77.0.2");
	ans(&r, HE_PUBIP_HTTP, V4, "http a", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_UNKNOWN);
	assert_string_equal(r.verdict, "");
	/* this host holds the public address itself (a VPS): no NAT */
	ans(&r, HE_PUBIP_IFACE, V4, "interface eth0", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_NONE);
	assert_int_equal(r.v4_agree, 3);
	/* a public router answer and nothing outside: none */
	fresh(&r);
	ans(&r, HE_PUBIP_ROUTER, V4, "router", "11.77.0.2");
	he_pubip_combine(&r, 2);
	assert_int_equal(r.nat, HE_PUBIP_NAT_NONE);
}

/* ---- HTTP bodies ---- */

static void test_parse_body(void **s)
{
	char out[64];
	struct he_error err;
	char big[HE_PUBIP_BODY_MAX + 2];

	(void)s;
	assert_int_equal(he_pubip_parse_body("11.77.0.2\n", 10, AF_INET, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "11.77.0.2");
	assert_int_equal(
	    he_pubip_parse_body(" \t2E77:77:1:0::2\r\n", 18, AF_INET6, out, sizeof(out), &err), 0);
	assert_string_equal(out, "2e77:77:1::2"); /* canonical form */
	assert_int_equal(he_pubip_parse_body("2e77::1", 7, AF_INET, out, sizeof(out), &err),
			 -EBADMSG);
	assert_non_null(strstr(err.msg, "IPv6 address, asked over IPv4"));
	assert_int_equal(
	    he_pubip_parse_body("<html>1.2.3.4</html>", 20, AF_INET, out, sizeof(out), &err),
	    -EBADMSG);
	assert_int_equal(
	    he_pubip_parse_body("1.2.3.4 5.6.7.8", 15, AF_INET, out, sizeof(out), &err), -EBADMSG);
	assert_int_equal(he_pubip_parse_body("  \n", 3, AF_INET, out, sizeof(out), &err), -EBADMSG);
	assert_int_equal(he_pubip_parse_body("1.2.3.4\0x", 9, AF_INET, out, sizeof(out), &err),
			 -EBADMSG);
	memset(big, ' ', sizeof(big));
	memcpy(big, "1.2.3.4", 7);
	assert_int_equal(
	    he_pubip_parse_body(big, HE_PUBIP_BODY_MAX, AF_INET, out, sizeof(out), &err), 0);
	assert_int_equal(
	    he_pubip_parse_body(big, HE_PUBIP_BODY_MAX + 1, AF_INET, out, sizeof(out), &err),
	    -EBADMSG);
	assert_non_null(strstr(err.msg, "longer than 64 bytes"));
}

/* ---- STUN server strings ---- */

static void test_parse_server(void **s)
{
	char host[256];
	uint16_t port;
	struct he_error err;

	(void)s;
	assert_int_equal(he_stun_parse_server("11.77.0.1", host, sizeof(host), &port, &err), 0);
	assert_string_equal(host, "11.77.0.1");
	assert_int_equal(port, 3478);
	assert_int_equal(
	    he_stun_parse_server("stun.example.org:19302", host, sizeof(host), &port, &err), 0);
	assert_string_equal(host, "stun.example.org");
	assert_int_equal(port, 19302);
	assert_int_equal(
	    he_stun_parse_server("[2e77:77:ff::1]:3479", host, sizeof(host), &port, &err), 0);
	assert_string_equal(host, "2e77:77:ff::1");
	assert_int_equal(port, 3479);
	assert_int_equal(he_stun_parse_server("2e77:77:ff::1", host, sizeof(host), &port, &err), 0);
	assert_string_equal(host, "2e77:77:ff::1");
	assert_int_equal(port, 3478);
	assert_int_equal(he_stun_parse_server("[::1]", host, sizeof(host), &port, &err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(he_stun_parse_server("[::1", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("[::1]x", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("h:0", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("h:65536", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("h:", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("h:-1", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server(":3478", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("", host, sizeof(host), &port, &err), -EINVAL);
	assert_int_equal(he_stun_parse_server("abcdef", host, 4, &port, &err), -EINVAL);
}

static void test_opts_from_config(void **s)
{
	struct he_config cfg;
	struct he_pubip_opts o;

	(void)s;
	he_config_defaults(&cfg, "/nonexistent/homeexpose.conf");
	he_pubip_opts_from_config(&cfg, &o);
	assert_true(o.want_v4 && o.want_v6);
	assert_true(o.use_router && o.use_stun && o.use_http && o.use_iface);
	assert_int_equal(o.required, 2);
	assert_null(o.portmap);
	snprintf(cfg.stun_servers, sizeof(cfg.stun_servers), "none");
	cfg.sources_required = 3;
	cfg.router_enabled = false;
	he_pubip_opts_from_config(&cfg, &o);
	assert_false(o.use_stun);
	assert_false(o.use_router);
	assert_true(o.use_http);
	assert_int_equal(o.required, 3);
}

/* A bad STUN server in the config is a setup error, before any traffic. */
static void test_detect_bad_config(void **s)
{
	struct he_config cfg;
	struct he_pubip_opts o;
	struct he_pubip_report *r = test_malloc(sizeof(*r));
	struct he_error err;

	(void)s;
	he_config_defaults(&cfg, "/nonexistent/homeexpose.conf");
	snprintf(cfg.stun_servers, sizeof(cfg.stun_servers), "127.0.0.1:99999");
	he_pubip_opts_from_config(&cfg, &o);
	o.use_router = o.use_iface = false;
	assert_int_equal(he_pubip_detect(&cfg, &o, NULL, r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "stun-servers"));
	snprintf(cfg.stun_servers, sizeof(cfg.stun_servers), "none");
	snprintf(cfg.http_urls, sizeof(cfg.http_urls), "ftp://127.0.0.1/");
	assert_int_equal(he_pubip_detect(&cfg, &o, NULL, r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "http-urls"));
	test_free(r);
}

/* ---- the STUN client against fake servers on 127.0.0.1 ---- */

enum fake_mode { FAKE_ANSWER, FAKE_DROP_FIRST, FAKE_ERROR, FAKE_SILENT, FAKE_JUNK_THEN_ANSWER };

struct fake_stun {
	int fd;
	uint16_t port;
	enum fake_mode mode;
	int seen;
	volatile int stop;
	pthread_t thr;
};

static size_t fake_reply(const uint8_t *req, struct fake_stun *f, uint8_t *out, bool error)
{
	/* header with the request's transaction id, one attribute */
	memset(out, 0, 64);
	out[0] = 0x01;
	out[1] = error ? 0x11 : 0x01;
	memcpy(out + 4, req + 4, 16);
	if (error) {
		static const uint8_t ec[] = {0x00, 0x09, 0x00, 0x0c, 0,   0,   5,   0,
					     'B',  'u',  's',  'y',  ' ', 'n', 'o', 'w'};
		memcpy(out + 20, ec, sizeof(ec));
		out[3] = sizeof(ec);
		return 20 + sizeof(ec);
	}
	/* XOR-MAPPED-ADDRESS 11.77.0.2:40000 */
	out[20] = 0x00;
	out[21] = 0x20;
	out[23] = 8;
	out[25] = 1;
	out[26] = (uint8_t)((40000 ^ 0x2112) >> 8);
	out[27] = (uint8_t)((40000 ^ 0x2112) & 0xff);
	out[28] = 11 ^ 0x21;
	out[29] = 77 ^ 0x12;
	out[30] = 0 ^ 0xa4;
	out[31] = 2 ^ 0x42;
	out[3] = 12;
	(void)f;
	return 32;
}

static void *fake_main(void *arg)
{
	struct fake_stun *f = arg;

	while (!f->stop) {
		uint8_t buf[256], out[64];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		size_t olen = 0;

		if (n < 20)
			continue;
		f->seen++;
		switch (f->mode) {
		case FAKE_ANSWER:
			olen = fake_reply(buf, f, out, false);
			break;
		case FAKE_DROP_FIRST:
			if (f->seen > 1)
				olen = fake_reply(buf, f, out, false);
			break;
		case FAKE_ERROR:
			olen = fake_reply(buf, f, out, true);
			break;
		case FAKE_JUNK_THEN_ANSWER:
			/* another transaction's answer and a truncated one first */
			olen = fake_reply(buf, f, out, false);
			out[8] ^= 0xff;
			sendto(f->fd, out, olen, 0, (struct sockaddr *)&from, fl);
			out[8] ^= 0xff;
			sendto(f->fd, out, olen - 4, 0, (struct sockaddr *)&from, fl);
			break;
		case FAKE_SILENT:
			break;
		}
		if (olen)
			sendto(f->fd, out, olen, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void fake_start(struct fake_stun *f, enum fake_mode mode)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct timeval tv = {0, 20000};

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(f->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
	f->port = ntohs(a.sin_port);
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(pthread_create(&f->thr, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake_stun *f)
{
	f->stop = 1;
	pthread_join(f->thr, NULL);
	close(f->fd);
}

static void query(struct he_stun_query *q, uint16_t port)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->server, sizeof(q->server), "127.0.0.1:%u", port);
	q->family = AF_INET;
}

static unsigned elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static void test_stun_client(void **s)
{
	struct fake_stun good, slow, err, silent, junk;
	struct he_stun_query q[6];
	struct timespec t0;
	int closed_port;

	(void)s;
	fake_start(&good, FAKE_ANSWER);
	fake_start(&slow, FAKE_DROP_FIRST);
	fake_start(&err, FAKE_ERROR);
	fake_start(&silent, FAKE_SILENT);
	fake_start(&junk, FAKE_JUNK_THEN_ANSWER);
	{
		/* a port with nothing behind it: bind, learn the port, close */
		struct fake_stun tmp;

		fake_start(&tmp, FAKE_SILENT);
		closed_port = tmp.port;
		fake_stop(&tmp);
	}
	query(&q[0], good.port);
	query(&q[1], slow.port);
	query(&q[2], err.port);
	query(&q[3], silent.port);
	query(&q[4], junk.port);
	query(&q[5], (uint16_t)closed_port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(he_stun_query_all(q, 6, 1200), 3);
	/* all at once: the deadline is shared, not per server */
	assert_true(elapsed_ms(&t0) < 1500);
	assert_int_equal(q[0].rc, 0);
	assert_string_equal(q[0].addr, "11.77.0.2");
	assert_int_equal(q[0].port, 40000);
	assert_int_equal(q[0].sent, 1);
	assert_true(q[0].ms < 400);
	/* the first request lost: answered after one retransmission at ~500 ms */
	assert_int_equal(q[1].rc, 0);
	assert_int_equal(q[1].sent, 2);
	assert_true(q[1].ms >= 450);
	assert_int_equal(q[2].rc, -EPROTO);
	assert_non_null(strstr(q[2].error, "STUN error 500 Busy now"));
	/* silent: retransmitted at 500 ms (1500 ms would pass the deadline), then timed out */
	assert_int_equal(q[3].rc, -ETIMEDOUT);
	assert_int_equal(silent.seen, 2);
	assert_non_null(strstr(q[3].error, "no answer"));
	assert_true(q[3].ms >= 1150);
	/* answers to other transactions and truncated ones are skipped */
	assert_int_equal(q[4].rc, 0);
	assert_string_equal(q[4].addr, "11.77.0.2");
	/* ICMP port unreachable: a quick, clear failure */
	assert_int_equal(q[5].rc, -ECONNREFUSED);
	assert_true(q[5].ms < 400);
	assert_non_null(strstr(q[5].error, "refused"));
	assert_memory_equal(q[0].peer, "127.0.0.1:", 10);
	fake_stop(&good);
	fake_stop(&slow);
	fake_stop(&err);
	fake_stop(&silent);
	fake_stop(&junk);
}

#define SLOW_RESOLVE_MS 1500

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res);

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
			      struct addrinfo **);
	size_t n = node ? strlen(node) : 0;
	gai_fn real;

	if (n > 10 && !strcmp(node + n - 10, ".slow.test") &&
	    !(hints && (hints->ai_flags & AI_NUMERICHOST))) {
		struct timespec ts = {SLOW_RESOLVE_MS / 1000, (SLOW_RESOLVE_MS % 1000) * 1000000L};

		nanosleep(&ts, NULL);
		return EAI_AGAIN;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, hints, res);
}

static void test_stun_resolve_deadline(void **s)
{
	struct fake_stun good;
	struct he_stun_query q[2];
	struct timespec t0;

	(void)s;
	fake_start(&good, FAKE_ANSWER);
	memset(q, 0, sizeof(q));
	snprintf(q[0].server, sizeof(q[0].server), "stun.slow.test:3478");
	q[0].family = AF_INET;
	/* a name the resolver answers (from /etc/hosts) goes through the same thread */
	snprintf(q[1].server, sizeof(q[1].server), "localhost:%u", good.port);
	q[1].family = AF_INET;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (he_stun_query_all(q, 2, 300) != 1)
		fail_msg("%s / %s", q[0].error, q[1].error);
	assert_true(elapsed_ms(&t0) < 600);
	assert_int_equal(q[0].rc, -ETIMEDOUT);
	assert_non_null(strstr(q[0].error, "name resolution timed out"));
	assert_non_null(strstr(q[0].error, "stun.slow.test"));
	assert_int_equal(q[1].rc, 0);
	assert_string_equal(q[1].addr, "11.77.0.2");
	assert_memory_equal(q[1].peer, "127.0.0.1:", 10);
	fake_stop(&good);
}

static void test_http_resolve_deadline(void **s)
{
	struct he_http_query q;
	struct timespec t0;

	(void)s;
	memset(&q, 0, sizeof(q));
	snprintf(q.url, sizeof(q.url), "http://ip.slow.test:1/");
	q.family = AF_INET;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(he_http_query_all(&q, 1, 300), 0);
	/* libcurl's resolver thread is left behind, not waited for */
	assert_true(elapsed_ms(&t0) < 800);
	assert_int_equal(q.rc, -ETIMEDOUT);
	assert_true(q.error[0] != '\0');
}

static void test_stun_client_setup_failures(void **s)
{
	struct he_stun_query q[2];

	(void)s;
	memset(q, 0, sizeof(q));
	snprintf(q[0].server, sizeof(q[0].server), "127.0.0.1:0");
	q[0].family = AF_INET;
	/* (no host names here: resolving one could send a DNS query off this host) */
	snprintf(q[1].server, sizeof(q[1].server), "[::1]:3478");
	q[1].family = AF_INET;
	assert_int_equal(he_stun_query_all(q, 2, 300), 0);
	assert_int_equal(q[0].rc, -EINVAL);
	assert_int_equal(q[1].rc, -EAFNOSUPPORT);
	assert_non_null(strstr(q[1].error, "not an IPv4 address"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_agree),
	    cmocka_unit_test(test_single_liar_outvoted),
	    cmocka_unit_test(test_single_liar_tie),
	    cmocka_unit_test(test_liar_alone_among_failures),
	    cmocka_unit_test(test_fewer_sources_than_required),
	    cmocka_unit_test(test_majority),
	    cmocka_unit_test(test_outside_private_answer),
	    cmocka_unit_test(test_nat_cgnat),
	    cmocka_unit_test(test_nat_cgnat_unconfirmed),
	    cmocka_unit_test(test_nat_double),
	    cmocka_unit_test(test_nat_dslite),
	    cmocka_unit_test(test_nat_mismatch),
	    cmocka_unit_test(test_nat_no_router),
	    cmocka_unit_test(test_parse_body),
	    cmocka_unit_test(test_parse_server),
	    cmocka_unit_test(test_opts_from_config),
	    cmocka_unit_test(test_detect_bad_config),
	    cmocka_unit_test(test_stun_client),
	    cmocka_unit_test(test_stun_client_setup_failures),
	    cmocka_unit_test(test_stun_resolve_deadline),
	    cmocka_unit_test(test_http_resolve_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
