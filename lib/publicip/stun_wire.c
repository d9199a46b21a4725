/* SPDX-License-Identifier: MIT */
#include "core/bytes.h"
#include "publicip/stun_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define FINGERPRINT_XOR 0x5354554eu

uint32_t he_stun_crc32(const uint8_t *buf, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= buf[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

size_t he_stun_encode_binding(const uint8_t tid[HE_STUN_TID_LEN], bool fingerprint, uint8_t *buf,
			      size_t len)
{
	size_t n = fingerprint ? HE_STUN_HDR_LEN + 8 : HE_STUN_HDR_LEN;

	if (!buf || len < n)
		return 0;
	he_put16(buf, HE_STUN_BINDING_REQUEST);
	he_put16(buf + 2, (uint16_t)(n - HE_STUN_HDR_LEN));
	he_put32(buf + 4, HE_STUN_MAGIC);
	memcpy(buf + 8, tid, HE_STUN_TID_LEN);
	if (fingerprint) {
		he_put16(buf + 20, HE_STUN_ATTR_FINGERPRINT);
		he_put16(buf + 22, 4);
		he_put32(buf + 24, he_stun_crc32(buf, 20) ^ FINGERPRINT_XOR);
	}
	return n;
}

/* Comprehension-required attributes a client may see without needing them. */
static bool known_required(uint16_t type)
{
	switch (type) {
	case 0x0002: /* RESPONSE-ADDRESS (RFC 3489) */
	case 0x0003: /* CHANGE-REQUEST (RFC 3489/5780) */
	case 0x0004: /* SOURCE-ADDRESS (RFC 3489) */
	case 0x0005: /* CHANGED-ADDRESS (RFC 3489) */
	case 0x0006: /* USERNAME */
	case 0x0008: /* MESSAGE-INTEGRITY */
	case 0x000A: /* UNKNOWN-ATTRIBUTES */
	case 0x000B: /* REFLECTED-FROM (RFC 3489) */
	case 0x0014: /* REALM */
	case 0x0015: /* NONCE */
	case 0x001C: /* MESSAGE-INTEGRITY-SHA256 */
	case 0x001D: /* PASSWORD-ALGORITHM */
	case 0x001E: /* USERHASH */
		return true;
	default:
		return false;
	}
}

/* A (XOR-)MAPPED-ADDRESS value into r; -EBADMSG when malformed. */
static int decode_address(const uint8_t *v, uint16_t vlen, bool xored, const uint8_t *hdr,
			  struct he_stun_response *r)
{
	uint8_t a[16];
	uint16_t port;
	int i;

	if (vlen < 4)
		return -EBADMSG;
	port = he_get16(v + 2);
	if (xored)
		port ^= (uint16_t)(HE_STUN_MAGIC >> 16);
	if (v[1] == 0x01 && vlen == 8) {
		memcpy(a, v + 4, 4);
		for (i = 0; xored && i < 4; i++)
			a[i] ^= hdr[4 + i]; /* magic cookie */
		r->family = AF_INET;
		memcpy(&r->addr.v4, a, 4);
	} else if (v[1] == 0x02 && vlen == 20) {
		memcpy(a, v + 4, 16);
		for (i = 0; xored && i < 16; i++)
			a[i] ^= hdr[4 + i]; /* magic cookie + transaction id */
		r->family = AF_INET6;
		memcpy(&r->addr.v6, a, 16);
	} else {
		return -EBADMSG;
	}
	r->port = port;
	r->xor_mapped = xored;
	return 0;
}

/*
 * Copy printable ASCII of a text attribute, up to a NUL (coturn pads its
 * reason phrases with NULs inside the attribute); other bytes become '?'.
 */
static void copy_text(char *dst, size_t dlen, const uint8_t *v, size_t vlen)
{
	size_t i, n = vlen < dlen - 1 ? vlen : dlen - 1;

	for (i = 0; i < n && v[i]; i++)
		dst[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

static int decode_error_code(const uint8_t *v, uint16_t vlen, struct he_stun_response *r)
{
	unsigned cls, num;

	if (vlen < 4 || vlen > 4 + 763)
		return -EBADMSG;
	cls = v[2] & 0x07;
	num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return -EBADMSG;
	r->error_code = (uint16_t)(cls * 100 + num);
	copy_text(r->reason, sizeof(r->reason), v + 4, (size_t)vlen - 4);
	return 0;
}

int he_stun_decode(const uint8_t *buf, size_t len, const uint8_t tid[HE_STUN_TID_LEN],
		   struct he_stun_response *out)
{
	struct he_stun_response r;
	bool have_xor = false, have_mapped = false, have_error = false, unknown_req = false;
	uint16_t type, mlen;
	size_t off;
	int ret;

	if (!buf || len < HE_STUN_HDR_LEN || len > HE_STUN_MAX_LEN)
		return -EBADMSG;
	type = he_get16(buf);
	mlen = he_get16(buf + 2);
	if ((buf[0] & 0xc0) || (mlen & 3) || (size_t)mlen + HE_STUN_HDR_LEN != len ||
	    he_get32(buf + 4) != HE_STUN_MAGIC)
		return -EBADMSG;
	if (type != HE_STUN_BINDING_SUCCESS && type != HE_STUN_BINDING_ERROR)
		return -ENOMSG;
	if (memcmp(buf + 8, tid, HE_STUN_TID_LEN) != 0)
		return -ENOMSG;

	memset(&r, 0, sizeof(r));
	r.is_error = type == HE_STUN_BINDING_ERROR;
	for (off = HE_STUN_HDR_LEN; off < len;) {
		uint16_t at, alen;
		size_t padded;
		const uint8_t *v;

		if (len - off < 4)
			return -EBADMSG;
		at = he_get16(buf + off);
		alen = he_get16(buf + off + 2);
		padded = ((size_t)alen + 3) & ~(size_t)3;
		if (padded > len - off - 4)
			return -EBADMSG;
		v = buf + off + 4;
		switch (at) {
		case HE_STUN_ATTR_XOR_MAPPED_ADDRESS:
			if (!have_xor) {
				struct he_stun_response t = r;

				ret = decode_address(v, alen, true, buf, &t);
				if (ret < 0)
					return ret;
				/* XOR-MAPPED-ADDRESS wins over an earlier MAPPED-ADDRESS */
				r = t;
				have_xor = true;
			}
			break;
		case HE_STUN_ATTR_MAPPED_ADDRESS: {
			struct he_stun_response t = r;

			/* validated even when unused: a malformed one is a malformed message */
			ret = decode_address(v, alen, false, buf, &t);
			if (ret < 0)
				return ret;
			if (!have_xor && !have_mapped)
				r = t;
			have_mapped = true;
			break;
		}
		case HE_STUN_ATTR_ERROR_CODE:
			if (!have_error) {
				ret = decode_error_code(v, alen, &r);
				if (ret < 0)
					return ret;
				have_error = true;
			}
			break;
		case HE_STUN_ATTR_SOFTWARE:
			if (alen > 763)
				return -EBADMSG;
			if (!r.software[0])
				copy_text(r.software, sizeof(r.software), v, alen);
			break;
		case HE_STUN_ATTR_FINGERPRINT:
			if (alen != 4 || off + 8 != len)
				return -EBADMSG; /* must be 4 bytes and the last attribute */
			if (he_get32(v) != (he_stun_crc32(buf, off) ^ FINGERPRINT_XOR))
				return -EBADMSG;
			r.has_fingerprint = true;
			break;
		default:
			if (at < 0x8000 && !known_required(at))
				unknown_req = true;
			r.skipped++;
			break;
		}
		off += 4 + padded;
	}
	if (r.is_error) {
		if (!have_error)
			return -EBADMSG; /* an error response must say which error */
		r.family = 0;
		r.port = 0;
		memset(&r.addr, 0, sizeof(r.addr));
		r.xor_mapped = false;
	} else {
		if (unknown_req || (!have_xor && !have_mapped))
			return -EPROTO;
		r.error_code = 0;
		r.reason[0] = '\0';
	}
	*out = r;
	return 0;
}

const char *he_stun_addr_str(const struct he_stun_response *r, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (r->family == AF_INET || r->family == AF_INET6)
		inet_ntop(r->family, &r->addr, buf, (socklen_t)len);
	return buf;
}
