/* SPDX-License-Identifier: MIT */
/*
 * namecheap.c - Namecheap's dynamic DNS endpoint (IPv4 only):
 *
 *   GET BASE/update?host=LABEL&domain=ZONE&password=P&ip=ADDR
 *
 * BASE is https://dynamicdns.park-your-domain.com. LABEL is 'hostname'
 * without the zone ("@" for the zone itself); the zone is 'zone', else the
 * last two labels of 'hostname'. The password is the domain's Dynamic DNS
 * password (not the account's) and travels in the URL, which is marked for
 * redaction. The reply is XML: <ErrCount>0</ErrCount> is success, else
 * <Err1> says why (wrong password, unknown domain or host): fatal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddns/ddns_internal.h"

#define NC_SERVER "https://dynamicdns.park-your-domain.com"

static int parse(const struct he_http_resp *resp, struct he_ddns_answer *ans)
{
	char count[16], why[160];

	if (resp->status != 200 && resp->status != 401 && resp->status != 403 &&
	    he_ddns_http_status_outcome(resp->status, ans))
		return HE_DDNS_DONE;
	if (!he_ddns_xml_text(resp->body, resp->len, "ErrCount", count, sizeof(count)))
		return he_ddns_api_fail(resp, "Namecheap", "the update", NULL,
					"fix the Dynamic DNS password file", ans);
	if (!strcmp(count, "0"))
		return he_ddns_answer(ans, HE_DDNS_GOOD, "good", "Namecheap updated the record");
	if (!he_ddns_xml_text(resp->body, resp->len, "Err1", why, sizeof(why)))
		snprintf(why, sizeof(why), "%s error(s)", count);
	return he_ddns_answer(ans, HE_DDNS_FATAL, "error",
			      "Namecheap refused the update: %s: check 'hostname', 'zone' and "
			      "the domain's Dynamic DNS password (Advanced DNS); the record stays "
			      "disabled until its configuration changes or 'ddns update --force'",
			      why);
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], host[HE_HOST_MAX];
	int rc = 0;

	if (resp) {
		parse(resp, ans);
		return he_ddns_answer_redact(ans, job->secret);
	}
	he_ddns_base_url(job->rec->server, NC_SERVER, base, sizeof(base));
	he_ddns_zone(job->rec, zone, sizeof(zone));
	he_ddns_relname(job->rec, zone, "@", host, sizeof(host));
	req->method = "GET";
	req->url[0] = '\0';
	rc |= he_ddns_append(req->url, sizeof(req->url), base);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/update?host=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), host);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&domain=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), zone);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&password=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->secret ? job->secret : "");
	rc |= he_ddns_append(req->url, sizeof(req->url), "&ip=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->addr);
	req->redact = job->secret;
	req->ca_file = job->rec->ca_file;
	return he_ddns_step_end(job, HE_DDNS_SEND, rc ? -ENAMETOOLONG : 0, "Namecheap", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the name kept current: host.example.com (example.com: @)"},
    {"zone", 0, "the domain at Namecheap (default: the last two labels of hostname)"},
    {"password-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the domain's Dynamic DNS password (Domain List > Manage > Advanced DNS)"},
    {"server", 0, "the endpoint (default " NC_SERVER ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_namecheap = {
    .name = "namecheap",
    .title = "Namecheap (dynamic DNS endpoint)",
    .families = HE_DDNS_FAM_A,
    .keys = keys,
    .step = step,
    .secret_key = "password-file",
};
