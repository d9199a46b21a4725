/* SPDX-License-Identifier: MIT */
/*
 * digitalocean.c - DigitalOcean API v2 with a personal access token (bearer):
 *
 *   GET   BASE/v2/domains/ZONE/records?type=A&name=FQDN -> domain_records[0]
 *   PATCH BASE/v2/domains/ZONE/records/ID {type, data: ADDR}  (TTL stays)
 *   POST  BASE/v2/domains/ZONE/records {type, name, data, ttl 1800} when missing
 *
 * BASE is https://api.digitalocean.com. Errors are {"id", "message"};
 * 401/403 is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define DO_API "https://api.digitalocean.com"
#define DO_FIX "fix the token file (a personal access token with write scope)"

enum { DO_FIND = 1, DO_PATCH, DO_CREATE };

static json_t *do_parse(const struct he_http_resp *resp, const char *what,
			struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);

	if (resp->status / 100 == 2 && json_is_object(doc))
		return doc;
	he_ddns_api_fail(resp, "DigitalOcean", what,
			 json_string_value(json_object_get(doc, "message")), DO_FIX, ans);
	json_decref(doc);
	return NULL;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], name[HE_HOST_MAX], fqdn[HE_HOST_MAX];
	json_t *doc = NULL, *r0;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, DO_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "@", name, sizeof(name));
	snprintf(fqdn, sizeof(fqdn), "%.*s", (int)strcspn(rec->hostname, " "), rec->hostname);
	while (*fqdn && fqdn[strlen(fqdn) - 1] == '.')
		fqdn[strlen(fqdn) - 1] = '\0';
	req->bearer = job->secret;
	req->ca_file = rec->ca_file;
	req->method = "GET";
	rc = he_ddns_urlf(req, "%s/v2/domains/", base);
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), zone);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/records");
	if (!resp) {
		job->step = DO_FIND;
		rc |= he_ddns_append(req->url, sizeof(req->url), "?type=");
		rc |= he_ddns_append(req->url, sizeof(req->url), type);
		rc |= he_ddns_append(req->url, sizeof(req->url), "&name=");
		rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), fqdn);
		return he_ddns_step_end(job, ret, rc, "DigitalOcean", ans, err);
	}
	switch (job->step) {
	case DO_FIND:
		doc = do_parse(resp, "the record lookup", ans);
		if (!doc) {
			ret = HE_DDNS_DONE;
			break;
		}
		r0 = json_array_get(json_object_get(doc, "domain_records"), 0);
		if (!r0) {
			job->step = DO_CREATE;
			req->method = "POST";
			rc = rc ? rc
				: he_ddns_json_body(req, json_pack("{s:s, s:s, s:s, s:i}", "type",
								   type, "name", name, "data",
								   job->addr, "ttl", 1800));
			break;
		}
		if (he_ddns_same_addr(json_string_value(json_object_get(r0, "data")), job->addr)) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		if (!he_ddns_json_id(json_object_get(r0, "id"), job->record_id,
				     sizeof(job->record_id))) {
			ret = he_ddns_malformed(ans, "DigitalOcean", "record id");
			break;
		}
		job->step = DO_PATCH;
		req->method = "PATCH";
		rc |= he_ddns_append(req->url, sizeof(req->url), "/");
		rc |= he_ddns_append(req->url, sizeof(req->url), job->record_id);
		rc = rc ? rc
			: he_ddns_json_body(
			      req, json_pack("{s:s, s:s}", "type", type, "data", job->addr));
		break;
	case DO_PATCH:
	case DO_CREATE:
		doc = do_parse(resp, job->step == DO_CREATE ? "the new record" : "the update", ans);
		ret = doc ? he_ddns_written(ans, job->step == DO_CREATE, type, job->addr)
			  : HE_DDNS_DONE;
		break;
	default:
		ret = he_error_set(err, -EINVAL, "digitalocean: step %d out of order", job->step);
		break;
	}
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "DigitalOcean", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the domain (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "a personal access token with write scope"},
    {"server", 0, "the API base (default " DO_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_digitalocean = {
    .name = "digitalocean",
    .title = "DigitalOcean (API v2)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
