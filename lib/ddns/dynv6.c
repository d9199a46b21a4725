/* SPDX-License-Identifier: MIT */
/*
 * dynv6.c - dynv6's update API, one request per family:
 *
 *   GET BASE/api/update?hostname=H&token=T&ipv4=ADDR   (or &ipv6=ADDR)
 *
 * BASE is https://dynv6.com. The token (the zone's HTTP token) travels in
 * the URL, which is marked for redaction. The reply is plain text:
 * "addresses updated" or "addresses unchanged"; HTTP 401 is a wrong token,
 * 404 an unknown zone (both fatal).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define DYNV6_SERVER "https://dynv6.com"

static int parse(const struct he_http_resp *resp, const char *host, struct he_ddns_answer *ans)
{
	char text[64];

	he_ddns_snippet(resp->body, resp->len, text, sizeof(text));
	if (resp->status == 200 && strstr(text, "unchanged"))
		return he_ddns_answer(ans, HE_DDNS_NOCHG, "nochg",
				      "dynv6 already had this address");
	if (resp->status == 200 && strstr(text, "updated"))
		return he_ddns_answer(ans, HE_DDNS_GOOD, "good", "dynv6 updated the record");
	if (resp->status == 404)
		return he_ddns_answer(
		    ans, HE_DDNS_FATAL, "nohost",
		    "dynv6 has no zone for '%s' (HTTP 404: %s): fix 'hostname'; "
		    "the record stays disabled until its configuration changes or "
		    "'ddns update --force'",
		    host, text);
	return he_ddns_api_fail(resp, "dynv6", "the update", text,
				"fix the token file (the zone's HTTP token)", ans);
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	char base[HE_URL_MAX + 16], host[HE_HOST_MAX];
	int rc = 0;

	if (resp) {
		parse(resp, job->rec->hostname, ans);
		return he_ddns_answer_redact(ans, job->secret);
	}
	he_ddns_base_url(job->rec->server, DYNV6_SERVER, base, sizeof(base));
	snprintf(host, sizeof(host), "%s", job->rec->hostname);
	req->method = "GET";
	req->url[0] = '\0';
	rc |= he_ddns_append(req->url, sizeof(req->url), base);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/api/update?hostname=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), host);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&token=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->secret ? job->secret : "");
	rc |= he_ddns_append(req->url, sizeof(req->url),
			     job->family == AF_INET6 ? "&ipv6=" : "&ipv4=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->addr);
	req->redact = job->secret;
	req->ca_file = job->rec->ca_file;
	return he_ddns_step_end(job, HE_DDNS_SEND, rc ? -ENAMETOOLONG : 0, "dynv6", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the zone or a name in it: home.dynv6.net"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the zone's HTTP token (dynv6: Keys > HTTP Tokens)"},
    {"server", 0, "the endpoint (default " DYNV6_SERVER ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_dynv6 = {
    .name = "dynv6",
    .title = "dynv6 (update API)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "token-file",
};
