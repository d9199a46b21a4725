/* SPDX-License-Identifier: MIT */
/*
 * ionos.c - IONOS Hosting DNS API v1 (header "X-API-Key: PREFIX.SECRET"):
 *
 *   GET  BASE/zones                                   -> the zone id by name
 *   GET  BASE/zones/ID?suffix=HOST&recordType=A       -> the record (full name)
 *   PUT  BASE/zones/ID/records/RID {content: ADDR, ttl as found}
 *   POST BASE/zones/ID/records [{name, type, content, ttl 3600, prio 0,
 *        disabled false}] when missing
 *
 * BASE is https://api.hosting.ionos.com/dns/v1. Errors are
 * [{"code", "message"}]; 401/403 is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define IONOS_API "https://api.hosting.ionos.com/dns/v1"
#define IONOS_FIX "fix the token file (the API key as PREFIX.SECRET, developer.hosting.ionos.com)"

enum { IO_ZONES = 1, IO_RECORDS, IO_PUT, IO_CREATE };

static json_t *io_parse(const struct he_http_resp *resp, const char *what,
			struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	json_t *e0 = json_is_array(doc) ? json_array_get(doc, 0) : doc;

	if (resp->status / 100 == 2 && (json_is_object(doc) || json_is_array(doc)))
		return doc;
	he_ddns_api_fail(resp, "IONOS", what, json_string_value(json_object_get(e0, "message")),
			 IONOS_FIX, ans);
	json_decref(doc);
	return NULL;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], fqdn[HE_HOST_MAX];
	json_t *doc = NULL, *r, *body;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, IONOS_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, "", "", fqdn, sizeof(fqdn)); /* the hostname without a final dot */
	req->ca_file = rec->ca_file;
	req->method = "GET";
	rc = he_ddns_header(req, "X-API-Key: %s", job->secret ? job->secret : "");
	if (!resp) {
		job->step = IO_ZONES;
		rc = rc ? rc : he_ddns_urlf(req, "%s/zones", base);
		return he_ddns_step_end(job, ret, rc, "IONOS", ans, err);
	}
	switch (job->step) {
	case IO_ZONES:
		doc = io_parse(resp, "the zone lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		if (!he_ddns_zone_take(doc, "name", zone, "IONOS", "zone id", job, ans)) {
			ret = HE_DDNS_DONE;
			break;
		}
		job->step = IO_RECORDS;
		rc = rc ? rc : he_ddns_urlf(req, "%s/zones/%s?suffix=", base, job->zone_id);
		rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), fqdn);
		rc |= he_ddns_append(req->url, sizeof(req->url), "&recordType=");
		rc |= he_ddns_append(req->url, sizeof(req->url), type);
		break;
	case IO_RECORDS:
		doc = io_parse(resp, "the record lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		r = he_ddns_json_find(json_object_get(doc, "records"), "name", fqdn, type);
		if (!r) {
			job->step = IO_CREATE;
			req->method = "POST";
			rc = rc ? rc : he_ddns_urlf(req, "%s/zones/%s/records", base, job->zone_id);
			rc = rc ? rc
				: he_ddns_json_body(
				      req, json_pack("[{s:s, s:s, s:s, s:i, s:i, s:b}]", "name",
						     fqdn, "type", type, "content", job->addr,
						     "ttl", 3600, "prio", 0, "disabled", 0));
			break;
		}
		if (he_ddns_same_addr(json_string_value(json_object_get(r, "content")),
				      job->addr)) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		if (!he_ddns_json_id(json_object_get(r, "id"), job->record_id,
				     sizeof(job->record_id))) {
			ret = he_ddns_malformed(ans, "IONOS", "record id");
			break;
		}
		job->step = IO_PUT;
		req->method = "PUT";
		body = json_pack("{s:s}", "content", job->addr);
		if (body && json_is_integer(json_object_get(r, "ttl")))
			json_object_set(body, "ttl", json_object_get(r, "ttl"));
		rc = rc ? rc
			: he_ddns_urlf(req, "%s/zones/%s/records/%s", base, job->zone_id,
				       job->record_id);
		rc = rc ? rc : he_ddns_json_body(req, body);
		break;
	case IO_PUT:
	case IO_CREATE:
		/* success may come with the record or with no body at all */
		if (resp->status / 100 == 2) {
			ret = he_ddns_written(ans, job->step == IO_CREATE, type, job->addr);
			break;
		}
		doc = io_parse(resp, job->step == IO_CREATE ? "the new record" : "the update", ans);
		ret = HE_DDNS_DONE;
		break;
	default:
		ret = he_error_set(err, -EINVAL, "ionos: step %d out of order", job->step);
		break;
	}
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "IONOS", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the zone (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the API key as PREFIX.SECRET (developer.hosting.ionos.com)"},
    {"server", 0, "the API base (default " IONOS_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_ionos = {
    .name = "ionos",
    .title = "IONOS (Hosting DNS API v1)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
