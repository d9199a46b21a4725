/* SPDX-License-Identifier: MIT */
/*
 * duckdns.c - DuckDNS: GET https://www.duckdns.org/update?domains=SUB&token=T
 * &ip=V4 (or &ipv6=V6)&verbose=true. The reply is "OK" or "KO"; verbose adds
 * UPDATED / NOCHANGE. The token travels in the URL, so the URL is marked for
 * redaction and never shown whole. One request per family; note DuckDNS
 * fills an empty ip= from the connection's source address, so an AAAA-only
 * request may also set A to the address the request came from.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"
#include "ddns/duckdns.h"

#define DUCK_SERVER "https://www.duckdns.org"

void he_duckdns_domain(const char *hostname, char *out, size_t outsz)
{
	static const char suffix[] = ".duckdns.org";
	size_t n = strlen(hostname), sl = sizeof(suffix) - 1;

	while (n && hostname[n - 1] == '.')
		n--;
	if (n > sl && !strncasecmp(hostname + n - sl, suffix, sl))
		n -= sl;
	snprintf(out, outsz, "%.*s", (int)n, hostname);
}

int he_duckdns_parse(long status, const char *body, size_t len, struct he_ddns_answer *ans)
{
	char line[4][32] = {{0}};
	size_t i = 0;

	if (he_ddns_http_status_outcome(status, ans) && status != 401 && status != 403)
		return HE_DDNS_DONE;
	for (int l = 0; l < 4 && body && i < len; l++) {
		size_t n = 0;

		while (i < len && body[i] != '\n') {
			if (body[i] != '\r' && n + 1 < sizeof(line[l]))
				line[l][n++] = body[i];
			i++;
		}
		i++;
	}
	if (status == 200 && !strcmp(line[0], "OK")) {
		if (!strcmp(line[3], "NOCHANGE"))
			return he_ddns_answer(ans, HE_DDNS_NOCHG, "nochg",
					      "DuckDNS already had this address");
		return he_ddns_answer(ans, HE_DDNS_GOOD, "good", "DuckDNS updated the record");
	}
	if (!strcmp(line[0], "KO") || status == 401 || status == 403)
		return he_ddns_answer(ans, HE_DDNS_FATAL, "KO",
				      "KO: DuckDNS refused the update: the token or the domain is "
				      "wrong (fix the token file or 'hostname'); the record stays "
				      "disabled until its configuration changes or "
				      "'ddns update --force'");
	{
		char snip[80];

		he_ddns_snippet(body, len, snip, sizeof(snip));
		return he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected",
				      "unexpected reply from DuckDNS (HTTP %ld): '%s'; will try "
				      "again later",
				      status, snip);
	}
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	char base[HE_URL_MAX + 16], dom[HE_HOST_MAX];
	int rc = 0;

	if (resp) {
		he_duckdns_parse(resp->status, resp->body, resp->len, ans);
		return he_ddns_answer_redact(ans, job->secret);
	}
	he_ddns_base_url(job->rec->server, DUCK_SERVER, base, sizeof(base));
	he_duckdns_domain(job->rec->hostname, dom, sizeof(dom));
	req->method = "GET";
	req->url[0] = '\0';
	rc |= he_ddns_append(req->url, sizeof(req->url), base);
	rc |= he_ddns_append(req->url, sizeof(req->url), "/update?domains=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), dom);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&token=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->secret ? job->secret : "");
	rc |=
	    he_ddns_append(req->url, sizeof(req->url), job->family == AF_INET6 ? "&ipv6=" : "&ip=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->addr);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&verbose=true");
	if (rc)
		return he_error_set(err, -ENAMETOOLONG, "[ddns %s]: the DuckDNS URL is too long",
				    job->rec->name);
	req->redact = job->secret;
	req->ca_file = job->rec->ca_file;
	return HE_DDNS_SEND;
}

static int check(const struct he_ddns_record *rec, struct he_error *err)
{
	return 0;
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the subdomain: home.duckdns.org (or home)"},
    {"token-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET, "the account's token"},
    {"server", 0, "the endpoint (default " DUCK_SERVER ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_duckdns = {
    .name = "duckdns",
    .title = "DuckDNS",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .check = check,
    .step = step,
    .secret_key = "token-file",
};
