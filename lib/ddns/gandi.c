/* SPDX-License-Identifier: MIT */
/*
 * gandi.c - Gandi LiveDNS (API v5) with a personal access token (bearer):
 *
 *   GET  BASE/domains/ZONE/records/NAME/TYPE   -> rrset_values, rrset_ttl (404: none)
 *   PUT  BASE/domains/ZONE/records/NAME/TYPE {rrset_values: [ADDR], rrset_ttl as found}
 *   POST BASE/domains/ZONE/records/NAME/TYPE {rrset_values: [ADDR], rrset_ttl 300}
 *        when the record set is missing
 *
 * BASE is https://api.gandi.net/v5/livedns; NAME is 'hostname' without the
 * zone ("@" for the zone itself). Errors are {"code", "message", "cause"};
 * 401/403 is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define GANDI_API "https://api.gandi.net/v5/livedns"
#define GANDI_TTL 300

enum { GANDI_GET = 1, GANDI_PUT, GANDI_POST };

static int fail(const struct he_http_resp *resp, const char *what, struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);

	he_ddns_api_fail(resp, "Gandi LiveDNS", what,
			 json_string_value(json_object_get(doc, "message")),
			 "fix the token file (a personal access token with Manage domain name "
			 "technical configurations)",
			 ans);
	json_decref(doc);
	return HE_DDNS_DONE;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], name[HE_HOST_MAX];
	json_t *doc = NULL, *vals;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, GANDI_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "@", name, sizeof(name));
	req->bearer = job->secret;
	req->ca_file = rec->ca_file;
	req->method = "GET";
	rc = he_ddns_urlf(req, "%s/domains/", base);
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), zone);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/records/");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), name);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/");
	rc |= he_ddns_append(req->url, sizeof(req->url), type);
	if (!resp) {
		job->step = GANDI_GET;
		return he_ddns_step_end(job, ret, rc, "Gandi LiveDNS", ans, err);
	}
	switch (job->step) {
	case GANDI_GET:
		if (resp->status == 404) {
			job->step = GANDI_POST;
			req->method = "POST";
			rc = rc ? rc
				: he_ddns_json_body(req,
						    json_pack("{s:[s], s:i}", "rrset_values",
							      job->addr, "rrset_ttl", GANDI_TTL));
			break;
		}
		doc = he_ddns_json_reply(resp);
		vals = json_object_get(doc, "rrset_values");
		if (resp->status != 200 || !json_is_array(vals)) {
			ret = fail(resp, "the record lookup", ans);
			break;
		}
		if (json_array_size(vals) == 1 &&
		    he_ddns_same_addr(json_string_value(json_array_get(vals, 0)), job->addr)) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		job->ttl = json_is_integer(json_object_get(doc, "rrset_ttl"))
			       ? (long)json_integer_value(json_object_get(doc, "rrset_ttl"))
			       : GANDI_TTL;
		job->step = GANDI_PUT;
		req->method = "PUT";
		rc =
		    rc ? rc
		       : he_ddns_json_body(req, json_pack("{s:[s], s:I}", "rrset_values", job->addr,
							  "rrset_ttl", (json_int_t)job->ttl));
		break;
	case GANDI_PUT:
	case GANDI_POST:
		if (resp->status / 100 != 2)
			ret = fail(resp, job->step == GANDI_POST ? "the new record" : "the update",
				   ans);
		else
			ret = he_ddns_written(ans, job->step == GANDI_POST, type, job->addr);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "gandi: step %d out of order", job->step);
		break;
	}
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "Gandi LiveDNS", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the domain (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "a personal access token allowed to manage the domain's technical configuration"},
    {"server", 0, "the API base (default " GANDI_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_gandi = {
    .name = "gandi",
    .title = "Gandi LiveDNS (API v5)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
