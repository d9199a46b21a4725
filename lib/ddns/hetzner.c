/* SPDX-License-Identifier: MIT */
/*
 * hetzner.c - Hetzner DNS API v1 with an API token (header Auth-API-Token):
 *
 *   GET  BASE/zones?name=ZONE                 -> zone id
 *   GET  BASE/records?zone_id=ID              -> the record (name relative, "@")
 *   PUT  BASE/records/RID {zone_id, type, name, value, ttl as found}
 *   POST BASE/records {zone_id, type, name, value} when missing
 *
 * BASE is https://dns.hetzner.com/api/v1. Replies name errors as
 * {"message": ...} or {"error": {"message", "code"}}; 401/403 is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define HZ_API "https://dns.hetzner.com/api/v1"

enum { HZ_ZONE = 1, HZ_RECORDS, HZ_WRITE, HZ_CREATE };

/* The reply as JSON when it is a 2xx object; NULL (ans filled) otherwise. */
static json_t *hz_parse(const struct he_http_resp *resp, const char *what,
			struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	const char *msg = json_string_value(json_object_get(doc, "message"));

	if (resp->status / 100 == 2 && json_is_object(doc))
		return doc;
	if (!msg)
		msg = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
	he_ddns_api_fail(resp, "Hetzner DNS", what, msg,
			 "fix the token file (an API token of the DNS console)", ans);
	json_decref(doc);
	return NULL;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], name[HE_HOST_MAX];
	json_t *doc = NULL, *found = NULL;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, HZ_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "@", name, sizeof(name));
	req->ca_file = rec->ca_file;
	req->method = "GET";
	rc = he_ddns_header(req, "Auth-API-Token: %s", job->secret ? job->secret : "");
	if (!resp) {
		job->step = HZ_ZONE;
		rc = rc ? rc : he_ddns_urlf(req, "%s/zones?name=", base);
		rc = rc ? rc : he_ddns_urlenc_append(req->url, sizeof(req->url), zone);
		return he_ddns_step_end(job, ret, rc, "Hetzner DNS", ans, err);
	}
	switch (job->step) {
	case HZ_ZONE:
		doc = hz_parse(resp, "the zone lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		if (!he_ddns_zone_take(json_object_get(doc, "zones"), "name", zone, "Hetzner DNS",
				       "zone id", job, ans)) {
			ret = HE_DDNS_DONE;
			break;
		}
		job->step = HZ_RECORDS;
		rc = he_ddns_urlf(req, "%s/records?zone_id=%s", base, job->zone_id);
		break;
	case HZ_RECORDS: {
		json_t *body, *ttl;

		doc = hz_parse(resp, "the record lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		found = he_ddns_json_find(json_object_get(doc, "records"), "name", name, type);
		if (found && he_ddns_same_addr(json_string_value(json_object_get(found, "value")),
					       job->addr)) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		body = json_pack("{s:s, s:s, s:s, s:s}", "zone_id", job->zone_id, "type", type,
				 "name", name, "value", job->addr);
		if (!found) {
			job->step = HZ_CREATE;
			req->method = "POST";
			rc = he_ddns_urlf(req, "%s/records", base);
			rc = rc ? rc : he_ddns_json_body(req, body);
			break;
		}
		ttl = json_object_get(found, "ttl");
		if (json_is_integer(ttl) && body)
			json_object_set(body, "ttl", ttl);
		if (!he_ddns_json_id(json_object_get(found, "id"), job->record_id,
				     sizeof(job->record_id))) {
			json_decref(body);
			ret = he_ddns_malformed(ans, "Hetzner DNS", "record id");
			break;
		}
		job->step = HZ_WRITE;
		req->method = "PUT";
		rc = he_ddns_urlf(req, "%s/records/%s", base, job->record_id);
		rc = rc ? rc : he_ddns_json_body(req, body);
		break;
	}
	case HZ_WRITE:
	case HZ_CREATE:
		doc = hz_parse(resp, job->step == HZ_CREATE ? "the new record" : "the update", ans);
		ret = HE_DDNS_DONE;
		if (!doc)
			break;
		he_ddns_written(ans, job->step == HZ_CREATE, type, job->addr);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "hetzner: step %d out of order", job->step);
		break;
	}
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "Hetzner DNS", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the zone (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "an API token of the Hetzner DNS console"},
    {"server", 0, "the API base (default " HZ_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_hetzner = {
    .name = "hetzner",
    .title = "Hetzner DNS (API v1)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
