/* SPDX-License-Identifier: MIT */
/*
 * rfc2136_tsig.c - the TSIG MAC (RFC 8945 4.3), computed here with ldns's SHA
 * functions so that the time signed is a parameter (testable) and the reply's
 * MAC and time are checked by the same code; the walk over a signed message.
 */
#include "ddns/rfc2136_int.h"

#include <errno.h>
#include <string.h>

#include "core/bytes.h"

/* ------------------------------------------------------------------ */
/* HMAC over ldns's hash functions                                      */

union hctx {
	ldns_sha1_ctx s1;
	ldns_sha256_CTX s256;
	ldns_sha512_CTX s512;
};

static void h_init(const struct he_tsig_alg *a, union hctx *c)
{
	if (a->digest == LDNS_SHA1_DIGEST_LENGTH)
		ldns_sha1_init(&c->s1);
	else if (a->digest == LDNS_SHA256_DIGEST_LENGTH)
		ldns_sha256_init(&c->s256);
	else
		ldns_sha512_init(&c->s512);
}

static void h_update(const struct he_tsig_alg *a, union hctx *c, const uint8_t *d, size_t n)
{
	if (a->digest == LDNS_SHA1_DIGEST_LENGTH)
		ldns_sha1_update(&c->s1, d, (unsigned)n);
	else if (a->digest == LDNS_SHA256_DIGEST_LENGTH)
		ldns_sha256_update(&c->s256, d, n);
	else
		ldns_sha512_update(&c->s512, d, n);
}

static void h_final(const struct he_tsig_alg *a, union hctx *c, uint8_t *out)
{
	if (a->digest == LDNS_SHA1_DIGEST_LENGTH)
		ldns_sha1_final(out, &c->s1);
	else if (a->digest == LDNS_SHA256_DIGEST_LENGTH)
		ldns_sha256_final(out, &c->s256);
	else
		ldns_sha512_final(out, &c->s512);
}

/* A keyed MAC in progress: inner hash started with K ^ ipad. */
struct hmac {
	const struct he_tsig_alg *alg;
	union hctx c;
	uint8_t k[LDNS_SHA512_BLOCK_LENGTH];
};

static int hmac_start(struct hmac *h, const struct he_tsig_key *key)
{
	uint8_t raw[HE_TSIG_SECRET_MAX], pad[LDNS_SHA512_BLOCK_LENGTH];
	int n;

	memset(h, 0, sizeof(*h));
	h->alg = he_tsig_alg_find(key->algorithm);
	n = he_tsig_secret_decode(key->secret, raw, sizeof(raw));
	if (!h->alg || n <= 0) {
		explicit_bzero(raw, sizeof(raw));
		return -EINVAL;
	}
	if ((unsigned)n > h->alg->block) {
		h_init(h->alg, &h->c);
		h_update(h->alg, &h->c, raw, (size_t)n);
		h_final(h->alg, &h->c, h->k);
	} else {
		memcpy(h->k, raw, (size_t)n);
	}
	explicit_bzero(raw, sizeof(raw));
	for (unsigned i = 0; i < h->alg->block; i++)
		pad[i] = h->k[i] ^ 0x36;
	h_init(h->alg, &h->c);
	h_update(h->alg, &h->c, pad, h->alg->block);
	explicit_bzero(pad, sizeof(pad));
	return 0;
}

static void hmac_add(struct hmac *h, const uint8_t *d, size_t n)
{
	h_update(h->alg, &h->c, d, n);
}

static unsigned hmac_end(struct hmac *h, uint8_t *mac)
{
	uint8_t pad[LDNS_SHA512_BLOCK_LENGTH], inner[LDNS_SHA512_DIGEST_LENGTH];
	unsigned n = h->alg->digest;

	h_final(h->alg, &h->c, inner);
	for (unsigned i = 0; i < h->alg->block; i++)
		pad[i] = h->k[i] ^ 0x5c;
	h_init(h->alg, &h->c);
	h_update(h->alg, &h->c, pad, h->alg->block);
	h_update(h->alg, &h->c, inner, n);
	h_final(h->alg, &h->c, mac);
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(h, sizeof(*h));
	return n;
}

/* ------------------------------------------------------------------ */
/* wire helpers                                                         */

/* NAME as canonical (lower-case, uncompressed) wire form into OUT (256 bytes). */
static int name_wire(const char *name, uint8_t *out, size_t *len)
{
	ldns_rdf *d = ldns_dname_new_frm_str(name);

	if (!d)
		return -EINVAL;
	ldns_dname2canonical(d);
	if (ldns_rdf_size(d) > 255) {
		ldns_rdf_deep_free(d);
		return -EINVAL;
	}
	memcpy(out, ldns_rdf_data(d), ldns_rdf_size(d));
	*len = ldns_rdf_size(d);
	ldns_rdf_deep_free(d);
	return 0;
}

/* The TSIG variables (RFC 8945 4.3.3) after the message. */
static void mac_vars(struct hmac *h, const uint8_t *kname, size_t klen, const uint8_t *aname,
		     size_t alen, uint64_t when, uint16_t fudge, uint16_t error,
		     const uint8_t *other, uint16_t olen)
{
	uint8_t b[10];

	hmac_add(h, kname, klen);
	he_put16(b, CLASS_ANY);
	memset(b + 2, 0, 4); /* TTL */
	hmac_add(h, b, 6);
	hmac_add(h, aname, alen);
	he_put48(b, when);
	he_put16(b + 6, fudge);
	he_put16(b + 8, error);
	hmac_add(h, b, 10);
	he_put16(b, olen);
	hmac_add(h, b, 2);
	if (olen)
		hmac_add(h, other, olen);
}

/*
 * Sign MSG (LEN bytes in a buffer of CAP) in place: append the TSIG record and
 * bump ARCOUNT. Returns the new length or -errno.
 */
int he_tsig_append(uint8_t *msg, size_t len, size_t cap, const struct he_tsig_key *key,
		   uint64_t now)
{
	uint8_t kname[256], aname[256], mac[MAC_MAX];
	size_t klen, alen, need;
	struct hmac h;
	unsigned mlen;
	uint8_t *p;

	if (name_wire(key->name, kname, &klen) || name_wire(key->algorithm, aname, &alen))
		return -EINVAL;
	if (hmac_start(&h, key))
		return -EINVAL;
	hmac_add(&h, msg, len);
	mac_vars(&h, kname, klen, aname, alen, now, HE_RFC2136_FUDGE, 0, NULL, 0);
	mlen = hmac_end(&h, mac);
	need = klen + 10 + alen + 10 + mlen + 6;
	if (len + need > cap)
		return -EMSGSIZE;
	p = msg + len;
	memcpy(p, kname, klen);
	p += klen;
	he_put16(p, TYPE_TSIG);
	he_put16(p + 2, CLASS_ANY);
	memset(p + 4, 0, 4);
	he_put16(p + 8, (uint16_t)(alen + 10 + mlen + 6));
	p += 10;
	memcpy(p, aname, alen);
	p += alen;
	he_put48(p, now);
	he_put16(p + 6, HE_RFC2136_FUDGE);
	he_put16(p + 8, (uint16_t)mlen);
	p += 10;
	memcpy(p, mac, mlen);
	p += mlen;
	memcpy(p, msg, 2);  /* original ID */
	he_put16(p + 2, 0); /* error */
	he_put16(p + 4, 0); /* other len */
	he_put16(msg + 10, (uint16_t)(he_get16(msg + 10) + 1));
	explicit_bzero(mac, sizeof(mac));
	return (int)(len + need);
}

/* Read a (possibly compressed) name at *pos into canonical wire form. */
static int read_name(const uint8_t *w, size_t len, size_t *pos, uint8_t *out, size_t *olen)
{
	ldns_rdf *d = NULL;

	if (ldns_wire2dname(&d, w, len, pos) != LDNS_STATUS_OK || !d)
		return -EBADMSG;
	ldns_dname2canonical(d);
	if (ldns_rdf_size(d) > 255) {
		ldns_rdf_deep_free(d);
		return -EBADMSG;
	}
	memcpy(out, ldns_rdf_data(d), ldns_rdf_size(d));
	*olen = ldns_rdf_size(d);
	ldns_rdf_deep_free(d);
	return 0;
}

void he_dns_walk_free(struct he_dns_walk *wk)
{
	ldns_rdf_deep_free(wk->zone);
	ldns_rdf_deep_free(wk->up_owner);
	wk->zone = wk->up_owner = NULL;
}

/*
 * Walk every record of a message; when the last additional record is a TSIG,
 * parse it. -EBADMSG for anything malformed or trailing bytes.
 */
int he_dns_walk_msg(const uint8_t *w, size_t len, struct he_dns_walk *wk)
{
	static const ldns_pkt_section secs[4] = {LDNS_SECTION_QUESTION, LDNS_SECTION_ANSWER,
						 LDNS_SECTION_AUTHORITY, LDNS_SECTION_ADDITIONAL};
	size_t pos = HDR_LEN, start;
	struct he_tsig_rr *t = &wk->t;

	memset(wk, 0, sizeof(*wk));
	if (len < HDR_LEN)
		return -EBADMSG;
	for (int s = 0; s < 4; s++) {
		unsigned cnt = he_get16(w + 4 + 2 * s);

		for (unsigned i = 0; i < cnt; i++) {
			ldns_rr *rr = NULL;

			start = pos;
			if (ldns_wire2rr(&rr, w, len, &pos, secs[s]) != LDNS_STATUS_OK || !rr)
				goto bad;
			if (s == 0 && !wk->zone)
				wk->zone = ldns_rdf_clone(ldns_rr_owner(rr));
			if (s == 2 && !wk->up_owner) {
				wk->up_owner = ldns_rdf_clone(ldns_rr_owner(rr));
				wk->up_type = (uint16_t)ldns_rr_get_type(rr);
			}
			if (s == 3 && ldns_rr_get_type(rr) == TYPE_TSIG) {
				ldns_rr_free(rr);
				if (i + 1 != cnt)
					goto bad; /* TSIG must be the last record */
				wk->has_tsig = true;
				t->start = start;
				continue;
			}
			ldns_rr_free(rr);
		}
	}
	if (pos != len)
		goto bad;
	if (wk->has_tsig) {
		size_t p = t->start, rdend;

		if (read_name(w, len, &p, t->owner, &t->owner_len) || p + 10 > len)
			goto bad;
		if (he_get16(w + p + 2) != CLASS_ANY)
			goto bad;
		rdend = p + 10 + he_get16(w + p + 8);
		p += 10;
		if (rdend != len || read_name(w, len, &p, t->alg, &t->alg_len) || p + 10 > rdend)
			goto bad;
		t->when = he_get48(w + p);
		t->fudge = he_get16(w + p + 6);
		t->mac_len = he_get16(w + p + 8);
		p += 10;
		if (p + t->mac_len + 6 > rdend)
			goto bad;
		t->mac = w + p;
		p += t->mac_len;
		t->orig_id = he_get16(w + p);
		t->error = he_get16(w + p + 2);
		t->other_len = he_get16(w + p + 4);
		p += 6;
		if (p + t->other_len != rdend)
			goto bad;
		t->other = w + p;
	}
	return 0;
bad:
	he_dns_walk_free(wk);
	return -EBADMSG;
}

/* Does the reply's MAC verify? REQ_MAC is the request's MAC. */
bool he_tsig_verify(const uint8_t *w, const struct he_tsig_rr *t, const struct he_tsig_key *key,
		    const uint8_t *req_mac, uint16_t req_mac_len)
{
	uint8_t mac[MAC_MAX], b[2];
	struct hmac h;
	unsigned n, diff = 0;

	if (hmac_start(&h, key))
		return false;
	if (t->mac_len != h.alg->digest) {
		explicit_bzero(&h, sizeof(h));
		return false; /* truncated MACs are not accepted */
	}
	he_put16(b, req_mac_len);
	hmac_add(&h, b, 2);
	hmac_add(&h, req_mac, req_mac_len);
	/* the message as before signing: original ID, ARCOUNT - 1, no TSIG */
	he_put16(b, t->orig_id);
	hmac_add(&h, b, 2);
	hmac_add(&h, w + 2, 8);
	he_put16(b, (uint16_t)(he_get16(w + 10) - 1));
	hmac_add(&h, b, 2);
	hmac_add(&h, w + HDR_LEN, t->start - HDR_LEN);
	mac_vars(&h, t->owner, t->owner_len, t->alg, t->alg_len, t->when, t->fudge, t->error,
		 t->other, t->other_len);
	n = hmac_end(&h, mac);
	for (unsigned i = 0; i < n; i++)
		diff |= mac[i] ^ t->mac[i];
	return diff == 0;
}
