/* SPDX-License-Identifier: MIT */
/*
 * test_natpmp.c - NAT-PMP (RFC 6886): decoding replies recorded from the
 * lab's miniupnpd, result codes 1-5, truncated and malformed replies, and the
 * libnatpmp-driven backend against a scripted fake router on loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include "test_portmap_fake.h"

#include "core/portspec.h"
#include "portmap/natpmp_wire.h"
#include "portmap/portmap.h"

static void test_decode_real(void **s)
{
	uint8_t b[64];
	struct he_natpmp_reply r;
	char txt[32];
	size_t n;

	(void)s;
	n = load_fixture("natpmp_publicaddr_success.bin", b, sizeof(b));
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.opcode, HE_NATPMP_OP_PUBLICADDR);
	assert_int_equal(r.result, 0);
	inet_ntop(AF_INET, &r.addr, txt, sizeof(txt));
	assert_string_equal(txt, "11.77.0.2");

	n = load_fixture("natpmp_map_tcp_success.bin", b, sizeof(b));
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.opcode, HE_NATPMP_OP_MAP_TCP);
	assert_int_equal(r.int_port, 8081);
	assert_int_equal(r.ext_port, 18081);
	assert_int_equal(r.lifetime, 600);

	n = load_fixture("natpmp_map_udp_success.bin", b, sizeof(b));
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.opcode, HE_NATPMP_OP_MAP_UDP);

	n = load_fixture("natpmp_delete_tcp_success.bin", b, sizeof(b));
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.lifetime, 0);
	assert_int_equal(r.ext_port, 0);

	/* an error answer to an unknown opcode: opcode 9 is outside our set */
	n = load_fixture("natpmp_unsupp_opcode.bin", b, sizeof(b));
	assert_int_equal(n, 8);
	assert_int_equal(he_natpmp_decode(b, n, &r), -EBADMSG);
	b[1] = 0x82; /* the same error for a known opcode decodes with its code */
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_NATPMP_UNSUPP_OPCODE);
}

static void test_decode_real_cgnat(void **s)
{
	uint8_t b[64];
	struct he_natpmp_reply r;
	size_t n;

	(void)s;
	n = load_fixture("natpmp_publicaddr_cgnat_network_failure.bin", b, sizeof(b));
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_NATPMP_NETWORK_FAILURE);
	assert_int_equal(r.addr.s_addr, 0);
	n = load_fixture("natpmp_map_cgnat_network_failure.bin", b, sizeof(b));
	assert_int_equal(he_natpmp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_NATPMP_NETWORK_FAILURE);
	assert_non_null(strstr(he_natpmp_result_explain(r.result), "carrier-grade NAT"));
}

static void test_result_codes(void **s)
{
	uint8_t b[64];
	struct he_natpmp_reply r;
	size_t n = load_fixture("natpmp_map_tcp_success.bin", b, sizeof(b));
	unsigned code;

	(void)s;
	assert_int_equal(n, 16);
	for (code = 1; code <= 5; code++) {
		b[3] = (uint8_t)code;
		assert_int_equal(he_natpmp_decode(b, 8, &r), 0); /* header is enough */
		assert_int_equal(r.result, code);
		assert_string_not_equal(he_natpmp_result_name(code), "UNKNOWN");
		{
			char want[32];

			snprintf(want, sizeof(want), "result %u", code);
			assert_non_null(strstr(he_natpmp_result_explain(code), want));
		}
	}
	assert_string_equal(he_natpmp_result_name(99), "UNKNOWN");
	assert_non_null(he_natpmp_result_explain(99));
}

static void test_truncated_malformed(void **s)
{
	uint8_t b[64], c[64];
	struct he_natpmp_reply r;
	size_t n = load_fixture("natpmp_map_tcp_success.bin", b, sizeof(b)), len;

	(void)s;
	memset(&r, 0x5a, sizeof(r));
	for (len = 0; len < n; len++)
		assert_int_equal(he_natpmp_decode(b, len, &r), -EBADMSG);
	assert_int_equal(r.opcode, 0x5a);
	n = load_fixture("natpmp_publicaddr_success.bin", b, sizeof(b));
	for (len = 0; len < n; len++)
		assert_int_equal(he_natpmp_decode(b, len, &r), -EBADMSG);
	memcpy(c, b, n);
	c[0] = 1; /* another version */
	assert_int_equal(he_natpmp_decode(c, n, &r), -EBADMSG);
	memcpy(c, b, n);
	c[1] = 0; /* a request */
	assert_int_equal(he_natpmp_decode(c, n, &r), -EBADMSG);
	memcpy(c, b, n);
	c[1] = 0x83; /* unknown reply opcode */
	assert_int_equal(he_natpmp_decode(c, n, &r), -EBADMSG);
	/* a PCP server's reply */
	n = load_fixture("pcp_announce_success.bin", c, sizeof(c));
	assert_int_equal(he_natpmp_decode(c, n, &r), -EPROTO);
	assert_int_equal(he_natpmp_decode(NULL, 12, &r), -EBADMSG);
}

/* ---- backend ---- */

struct np_script {
	uint16_t result;
	int other_port;
};

static size_t np_reply(const uint8_t *req, size_t len, uint8_t *out, void *ctx)
{
	struct np_script *sc = ctx;

	if (len < 2 || req[0] != 0)
		return 0; /* PCP probes get no answer: a NAT-PMP-only router */
	memset(out, 0, 16);
	out[1] = (uint8_t)(0x80 | req[1]);
	out[2] = (uint8_t)(sc->result >> 8);
	out[3] = (uint8_t)sc->result;
	out[7] = 42; /* epoch */
	if (req[1] == 0) {
		memcpy(out + 8, "\x0b\x4d\x00\x02", 4);
		return 12;
	}
	if (len < 12)
		return 0;
	memcpy(out + 8, req + 4, 2);  /* internal port */
	memcpy(out + 10, req + 6, 2); /* external port as asked */
	if (sc->other_port)
		out[11]++;
	memcpy(out + 12, req + 8, 4); /* lifetime */
	return 16;
}

struct np_fix {
	struct fake_router fr;
	struct np_script sc;
};

static int setup(void **s)
{
	struct np_fix *fx = calloc(1, sizeof(*fx));

	if (fake_start(&fx->fr, 5351, np_reply, &fx->sc) < 0)
		return -1;
	*s = fx;
	return 0;
}

static int teardown(void **s)
{
	struct np_fix *fx = *s;

	fake_stop(&fx->fr);
	free(fx);
	return 0;
}

static struct he_portmap *open_np(struct np_fix *fx, bool force)
{
	struct he_portmap_opts o = {0};
	struct he_portmap *pm = NULL;
	struct he_error err = {0};

	o.gateway = fx->fr.addr;
	o.op_timeout_ms = 400;
	o.order[0] = HE_PM_PCP;
	o.order[1] = HE_PM_NATPMP;
	if (force)
		o.force = HE_PM_NATPMP;
	assert_int_equal(he_portmap_open(&o, NULL, &pm, &err), 0);
	return pm;
}

static const struct he_pm_request ssh = {
    .name = "ssh",
    .proto = HE_PROTO_TCP,
    .ext_port = 2222,
    .int_port = 22,
    .lease = 900,
    .family = AF_INET,
};

static void test_backend_map_unmap(void **s)
{
	struct np_fix *fx = *s;
	struct he_portmap *pm;
	struct he_pm_result res;
	struct he_error err = {0};
	const uint8_t *q;

	pm = open_np(fx, false); /* PCP stays silent: NAT-PMP chosen */
	assert_int_equal(he_portmap_protocol(pm), HE_PM_NATPMP);
	fake_set(&fx->fr, np_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &ssh, &res, &err), 0);
	assert_int_equal(res.protocol, HE_PM_NATPMP);
	assert_int_equal(res.ext_port, 2222);
	assert_int_equal(res.lease, 900);
	assert_string_equal(res.ext_addr, "11.77.0.2");
	/* libnatpmp's request as the router saw it */
	q = fx->fr.req[0];
	assert_int_equal(fx->fr.req_len[0], 12);
	assert_int_equal(q[0], 0);
	assert_int_equal(q[1], HE_NATPMP_OP_MAP_TCP);
	assert_int_equal((q[4] << 8) | q[5], 22);
	assert_int_equal((q[6] << 8) | q[7], 2222);
	assert_int_equal((q[10] << 8) | q[11], 900);
	fake_set(&fx->fr, np_reply, &fx->sc);
	assert_int_equal(he_portmap_unmap(pm, &ssh, &err), 0);
	q = fx->fr.req[0];
	assert_int_equal(q[1], HE_NATPMP_OP_MAP_TCP);
	assert_int_equal((q[4] << 8) | q[5], 22);
	assert_int_equal(q[8] | q[9] | q[10] | q[11], 0); /* lifetime 0 = delete */
	he_portmap_close(pm);
}

static void test_backend_result_codes(void **s)
{
	static const struct {
		uint16_t code;
		int err;
		const char *word;
	} cases[] = {
	    {1, -EPROTONOSUPPORT, "version"}, {2, -EACCES, "refuses"},
	    {3, -ENETDOWN, "internet"},       {4, -ENOSPC, "no room"},
	    {5, -EOPNOTSUPP, "unsupported"},  {77, -EPROTO, "unknown"},
	};
	struct np_fix *fx = *s;
	struct he_portmap *pm = open_np(fx, true);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct he_pm_result res;
		struct he_error err = {0};

		fx->sc.result = cases[i].code;
		assert_int_equal(he_portmap_map(pm, &ssh, &res, &err), cases[i].err);
		if (!strstr(err.msg, cases[i].word))
			fail_msg("result %u: '%s' lacks '%s'", cases[i].code, err.msg,
				 cases[i].word);
	}
	fx->sc.result = 0;
	he_portmap_close(pm);
}

static void test_backend_limits(void **s)
{
	struct np_fix *fx = *s;
	struct he_portmap *pm = open_np(fx, true);
	struct he_pm_request r = ssh;
	struct he_pm_result res;
	struct he_error err = {0};

	r.to = "127.0.0.99"; /* NAT-PMP maps only to the asking host */
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "127.0.0.99"));
	/* the router gives another port: refused and given back */
	fx->sc.other_port = 1;
	fake_set(&fx->fr, np_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &ssh, &res, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "2223"));
	assert_int_equal(fx->fr.nreq, 2);
	assert_int_equal(fx->fr.req[1][11], 0); /* the delete */
	r = ssh;
	r.allow_other_port = true;
	assert_int_equal(he_portmap_map(pm, &r, &res, &err), 0);
	assert_int_equal(res.ext_port, 2223);
	fx->sc.other_port = 0;
	/* silence: a clear timeout, not libnatpmp's 127 s schedule */
	fake_set(&fx->fr, NULL, NULL);
	{
		uint64_t t0 = mono_ms();

		assert_int_equal(he_portmap_map(pm, &ssh, &res, &err), -ETIMEDOUT);
		assert_true(mono_ms() - t0 < 1500);
	}
	he_portmap_close(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_real),
	    cmocka_unit_test(test_decode_real_cgnat),
	    cmocka_unit_test(test_result_codes),
	    cmocka_unit_test(test_truncated_malformed),
	    cmocka_unit_test_setup_teardown(test_backend_map_unmap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backend_result_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backend_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
