/* SPDX-License-Identifier: MIT */
/*
 * njalla.c - Njalla's dynamic records, one request per family:
 *
 *   GET BASE/update/?h=HOST&k=KEY&a=ADDR   (or &aaaa=ADDR)
 *
 * BASE is https://njal.la. KEY is the dynamic record's own key (shown when
 * the record is made dynamic) and travels in the URL, which is marked for
 * redaction. The reply is JSON {"status": 200, "message": ..., "value":
 * {"A": ADDR}}; a status of 401/403/404 (wrong key, no such dynamic record)
 * is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define NJALLA_SERVER "https://njal.la"

static int parse(const struct he_http_resp *resp, struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	json_t *st = json_object_get(doc, "status");
	const char *msg = json_string_value(json_object_get(doc, "message"));
	long status = json_is_integer(st) ? (long)json_integer_value(st) : resp->status;
	struct he_http_resp r = *resp;
	int ret;

	if (resp->status == 200 && json_is_object(doc) && status == 200) {
		ret = he_ddns_answer(ans, HE_DDNS_GOOD, "good", "Njalla updated the record");
	} else if (status == 404 || status == 400) {
		char snip[120];

		he_ddns_snippet(msg ? msg : "", msg ? strlen(msg) : 0, snip, sizeof(snip));
		ret =
		    he_ddns_answer(ans, HE_DDNS_FATAL, "nohost",
				   "Njalla refused the update (%ld: %s): 'hostname' must be a "
				   "dynamic record with this key; the record stays disabled until "
				   "its configuration changes or 'ddns update --force'",
				   status, snip);
	} else {
		r.status = resp->status == 200 && json_is_integer(st) ? status : resp->status;
		ret = he_ddns_api_fail(&r, "Njalla", "the update", msg,
				       "fix the key file (the dynamic record's key)", ans);
	}
	json_decref(doc);
	return ret;
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	char base[HE_URL_MAX + 16];
	int rc = 0;

	if (resp) {
		parse(resp, ans);
		return he_ddns_answer_redact(ans, job->secret);
	}
	he_ddns_base_url(job->rec->server, NJALLA_SERVER, base, sizeof(base));
	req->method = "GET";
	req->url[0] = '\0';
	rc |= he_ddns_append(req->url, sizeof(req->url), base);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/update/?h=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->rec->hostname);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&k=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->secret ? job->secret : "");
	rc |=
	    he_ddns_append(req->url, sizeof(req->url), job->family == AF_INET6 ? "&aaaa=" : "&a=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->addr);
	req->redact = job->secret;
	req->ca_file = job->rec->ca_file;
	return he_ddns_step_end(job, HE_DDNS_SEND, rc ? -ENAMETOOLONG : 0, "Njalla", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the dynamic record's full name: home.example.com"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the dynamic record's key (the k= of the update URL Njalla shows)"},
    {"server", 0, "the endpoint (default " NJALLA_SERVER ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_njalla = {
    .name = "njalla",
    .title = "Njalla (dynamic records)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
