/* SPDX-License-Identifier: MIT */
/*
 * linode.c - Linode (Akamai) API v4 with a personal access token (bearer):
 *
 *   GET  BASE/v4/domains  (X-Filter: {"domain": ZONE})  -> the domain id
 *   GET  BASE/v4/domains/ID/records?page_size=500       -> the record (name relative)
 *   PUT  BASE/v4/domains/ID/records/RID {target: ADDR}  (TTL stays)
 *   POST BASE/v4/domains/ID/records {type, name, target} when missing
 *
 * BASE is https://api.linode.com. Errors are {"errors": [{"reason"}]};
 * 401/403 is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define LN_API "https://api.linode.com"
#define LN_FIX "fix the token file (a personal access token with Domains read/write)"

enum { LN_DOMAIN = 1, LN_RECORDS, LN_PUT, LN_CREATE };

static json_t *ln_parse(const struct he_http_resp *resp, const char *what,
			struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	json_t *e0 = json_array_get(json_object_get(doc, "errors"), 0);

	if (resp->status / 100 == 2 && json_is_object(doc))
		return doc;
	he_ddns_api_fail(resp, "Linode", what, json_string_value(json_object_get(e0, "reason")),
			 LN_FIX, ans);
	json_decref(doc);
	return NULL;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], name[HE_HOST_MAX];
	json_t *doc = NULL, *r;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, LN_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "", name, sizeof(name));
	req->bearer = job->secret;
	req->ca_file = rec->ca_file;
	req->method = "GET";
	if (!resp) {
		job->step = LN_DOMAIN;
		rc = he_ddns_urlf(req, "%s/v4/domains", base);
		rc = rc ? rc : he_ddns_header(req, "X-Filter: {\"domain\": \"%s\"}", zone);
		return he_ddns_step_end(job, ret, rc, "Linode", ans, err);
	}
	switch (job->step) {
	case LN_DOMAIN:
		doc = ln_parse(resp, "the domain lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		if (!he_ddns_zone_take(json_object_get(doc, "data"), "domain", zone, "Linode",
				       "domain id", job, ans)) {
			ret = HE_DDNS_DONE;
			break;
		}
		job->step = LN_RECORDS;
		rc =
		    he_ddns_urlf(req, "%s/v4/domains/%s/records?page_size=500", base, job->zone_id);
		break;
	case LN_RECORDS:
		doc = ln_parse(resp, "the record lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		r = he_ddns_json_find(json_object_get(doc, "data"), "name", name, type);
		if (!r) {
			job->step = LN_CREATE;
			req->method = "POST";
			rc = he_ddns_urlf(req, "%s/v4/domains/%s/records", base, job->zone_id);
			rc = rc ? rc
				: he_ddns_json_body(req,
						    json_pack("{s:s, s:s, s:s}", "type", type,
							      "name", name, "target", job->addr));
			break;
		}
		if (he_ddns_same_addr(json_string_value(json_object_get(r, "target")), job->addr)) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		if (!he_ddns_json_id(json_object_get(r, "id"), job->record_id,
				     sizeof(job->record_id))) {
			ret = he_ddns_malformed(ans, "Linode", "record id");
			break;
		}
		job->step = LN_PUT;
		req->method = "PUT";
		rc = he_ddns_urlf(req, "%s/v4/domains/%s/records/%s", base, job->zone_id,
				  job->record_id);
		rc = rc ? rc : he_ddns_json_body(req, json_pack("{s:s}", "target", job->addr));
		break;
	case LN_PUT:
	case LN_CREATE:
		doc = ln_parse(resp, job->step == LN_CREATE ? "the new record" : "the update", ans);
		ret = doc ? he_ddns_written(ans, job->step == LN_CREATE, type, job->addr)
			  : HE_DDNS_DONE;
		break;
	default:
		ret = he_error_set(err, -EINVAL, "linode: step %d out of order", job->step);
		break;
	}
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "Linode", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the domain (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "a personal access token with Domains read/write"},
    {"server", 0, "the API base (default " LN_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_linode = {
    .name = "linode",
    .title = "Linode / Akamai (API v4)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
