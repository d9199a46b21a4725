/* SPDX-License-Identifier: MIT */
/*
 * test_pcp.c - PCP (RFC 6887): message encoding, decoding of replies recorded
 * from the lab's miniupnpd, every result code, malformed and truncated
 * replies, the epoch check, and the backend against a scripted fake router on
 * loopback (nonce kept across runs, result codes as errors, fallback to
 * NAT-PMP on a version-0 answer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include "test_portmap_fake.h"

#include "core/portspec.h"
#include "portmap/backend.h"
#include "portmap/pcp_wire.h"
#include "portmap/portmap.h"
#include "state/state.h"

/* ---- encoding ---- */

static void test_encode_map(void **s)
{
	struct he_pcp_map_req r;
	struct in_addr a;
	uint8_t b[HE_PCP_MAP_MAX_REQ];
	size_t n;
	int i;

	(void)s;
	memset(&r, 0, sizeof(r));
	inet_pton(AF_INET, "192.168.1.10", &a);
	he_pcp_v4mapped(&a, &r.client);
	for (i = 0; i < HE_PCP_NONCE_LEN; i++)
		r.nonce[i] = (uint8_t)(i + 1);
	r.lifetime = 3600;
	r.proto = IPPROTO_TCP;
	r.int_port = 8080;
	r.ext_port = 443;
	n = he_pcp_encode_map(&r, b, sizeof(b));
	assert_int_equal(n, 60);
	assert_int_equal(b[0], 2);
	assert_int_equal(b[1], 1); /* MAP, R bit clear */
	assert_int_equal(b[2] | b[3], 0);
	assert_int_equal((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7], 3600);
	assert_int_equal(b[18], 0xff); /* ::ffff:192.168.1.10 */
	assert_int_equal(b[19], 0xff);
	assert_int_equal(b[20], 192);
	assert_int_equal(b[23], 10);
	assert_int_equal(b[24], 1); /* nonce */
	assert_int_equal(b[35], 12);
	assert_int_equal(b[36], 6); /* TCP */
	assert_int_equal((b[40] << 8) | b[41], 8080);
	assert_int_equal((b[42] << 8) | b[43], 443);
	/* too small a buffer: nothing */
	assert_int_equal(he_pcp_encode_map(&r, b, 59), 0);
}

static void test_encode_options(void **s)
{
	struct he_pcp_map_req r;
	uint8_t b[HE_PCP_MAP_MAX_REQ];
	size_t n;

	(void)s;
	memset(&r, 0, sizeof(r));
	r.prefer_failure = true;
	r.has_third_party = true;
	inet_pton(AF_INET6, "::ffff:192.168.1.20", &r.third_party);
	n = he_pcp_encode_map(&r, b, sizeof(b));
	assert_int_equal(n, 60 + 20 + 4);
	assert_int_equal(b[60], HE_PCP_OPT_THIRD_PARTY);
	assert_int_equal((b[62] << 8) | b[63], 16);
	assert_int_equal(b[64 + 15], 20);
	assert_int_equal(b[80], HE_PCP_OPT_PREFER_FAILURE);
	assert_int_equal((b[82] << 8) | b[83], 0);
	assert_int_equal(he_pcp_encode_map(&r, b, 83), 0);
}

static void test_encode_announce(void **s)
{
	struct in6_addr c;
	uint8_t b[24];

	(void)s;
	memset(&c, 0, sizeof(c));
	assert_int_equal(he_pcp_encode_announce(&c, b, sizeof(b)), 24);
	assert_int_equal(b[0], 2);
	assert_int_equal(b[1], 0);
	assert_int_equal(he_pcp_encode_announce(&c, b, 23), 0);
}

/* ---- decoding recorded replies ---- */

static void test_decode_real_success(void **s)
{
	uint8_t b[1200];
	struct he_pcp_reply r;
	char txt[64];
	size_t n = load_fixture("pcp_map_tcp_success.bin", b, sizeof(b));

	(void)s;
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.opcode, HE_PCP_OP_MAP);
	assert_int_equal(r.result, HE_PCP_SUCCESS);
	assert_int_equal(r.lifetime, 600);
	assert_true(r.has_map);
	assert_int_equal(r.nonce[0], 1);
	assert_int_equal(r.nonce[11], 12);
	assert_int_equal(r.proto, IPPROTO_TCP);
	assert_int_equal(r.int_port, 8080);
	assert_int_equal(r.ext_port, 18080);
	assert_true(he_pcp_is_v4mapped(&r.ext_addr));
	inet_ntop(AF_INET, &r.ext_addr.s6_addr[12], txt, sizeof(txt));
	assert_string_equal(txt, "11.77.0.2");
}

static void test_decode_real_others(void **s)
{
	uint8_t b[1200];
	struct he_pcp_reply r;
	char txt[64];
	size_t n;

	(void)s;
	n = load_fixture("pcp_announce_success.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.opcode, HE_PCP_OP_ANNOUNCE);
	assert_int_equal(r.result, 0);

	n = load_fixture("pcp_map_renew_prefer_failure.bin", b, sizeof(b));
	assert_int_equal(n, 64); /* the option is echoed */
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.result, 0);
	assert_int_equal(r.nonce[0], 0xee);

	n = load_fixture("pcp_map_delete_not_authorized.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_PCP_NOT_AUTHORIZED);

	n = load_fixture("pcp_map_address_mismatch.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_PCP_ADDRESS_MISMATCH);
	assert_string_equal(he_pcp_result_name(r.result), "ADDRESS_MISMATCH");
	assert_non_null(strstr(he_pcp_result_explain(r.result), "another NAT"));

	n = load_fixture("pcp_unsupp_opcode.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_PCP_UNSUPP_OPCODE);

	/* miniupnpd answers a version-1 request in version 1: not usable */
	n = load_fixture("pcp_v1_reply.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), -EBADMSG);

	n = load_fixture("pcp6_map_tcp_success.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.result, 0);
	assert_false(he_pcp_is_v4mapped(&r.ext_addr));
	inet_ntop(AF_INET6, &r.ext_addr, txt, sizeof(txt));
	assert_string_equal(txt, "2e77:77:1::2");
	assert_int_equal(r.epoch, 1);

	n = load_fixture("pcp6_map_delete_success.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.lifetime, 0);
}

static void test_decode_real_cgnat(void **s)
{
	uint8_t b[1200];
	struct he_pcp_reply r;
	char txt[64];
	size_t n = load_fixture("pcp_map_cgnat_no_resources.bin", b, sizeof(b));

	(void)s;
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_int_equal(r.result, HE_PCP_NO_RESOURCES);
	assert_int_equal(r.lifetime, 30);
	assert_true(r.has_map);
	inet_ntop(AF_INET, &r.ext_addr.s6_addr[12], txt, sizeof(txt));
	assert_string_equal(txt, "100.64.77.2");
}

static void test_every_result_code(void **s)
{
	uint8_t b[1200];
	struct he_pcp_reply r;
	size_t n = load_fixture("pcp_map_tcp_success.bin", b, sizeof(b));
	unsigned code;

	(void)s;
	for (code = 0; code <= 13; code++) {
		b[3] = (uint8_t)code;
		assert_int_equal(he_pcp_decode(b, n, &r), 0);
		assert_int_equal(r.result, code);
		assert_string_not_equal(he_pcp_result_name(code), "UNKNOWN");
		if (code >= 2) /* the explanation names the code */
			assert_non_null(
			    strstr(he_pcp_result_explain(code), he_pcp_result_name(code)));
	}
	b[3] = 200;
	assert_int_equal(he_pcp_decode(b, n, &r), 0);
	assert_string_equal(he_pcp_result_name(200), "UNKNOWN");
	assert_non_null(he_pcp_result_explain(200));
}

static void test_truncated(void **s)
{
	uint8_t b[1200];
	struct he_pcp_reply r;
	size_t n = load_fixture("pcp_map_tcp_success.bin", b, sizeof(b)), len;

	(void)s;
	memset(&r, 0x5a, sizeof(r));
	for (len = 0; len < n; len++)
		assert_int_equal(he_pcp_decode(b, len, &r), -EBADMSG);
	assert_int_equal(r.version, 0x5a); /* untouched on failure */
	/* an error reply may come without the MAP payload */
	n = load_fixture("pcp_map_address_mismatch.bin", b, sizeof(b));
	assert_int_equal(he_pcp_decode(b, 24, &r), 0);
	assert_false(r.has_map);
	assert_int_equal(he_pcp_decode(NULL, 24, &r), -EBADMSG);
}

static void test_malformed(void **s)
{
	uint8_t b[1200], c[1200];
	struct he_pcp_reply r;
	size_t n = load_fixture("pcp_map_renew_prefer_failure.bin", b, sizeof(b));

	(void)s;
	memcpy(c, b, n);
	c[1] = 1; /* a request, not a reply */
	assert_int_equal(he_pcp_decode(c, n, &r), -EBADMSG);
	memcpy(c, b, n);
	c[63] = 1; /* trailing junk: length not a multiple of 4 */
	assert_int_equal(he_pcp_decode(c, n + 1, &r), -EBADMSG);
	memcpy(c, b, n);
	c[62] = 0; /* option says 4 bytes of data, none there */
	c[63] = 4;
	assert_int_equal(he_pcp_decode(c, n, &r), -EBADMSG);
	memcpy(c, b, n);
	c[62] = 0xff; /* huge option length */
	assert_int_equal(he_pcp_decode(c, n, &r), -EBADMSG);
	memset(c, 0, sizeof(c));
	memcpy(c, b, n);
	assert_int_equal(he_pcp_decode(c, 1104, &r), -EBADMSG); /* over 1100 */
	memcpy(c, b, n);
	c[0] = 3; /* another version with a non-UNSUPP_VERSION result */
	assert_int_equal(he_pcp_decode(c, n, &r), -EBADMSG);
	c[3] = HE_PCP_UNSUPP_VERSION; /* allowed: says which version it speaks */
	assert_int_equal(he_pcp_decode(c, n, &r), 0);
	assert_int_equal(r.version, 3);
	/* a NAT-PMP server's answer to a PCP request */
	memcpy(c, "\x00\x81\x00\x01\x00\x00\x00\x10", 8);
	assert_int_equal(he_pcp_decode(c, 8, &r), -EPROTO);
	assert_int_equal(r.version, 0);
	assert_int_equal(r.result, 1);
	assert_int_equal(he_pcp_decode(c, 7, &r), -EBADMSG);
}

static void test_epoch(void **s)
{
	(void)s;
	/* steady: 100 s later on both sides */
	assert_false(he_pm_epoch_is_reset(1000, 5000, 1100, 5100));
	/* small drift is fine */
	assert_false(he_pm_epoch_is_reset(1000, 5000, 1102, 5100));
	/* the router's epoch went back: it restarted */
	assert_true(he_pm_epoch_is_reset(1000, 5000, 3, 5100));
	/* the router counted far less than we did (restart + some uptime) */
	assert_true(he_pm_epoch_is_reset(1000, 5000, 1010, 8000));
	/* the router counted far more than us */
	assert_true(he_pm_epoch_is_reset(1000, 5000, 9000, 5010));
	/* our clock went back: no verdict */
	assert_false(he_pm_epoch_is_reset(1000, 5000, 1010, 4000));
}

/* ---- the backend against a fake router ---- */

struct pcp_script {
	uint8_t result;
	uint32_t epoch;
	uint32_t lifetime;
	int assign_other_port; /* answer with ext port + 1 */
	int natpmp_only;       /* answer like a NAT-PMP-only router */
	int no_options;        /* UNSUPP_OPTION for any option */
	int cgnat;             /* miniupnpd behind CGNAT: NO_RESOURCES naming 100.64.77.2 */
};

static size_t pcp_reply(const uint8_t *req, size_t len, uint8_t *out, void *ctx)
{
	struct pcp_script *sc = ctx;

	if (sc->natpmp_only) {
		if (req[0] != 0) {
			memcpy(out, "\x00\x80\x00\x01\x00\x00\x00\x05", 8);
			out[1] = (uint8_t)(0x80 | (req[1] & 0x7f));
			return 8;
		}
		if (req[1] == 0) {
			memcpy(out, "\x00\x80\x00\x00\x00\x00\x00\x05\x0b\x4d\x00\x02", 12);
			return 12;
		}
		memset(out, 0, 16);
		out[1] = (uint8_t)(0x80 | req[1]);
		out[7] = 5;
		memcpy(out + 8, req + 4, 4); /* ports */
		memcpy(out + 12, req + 8, 4);
		return 16;
	}
	if (len < 24 || req[0] != 2)
		return 0;
	memset(out, 0, 24);
	out[0] = 2;
	out[1] = (uint8_t)(0x80 | req[1]);
	out[3] = sc->result;
	if (sc->no_options && len > 60)
		out[3] = HE_PCP_UNSUPP_OPTION;
	out[4] = (uint8_t)(sc->lifetime >> 24);
	out[5] = (uint8_t)(sc->lifetime >> 16);
	out[6] = (uint8_t)(sc->lifetime >> 8);
	out[7] = (uint8_t)sc->lifetime;
	out[8] = (uint8_t)(sc->epoch >> 24);
	out[9] = (uint8_t)(sc->epoch >> 16);
	out[10] = (uint8_t)(sc->epoch >> 8);
	out[11] = (uint8_t)sc->epoch;
	if (req[1] != 1 || len < 60)
		return 24;
	memcpy(out + 24, req + 24, 36);
	if (sc->assign_other_port)
		out[43]++;
	if (!he_pcp_is_v4mapped((const struct in6_addr *)(req + 8)))
		return 60;
	memset(out + 44, 0, 16);
	out[54] = out[55] = 0xff;
	memcpy(out + 56, "\x0b\x4d\x00\x02", 4); /* 11.77.0.2 */
	if (sc->cgnat) {
		out[3] = HE_PCP_NO_RESOURCES;
		out[7] = 30;
		memcpy(out + 56, "\x64\x40\x4d\x02", 4); /* 100.64.77.2 */
	}
	return 60;
}

struct pcp_fix {
	struct fake_router fr;
	struct pcp_script sc;
	char dir[64];
};

static int setup_fake(void **s)
{
	struct pcp_fix *fx = calloc(1, sizeof(*fx));

	fx->sc.lifetime = 3600;
	fx->sc.epoch = 1000;
	if (fake_start(&fx->fr, HE_PCP_PORT, pcp_reply, &fx->sc) < 0)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/he-test-pcp.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	*s = fx;
	return 0;
}

static int teardown_fake(void **s)
{
	struct pcp_fix *fx = *s;
	char cmd[128];

	fake_stop(&fx->fr);
	snprintf(cmd, sizeof(cmd), "%s/state.json", fx->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/lock", fx->dir);
	unlink(cmd);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static struct he_portmap *open_pcp(struct pcp_fix *fx, struct he_state *st, bool force)
{
	struct he_portmap_opts o = {0};
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	int ret;

	o.gateway = fx->fr.addr;
	o.op_timeout_ms = 400;
	o.order[0] = HE_PM_PCP;
	o.order[1] = HE_PM_NATPMP; /* never UPnP: no SSDP multicast from tests */
	if (force)
		o.force = HE_PM_PCP;
	ret = he_portmap_open(&o, st, &pm, &err);
	if (ret < 0)
		fprintf(stderr, "open: %s\n", err.msg);
	assert_int_equal(ret, 0);
	return pm;
}

static const struct he_pm_request web = {
    .name = "web",
    .proto = HE_PROTO_TCP,
    .ext_port = 443,
    .int_port = 8443,
    .lease = 600,
    .family = AF_INET,
};

/* a UPnP pinhole id from before the router's last start is stale (tests/lab/soak.sh) */
static void test_pinhole_stale(void **s)
{
	(void)s;
	/* the PCP answer at 10000 said epoch 100: the router started at 9900 */
	json_t *sec = json_pack("{s:{s:i, s:i}}", "pcp", "epoch", 100, "at", 10000);
	json_t *old =
	    json_pack("{s:s, s:i, s:i}", "pinhole_id", "1", "expires", 3600 + 9000, "lease", 3600);
	json_t *renewed =
	    json_pack("{s:s, s:i, s:i}", "pinhole_id", "1", "expires", 3600 + 9950, "lease", 3600);
	json_t *slack =
	    json_pack("{s:s, s:i, s:i}", "pinhole_id", "1", "expires", 3600 + 9899, "lease", 3600);
	json_t *none = json_pack("{s:i, s:i}", "expires", 3600 + 9000, "lease", 3600);
	json_t *nosec = json_object();

	assert_true(he_pm_pinhole_stale(sec, old));
	assert_false(he_pm_pinhole_stale(sec, renewed));
	assert_false(he_pm_pinhole_stale(sec, slack)); /* within the 2 s of slack */
	assert_false(he_pm_pinhole_stale(sec, none));  /* no id: nothing to forget */
	assert_false(he_pm_pinhole_stale(nosec, old)); /* UPnP only: no epoch to tell */
	json_object_set_new(sec, "pcp", json_object());
	json_object_set_new(sec, "natpmp", json_pack("{s:i, s:i}", "epoch", 5, "at", 10000));
	assert_true(he_pm_pinhole_stale(sec, old)); /* NAT-PMP's epoch tells too */
	json_decref(sec);
	json_decref(old);
	json_decref(renewed);
	json_decref(slack);
	json_decref(none);
	json_decref(nosec);
}

static void test_backend_map_nonce_across_runs(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_state *st = NULL;
	struct he_portmap *pm;
	struct he_pm_result res;
	struct he_error err = {0};
	uint8_t nonce1[12];

	assert_int_equal(he_state_open(fx->dir, HE_STATE_WRITE, 0, &st, &err), 0);
	pm = open_pcp(fx, st, false);
	assert_int_equal(he_portmap_protocol(pm), HE_PM_PCP);
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_int_equal(res.protocol, HE_PM_PCP);
	assert_int_equal(res.ext_port, 443);
	assert_int_equal(res.lease, 3600);
	assert_string_equal(res.ext_addr, "11.77.0.2");
	assert_string_equal(res.client, "127.0.0.1");
	assert_int_equal(res.ext_class, HE_ADDR_PUBLIC);
	assert_false(res.epoch_reset);
	/* what the router got */
	assert_int_equal(fx->fr.nreq, 1);
	assert_int_equal(fx->fr.req_len[0], 64); /* MAP + PREFER_FAILURE */
	assert_int_equal(fx->fr.req[0][1], 1);
	assert_int_equal(fx->fr.req[0][36], 6);
	assert_int_equal(fx->fr.req[0][60], HE_PCP_OPT_PREFER_FAILURE);
	assert_int_equal(fx->fr.req[0][23], 1); /* client ::ffff:127.0.0.1 */
	assert_int_equal((fx->fr.req[0][6] << 8) | fx->fr.req[0][7], 600);
	memcpy(nonce1, fx->fr.req[0] + 24, 12);
	he_portmap_close(pm);
	he_state_close(st);

	/* next run: the cached protocol is used without probing, same nonce */
	st = NULL;
	assert_int_equal(he_state_open(fx->dir, HE_STATE_WRITE, 0, &st, &err), 0);
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	pm = open_pcp(fx, st, false);
	assert_int_equal(fx->fr.nreq, 0); /* no probe */
	fx->sc.epoch = 1001;
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_int_equal(fx->fr.nreq, 1);
	assert_memory_equal(fx->fr.req[0] + 24, nonce1, 12);
	/* delete: lifetime 0, same nonce */
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	fx->sc.lifetime = 0;
	assert_int_equal(he_portmap_unmap(pm, &web, &err), 0);
	assert_int_equal(fx->fr.nreq, 1);
	assert_memory_equal(fx->fr.req[0] + 24, nonce1, 12);
	assert_int_equal(fx->fr.req[0][4] | fx->fr.req[0][5] | fx->fr.req[0][6] | fx->fr.req[0][7],
			 0);
	/* gone from the state */
	assert_int_equal(he_portmap_unmap(pm, &web, &err), -ENOENT);
	he_portmap_close(pm);
	he_state_close(st);
}

static void expect_code(struct pcp_fix *fx, uint8_t code, int want, const char *words)
{
	struct he_portmap *pm = open_pcp(fx, NULL, true);
	struct he_pm_result res;
	struct he_error err = {0};

	fx->sc.result = code;
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), want);
	assert_int_equal(err.code, want);
	if (!strstr(err.msg, words))
		fail_msg("code %u: '%s' lacks '%s'", code, err.msg, words);
	fx->sc.result = 0;
	he_portmap_close(pm);
}

static void test_backend_result_codes(void **s)
{
	struct pcp_fix *fx = *s;

	expect_code(fx, HE_PCP_NOT_AUTHORIZED, -EACCES, "NOT_AUTHORIZED");
	expect_code(fx, HE_PCP_ADDRESS_MISMATCH, -EADDRNOTAVAIL, "another NAT");
	expect_code(fx, HE_PCP_NO_RESOURCES, -ENOSPC, "retrying in 3600 s");
	expect_code(fx, HE_PCP_USER_EX_QUOTA, -ENOSPC, "quota");
	expect_code(fx, HE_PCP_CANNOT_PROVIDE_EXTERNAL, -EADDRINUSE, "another external port");
	expect_code(fx, HE_PCP_NETWORK_FAILURE, -ENETDOWN, "internet link");
	expect_code(fx, HE_PCP_UNSUPP_PROTOCOL, -EPROTO, "UNSUPP_PROTOCOL");
	expect_code(fx, HE_PCP_MALFORMED_REQUEST, -EPROTO, "MALFORMED_REQUEST");
	expect_code(fx, HE_PCP_UNSUPP_OPTION, -EPROTO, "UNSUPP_OPTION");
	expect_code(fx, HE_PCP_MALFORMED_OPTION, -EPROTO, "MALFORMED_OPTION");
	expect_code(fx, HE_PCP_UNSUPP_OPCODE, -EPROTO, "UNSUPP_OPCODE");
	expect_code(fx, HE_PCP_EXCESSIVE_REMOTE_PEERS, -EPROTO, "EXCESSIVE_REMOTE_PEERS");
	expect_code(fx, 77, -EPROTO, "unknown PCP result");
}

static void test_backend_other_port(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_portmap *pm = open_pcp(fx, NULL, true);
	struct he_pm_request req = web;
	struct he_pm_result res;
	struct he_error err = {0};

	/* the router ignores PREFER_FAILURE and hands out 444: refused, given back */
	fx->sc.assign_other_port = 1;
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &req, &res, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "444"));
	assert_int_equal(fx->fr.nreq, 2); /* the map, then the delete */
	assert_int_equal(fx->fr.req[1][7], 0);
	/* unless the caller accepts another port */
	req.allow_other_port = true;
	assert_int_equal(he_portmap_map(pm, &req, &res, &err), 0);
	assert_int_equal(res.ext_port, 444);
	fx->sc.assign_other_port = 0;
	he_portmap_close(pm);
}

static void test_backend_internal_port_taken(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_state *st = NULL;
	struct he_portmap *pm;
	struct he_pm_request other = web;
	struct he_pm_result res;
	struct he_error err = {0};

	assert_int_equal(he_state_open(fx->dir, HE_STATE_WRITE, 0, &st, &err), 0);
	pm = open_pcp(fx, st, true);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	/* another exposure to the same internal port would replace it */
	other.name = "web2";
	other.ext_port = 8443;
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &other, &res, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "'web'"));
	assert_int_equal(fx->fr.nreq, 0); /* refused before asking the router */
	/* a renewal of the same one is fine */
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	/* a delete the router refuses as NOT_AUTHORIZED: it did not remove the
	 * mapping; that is a failure, and the record stays */
	fx->sc.result = HE_PCP_NOT_AUTHORIZED;
	assert_int_equal(he_portmap_unmap(pm, &web, &err), -EACCES);
	assert_non_null(strstr(err.msg, "NOT_AUTHORIZED"));
	assert_non_null(strstr(err.msg, "stays open until its lease ends"));
	fx->sc.result = 0;
	assert_int_equal(he_portmap_unmap(pm, &web, &err), 0);
	assert_int_equal(he_portmap_unmap(pm, &web, &err), -ENOENT);
	he_portmap_close(pm);
	he_state_close(st);
}

static void test_backend_cgnat(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_portmap *pm = open_pcp(fx, NULL, true);
	struct he_pm_result res;
	struct he_error err = {0};
	enum he_addr_class cls;
	char ip[64];

	fx->sc.cgnat = 1;
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), -ENETUNREACH);
	assert_non_null(strstr(err.msg, "NO_RESOURCES"));
	assert_non_null(strstr(err.msg, "100.64.77.2 is in the shared CGNAT range"));
	/* the refusal still tells the external address */
	assert_int_equal(he_portmap_external_address(pm, ip, sizeof(ip), &cls, &err), 0);
	assert_string_equal(ip, "100.64.77.2");
	assert_int_equal(cls, HE_ADDR_CGNAT);
	fx->sc.cgnat = 0;
	he_portmap_close(pm);
}

static void test_backend_no_prefer_failure(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_portmap *pm = open_pcp(fx, NULL, true);
	struct he_pm_result res;
	struct he_error err = {0};

	fx->sc.no_options = 1;
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_int_equal(fx->fr.nreq, 2);
	assert_int_equal(fx->fr.req_len[0], 64);
	assert_int_equal(fx->fr.req_len[1], 60); /* asked again without the option */
	fx->sc.no_options = 0;
	he_portmap_close(pm);
}

static void test_backend_epoch_reset(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_state *st = NULL;
	struct he_portmap *pm;
	struct he_pm_result res;
	struct he_error err = {0};

	assert_int_equal(he_state_open(fx->dir, HE_STATE_WRITE, 0, &st, &err), 0);
	fx->sc.epoch = 50000;
	pm = open_pcp(fx, st, true);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_false(res.epoch_reset);
	fx->sc.epoch = 3; /* the router rebooted */
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_true(res.epoch_reset);
	assert_non_null(strstr(res.note, "lost its port mappings"));
	fx->sc.epoch = 4;
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_false(res.epoch_reset);
	he_portmap_close(pm);
	he_state_close(st);
}

static void test_backend_epoch_reset_at_discovery(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_state *st = NULL;
	struct he_portmap *pm;
	struct he_pm_result res;
	struct he_error err = {0};

	assert_int_equal(he_state_open(fx->dir, HE_STATE_WRITE, 0, &st, &err), 0);
	fx->sc.epoch = 50000;
	pm = open_pcp(fx, st, true);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	he_portmap_close(pm);
	/* the router reboots; the next run's probe sees it first */
	fx->sc.epoch = 2;
	pm = open_pcp(fx, st, true);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_true(res.epoch_reset);
	he_portmap_close(pm);
	he_state_close(st);
}

static void test_backend_ext_port_in_use(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_state *st = NULL;
	struct he_portmap *pm;
	struct he_pm_request other = web;
	struct he_pm_result res;
	struct he_error err = {0};

	assert_int_equal(he_state_open(fx->dir, HE_STATE_WRITE, 0, &st, &err), 0);
	pm = open_pcp(fx, st, true);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	other.name = "other";
	other.int_port = 9000;
	fake_set(&fx->fr, pcp_reply, &fx->sc);
	assert_int_equal(he_portmap_map(pm, &other, &res, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "exposure 'web'"));
	assert_int_equal(fx->fr.nreq, 0);
	other.proto = HE_PROTO_UDP; /* udp/443 is another port */
	assert_int_equal(he_portmap_map(pm, &other, &res, &err), 0);
	he_portmap_close(pm);
	he_state_close(st);
}

static void test_backend_natpmp_fallback(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_portmap *pm;
	struct he_pm_result res;
	struct he_error err = {0};
	struct he_portmap_opts o = {0};

	fx->sc.natpmp_only = 1;
	o.gateway = fx->fr.addr;
	o.op_timeout_ms = 400;
	o.order[0] = HE_PM_PCP;
	o.order[1] = HE_PM_NATPMP;
	assert_int_equal(he_portmap_open(&o, NULL, &pm, &err), 0);
	assert_int_equal(he_portmap_protocol(pm), HE_PM_NATPMP);
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), 0);
	assert_int_equal(res.protocol, HE_PM_NATPMP);
	assert_int_equal(res.ext_port, 443);
	he_portmap_close(pm);
	fx->sc.natpmp_only = 0;
}

static void test_backend_timeout(void **s)
{
	struct pcp_fix *fx = *s;
	struct he_portmap *pm = open_pcp(fx, NULL, true);
	struct he_pm_result res;
	struct he_error err = {0};
	uint64_t t0;

	fake_set(&fx->fr, NULL, NULL); /* the router goes silent */
	t0 = mono_ms();
	assert_int_equal(he_portmap_map(pm, &web, &res, &err), -ETIMEDOUT);
	assert_true(mono_ms() - t0 < 1500); /* op timeout, one re-probe: no long waits */
	assert_non_null(strstr(err.msg, "did not answer"));
	he_portmap_close(pm);
	fake_set(&fx->fr, pcp_reply, &fx->sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_map),
	    cmocka_unit_test(test_encode_options),
	    cmocka_unit_test(test_encode_announce),
	    cmocka_unit_test(test_decode_real_success),
	    cmocka_unit_test(test_decode_real_others),
	    cmocka_unit_test(test_decode_real_cgnat),
	    cmocka_unit_test(test_every_result_code),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_epoch),
	    cmocka_unit_test(test_pinhole_stale),
	    cmocka_unit_test_setup_teardown(test_backend_map_nonce_across_runs, setup_fake,
					    teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_result_codes, setup_fake, teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_other_port, setup_fake, teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_internal_port_taken, setup_fake,
					    teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_cgnat, setup_fake, teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_no_prefer_failure, setup_fake,
					    teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_epoch_reset, setup_fake, teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_epoch_reset_at_discovery, setup_fake,
					    teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_ext_port_in_use, setup_fake,
					    teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_natpmp_fallback, setup_fake,
					    teardown_fake),
	    cmocka_unit_test_setup_teardown(test_backend_timeout, setup_fake, teardown_fake),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
