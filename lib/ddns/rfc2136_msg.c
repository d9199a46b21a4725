/* SPDX-License-Identifier: MIT */
/*
 * rfc2136_msg.c - building the signed UPDATE and the query through ldns, and
 * judging their replies (RCODE, TSIG error, signature). See rfc2136.h.
 */
#include "ddns/rfc2136_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/bytes.h"

const char *he_rfc2136_rcode_name(int rcode, char *buf, size_t len)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	if (rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		return names[rcode];
	snprintf(buf, len, "RCODE %d", rcode);
	return buf;
}

/* ------------------------------------------------------------------ */
/* building                                                             */

static uint16_t rr_type(int family)
{
	return family == AF_INET6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
}

const char *he_rfc2136_type_name(int family)
{
	return family == AF_INET6 ? "AAAA" : "A";
}

/* MSG from ldns into a malloc'ed buffer with room for a TSIG. */
static int pkt_to_buf(ldns_pkt *pkt, size_t room, uint8_t **out, size_t *len)
{
	uint8_t *wire = NULL, *b;
	size_t n = 0;

	if (ldns_pkt2wire(&wire, pkt, &n) != LDNS_STATUS_OK || !wire)
		return -ENOMEM;
	b = malloc(n + room);
	if (!b) {
		free(wire);
		return -ENOMEM;
	}
	memcpy(b, wire, n);
	free(wire);
	*out = b;
	*len = n;
	return 0;
}

int he_rfc2136_check_req(const struct he_rfc2136_req *req, struct he_error *err)
{
	unsigned char a[16];

	if (!req || !req->zone || !*req->zone || !req->name || !*req->name)
		return he_error_set(err, -EINVAL, "rfc2136: zone and record name must be set");
	if (!he_rfc2136_dname_ok(req->zone))
		return he_error_set(err, -EINVAL, "rfc2136: zone '%.200s' is not a valid DNS name",
				    req->zone);
	if (!he_rfc2136_dname_ok(req->name))
		return he_error_set(err, -EINVAL,
				    "rfc2136: record name '%.200s' is not a valid DNS name",
				    req->name);
	if (req->family != AF_INET && req->family != AF_INET6)
		return he_error_set(err, -EINVAL,
				    "rfc2136: family must be IPv4 (A) or IPv6 (AAAA)");
	if (!req->remove && (!req->address || inet_pton(req->family, req->address, a) != 1))
		return he_error_set(err, -EINVAL, "rfc2136: '%.64s' is not an IPv%c address",
				    req->address ? req->address : "",
				    req->family == AF_INET6 ? '6' : '4');
	if (!req->key || !req->key->name[0] || !he_tsig_alg_find(req->key->algorithm) ||
	    !req->key->secret[0])
		return he_error_set(err, -EINVAL,
				    "rfc2136: no usable TSIG key (set key-file to a BIND/Knot key "
				    "file)");
	return 0;
}

int he_rfc2136_build(const struct he_rfc2136_req *req, uint16_t id, time_t now, uint8_t **out,
		     size_t *len, struct he_error *err)
{
	ldns_rr_list *up = NULL;
	ldns_rr *del = NULL, *add = NULL;
	ldns_rdf *addr = NULL;
	ldns_pkt *pkt = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	*len = 0;
	ret = he_rfc2136_check_req(req, err);
	if (ret)
		return ret;
	ret = -ENOMEM;
	up = ldns_rr_list_new();
	del = ldns_rr_new();
	add = ldns_rr_new();
	addr = ldns_rdf_new_frm_str(req->family == AF_INET6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
				    req->remove ? (req->family == AF_INET6 ? "::" : "0.0.0.0")
						: req->address);
	if (!up || !del || !add || !addr)
		goto fail;
	/* delete the RRset: NAME 0 ANY TYPE (no data) */
	ldns_rr_set_owner(del, ldns_dname_new_frm_str(req->name));
	ldns_rr_set_type(del, rr_type(req->family));
	ldns_rr_set_class(del, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(del, 0);
	ldns_rr_set_question(del, false);
	/* add NAME TTL IN TYPE ADDRESS */
	ldns_rr_set_owner(add, ldns_dname_new_frm_str(req->name));
	ldns_rr_set_type(add, rr_type(req->family));
	ldns_rr_set_class(add, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(add, req->ttl ? req->ttl : HE_RFC2136_TTL);
	ldns_rr_push_rdf(add, addr);
	addr = NULL;
	if (!ldns_rr_owner(del) || !ldns_rr_owner(add))
		goto fail;
	ldns_rr_list_push_rr(up, del);
	del = NULL;
	if (!req->remove)
		ldns_rr_list_push_rr(up, add);
	else
		ldns_rr_free(add);
	add = NULL;
	pkt = ldns_update_pkt_new(ldns_dname_new_frm_str(req->zone), LDNS_RR_CLASS_IN, NULL, up,
				  NULL);
	if (!pkt)
		goto fail;
	ldns_pkt_set_rd(pkt, false);
	ldns_pkt_set_id(pkt, id);
	ret = pkt_to_buf(pkt, 600, &buf, &n);
	if (ret)
		goto fail;
	ret = he_tsig_append(buf, n, n + 600, req->key, (uint64_t)now);
	if (ret < 0) {
		he_error_set(err, ret, "rfc2136: cannot sign the update with key '%.80s'",
			     req->key->name);
		goto out;
	}
	*out = buf;
	*len = (size_t)ret;
	buf = NULL;
	ret = 0;
	goto out;
fail:
	he_error_set(err, ret, "rfc2136: cannot build the update message");
out:
	free(buf);
	ldns_pkt_free(pkt);
	ldns_rr_list_deep_free(up);
	ldns_rr_free(del);
	ldns_rr_free(add);
	ldns_rdf_deep_free(addr);
	return ret;
}

int he_rfc2136_build_query(const char *name, int family, uint16_t id, uint8_t **out, size_t *len,
			   struct he_error *err)
{
	ldns_rdf *d;
	ldns_pkt *pkt;
	int ret;

	*out = NULL;
	*len = 0;
	if (!name || !he_rfc2136_dname_ok(name))
		return he_error_set(err, -EINVAL, "rfc2136: '%.200s' is not a valid DNS name",
				    name ? name : "");
	d = ldns_dname_new_frm_str(name);
	pkt = d ? ldns_pkt_query_new(d, rr_type(family), LDNS_RR_CLASS_IN, 0) : NULL;
	if (!pkt)
		return he_error_set(err, -ENOMEM, "rfc2136: cannot build the query");
	ldns_pkt_set_id(pkt, id);
	ret = pkt_to_buf(pkt, 0, out, len);
	ldns_pkt_free(pkt);
	if (ret)
		return he_error_set(err, ret, "rfc2136: cannot build the query");
	return 0;
}

/* ------------------------------------------------------------------ */
/* judging the reply                                                    */

/* Names for messages, from the request walk. */
struct ctx {
	char zone[256], name[256], key[HE_TSIG_NAME_MAX + 1];
	const char *type;
};

void he_rfc2136_rdf_str(const ldns_rdf *d, char *buf, size_t n)
{
	char *s = d ? ldns_rdf2str(d) : NULL;
	size_t l;

	snprintf(buf, n, "%s", s ? s : "?");
	l = strlen(buf);
	if (l > 1 && buf[l - 1] == '.')
		buf[l - 1] = '\0';
	free(s);
}

static int map_rcode(int rcode, const struct ctx *c, struct he_rfc2136_result *res,
		     struct he_error *err)
{
	char nb[16];
	const char *rn = he_rfc2136_rcode_name(rcode, nb, sizeof(nb));

	res->permanent = true;
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		res->permanent = false;
		return 0;
	case LDNS_RCODE_NOTAUTH:
		return he_error_set(err, -EACCES,
				    "the server answered NOTAUTH: it is not authoritative for zone "
				    "'%s' or did not accept key '%s'; check that zone names the "
				    "server's zone and that the key file matches the server's key",
				    c->zone, c->key);
	case LDNS_RCODE_REFUSED:
		return he_error_set(err, -EPERM,
				    "the server REFUSED the update: its update policy does not let "
				    "key '%s' change %s %s in zone '%s'; allow it there (Knot: an "
				    "acl with action: update and key: %s; BIND: update-policy "
				    "{ grant %s name %s A AAAA; };)",
				    c->key, c->name, c->type, c->zone, c->key, c->key, c->name);
	case LDNS_RCODE_NOTZONE:
		return he_error_set(err, -ENOTDIR,
				    "the server answered NOTZONE: %s is not inside zone '%s'; set "
				    "zone to the zone that contains the name",
				    c->name, c->zone);
	case LDNS_RCODE_SERVFAIL:
		res->permanent = false;
		return he_error_set(
		    err, -EAGAIN,
		    "the server failed to apply the update (SERVFAIL): a problem on "
		    "the server (its log says which, e.g. the zone file not "
		    "writable); will retry");
	case LDNS_RCODE_NOTIMPL:
		return he_error_set(
		    err, -EOPNOTSUPP,
		    "the server does not implement DNS UPDATE (NOTIMP): point server "
		    "at the primary of zone '%s'",
		    c->zone);
	case LDNS_RCODE_FORMERR:
		return he_error_set(err, -EPROTO,
				    "the server could not parse the update (FORMERR): it may not "
				    "support TSIG algorithm of key '%s'",
				    c->key);
	default:
		return he_error_set(err, -EPROTO,
				    "the server answered %s to an update without prerequisites: "
				    "unexpected, see the server's log",
				    rn);
	}
}

static int map_tsig_error(const struct he_tsig_rr *t, const struct ctx *c, time_t now,
			  struct he_rfc2136_result *res, struct he_error *err)
{
	long long skew;

	switch (t->error) {
	case HE_TSIG_BADSIG:
		res->permanent = true;
		return he_error_set(
		    err, -EACCES,
		    "the server rejected the signature (NOTAUTH, TSIG BADSIG): the "
		    "secret of key '%s' differs from the server's; copy the key file "
		    "from the server again",
		    c->key);
	case HE_TSIG_BADKEY:
		res->permanent = true;
		return he_error_set(
		    err, -EACCES,
		    "the server did not accept key '%s' for %s %s (NOTAUTH, TSIG "
		    "BADKEY): either it does not know the key (name and algorithm "
		    "must match its key definition) or its policy does not allow "
		    "this key to update that name and type in zone '%s' (Knot "
		    "answers BADKEY for both: allow it in an acl with action: update "
		    "and key: %s)",
		    c->key, c->name, c->type, c->zone, c->key);
	case HE_TSIG_BADTIME:
		/* in a BADTIME reply the server's own time is in Other Data */
		skew = t->other_len == 6 ? (long long)he_get48(t->other) - (long long)now : 0;
		res->permanent = false;
		if (skew)
			return he_error_set(
			    err, -ETIME,
			    "the server rejected the signature's time (NOTAUTH, TSIG "
			    "BADTIME): its clock and this host's differ by %lld s "
			    "(%d allowed); fix the clock (NTP) on one of them",
			    skew, HE_RFC2136_FUDGE);
		return he_error_set(err, -ETIME,
				    "the server rejected the signature's time (NOTAUTH, TSIG "
				    "BADTIME): its clock and this host's differ by more than %d s; "
				    "fix the clock (NTP)",
				    HE_RFC2136_FUDGE);
	default:
		res->permanent = true;
		return he_error_set(err, -EACCES,
				    "the server rejected the signature of key '%s' (TSIG error %u)",
				    c->key, t->error);
	}
}

/*
 * An error answer that is not signed with the key (anyone on the path can send
 * one) is never final: RET stays, but the record is retried, not disabled.
 */
static int untrusted(int ret, const char *what, struct he_rfc2136_result *res, struct he_error *err)
{
	if (!res->permanent)
		return ret;
	res->permanent = false;
	return he_error_prefix(err, ret,
			       "%s answer (not TSIG-verified, so not trusted as final; will "
			       "retry)",
			       what);
}

int he_rfc2136_classify(const uint8_t *reply, size_t len, const uint8_t *request, size_t req_len,
			const struct he_tsig_key *key, time_t now, struct he_rfc2136_result *res,
			struct he_error *err)
{
	struct he_rfc2136_result dummy;
	struct he_dns_walk rq, rp;
	struct ctx c;
	int rcode;
	long long off;

	if (!res)
		res = &dummy;
	res->rcode = -1;
	res->tsig_error = 0;
	res->permanent = false;
	memset(&c, 0, sizeof(c));
	if (!request || he_dns_walk_msg(request, req_len, &rq) || !rq.has_tsig)
		return he_error_set(err, -EINVAL, "rfc2136: the request is not a signed message");
	he_rfc2136_rdf_str(rq.zone, c.zone, sizeof(c.zone));
	he_rfc2136_rdf_str(rq.up_owner, c.name, sizeof(c.name));
	c.type = rq.up_type == LDNS_RR_TYPE_AAAA ? "AAAA" : "A";
	snprintf(c.key, sizeof(c.key), "%s", key->name);
	he_dns_walk_free(&rq);
	if (!reply || len < HDR_LEN)
		return he_error_set(err, -EBADMSG,
				    "the reply (%zu bytes) is shorter than a DNS "
				    "header",
				    reply ? len : 0);
	if (he_get16(reply) != he_get16(request))
		return he_error_set(err, -EBADMSG, "the reply's ID does not match the update's");
	if (!(reply[2] & 0x80) || ((reply[2] >> 3) & 0x0f) != OPCODE_UPD)
		return he_error_set(err, -EBADMSG, "the reply is not an answer to an UPDATE");
	if (reply[2] & 0x02)
		return he_error_set(err, -EMSGSIZE, "the reply is truncated (TC): retry over TCP");
	if (he_dns_walk_msg(reply, len, &rp))
		return he_error_set(err, -EBADMSG, "the reply is malformed");
	he_dns_walk_free(&rp);
	rcode = reply[3] & 0x0f;
	res->rcode = rcode;
	if (!rp.has_tsig) {
		if (rcode == LDNS_RCODE_NOERROR)
			return he_error_set(err, -EBADMSG,
					    "the server's success reply is not signed: not trusted "
					    "(does the server know TSIG key '%s'?)",
					    c.key);
		return untrusted(map_rcode(rcode, &c, res, err), "unsigned", res, err);
	}
	res->tsig_error = rp.t.error;
	/* BADSIG / BADKEY answers carry no MAC (RFC 8945 5.3.2): never verified */
	if (rp.t.error && !he_tsig_verify(reply, &rp.t, key, rq.t.mac, rq.t.mac_len))
		return untrusted(map_tsig_error(&rp.t, &c, now, res, err), "unverified", res, err);
	if (rp.t.error)
		return map_tsig_error(&rp.t, &c, now, res, err);
	/* rq.t.mac points into REQUEST: still valid after he_dns_walk_free() */
	if (!he_tsig_verify(reply, &rp.t, key, rq.t.mac, rq.t.mac_len)) {
		char nb[16];

		res->permanent = false;
		return he_error_set(
		    err, -EBADMSG,
		    "the reply's TSIG signature does not verify with key '%s' (%s): "
		    "the answer was altered or not sent by the server",
		    c.key, he_rfc2136_rcode_name(rcode, nb, sizeof(nb)));
	}
	off = (long long)rp.t.when - (long long)now;
	if (off > rp.t.fudge || -off > rp.t.fudge) {
		res->permanent = false;
		return he_error_set(err, -ETIME,
				    "the reply was signed %lld s away from this host's clock (%u "
				    "allowed): fix the clock (NTP)",
				    off, rp.t.fudge);
	}
	return map_rcode(rcode, &c, res, err);
}

int he_rfc2136_parse_answer(const uint8_t *reply, size_t len, uint16_t id, const char *name,
			    int family, struct he_rfc2136_addrs *out, struct he_error *err)
{
	ldns_pkt *pkt = NULL;
	ldns_rdf *want;
	ldns_rr_list *an;
	char nb[16];
	int rcode, ret = 0;

	memset(out, 0, sizeof(*out));
	if (len < HDR_LEN || he_get16(reply) != id || !(reply[2] & 0x80))
		return he_error_set(err, -EBADMSG, "the query's reply is not an answer to it");
	if (ldns_wire2pkt(&pkt, reply, len) != LDNS_STATUS_OK || !pkt)
		return he_error_set(err, -EBADMSG, "the query's reply is malformed");
	rcode = (int)ldns_pkt_get_rcode(pkt);
	if (rcode == LDNS_RCODE_NXDOMAIN) {
		ldns_pkt_free(pkt);
		return 0;
	}
	if (rcode != LDNS_RCODE_NOERROR) {
		ldns_pkt_free(pkt);
		return he_error_set(err, rcode == LDNS_RCODE_REFUSED ? -EPERM : -EPROTO,
				    "the server answered %s to the query for %.200s (is it "
				    "authoritative for the name?)",
				    he_rfc2136_rcode_name(rcode, nb, sizeof(nb)), name);
	}
	want = ldns_dname_new_frm_str(name);
	if (!want) {
		ldns_pkt_free(pkt);
		return he_error_set(err, -EINVAL, "'%.200s' is not a valid DNS name", name);
	}
	an = ldns_pkt_answer(pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		const ldns_rdf *d = ldns_rr_rdf(rr, 0);
		size_t want_len = family == AF_INET6 ? 16 : 4;

		if (ldns_rr_get_type(rr) != rr_type(family) ||
		    ldns_dname_compare(ldns_rr_owner(rr), want) || !d ||
		    ldns_rdf_size(d) != want_len || out->n >= HE_RFC2136_MAX_ADDR)
			continue;
		inet_ntop(family, ldns_rdf_data(d), out->addr[out->n], HE_RFC2136_ADDRLEN);
		out->n++;
	}
	ldns_rdf_deep_free(want);
	ldns_pkt_free(pkt);
	return ret;
}
