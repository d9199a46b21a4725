/* SPDX-License-Identifier: MIT */
/*
 * test_stun.c - STUN (RFC 8489): Binding request encoding, decoding of
 * replies recorded from coturn in the lab (tests/fixtures/publicip), every
 * malformed and truncated case, error responses, and the UDP client against
 * fake servers on loopback (retransmission, deadline, concurrency).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers */
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "publicip/stun_wire.h"

#define FIXDIR "tests/fixtures/publicip"

static const uint8_t tid_plain[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t tid_fp[12] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
				   0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c};
static const uint8_t tid_unknown[12] = {0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
					0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c};

static size_t load_fixture(const char *name, uint8_t *buf, size_t len)
{
	char path[512];
	const char *dir = getenv("HE_FIXTURES");
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : FIXDIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, len, f);
	fclose(f);
	assert_true(n > 0 && n < len);
	return n;
}

/* ---- a message builder for hand-made cases ---- */

struct msg {
	uint8_t b[HE_STUN_MAX_LEN + 64];
	size_t n;
};

static void msg_start(struct msg *m, uint16_t type, const uint8_t *tid)
{
	memset(m, 0, sizeof(*m));
	m->b[0] = (uint8_t)(type >> 8);
	m->b[1] = (uint8_t)type;
	m->b[4] = 0x21;
	m->b[5] = 0x12;
	m->b[6] = 0xa4;
	m->b[7] = 0x42;
	memcpy(m->b + 8, tid, 12);
	m->n = 20;
}

static void msg_attr(struct msg *m, uint16_t type, const void *v, uint16_t len, uint8_t pad)
{
	size_t padded = ((size_t)len + 3) & ~(size_t)3;

	m->b[m->n] = (uint8_t)(type >> 8);
	m->b[m->n + 1] = (uint8_t)type;
	m->b[m->n + 2] = (uint8_t)(len >> 8);
	m->b[m->n + 3] = (uint8_t)len;
	if (len)
		memcpy(m->b + m->n + 4, v, len);
	memset(m->b + m->n + 4 + len, pad, padded - len);
	m->n += 4 + padded;
	m->b[2] = (uint8_t)((m->n - 20) >> 8);
	m->b[3] = (uint8_t)(m->n - 20);
}

/* an (XOR-)MAPPED-ADDRESS value for an IPv4 address and port */
static void addr4_value(uint8_t v[8], const char *ip, uint16_t port, bool xored)
{
	struct in_addr a;
	static const uint8_t cookie[4] = {0x21, 0x12, 0xa4, 0x42};
	int i;

	assert_int_equal(inet_pton(AF_INET, ip, &a), 1);
	v[0] = 0;
	v[1] = 1;
	if (xored)
		port ^= 0x2112;
	v[2] = (uint8_t)(port >> 8);
	v[3] = (uint8_t)port;
	memcpy(v + 4, &a, 4);
	for (i = 0; xored && i < 4; i++)
		v[4 + i] ^= cookie[i];
}

static void assert_addr(const struct he_stun_response *r, const char *want)
{
	char buf[64];

	assert_string_equal(he_stun_addr_str(r, buf, sizeof(buf)), want);
}

/* ---- encoding ---- */

static void test_encode(void **s)
{
	uint8_t b[HE_STUN_REQ_MAX];
	size_t n;

	(void)s;
	n = he_stun_encode_binding(tid_plain, false, b, sizeof(b));
	assert_int_equal(n, 20);
	assert_int_equal(b[0], 0x00);
	assert_int_equal(b[1], 0x01);
	assert_int_equal(b[2] | b[3], 0);
	assert_int_equal(b[4], 0x21);
	assert_int_equal(b[7], 0x42);
	assert_memory_equal(b + 8, tid_plain, 12);
	assert_int_equal(he_stun_encode_binding(tid_plain, false, b, 19), 0);

	n = he_stun_encode_binding(tid_fp, true, b, sizeof(b));
	assert_int_equal(n, 28);
	assert_int_equal(b[3], 8);
	assert_int_equal(b[20], 0x80);
	assert_int_equal(b[21], 0x28);
	assert_int_equal(b[23], 4);
	assert_int_equal(he_stun_encode_binding(tid_fp, true, b, 27), 0);
}

/* The FINGERPRINT request the recorder sent (stunrec.py, Python's
 * binascii.crc32) got coturn's answer with a FINGERPRINT; ours is identical. */
static void test_crc32(void **s)
{
	(void)s;
	assert_int_equal(he_stun_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
	assert_int_equal(he_stun_crc32(NULL, 0), 0);
}

/* ---- recorded replies ---- */

static void test_coturn_v4(void **s)
{
	uint8_t b[2048];
	size_t n = load_fixture("coturn_binding_v4.bin", b, sizeof(b));
	struct he_stun_response r;
	uint16_t mapped_port;

	(void)s;
	assert_int_equal(he_stun_decode(b, n, tid_plain, &r), 0);
	assert_false(r.is_error);
	assert_int_equal(r.family, AF_INET);
	assert_true(r.xor_mapped);
	assert_addr(&r, "11.77.0.2");
	/* the MAPPED-ADDRESS (second attribute, at offset 32) carries the port in clear */
	assert_int_equal((b[32] << 8) | b[33], 0x0001);
	mapped_port = (uint16_t)((b[38] << 8) | b[39]);
	assert_int_equal(r.port, mapped_port);
	assert_string_equal(r.software, "Coturn-4.6.1 'Gorst'");
	assert_int_equal(r.skipped, 2); /* RESPONSE-ORIGIN, OTHER-ADDRESS */
	assert_false(r.has_fingerprint);
	/* the same reply to another transaction is not ours */
	assert_int_equal(he_stun_decode(b, n, tid_fp, &r), -ENOMSG);
}

static void test_coturn_fingerprint(void **s)
{
	uint8_t b[2048];
	size_t n = load_fixture("coturn_binding_v4_fingerprint.bin", b, sizeof(b));
	struct he_stun_response r;

	(void)s;
	assert_int_equal(he_stun_decode(b, n, tid_fp, &r), 0);
	assert_true(r.has_fingerprint);
	assert_addr(&r, "11.77.0.2");
	/* a flipped bit anywhere before the FINGERPRINT: rejected */
	b[n - 20] ^= 0x01;
	assert_int_equal(he_stun_decode(b, n, tid_fp, &r), -EBADMSG);
	b[n - 20] ^= 0x01;
	b[n - 1] ^= 0x80;
	assert_int_equal(he_stun_decode(b, n, tid_fp, &r), -EBADMSG);
}

static void test_coturn_v6(void **s)
{
	uint8_t b[2048];
	size_t n = load_fixture("coturn_binding_v6.bin", b, sizeof(b));
	struct he_stun_response r;

	(void)s;
	assert_int_equal(he_stun_decode(b, n, tid_plain, &r), 0);
	assert_int_equal(r.family, AF_INET6);
	assert_true(r.xor_mapped);
	assert_addr(&r, "2e77:77:1::2");
}

static void test_coturn_cgnat(void **s)
{
	uint8_t b[2048];
	size_t n = load_fixture("coturn_binding_v4_cgnat.bin", b, sizeof(b));
	struct he_stun_response r;

	(void)s;
	assert_int_equal(he_stun_decode(b, n, tid_plain, &r), 0);
	assert_addr(&r, "11.77.0.2"); /* the ISP's address, not the router's 100.64.77.2 */
}

static void test_coturn_error(void **s)
{
	uint8_t b[2048];
	size_t n = load_fixture("coturn_error_420.bin", b, sizeof(b));
	struct he_stun_response r;

	(void)s;
	assert_int_equal(he_stun_decode(b, n, tid_unknown, &r), 0);
	assert_true(r.is_error);
	assert_int_equal(r.error_code, 420);
	assert_string_equal(r.reason, "Unknown Attribute");
	assert_int_equal(r.family, 0);
}

/* Every prefix of every recorded reply is truncated: rejected, out untouched. */
static void test_truncated(void **s)
{
	static const struct {
		const char *file;
		const uint8_t *tid;
	} f[] = {
	    {"coturn_binding_v4.bin", tid_plain},
	    {"coturn_binding_v4_fingerprint.bin", tid_fp},
	    {"coturn_binding_v6.bin", tid_plain},
	    {"coturn_error_420.bin", tid_unknown},
	    {"coturn_binding_v4_cgnat.bin", tid_plain},
	};
	size_t i, k;

	(void)s;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint8_t b[2048];
		size_t n = load_fixture(f[i].file, b, sizeof(b));
		struct he_stun_response r, before;

		memset(&r, 0x5a, sizeof(r));
		before = r;
		for (k = 0; k < n; k++) {
			assert_int_equal(he_stun_decode(b, k, f[i].tid, &r), -EBADMSG);
			assert_memory_equal(&r, &before, sizeof(r));
		}
		/* one byte too many is as bad */
		b[n] = 0;
		assert_int_equal(he_stun_decode(b, n + 1, f[i].tid, &r), -EBADMSG);
		/* the header's length shortened by 4 (a cut at an attribute boundary) */
		b[3] = (uint8_t)(b[3] - 4);
		assert_int_equal(he_stun_decode(b, n - 4, f[i].tid, &r), -EBADMSG);
	}
}

static void test_header_checks(void **s)
{
	uint8_t b[2048];
	size_t n = load_fixture("coturn_binding_v4.bin", b, sizeof(b));
	struct he_stun_response r;
	struct msg m;
	uint8_t v[8];

	(void)s;
	b[0] |= 0x40; /* first two bits must be zero (not STUN: e.g. RTP) */
	assert_int_equal(he_stun_decode(b, n, tid_plain, &r), -EBADMSG);
	b[0] &= 0x3f;
	b[5] ^= 0xff; /* magic cookie */
	assert_int_equal(he_stun_decode(b, n, tid_plain, &r), -EBADMSG);
	b[5] ^= 0xff;
	assert_int_equal(he_stun_decode(b, n, tid_plain, &r), 0);
	assert_int_equal(he_stun_decode(NULL, 0, tid_plain, &r), -EBADMSG);

	/* length not a multiple of 4 */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	addr4_value(v, "11.77.0.2", 4000, true);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	m.b[3] += 2;
	m.b[m.n] = m.b[m.n + 1] = 0;
	assert_int_equal(he_stun_decode(m.b, m.n + 2, tid_plain, &r), -EBADMSG);

	/* a request, an indication, another method: not a response to us */
	msg_start(&m, HE_STUN_BINDING_REQUEST, tid_plain);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -ENOMSG);
	msg_start(&m, 0x0011, tid_plain);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -ENOMSG);
	msg_start(&m, 0x0103, tid_plain); /* Allocate success */
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -ENOMSG);

	/* larger than any datagram the client reads */
	memset(&m, 0, sizeof(m));
	assert_int_equal(he_stun_decode(m.b, HE_STUN_MAX_LEN + 4, tid_plain, &r), -EBADMSG);
}

static void test_address_attrs(void **s)
{
	struct he_stun_response r;
	struct msg m;
	uint8_t v[20], v2[8];

	(void)s;
	/* MAPPED-ADDRESS only (an RFC 3489 server) */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	addr4_value(v, "198.51.100.7", 1234, false);
	msg_attr(&m, HE_STUN_ATTR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_false(r.xor_mapped);
	assert_addr(&r, "198.51.100.7");
	assert_int_equal(r.port, 1234);

	/* MAPPED-ADDRESS first, then XOR-MAPPED-ADDRESS: the XOR one wins */
	addr4_value(v2, "11.77.0.2", 4321, true);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v2, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_true(r.xor_mapped);
	assert_addr(&r, "11.77.0.2");
	assert_int_equal(r.port, 4321);

	/* only the first XOR-MAPPED-ADDRESS counts */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v2, 8, 0);
	addr4_value(v, "11.77.0.9", 1, true);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_addr(&r, "11.77.0.2");

	/* bad family */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	addr4_value(v, "11.77.0.2", 1, true);
	v[1] = 3;
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* IPv4 family with an IPv6-sized value, IPv6 family with 8 bytes */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	memset(v, 0, sizeof(v));
	v[1] = 1;
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 20, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	v[1] = 2;
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* shorter than the fixed part */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 2, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* a malformed MAPPED-ADDRESS after a good XOR-MAPPED-ADDRESS: still malformed */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v2, 8, 0);
	msg_attr(&m, HE_STUN_ATTR_MAPPED_ADDRESS, v, 6, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);

	/* a success without any address */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EPROTO);
	msg_attr(&m, HE_STUN_ATTR_SOFTWARE, "x", 1, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EPROTO);
}

static void test_attr_walk(void **s)
{
	struct he_stun_response r;
	struct msg m;
	uint8_t v[8], junk[4] = {1, 2, 3, 4};

	(void)s;
	addr4_value(v, "11.77.0.2", 4000, true);
	/* unknown comprehension-optional attributes are skipped; padding is ignored */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, 0x8f01, junk, 3, 0xee);
	msg_attr(&m, HE_STUN_ATTR_SOFTWARE, "abcde", 5, 0xff);
	msg_attr(&m, 0x0008, junk, 4, 0); /* MESSAGE-INTEGRITY: known, unused */
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	msg_attr(&m, 0x8f02, NULL, 0, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_int_equal(r.skipped, 3);
	assert_string_equal(r.software, "abcde");
	assert_addr(&r, "11.77.0.2");

	/* an unknown comprehension-required attribute fails a success response */
	msg_attr(&m, 0x7f01, junk, 4, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EPROTO);

	/* an attribute longer than the message */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	m.b[m.n - 12 + 3] = 12;
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* value fits but its padding does not */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	msg_attr(&m, HE_STUN_ATTR_SOFTWARE, "abcde", 5, 0);
	m.b[m.n - 12 + 3] = 9; /* 9 -> padded 12 > 8 left */
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* an empty comprehension-optional attribute at the end is fine */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	m.b[m.n] = 0x80;
	m.b[3] += 4;
	assert_int_equal(he_stun_decode(m.b, m.n + 4, tid_plain, &r), 0);
	assert_int_equal(r.skipped, 1);
	/* ... but an attribute header cut short by a length that is not a multiple of 4 is not */
	m.b[3] -= 2;
	assert_int_equal(he_stun_decode(m.b, m.n + 2, tid_plain, &r), -EBADMSG);

	/* FINGERPRINT must be last and 4 bytes */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_FINGERPRINT, junk, 4, 0);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	msg_attr(&m, HE_STUN_ATTR_FINGERPRINT, junk, 2, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* a correct one, computed here */
	msg_start(&m, HE_STUN_BINDING_SUCCESS, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	{
		uint32_t crc;
		uint8_t fp[4];

		m.b[3] += 8; /* the length covers the FINGERPRINT while computing it */
		crc = he_stun_crc32(m.b, m.n) ^ 0x5354554eu;
		m.b[3] -= 8;
		fp[0] = (uint8_t)(crc >> 24);
		fp[1] = (uint8_t)(crc >> 16);
		fp[2] = (uint8_t)(crc >> 8);
		fp[3] = (uint8_t)crc;
		msg_attr(&m, HE_STUN_ATTR_FINGERPRINT, fp, 4, 0);
	}
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_true(r.has_fingerprint);
}

static void test_error_responses(void **s)
{
	struct he_stun_response r;
	struct msg m;
	uint8_t ec[4 + 12] = {0, 0, 4, 20};
	uint8_t v[8];

	(void)s;
	memcpy(ec + 4, "Unauthorized", 12);
	ec[2] = 4;
	ec[3] = 1;
	msg_start(&m, HE_STUN_BINDING_ERROR, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_ERROR_CODE, ec, 16, 0);
	/* an unknown comprehension-required attribute does not hide the error */
	msg_attr(&m, 0x7f01, ec, 4, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_true(r.is_error);
	assert_int_equal(r.error_code, 401);
	assert_string_equal(r.reason, "Unauthorized");

	/* a reason with control characters is made printable */
	ec[4] = '\n';
	msg_start(&m, HE_STUN_BINDING_ERROR, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_ERROR_CODE, ec, 16, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_int_equal(r.reason[0], '?');

	/* an address in an error response is not reported */
	addr4_value(v, "11.77.0.2", 1, true);
	msg_attr(&m, HE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_int_equal(r.family, 0);

	/* no ERROR-CODE */
	msg_start(&m, HE_STUN_BINDING_ERROR, tid_plain);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* class 2 and number 100 are out of range; shorter than 4 bytes */
	ec[2] = 2;
	ec[3] = 0;
	msg_attr(&m, HE_STUN_ATTR_ERROR_CODE, ec, 4, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	msg_start(&m, HE_STUN_BINDING_ERROR, tid_plain);
	ec[2] = 5;
	ec[3] = 100;
	msg_attr(&m, HE_STUN_ATTR_ERROR_CODE, ec, 4, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	msg_start(&m, HE_STUN_BINDING_ERROR, tid_plain);
	ec[3] = 0;
	msg_attr(&m, HE_STUN_ATTR_ERROR_CODE, ec, 3, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), -EBADMSG);
	/* 500 with an empty reason is fine */
	msg_start(&m, HE_STUN_BINDING_ERROR, tid_plain);
	msg_attr(&m, HE_STUN_ATTR_ERROR_CODE, ec, 4, 0);
	assert_int_equal(he_stun_decode(m.b, m.n, tid_plain, &r), 0);
	assert_int_equal(r.error_code, 500);
	assert_string_equal(r.reason, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode),        cmocka_unit_test(test_crc32),
	    cmocka_unit_test(test_coturn_v4),     cmocka_unit_test(test_coturn_fingerprint),
	    cmocka_unit_test(test_coturn_v6),     cmocka_unit_test(test_coturn_cgnat),
	    cmocka_unit_test(test_coturn_error),  cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_header_checks), cmocka_unit_test(test_address_attrs),
	    cmocka_unit_test(test_attr_walk),     cmocka_unit_test(test_error_responses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
