/* SPDX-License-Identifier: MIT */
/* reflector_proto.c - reflector request/response JSON, HMAC and replay checks. */
#include "reach/reflector_proto.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "core/portspec.h"

static const char *const target_keys[] = {"target", "host", "addr", "address",    "ip",
					  "to",     "dest", "dst",  "destination"};

static bool names_target(const char *key)
{
	for (size_t i = 0; i < sizeof(target_keys) / sizeof(target_keys[0]); i++)
		if (!strcasecmp(key, target_keys[i]))
			return true;
	return false;
}

static int refuse_target(const char *key, struct he_error *err)
{
	return he_error_set(err, -EPERM,
			    "the request names a target ('%s'): the reflector only ever probes "
			    "the caller's own source address",
			    key);
}

static bool all_of(const char *s, size_t min, size_t max, const char *set)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

#define HEX   "0123456789abcdef"
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

static int parse_probe(json_t *o, size_t idx, struct he_rp_probe *p, struct he_error *err)
{
	const char *key;
	json_t *val;
	bool have_port = false, have_proto = false;

	if (!json_is_object(o))
		return he_error_set(err, -EINVAL, "probes[%zu] is not an object", idx);
	memset(p, 0, sizeof(*p));
	json_object_foreach(o, key, val)
	{
		if (names_target(key))
			return refuse_target(key, err);
		if (!strcmp(key, "proto")) {
			const char *s = json_string_value(val);

			if (s && !strcmp(s, "tcp"))
				p->proto = HE_PROTO_TCP;
			else if (s && !strcmp(s, "udp"))
				p->proto = HE_PROTO_UDP;
			else
				return he_error_set(err, -EINVAL,
						    "probes[%zu].proto: \"tcp\" or \"udp\"", idx);
			have_proto = true;
		} else if (!strcmp(key, "port")) {
			json_int_t v = json_integer_value(val);

			if (!json_is_integer(val) || v < 1 || v > 65535)
				return he_error_set(err, -EINVAL,
						    "probes[%zu].port: an integer 1-65535", idx);
			p->port = (uint16_t)v;
			have_port = true;
		} else if (!strcmp(key, "token")) {
			const char *s = json_string_value(val);

			if (!s || !all_of(s, HE_RP_TOKEN_MIN, HE_RP_TOKEN_MAX, ALNUM))
				return he_error_set(err, -EINVAL,
						    "probes[%zu].token: %d-%d letters or digits",
						    idx, HE_RP_TOKEN_MIN, HE_RP_TOKEN_MAX);
			snprintf(p->token, sizeof(p->token), "%s", s);
		} else {
			return he_error_set(err, -EINVAL, "probes[%zu]: unknown key '%.32s'", idx,
					    key);
		}
	}
	if (!have_proto || !have_port)
		return he_error_set(err, -EINVAL, "probes[%zu]: needs proto and port", idx);
	if (p->proto == HE_PROTO_TCP && *p->token)
		return he_error_set(err, -EINVAL, "probes[%zu]: a token is for UDP only", idx);
	if (p->proto == HE_PROTO_UDP && !*p->token)
		return he_error_set(err, -EINVAL, "probes[%zu]: a UDP probe needs a token", idx);
	return 0;
}

static int parse_top(json_t *root, struct he_rp_request *r, struct he_error *err)
{
	const char *key;
	json_t *val, *probes = NULL;
	bool have_v = false, have_ts = false, have_nonce = false;

	if (!json_is_object(root))
		return he_error_set(err, -EINVAL, "the request is not a JSON object");
	json_object_foreach(root, key, val)
	{
		if (names_target(key))
			return refuse_target(key, err);
		if (!strcmp(key, "v")) {
			if (json_integer_value(val) != HE_RP_VERSION || !json_is_integer(val))
				return he_error_set(err, -EINVAL,
						    "unsupported protocol version (want %d)",
						    HE_RP_VERSION);
			have_v = true;
		} else if (!strcmp(key, "ts")) {
			if (!json_is_integer(val) || json_integer_value(val) < 0)
				return he_error_set(err, -EINVAL, "ts: unix seconds");
			r->ts = json_integer_value(val);
			have_ts = true;
		} else if (!strcmp(key, "nonce")) {
			const char *s = json_string_value(val);

			if (!s || !all_of(s, HE_RP_NONCE_MIN, HE_RP_NONCE_MAX, HEX))
				return he_error_set(err, -EINVAL,
						    "nonce: %d-%d lowercase hex digits",
						    HE_RP_NONCE_MIN, HE_RP_NONCE_MAX);
			snprintf(r->nonce, sizeof(r->nonce), "%s", s);
			have_nonce = true;
		} else if (!strcmp(key, "probes")) {
			probes = val;
		} else {
			return he_error_set(err, -EINVAL, "unknown key '%.32s'", key);
		}
	}
	if (!have_v || !have_ts || !have_nonce || !probes)
		return he_error_set(err, -EINVAL, "the request needs v, ts, nonce and probes");
	if (!json_is_array(probes) || json_array_size(probes) == 0)
		return he_error_set(err, -EINVAL, "probes: a non-empty array");
	if (json_array_size(probes) > HE_RP_PROBES_MAX)
		return he_error_set(err, -EMSGSIZE, "too many probes (%zu; at most %d per request)",
				    json_array_size(probes), HE_RP_PROBES_MAX);
	for (size_t i = 0; i < json_array_size(probes); i++) {
		int ret = parse_probe(json_array_get(probes, i), i, &r->v[i], err);

		if (ret < 0)
			return ret;
		r->n = i + 1;
	}
	return 0;
}

int he_rp_request_parse(const char *body, size_t len, struct he_rp_request *out,
			struct he_error *err)
{
	struct he_rp_request r;
	json_error_t jerr;
	json_t *root;
	int ret;

	if (len > HE_RP_BODY_MAX)
		return he_error_set(err, -EMSGSIZE,
				    "request body too large (%zu bytes, at most %d)", len,
				    HE_RP_BODY_MAX);
	memset(&r, 0, sizeof(r));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return he_error_set(err, -EINVAL, "the request is not valid JSON: %s", jerr.text);
	ret = parse_top(root, &r, err);
	json_decref(root);
	if (ret == 0)
		*out = r;
	return ret;
}

int he_rp_request_encode(const struct he_rp_request *r, char **out, struct he_error *err)
{
	json_t *root, *probes;
	char *text;

	if (r->n == 0 || r->n > HE_RP_PROBES_MAX)
		return he_error_set(err, -EINVAL, "a request has 1-%d probes", HE_RP_PROBES_MAX);
	root = json_pack("{s:i, s:I, s:s, s:[]}", "v", HE_RP_VERSION, "ts", (json_int_t)r->ts,
			 "nonce", r->nonce, "probes");
	if (!root)
		return he_error_set(err, -ENOMEM, "out of memory");
	probes = json_object_get(root, "probes");
	for (size_t i = 0; i < r->n; i++) {
		const struct he_rp_probe *p = &r->v[i];
		json_t *o =
		    json_pack("{s:s, s:i}", "proto", he_proto_name(p->proto), "port", p->port);

		if (o && *p->token)
			json_object_set_new(o, "token", json_string(p->token));
		json_array_append_new(probes, o);
	}
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return he_error_set(err, -ENOMEM, "out of memory");
	/* what we send must pass our own parser */
	{
		struct he_rp_request back;
		int ret = he_rp_request_parse(text, strlen(text), &back, err);

		if (ret < 0) {
			free(text);
			return ret;
		}
	}
	*out = text;
	return 0;
}

int he_rp_random_hex(char *buf, size_t n, struct he_error *err)
{
	unsigned char raw[64];
	size_t need = (n + 1) / 2;

	if (need > sizeof(raw))
		return he_error_set(err, -EINVAL, "random: at most 128 hex digits");
	if (getrandom(raw, need, 0) != (ssize_t)need)
		return he_error_set(err, -errno ? -errno : -EIO, "getrandom failed: %s",
				    strerror(errno));
	for (size_t i = 0; i < n; i++)
		buf[i] = HEX[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	buf[n] = '\0';
	return 0;
}

int he_rp_sign(const void *key, size_t keylen, const void *body, size_t len,
	       char hex[HE_RP_SIG_HEX + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;

	if (!HMAC(EVP_sha256(), key, (int)keylen, body, len, mac, &maclen) || maclen != 32)
		return -EIO;
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = HEX[mac[i] >> 4];
		hex[2 * i + 1] = HEX[mac[i] & 15];
	}
	hex[HE_RP_SIG_HEX] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int he_rp_verify(const void *key, size_t keylen, const void *body, size_t len, const char *header,
		 struct he_error *err)
{
	static const char pfx[] = "hmac-sha256=";
	char want[HE_RP_SIG_HEX + 1];

	if (!header || !*header)
		return he_error_set(err, -EACCES,
				    "this reflector needs a shared key: the request carries no %s "
				    "header (set [reflector] key-file)",
				    HE_RP_AUTH_HDR);
	if (strncmp(header, pfx, sizeof(pfx) - 1) ||
	    strlen(header + sizeof(pfx) - 1) != HE_RP_SIG_HEX)
		return he_error_set(err, -EACCES, "%s: expected hmac-sha256=<64 hex digits>",
				    HE_RP_AUTH_HDR);
	if (he_rp_sign(key, keylen, body, len, want) < 0)
		return he_error_set(err, -EIO, "HMAC computation failed");
	if (CRYPTO_memcmp(want, header + sizeof(pfx) - 1, HE_RP_SIG_HEX) != 0)
		return he_error_set(
		    err, -EACCES, "wrong signature: the client's key differs from the reflector's");
	return 0;
}

/* NONCE "\n" BODY in a new buffer (*LEN bytes); NULL when out of memory. */
static char *response_mac_input(const char *nonce, const char *body, size_t len, size_t *out)
{
	size_t nl = strlen(nonce);
	char *m = malloc(nl + 1 + len);

	if (!m)
		return NULL;
	memcpy(m, nonce, nl);
	m[nl] = '\n';
	memcpy(m + nl + 1, body, len);
	*out = nl + 1 + len;
	return m;
}

int he_rp_sign_response(const void *key, size_t keylen, const char *nonce, const char *body,
			size_t len, char hex[HE_RP_SIG_HEX + 1])
{
	size_t n;
	char *m = response_mac_input(nonce, body, len, &n);
	int r;

	if (!m)
		return -ENOMEM;
	r = he_rp_sign(key, keylen, m, n, hex);
	free(m);
	return r;
}

int he_rp_verify_response(const void *key, size_t keylen, const char *nonce, const char *body,
			  size_t len, const char *header, struct he_error *err)
{
	size_t n;
	char *m;
	int r;

	if (!header || !*header)
		return he_error_set(err, -EACCES,
				    "the answer carries no %s signature although a key is shared: "
				    "not from the reflector (or an old reflector); not trusted",
				    HE_RP_AUTH_HDR);
	m = response_mac_input(nonce, body, len, &n);
	if (!m)
		return he_error_set(err, -ENOMEM, "out of memory");
	r = he_rp_verify(key, keylen, m, n, header, err);
	free(m);
	if (r < 0)
		return he_error_prefix(err, r,
				       "the answer's signature does not verify (altered "
				       "on the way?)");
	return 0;
}

int he_rp_replay_check(struct he_rp_replay *c, const char *nonce, int64_t ts, int64_t now,
		       struct he_error *err)
{
	int64_t d = ts - now;

	if (d > HE_RP_SKEW || d < -HE_RP_SKEW)
		return he_error_set(err, -ETIME,
				    "request time %lld is %lld s away from the reflector's clock "
				    "(%lld; at most %d s accepted): fix the clock (NTP)",
				    (long long)ts, (long long)(d < 0 ? -d : d), (long long)now,
				    HE_RP_SKEW);
	for (size_t i = 0; i < HE_RP_REPLAY_SLOTS; i++) {
		int64_t age = now - c->v[i].ts;

		if (c->v[i].nonce[0] && age <= 2 * HE_RP_SKEW && age >= -2 * HE_RP_SKEW &&
		    !strcmp(c->v[i].nonce, nonce))
			return he_error_set(err, -EALREADY, "replayed request (nonce seen before)");
	}
	c->v[c->next].ts = ts;
	snprintf(c->v[c->next].nonce, sizeof(c->v[0].nonce), "%s", nonce);
	c->next = (c->next + 1) % HE_RP_REPLAY_SLOTS;
	return 0;
}

const char *he_rp_result_name(enum he_rp_result r)
{
	static const char *const names[] = {"open", "closed", "filtered", "sent", "reply", "error"};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "error";
}

static int result_parse(const char *s, enum he_rp_result *out)
{
	for (int i = HE_RP_OPEN; i <= HE_RP_ERROR; i++)
		if (s && !strcmp(s, he_rp_result_name((enum he_rp_result)i))) {
			*out = (enum he_rp_result)i;
			return 0;
		}
	return -EINVAL;
}

int he_rp_response_encode(const struct he_rp_response *r, char **out, struct he_error *err)
{
	json_t *root, *res;

	if (*r->error)
		root = json_pack("{s:i, s:s}", "v", HE_RP_VERSION, "error", r->error);
	else
		root = json_pack("{s:i, s:s, s:s, s:[]}", "v", HE_RP_VERSION, "source", r->source,
				 "family", he_family_id(r->family), "results");
	if (!root)
		return he_error_set(err, -ENOMEM, "out of memory");
	res = json_object_get(root, "results");
	for (size_t i = 0; res && i < r->n && i < HE_RP_PROBES_MAX; i++) {
		const struct he_rp_item *it = &r->v[i];
		json_t *o =
		    json_pack("{s:s, s:i, s:s, s:i, s:s}", "proto", he_proto_name(it->proto),
			      "port", it->port, "result", he_rp_result_name(it->result), "ms",
			      (int)it->ms, "detail", it->detail);

		if (o && *it->tls)
			json_object_set_new(o, "tls", json_string(it->tls));
		json_array_append_new(res, o);
	}
	*out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return *out ? 0 : he_error_set(err, -ENOMEM, "out of memory");
}

static void copy(char *dst, size_t len, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "");
}

int he_rp_response_parse(const char *body, size_t len, struct he_rp_response *out,
			 struct he_error *err)
{
	struct he_rp_response r;
	json_error_t jerr;
	json_t *root, *res;
	const char *fam;
	int ret = 0;

	if (len > 64 * 1024)
		return he_error_set(err, -EMSGSIZE, "reflector response too large");
	memset(&r, 0, sizeof(r));
	root = json_loadb(body, len, 0, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return he_error_set(err, -EINVAL, "the reflector's answer is not JSON: %s",
				    root ? "not an object" : jerr.text);
	}
	if (json_object_get(root, "error")) {
		copy(r.error, sizeof(r.error), root, "error");
		goto done;
	}
	copy(r.source, sizeof(r.source), root, "source");
	fam = json_string_value(json_object_get(root, "family"));
	r.family = fam && !strcmp(fam, "ipv6") ? AF_INET6 : AF_INET;
	res = json_object_get(root, "results");
	if (!*r.source || !json_is_array(res) || json_array_size(res) > HE_RP_PROBES_MAX) {
		ret = he_error_set(err, -EINVAL, "the reflector's answer lacks source or results");
		goto done;
	}
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *o = json_array_get(res, i);
		struct he_rp_item *it = &r.v[r.n++];
		const char *proto = json_string_value(json_object_get(o, "proto"));
		json_int_t port = json_integer_value(json_object_get(o, "port"));

		it->proto = proto && !strcmp(proto, "udp") ? HE_PROTO_UDP : HE_PROTO_TCP;
		it->port = (uint16_t)(port > 0 && port < 65536 ? port : 0);
		it->ms = (unsigned)json_integer_value(json_object_get(o, "ms"));
		copy(it->detail, sizeof(it->detail), o, "detail");
		copy(it->tls, sizeof(it->tls), o, "tls");
		if (result_parse(json_string_value(json_object_get(o, "result")), &it->result) <
		    0) {
			ret = he_error_set(err, -EINVAL,
					   "the reflector's answer has an unknown result");
			goto done;
		}
	}
done:
	json_decref(root);
	if (ret == 0)
		*out = r;
	return ret;
}
