/* SPDX-License-Identifier: MIT */
/*
 * godaddy.c - GoDaddy Domains API v1 (header "Authorization: sso-key
 * KEY:SECRET"):
 *
 *   GET BASE/v1/domains/ZONE/records/TYPE/NAME  -> [] or [{data, ttl, ...}]
 *   PUT BASE/v1/domains/ZONE/records/TYPE/NAME [{data: ADDR, ttl as found or 600}]
 *       (replaces the record set; creates it when it was missing)
 *
 * BASE is https://api.godaddy.com; NAME is 'hostname' without the zone ("@"
 * for the zone itself). The token file holds "KEY:SECRET". Errors are
 * {"code", "message"}: 401 and 403 (GoDaddy also answers 403 ACCESS_DENIED
 * to accounts its API is closed to) are fatal, 404 UNKNOWN_DOMAIN too.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define GD_API "https://api.godaddy.com"
#define GD_TTL 600

enum { GD_GET = 1, GD_PUT };

static int fail(const struct he_http_resp *resp, const char *what, struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	const char *code = json_string_value(json_object_get(doc, "code"));
	const char *msg = json_string_value(json_object_get(doc, "message"));
	char detail[200];

	snprintf(detail, sizeof(detail), "%s%s%s", code ? code : "", code && msg ? ": " : "",
		 msg ? msg : "");
	he_ddns_api_fail(resp, "GoDaddy", what, code || msg ? detail : NULL,
			 "the token file holds KEY:SECRET of a production API key (GoDaddy "
			 "opens its DNS API only to some accounts)",
			 ans);
	json_decref(doc);
	return HE_DDNS_DONE;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], name[HE_HOST_MAX], key[128], sec[128];
	json_t *doc = NULL, *r0;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, GD_API, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "@", name, sizeof(name));
	req->ca_file = rec->ca_file;
	req->method = "GET";
	rc = he_ddns_secret_pair(job->secret, key, sizeof(key), sec, sizeof(sec));
	rc = rc ? rc : he_ddns_header(req, "Authorization: sso-key %s:%s", key, sec);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(sec, sizeof(sec));
	rc = rc ? rc : he_ddns_urlf(req, "%s/v1/domains/", base);
	rc = rc ? rc : he_ddns_urlenc_append(req->url, sizeof(req->url), zone);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/records/");
	rc |= he_ddns_append(req->url, sizeof(req->url), type);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), name);
	if (!resp) {
		job->step = GD_GET;
		return he_ddns_step_end(job, ret, rc, "GoDaddy", ans, err);
	}
	switch (job->step) {
	case GD_GET:
		doc = he_ddns_json_reply(resp);
		if (resp->status != 200 || !json_is_array(doc)) {
			ret = fail(resp, "the record lookup", ans);
			break;
		}
		r0 = json_array_get(doc, 0);
		if (json_array_size(doc) == 1 &&
		    he_ddns_same_addr(json_string_value(json_object_get(r0, "data")), job->addr)) {
			ret = he_ddns_unchanged(ans, type, job->addr);
			break;
		}
		job->ttl = json_is_integer(json_object_get(r0, "ttl"))
			       ? (long)json_integer_value(json_object_get(r0, "ttl"))
			       : GD_TTL;
		snprintf(job->scratch, sizeof(job->scratch), "%s", r0 ? "good" : "created");
		job->step = GD_PUT;
		req->method = "PUT";
		rc = rc ? rc
			: he_ddns_json_body(req, json_pack("[{s:s, s:I}]", "data", job->addr, "ttl",
							   (json_int_t)job->ttl));
		break;
	case GD_PUT:
		if (resp->status / 100 != 2)
			ret = fail(resp, "the update", ans);
		else
			ret =
			    he_ddns_written(ans, !strcmp(job->scratch, "created"), type, job->addr);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "godaddy: step %d out of order", job->step);
		break;
	}
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "GoDaddy", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the domain (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "KEY:SECRET of a production API key (developer.godaddy.com/keys)"},
    {"server", 0, "the API base (default " GD_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_godaddy = {
    .name = "godaddy",
    .title = "GoDaddy (Domains API v1)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
