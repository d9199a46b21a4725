/* SPDX-License-Identifier: MIT */
/*
 * porkbun.c - Porkbun API v3. Every call is a POST whose JSON body carries
 * the credentials {"apikey", "secretapikey"}:
 *
 *   POST BASE/dns/retrieveByNameType/ZONE/TYPE[/SUB]   -> records, content, ttl
 *   POST BASE/dns/editByNameType/ZONE/TYPE[/SUB] {content, ttl as found}
 *   POST BASE/dns/create/ZONE {name: SUB, type, content, ttl 600} when missing
 *
 * BASE is https://api.porkbun.com/api/json/v3. SUB is 'hostname' without
 * the zone (none for the zone itself). The token file holds "APIKEY:SECRET"
 * (or the two keys on two lines). Replies are {"status": "SUCCESS"|"ERROR",
 * "message": ...}; an ERROR naming the API key, or HTTP 401/403, is fatal.
 * The domain needs "API ACCESS" switched on at Porkbun.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define PB_API "https://api.porkbun.com/api/json/v3"
#define PB_FIX                                                                                     \
	"the token file holds APIKEY:SECRETAPIKEY (pk1_...:sk1_...) and the domain needs API "     \
	"ACCESS switched on at Porkbun"

enum { PB_RETRIEVE = 1, PB_EDIT, PB_CREATE };

/* The reply's JSON when it says SUCCESS; NULL (ans filled) otherwise. */
static json_t *pb_parse(const struct he_http_resp *resp, const char *what,
			struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	const char *st = json_string_value(json_object_get(doc, "status"));
	const char *msg = json_string_value(json_object_get(doc, "message"));
	struct he_http_resp r = *resp;

	if (resp->status / 100 == 2 && st && !strcmp(st, "SUCCESS"))
		return doc;
	if (msg && (strcasestr(msg, "api key") || strcasestr(msg, "api access")) &&
	    resp->status < 500)
		r.status = 403;
	he_ddns_api_fail(&r, "Porkbun", what, msg, PB_FIX, ans);
	json_decref(doc);
	return NULL;
}

static int pb_url(struct he_http_req *req, const char *base, const char *op, const char *zone,
		  const char *type, const char *sub)
{
	req->url[0] = '\0';
	int rc = he_ddns_append(req->url, sizeof(req->url), base);

	rc |= he_ddns_append(req->url, sizeof(req->url), "/dns/");
	rc |= he_ddns_append(req->url, sizeof(req->url), op);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), zone);
	if (type) {
		rc |= he_ddns_append(req->url, sizeof(req->url), "/");
		rc |= he_ddns_append(req->url, sizeof(req->url), type);
	}
	if (type && *sub) {
		rc |= he_ddns_append(req->url, sizeof(req->url), "/");
		rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), sub);
	}
	return rc;
}

static json_t *pb_auth(const char *secret)
{
	char key[128], sec[128];
	json_t *o = NULL;

	if (he_ddns_secret_pair(secret, key, sizeof(key), sec, sizeof(sec)) == 0)
		o = json_pack("{s:s, s:s}", "apikey", key, "secretapikey", sec);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(sec, sizeof(sec));
	return o;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], sub[HE_HOST_MAX];
	json_t *doc = NULL, *body = pb_auth(job->secret), *r0;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, PB_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "", sub, sizeof(sub));
	req->method = "POST";
	req->ca_file = rec->ca_file;
	if (!body) {
		rc = -EINVAL;
		goto out;
	}
	if (!resp) {
		job->step = PB_RETRIEVE;
		rc = pb_url(req, base, "retrieveByNameType", zone, type, sub);
		goto out;
	}
	switch (job->step) {
	case PB_RETRIEVE: {
		json_t *ttl;

		doc = pb_parse(resp, "the record lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		r0 = json_array_get(json_object_get(doc, "records"), 0);
		if (!r0) {
			job->step = PB_CREATE;
			rc = pb_url(req, base, "create", zone, NULL, NULL);
			json_object_set_new(body, "name", json_string(sub));
			json_object_set_new(body, "type", json_string(type));
			json_object_set_new(body, "content", json_string(job->addr));
			json_object_set_new(body, "ttl", json_string("600"));
			break;
		}
		if (he_ddns_same_addr(json_string_value(json_object_get(r0, "content")),
				      job->addr) &&
		    json_array_size(json_object_get(doc, "records")) == 1) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		job->step = PB_EDIT;
		rc = pb_url(req, base, "editByNameType", zone, type, sub);
		json_object_set_new(body, "content", json_string(job->addr));
		ttl = json_object_get(r0, "ttl");
		if (json_is_string(ttl) || json_is_integer(ttl))
			json_object_set(body, "ttl", ttl);
		break;
	}
	case PB_EDIT:
	case PB_CREATE:
		doc = pb_parse(resp, job->step == PB_CREATE ? "the new record" : "the update", ans);
		ret = HE_DDNS_DONE;
		if (!doc)
			break;
		he_ddns_written(ans, job->step == PB_CREATE, type, job->addr);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "porkbun: step %d out of order", job->step);
		break;
	}
out:
	json_decref(doc);
	if (ret == HE_DDNS_SEND && !rc)
		rc = he_ddns_json_body(req, json_incref(body));
	json_decref(body);
	return he_ddns_step_end(job, ret, rc, "Porkbun", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the domain at Porkbun (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "APIKEY:SECRETAPIKEY (or the two on two lines); switch on API ACCESS for the domain"},
    {"server", 0, "the API base (default " PB_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_porkbun = {
    .name = "porkbun",
    .title = "Porkbun (API v3)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
