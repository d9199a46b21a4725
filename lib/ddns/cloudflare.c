/* SPDX-License-Identifier: MIT */
/*
 * cloudflare.c - Cloudflare API v4 with an API token (bearer).
 *
 *   GET   BASE/zones?name=ZONE                        -> zone id
 *   GET   BASE/zones/ID/dns_records?type=A&name=NAME  -> record id and content
 *   PATCH BASE/zones/ID/dns_records/RID {"content": ADDR}   (only the content:
 *         proxied, TTL and comments stay as the user set them)
 *   POST  BASE/zones/ID/dns_records {type, name, content, ttl 1, proxied false}
 *         when the record is missing.
 * No request is sent when the record already holds the address (nochg).
 * job->remove (a stale A behind CGNAT/DS-Lite): the record lookup, then
 *   DELETE BASE/zones/ID/dns_records/RID  for each record found, looking up
 *         again after each, until none is left ("deleted", or "none" when
 *         there was nothing to delete).
 * BASE is https://api.cloudflare.com/client/v4 unless 'server' overrides it.
 * 'zone' defaults to the last two labels of 'hostname'.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/cloudflare.h"
#include "ddns/ddns_internal.h"
#include "core/portspec.h"

#define CF_API "https://api.cloudflare.com/client/v4"

enum { CF_ZONE = 1, CF_RECORD, CF_CREATE, CF_PATCH, CF_DELETE };

void he_cloudflare_zone(const struct he_ddns_record *rec, char *out, size_t outsz)
{
	he_ddns_zone(rec, out, outsz);
}

/* An unsuccessful reply: what it means. Always returns HE_DDNS_DONE. */
static int cf_error(const struct he_http_resp *resp, json_t *doc, const char *what,
		    struct he_ddns_answer *ans)
{
	json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
	long code = (long)json_integer_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	char snip[160];

	if (msg)
		he_ddns_snippet(msg, strlen(msg), snip, sizeof(snip));
	else
		he_ddns_snippet(resp->body, resp->len, snip, sizeof(snip));
	if (resp->status == 401 || resp->status == 403 || code == 9109 || code == 10000 ||
	    code == 6003 || code == 6111 || code == 9103)
		return he_ddns_answer(
		    ans, HE_DDNS_FATAL, "badauth",
		    "badauth: Cloudflare refused the token (HTTP %ld, error %ld: %s): the token "
		    "needs Zone:Read and DNS:Edit on the zone; fix the token file, then "
		    "'ddns update --force'",
		    resp->status, code, snip);
	if (he_ddns_http_status_outcome(resp->status, ans))
		return HE_DDNS_DONE;
	if (resp->status >= 400 && resp->status < 500 && doc)
		return he_ddns_answer(
		    ans, HE_DDNS_FATAL, "rejected",
		    "Cloudflare rejected %s (HTTP %ld, error %ld: %s); the record "
		    "stays disabled until its configuration changes or --force",
		    what, resp->status, code, snip);
	return he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected",
			      "unexpected reply to %s (HTTP %ld): '%s'; will try again later", what,
			      resp->status, snip);
}

/* Parse; NULL result (and ans filled) when the reply is not a success. */
static json_t *cf_parse(const struct he_http_resp *resp, const char *what, json_t **docp,
			struct he_ddns_answer *ans)
{
	json_t *doc = resp->body ? json_loadb(resp->body, resp->len, 0, NULL) : NULL;
	json_t *res = json_object_get(doc, "result");

	*docp = doc;
	if (resp->status / 100 != 2 || !json_is_true(json_object_get(doc, "success")) || !res) {
		cf_error(resp, json_is_object(doc) ? doc : NULL, what, ans);
		return NULL;
	}
	return res;
}

static int url(struct he_http_req *req, const char *base, const char *path, const char *qname,
	       const char *qval, const char *qname2, const char *qval2)
{
	int rc = 0;

	req->url[0] = '\0';
	rc |= he_ddns_append(req->url, sizeof(req->url), base);
	rc |= he_ddns_append(req->url, sizeof(req->url), path);
	if (qname) {
		rc |= he_ddns_append(req->url, sizeof(req->url), "?");
		rc |= he_ddns_append(req->url, sizeof(req->url), qname);
		rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), qval);
	}
	if (qname2) {
		rc |= he_ddns_append(req->url, sizeof(req->url), "&");
		rc |= he_ddns_append(req->url, sizeof(req->url), qname2);
		rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), qval2);
	}
	return rc;
}

/* GET the zone's records of type and the record's name (step CF_RECORD). */
static int record_lookup(struct he_ddns_job *job, const char *base, const char *type,
			 struct he_http_req *req)
{
	char path[256];

	job->step = CF_RECORD;
	req->method = "GET";
	snprintf(path, sizeof(path), "/zones/%s/dns_records", job->zone_id);
	return url(req, base, path, "type=", type, "name=", job->rec->hostname);
}

/* The record id of r0 into job->record_id; false when malformed (ans says so). */
static bool take_record_id(struct he_ddns_job *job, json_t *r0, struct he_ddns_answer *ans)
{
	json_t *id = json_object_get(r0, "id");

	snprintf(job->record_id, sizeof(job->record_id), "%s",
		 json_is_string(id) ? json_string_value(id) : "");
	if (he_ddns_safe_id(job->record_id))
		return true;
	he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected",
		       "Cloudflare returned a malformed record id");
	return false;
}

/* job->remove after a record lookup: DELETE the first record r0, or end. */
static int remove_step(struct he_ddns_job *job, json_t *r0, const char *base, const char *type,
		       struct he_http_req *req, struct he_ddns_answer *ans, int *rc)
{
	char path[256];

	if (!r0)
		return *job->record_id ? he_ddns_answer(ans, HE_DDNS_GOOD, "deleted",
							"deleted the %s record(s) of %s", type,
							job->rec->hostname)
				       : he_ddns_answer(ans, HE_DDNS_NOCHG, "none",
							"%s has no %s record to delete",
							job->rec->hostname, type);
	if (!take_record_id(job, r0, ans))
		return HE_DDNS_DONE;
	job->step = CF_DELETE;
	req->method = "DELETE";
	snprintf(path, sizeof(path), "/zones/%s/dns_records/%s", job->zone_id, job->record_id);
	*rc = url(req, base, path, NULL, NULL, NULL, NULL);
	return HE_DDNS_SEND;
}

int he_cloudflare_step(struct he_ddns_job *job, const struct he_http_resp *resp,
		       struct he_http_req *req, struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = he_family_rr(job->family);
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], path[256];
	json_t *doc = NULL, *res;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, CF_API, base, sizeof(base));
	req->bearer = job->secret;
	req->ca_file = rec->ca_file;
	if (!resp) {
		he_cloudflare_zone(rec, zone, sizeof(zone));
		job->step = CF_ZONE;
		req->method = "GET";
		rc = url(req, base, "/zones", "name=", zone, NULL, NULL);
		goto out;
	}
	switch (job->step) {
	case CF_ZONE:
		res = cf_parse(resp, "the zone lookup", &doc, ans);
		if (!res) {
			ret = HE_DDNS_DONE;
			break;
		}
		he_cloudflare_zone(rec, zone, sizeof(zone));
		if (!json_string_value(json_object_get(json_array_get(res, 0), "id"))) {
			ret = he_ddns_answer(ans, HE_DDNS_FATAL, "nozone",
					     "Cloudflare has no zone '%s' visible to this token: "
					     "set 'zone' or give the token access to it",
					     zone);
			break;
		}
		snprintf(job->zone_id, sizeof(job->zone_id), "%s",
			 json_string_value(json_object_get(json_array_get(res, 0), "id")));
		if (!he_ddns_safe_id(job->zone_id)) {
			ret = he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected",
					     "Cloudflare returned a malformed zone id");
			break;
		}
		rc = record_lookup(job, base, type, req);
		break;
	case CF_RECORD: {
		json_t *r0, *content;

		res = cf_parse(resp, "the record lookup", &doc, ans);
		if (!res) {
			ret = HE_DDNS_DONE;
			break;
		}
		r0 = json_array_get(res, 0);
		if (job->remove) {
			ret = remove_step(job, r0, base, type, req, ans, &rc);
			break;
		}
		if (!r0) {
			job->step = CF_CREATE;
			req->method = "POST";
			snprintf(path, sizeof(path), "/zones/%s/dns_records", job->zone_id);
			rc = url(req, base, path, NULL, NULL, NULL, NULL);
			if (!rc)
				rc = he_ddns_json_body(
				    req, json_pack("{s:s, s:s, s:s, s:i, s:b}", "type", type,
						   "name", rec->hostname, "content", job->addr,
						   "ttl", 1, "proxied", 0));
			break;
		}
		content = json_object_get(r0, "content");
		if (json_is_string(content) && !strcmp(json_string_value(content), job->addr)) {
			ret = he_ddns_answer(ans, HE_DDNS_NOCHG, "nochg",
					     "the %s record already holds %s", type, job->addr);
			break;
		}
		if (!take_record_id(job, r0, ans)) {
			ret = HE_DDNS_DONE;
			break;
		}
		job->step = CF_PATCH;
		req->method = "PATCH";
		snprintf(path, sizeof(path), "/zones/%s/dns_records/%s", job->zone_id,
			 job->record_id);
		rc = url(req, base, path, NULL, NULL, NULL, NULL);
		if (!rc)
			rc = he_ddns_json_body(req, json_pack("{s:s}", "content", job->addr));
		break;
	}
	case CF_DELETE:
		res = cf_parse(resp, "the deletion", &doc, ans);
		if (!res) {
			ret = HE_DDNS_DONE;
			break;
		}
		/* look again: another record of the type may be left */
		rc = record_lookup(job, base, type, req);
		break;
	case CF_CREATE:
	case CF_PATCH:
		res = cf_parse(resp, job->step == CF_CREATE ? "the new record" : "the update", &doc,
			       ans);
		ret = HE_DDNS_DONE;
		if (!res)
			break;
		if (job->step == CF_CREATE)
			he_ddns_answer(ans, HE_DDNS_GOOD, "created", "created the %s record %s",
				       type, job->addr);
		else
			he_ddns_answer(ans, HE_DDNS_GOOD, "good", "updated the %s record to %s",
				       type, job->addr);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "cloudflare: step %d out of order", job->step);
		break;
	}
out:
	json_decref(doc);
	if (ret == HE_DDNS_DONE)
		he_ddns_answer_redact(ans, job->secret);
	if (ret == HE_DDNS_SEND && rc)
		return he_error_set(err, -ENAMETOOLONG,
				    "[ddns %s]: the Cloudflare request is too long", rec->name);
	return ret;
}

static int check(const struct he_ddns_record *rec, struct he_error *err)
{
	return 0;
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the zone (default: the last two labels of hostname)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "an API token with Zone:Read and DNS:Edit on the zone"},
    {"server", 0, "the API base (default " CF_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_cloudflare = {
    .name = "cloudflare",
    .title = "Cloudflare (API v4)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .check = check,
    .step = he_cloudflare_step,
    .secret_key = "token-file",
    .can_remove = true,
};
