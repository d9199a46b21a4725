/* SPDX-License-Identifier: MIT */
/*
 * test_portmap.c - the protocol-independent parts: address classes and their
 * explanations, SSDP answer parsing (a reply recorded from miniupnpd),
 * protocol names, gateway strings, request checks, the parallel probe
 * (preference order, a clear and fast "no router"), and netcheck.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include "test_portmap_fake.h"

#include "core/portspec.h"
#include "net/addrclass.h"
#include "net/route.h"
#include "portmap/portmap.h"
#include "portmap/ssdp.h"

static void test_addr_class(void **s)
{
	static const struct {
		const char *a;
		enum he_addr_class c;
	} t[] = {
	    {"8.8.8.8", HE_ADDR_PUBLIC},           {"11.77.0.2", HE_ADDR_PUBLIC},
	    {"10.1.2.3", HE_ADDR_PRIVATE},         {"172.16.0.1", HE_ADDR_PRIVATE},
	    {"172.31.255.255", HE_ADDR_PRIVATE},   {"172.32.0.1", HE_ADDR_PUBLIC},
	    {"192.168.77.1", HE_ADDR_PRIVATE},     {"100.64.0.1", HE_ADDR_CGNAT},
	    {"100.127.255.254", HE_ADDR_CGNAT},    {"100.128.0.1", HE_ADDR_PUBLIC},
	    {"127.0.0.1", HE_ADDR_LOOPBACK},       {"169.254.1.1", HE_ADDR_LINKLOCAL},
	    {"192.0.0.2", HE_ADDR_DSLITE},         {"192.0.0.9", HE_ADDR_RESERVED},
	    {"192.0.2.1", HE_ADDR_RESERVED},       {"198.51.100.7", HE_ADDR_RESERVED},
	    {"203.0.113.9", HE_ADDR_RESERVED},     {"198.18.0.1", HE_ADDR_RESERVED},
	    {"0.0.0.0", HE_ADDR_UNSPECIFIED},      {"0.1.2.3", HE_ADDR_RESERVED},
	    {"224.0.0.1", HE_ADDR_MULTICAST},      {"240.0.0.1", HE_ADDR_RESERVED},
	    {"255.255.255.255", HE_ADDR_RESERVED}, {"2a00:1450::1", HE_ADDR_PUBLIC},
	    {"2e77:77:1::2", HE_ADDR_PUBLIC},      {"fd00::1", HE_ADDR_PRIVATE},
	    {"fe80::1", HE_ADDR_LINKLOCAL},        {"::1", HE_ADDR_LOOPBACK},
	    {"::", HE_ADDR_UNSPECIFIED},           {"ff02::1", HE_ADDR_MULTICAST},
	    {"2001:db8::1", HE_ADDR_RESERVED},     {"::ffff:100.64.1.1", HE_ADDR_CGNAT},
	    {"::ffff:8.8.8.8", HE_ADDR_PUBLIC},    {"64:ff9b::1", HE_ADDR_RESERVED},
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum he_addr_class c;

		assert_int_equal(he_addr_class_str(t[i].a, &c), 0);
		if (c != t[i].c)
			fail_msg("%s: %s, want %s", t[i].a, he_addr_class_name(c),
				 he_addr_class_name(t[i].c));
	}
	{
		enum he_addr_class c;

		assert_int_equal(he_addr_class_str("1.2.3", &c), -EINVAL);
		assert_int_equal(he_addr_class_str(NULL, &c), -EINVAL);
	}
	assert_string_equal(he_addr_class_name(HE_ADDR_CGNAT), "cgnat");
	assert_string_equal(he_addr_class_name(HE_ADDR_PUBLIC), "public");
}

static void test_addr_explain(void **s)
{
	char b[HE_ERR_MSG_MAX];

	(void)s;
	he_addr_class_explain(HE_ADDR_CGNAT, "100.64.7.8", NULL, b, sizeof(b));
	assert_non_null(strstr(b, "the router's external address 100.64.7.8 is in the shared "
				  "CGNAT range 100.64.0.0/10"));
	assert_non_null(strstr(b, "IPv6 or a tunnel/VPS"));
	he_addr_class_explain(HE_ADDR_PRIVATE, "192.168.0.2", NULL, b, sizeof(b));
	assert_non_null(strstr(b, "double NAT"));
	he_addr_class_explain(HE_ADDR_DSLITE, "192.0.0.2", "the WAN address", b, sizeof(b));
	assert_non_null(strstr(b, "the WAN address 192.0.0.2"));
	assert_non_null(strstr(b, "DS-Lite"));
	he_addr_class_explain(HE_ADDR_PUBLIC, "8.8.8.8", NULL, b, sizeof(b));
	assert_string_equal(b, "");
	he_addr_class_explain(HE_ADDR_RESERVED, "198.51.100.1", NULL, b, 10); /* truncates */
	assert_int_equal(strlen(b), 9);
}

/* Which router WAN classes rule out IPv4 forwarding for good (CGNAT, DS-Lite). */
static void test_addr_v4_impossible(void **s)
{
	static const char *const yes[] = {"100.64.77.2", "100.127.0.1", "192.0.0.2", "192.0.0.7"};
	static const char *const no[] = {"11.77.0.2", "192.168.1.2",  "10.0.0.1",
					 "192.0.0.9", "198.51.100.1", "0.0.0.0"};
	enum he_addr_class c;

	(void)s;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(he_addr_class_str(yes[i], &c), 0);
		if (!he_addr_class_v4_impossible(c) || !he_addr_class_v4_reason(c))
			fail_msg("%s should rule out IPv4 forwarding", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(he_addr_class_str(no[i], &c), 0);
		if (he_addr_class_v4_impossible(c) || he_addr_class_v4_reason(c))
			fail_msg("%s should not rule out IPv4 forwarding", no[i]);
	}
	assert_non_null(strstr(he_addr_class_v4_reason(HE_ADDR_DSLITE), "AFTR"));
	assert_non_null(strstr(he_addr_class_v4_reason(HE_ADDR_CGNAT), "CGNAT"));
}

static void test_ssdp(void **s)
{
	char buf[2048], loc[256], m[256];
	size_t n = load_fixture("ssdp_igd_reply.txt", (uint8_t *)buf, sizeof(buf) - 1), len;

	(void)s;
	buf[n] = '\0';
	assert_int_equal(he_ssdp_parse(buf, n, loc, sizeof(loc)), 0);
	assert_string_equal(loc, "http://192.168.77.1:5000/rootDesc.xml");
	/* truncations never read past the end nor succeed without LOCATION */
	for (len = 0; len < 200; len++)
		assert_int_equal(he_ssdp_parse(buf, len, loc, sizeof(loc)), -EBADMSG);
	assert_int_equal(he_ssdp_parse(buf, n, loc, 20), -EBADMSG); /* no room */
	/* control bytes in LOCATION (found by fuzz_ssdp): no URL */
	{
		static const char c[] = "HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:service:"
					"WANIPConnection:2\r\nLocation: http://10.0.0.1:1900]\001x"
					"\r\n\r\n";

		assert_int_equal(he_ssdp_parse(c, sizeof(c) - 1, loc, sizeof(loc)), -EBADMSG);
	}
	/* another device type */
	{
		const char *o = "HTTP/1.1 200 OK\r\nST: urn:dial-multiscreen-org:service:dial:1\r\n"
				"LOCATION: http://192.168.1.5:8008/ssdp\r\n\r\n";

		assert_int_equal(he_ssdp_parse(o, strlen(o), loc, sizeof(loc)), -EBADMSG);
	}
	{
		const char *o = "HTTP/1.1 200 OK\r\nlocation:http://10.0.0.1:1900/igd.xml  \r\n"
				"st: urn:schemas-upnp-org:service:WANIPConnection:2\r\n\r\n";

		assert_int_equal(he_ssdp_parse(o, strlen(o), loc, sizeof(loc)), 0);
		assert_string_equal(loc, "http://10.0.0.1:1900/igd.xml");
	}
	{
		const char *o = "HTTP/1.1 404 Not Found\r\nLOCATION: http://10.0.0.1/x\r\n\r\n";

		assert_int_equal(he_ssdp_parse(o, strlen(o), loc, sizeof(loc)), -EBADMSG);
	}
	len = he_ssdp_msearch(m, sizeof(m));
	assert_true(len > 0);
	assert_non_null(strstr(m, "M-SEARCH * HTTP/1.1\r\n"));
	assert_non_null(strstr(m, "InternetGatewayDevice:1"));
	assert_int_equal(he_ssdp_msearch(m, 10), 0);
}

static void test_names_and_gateway(void **s)
{
	enum he_pm_protocol p;
	struct he_route_info ri;
	struct he_error err = {0};

	(void)s;
	assert_int_equal(he_pm_protocol_parse("pcp", &p, &err), 0);
	assert_int_equal(p, HE_PM_PCP);
	assert_int_equal(he_pm_protocol_parse("nat-pmp", &p, &err), 0);
	assert_int_equal(p, HE_PM_NATPMP);
	assert_int_equal(he_pm_protocol_parse("upnp", &p, &err), 0);
	assert_int_equal(p, HE_PM_UPNP);
	assert_int_equal(he_pm_protocol_parse("igd", &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "pcp, natpmp or upnp"));
	assert_string_equal(he_pm_protocol_name(HE_PM_NATPMP), "natpmp");
	assert_string_equal(he_pm_protocol_name(HE_PM_NONE), "none");

	assert_int_equal(he_route_parse_gateway("192.168.1.1", &ri, &err), 0);
	assert_int_equal(ri.family, AF_INET);
	assert_int_equal(he_route_parse_gateway("fe80::1%lo", &ri, &err), 0);
	assert_int_equal(ri.family, AF_INET6);
	assert_int_equal(ri.ifindex, 1);
	assert_int_equal(he_route_parse_gateway("fe80::1%nosuchif0", &ri, &err), -ENODEV);
	assert_int_equal(he_route_parse_gateway("router.lan", &ri, &err), -EINVAL);
	/* a route lookup that stays on loopback */
	{
		struct in_addr a;

		inet_pton(AF_INET, "127.77.3.4", &a);
		assert_int_equal(he_route_get(AF_INET, &a, 0, &ri, &err), 0);
		assert_true(ri.has_src);
		assert_string_equal(ri.ifname, "lo");
	}
}

/* ---- probing against a fake router speaking PCP and NAT-PMP ---- */

struct both {
	int pcp;
	int natpmp;
};

static size_t both_reply(const uint8_t *req, size_t len, uint8_t *out, void *ctx)
{
	struct both *b = ctx;

	if (len >= 24 && req[0] == 2 && b->pcp) {
		memset(out, 0, 60);
		out[0] = 2;
		out[1] = (uint8_t)(0x80 | req[1]);
		out[7] = 120; /* lifetime */
		out[11] = 9;  /* epoch */
		if (req[1] != 1 || len < 60)
			return 24;
		memcpy(out + 24, req + 24, 20);
		out[54] = out[55] = 0xff;
		memcpy(out + 56, "\x64\x40\x01\x02", 4); /* 100.64.1.2: CGNAT */
		return 60;
	}
	if (len >= 2 && req[0] == 0 && b->natpmp) {
		memset(out, 0, 16);
		out[1] = (uint8_t)(0x80 | req[1]);
		out[7] = 9;
		if (req[1] == 0) {
			memcpy(out + 8, "\x64\x40\x01\x02", 4);
			return 12;
		}
		memcpy(out + 8, req + 4, 8);
		return 16;
	}
	return 0;
}

static void open_with(struct fake_router *fr, enum he_pm_protocol first, enum he_pm_protocol second,
		      enum he_pm_protocol want)
{
	struct he_portmap_opts o = {0};
	struct he_portmap *pm = NULL;
	struct he_error err = {0};

	o.gateway = fr->addr;
	o.order[0] = first;
	o.order[1] = second;
	assert_int_equal(he_portmap_open(&o, NULL, &pm, &err), 0);
	assert_int_equal(he_portmap_protocol(pm), want);
	assert_true(he_portmap_open_ms(pm) < 250);
	assert_string_equal(he_portmap_gateway(pm), fr->addr);
	he_portmap_close(pm);
}

static void test_probe_preference(void **s)
{
	struct fake_router fr;
	struct both b = {1, 1};

	(void)s;
	assert_int_equal(fake_start(&fr, 5351, both_reply, &b), 0);
	open_with(&fr, HE_PM_PCP, HE_PM_NATPMP, HE_PM_PCP);
	open_with(&fr, HE_PM_NATPMP, HE_PM_PCP, HE_PM_NATPMP);
	b.pcp = 0; /* PCP silent: NAT-PMP answers, no need to wait out PCP for long */
	open_with(&fr, HE_PM_PCP, HE_PM_NATPMP, HE_PM_NATPMP);
	fake_stop(&fr);
}

static void test_no_router_fast(void **s)
{
	struct he_portmap_opts o = {0};
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	char gw[32];
	uint64_t t0;

	(void)s;
	fake_silent_addr(gw, sizeof(gw)); /* nothing listens: ICMP port unreachable */
	o.gateway = gw;
	o.order[0] = HE_PM_PCP;
	o.order[1] = HE_PM_NATPMP;
	t0 = mono_ms();
	assert_int_equal(he_portmap_open(&o, NULL, &pm, &err), -EHOSTUNREACH);
	assert_true(mono_ms() - t0 < 1000);
	assert_null(pm);
	assert_non_null(strstr(err.msg, "answers no port-mapping protocol"));
	assert_non_null(strstr(err.msg, "port unreachable"));
	assert_non_null(strstr(err.msg, "turn on UPnP IGD or NAT-PMP/PCP"));
}

static void test_silent_router_deadline(void **s)
{
	struct fake_router fr;
	struct both b = {0, 0};
	struct he_portmap_opts o = {0};
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	uint64_t t0, dt;

	(void)s;
	assert_int_equal(fake_start(&fr, 5351, both_reply, &b), 0);
	o.gateway = fr.addr;
	o.order[0] = HE_PM_PCP;
	o.order[1] = HE_PM_NATPMP;
	t0 = mono_ms();
	assert_int_equal(he_portmap_open(&o, NULL, &pm, &err), -EHOSTUNREACH);
	dt = mono_ms() - t0;
	assert_true(dt >= 240 && dt < 600); /* the probe deadline, not seconds */
	if (!strstr(err.msg, "PCP: no answer within 250 ms"))
		fail_msg("%s", err.msg);
	assert_non_null(strstr(err.msg, "NAT-PMP: no answer within 250 ms"));
	assert_true(fr.nreq >= 4); /* both protocols, each sent more than once */
	fake_stop(&fr);
}

static void test_netcheck(void **s)
{
	struct fake_router fr;
	struct both b = {1, 1};
	struct he_portmap_opts o = {0};
	struct he_pm_netcheck nc;
	struct he_error err = {0};

	(void)s;
	assert_int_equal(fake_start(&fr, 5351, both_reply, &b), 0);
	o.gateway = fr.addr;
	o.order[0] = HE_PM_PCP;
	o.order[1] = HE_PM_NATPMP;
	assert_int_equal(he_portmap_probe_all(&o, NULL, &nc, &err), 0);
	assert_string_equal(nc.gateway, fr.addr);
	assert_string_equal(nc.local_addr, "127.0.0.1");
	assert_true(nc.proto[0].answered);
	assert_true(nc.proto[1].answered);
	assert_false(nc.proto[2].answered); /* not probed */
	assert_string_equal(nc.proto[0].ext_addr, "100.64.1.2");
	assert_string_equal(nc.proto[1].ext_addr, "100.64.1.2");
	assert_int_equal(nc.proto[0].ext_class, HE_ADDR_CGNAT);
	assert_non_null(strstr(nc.proto[0].explain, "carrier-grade NAT"));
	assert_true(nc.proto[0].ms < 250);
	assert_true(nc.total_ms < 1000);
	fake_stop(&fr);
}

static void test_request_checks(void **s)
{
	struct fake_router fr;
	struct both b = {1, 0};
	struct he_portmap_opts o = {0};
	struct he_portmap *pm = NULL;
	struct he_pm_request r = {.name = "web",
				  .proto = HE_PROTO_TCP,
				  .ext_port = 80,
				  .int_port = 80,
				  .family = AF_INET};
	struct he_pm_result res;
	struct he_error err = {0};

	(void)s;
	assert_int_equal(fake_start(&fr, 5351, both_reply, &b), 0);
	o.gateway = fr.addr;
	o.force = HE_PM_PCP;
	assert_int_equal(he_portmap_open(&o, NULL, &pm, &err), 0);
	r.proto = HE_PROTO_BOTH;
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), -EINVAL);
	r.proto = HE_PROTO_TCP;
	r.name = "bad name";
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), -EINVAL);
	r.name = "";
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), -EINVAL);
	r.name = "web";
	r.ext_port = 0;
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), -EINVAL);
	r.ext_port = 80;
	r.to = "not-an-address";
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), -EINVAL);
	r.to = NULL;
	assert_int_equal(fr.nreq, 1); /* only the probe reached the router */
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), 0);
	assert_int_equal(res.lease, 120);
	assert_int_equal(res.ext_class, HE_ADDR_CGNAT);
	assert_non_null(strstr(res.note, "100.64.0.0/10"));
	he_portmap_close(pm);
	he_portmap_close(NULL);
	fake_stop(&fr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_class),
	    cmocka_unit_test(test_addr_explain),
	    cmocka_unit_test(test_addr_v4_impossible),
	    cmocka_unit_test(test_ssdp),
	    cmocka_unit_test(test_names_and_gateway),
	    cmocka_unit_test(test_probe_preference),
	    cmocka_unit_test(test_no_router_fast),
	    cmocka_unit_test(test_silent_router_deadline),
	    cmocka_unit_test(test_netcheck),
	    cmocka_unit_test(test_request_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
