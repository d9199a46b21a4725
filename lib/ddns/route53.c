/* SPDX-License-Identifier: MIT */
/*
 * route53.c - Amazon Route 53 (API 2013-04-01), every request signed with
 * Signature V4 (sigv4.c):
 *
 *   GET  BASE/2013-04-01/hostedzonesbyname?dnsname=ZONE&maxitems=1 -> zone id
 *   GET  BASE/2013-04-01/hostedzone/ID/rrset?maxitems=1&name=NAME.&type=A
 *        -> the record set, its TTL and value (nochg when it holds ADDR)
 *   POST BASE/2013-04-01/hostedzone/ID/rrset/  ChangeBatch UPSERT NAME A TTL
 *        ADDR: creates the set when missing; the TTL found is kept (300 else).
 *
 * BASE is https://route53.amazonaws.com (region us-east-1). 'username' is the
 * access key ID, the password file holds the secret access key. Replies are
 * XML; an <Error><Code> of InvalidClientTokenId, SignatureDoesNotMatch,
 * AccessDenied ... is fatal, Throttling waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"
#include "ddns/sigv4.h"

#define R53_SERVER "https://route53.amazonaws.com"
#define R53_API    "/2013-04-01"
#define R53_TTL    300

enum { R53_ZONE = 1, R53_RRSET, R53_CHANGE };

/* The Host header curl sends for base (what follows "://" up to the path), and base's path. */
static const char *host_of(const char *base, char *out, size_t outsz)
{
	const char *h = strstr(base, "://");
	size_t n;

	h = h ? h + 3 : base;
	n = strcspn(h, "/?");
	snprintf(out, outsz, "%.*s", (int)n, h);
	return h + n;
}

/* Sign req (method, url from base + path?query) into its headers. */
static int sign(const struct he_ddns_job *job, const char *base, const char *path,
		const char *query, struct he_http_req *req)
{
	char key_id[128], date[20], host[HE_URL_MAX], auth[HE_DDNS_HDR_MAX], full[HE_URL_MAX + 128];
	struct he_sigv4_req s = {0};
	int rc;

	snprintf(key_id, sizeof(key_id), "%s", job->user ? job->user : "");
	he_sigv4_date(job->now, date, sizeof(date));
	/* a server with a path (a proxy, the lab) signs the whole path */
	snprintf(full, sizeof(full), "%s%s", host_of(base, host, sizeof(host)), path);
	s.method = req->method;
	s.host = host;
	s.path = full;
	s.query = query;
	s.payload = req->content_type ? req->body : NULL;
	s.payload_len = req->content_type ? strlen(req->body) : 0;
	s.amz_date = date;
	s.region = "us-east-1";
	s.service = "route53";
	s.access_key_id = key_id;
	s.secret_key = job->secret ? job->secret : "";
	rc = he_sigv4_authorization(&s, auth, sizeof(auth) - 32);
	if (!rc)
		rc = he_ddns_header(req, "X-Amz-Date: %s", date);
	if (!rc)
		rc = he_ddns_header(req, "Authorization: %s", auth);
	if (!rc)
		rc = he_ddns_urlf(req, "%s%s%s%s", base, path, *query ? "?" : "", query);
	explicit_bzero(auth, sizeof(auth));
	return rc;
}

static int fail(const struct he_http_resp *resp, const char *what, struct he_ddns_answer *ans)
{
	char code[64] = "", msg[160] = "", detail[240];

	he_ddns_xml_text(resp->body, resp->len, "Code", code, sizeof(code));
	he_ddns_xml_text(resp->body, resp->len, "Message", msg, sizeof(msg));
	snprintf(detail, sizeof(detail), "%s%s%s", code, *msg ? ": " : "", msg);
	if (!strcmp(code, "Throttling") || !strcmp(code, "PriorRequestNotComplete"))
		return he_ddns_answer(ans, HE_DDNS_RETRY_LATER, "throttled",
				      "Route 53 asks to slow down (%s); waiting 30 minutes", code);
	if (!strcmp(code, "InvalidClientTokenId") || !strcmp(code, "SignatureDoesNotMatch") ||
	    !strcmp(code, "AccessDenied") || !strcmp(code, "IncompleteSignature") ||
	    !strcmp(code, "MissingAuthenticationToken")) {
		struct he_http_resp r = *resp;

		r.status = 403;
		return he_ddns_api_fail(
		    &r, "Route 53", what, detail,
		    "'username' is the access key ID and the password file its "
		    "secret access key; the key needs route53:ListHostedZonesByName, "
		    "ListResourceRecordSets and ChangeResourceRecordSets",
		    ans);
	}
	return he_ddns_api_fail(resp, "Route 53", what, *code ? detail : NULL,
				"check the access key ID and secret", ans);
}

static int change(struct he_ddns_job *job, const char *base, const char *fqdn, const char *type,
		  struct he_http_req *req)
{
	char path[128];
	int n;

	n = snprintf(req->body, sizeof(req->body),
		     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<ChangeResourceRecordSetsRequest "
		     "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch>"
		     "<Comment>homeexpose</Comment><Changes><Change><Action>UPSERT</Action>"
		     "<ResourceRecordSet><Name>%s</Name><Type>%s</Type><TTL>%ld</TTL>"
		     "<ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord>"
		     "</ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>"
		     "</ChangeResourceRecordSetsRequest>",
		     fqdn, type, job->ttl > 0 ? job->ttl : R53_TTL, job->addr);
	if (n < 0 || (size_t)n >= sizeof(req->body))
		return -ENAMETOOLONG;
	req->method = "POST";
	req->content_type = "application/xml";
	snprintf(path, sizeof(path), R53_API "/hostedzone/%s/rrset/", job->zone_id);
	return sign(job, base, path, "", req);
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char base[HE_URL_MAX + 16], zone[HE_HOST_MAX], fqdn[HE_HOST_MAX + 2],
	    q[HE_HOST_MAX * 3 + 64];
	char text[HE_HOST_MAX + 2], path[128];
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_base_url(rec->server, R53_SERVER, base, sizeof(base));
	he_ddns_zone(rec, zone, sizeof(zone));
	snprintf(fqdn, sizeof(fqdn), "%s.", rec->hostname);
	while (strlen(fqdn) > 1 && fqdn[strlen(fqdn) - 2] == '.')
		fqdn[strlen(fqdn) - 1] = '\0';
	req->ca_file = rec->ca_file;
	req->method = "GET";
	if (!resp) {
		if (!job->user || !*job->user)
			return he_error_set(
			    err, -EINVAL, "[ddns %s]: route53 needs 'username' (the access key ID)",
			    rec->name);
		job->step = R53_ZONE;
		snprintf(q, sizeof(q), "dnsname=");
		rc = he_ddns_urlenc_append(q, sizeof(q), zone);
		rc |= he_ddns_append(q, sizeof(q), "&maxitems=1");
		rc = rc ? rc : sign(job, base, R53_API "/hostedzonesbyname", q, req);
		return he_ddns_step_end(job, ret, rc, "Route 53", ans, err);
	}
	if (resp->status / 100 != 2) {
		ret = fail(resp, job->step == R53_ZONE ? "the zone lookup" : "the change", ans);
		return he_ddns_step_end(job, ret, 0, "Route 53", ans, err);
	}
	switch (job->step) {
	case R53_ZONE:
		he_ddns_xml_text(resp->body, resp->len, "Name", text, sizeof(text));
		if (strncasecmp(text, zone, strlen(zone)) || strcmp(text + strlen(zone), ".") ||
		    !he_ddns_xml_text(resp->body, resp->len, "Id", path, sizeof(path))) {
			ret = he_ddns_nozone(ans, "Route 53", zone);
			break;
		}
		snprintf(job->zone_id, sizeof(job->zone_id), "%.63s",
			 strncmp(path, "/hostedzone/", 12) ? path : path + 12);
		if (strlen(path) > 75 || !he_ddns_safe_id(job->zone_id)) {
			ret = he_ddns_malformed(ans, "Route 53", "zone id");
			break;
		}
		job->step = R53_RRSET;
		snprintf(q, sizeof(q), "maxitems=1&name=");
		rc = he_ddns_urlenc_append(q, sizeof(q), fqdn);
		rc |= he_ddns_append(q, sizeof(q), "&type=");
		rc |= he_ddns_append(q, sizeof(q), type);
		snprintf(path, sizeof(path), R53_API "/hostedzone/%s/rrset", job->zone_id);
		rc = rc ? rc : sign(job, base, path, q, req);
		break;
	case R53_RRSET: {
		char rname[HE_HOST_MAX + 2], rtype[16], ttl[16], value[HE_DDNS_ADDR_MAX + 8];
		bool found =
		    he_ddns_xml_text(resp->body, resp->len, "Name", rname, sizeof(rname)) &&
		    he_ddns_xml_text(resp->body, resp->len, "Type", rtype, sizeof(rtype)) &&
		    !strcasecmp(rname, fqdn) && !strcmp(rtype, type);

		job->ttl = 0;
		if (found && he_ddns_xml_text(resp->body, resp->len, "TTL", ttl, sizeof(ttl)))
			job->ttl = strtol(ttl, NULL, 10);
		if (found &&
		    he_ddns_xml_text(resp->body, resp->len, "Value", value, sizeof(value)) &&
		    he_ddns_same_addr(value, job->addr) &&
		    !memmem(resp->body, resp->len, "</ResourceRecord><ResourceRecord>", 34)) {
			ret = he_ddns_answer(ans, HE_DDNS_NOCHG, "nochg",
					     "the %s record already holds %s", type, job->addr);
			break;
		}
		job->step = R53_CHANGE;
		snprintf(job->scratch, sizeof(job->scratch), "%s", found ? "good" : "created");
		rc = change(job, base, fqdn, type, req);
		break;
	}
	case R53_CHANGE:
		if (!he_ddns_xml_text(resp->body, resp->len, "Status", text, sizeof(text))) {
			ret = fail(resp, "the change", ans);
			break;
		}
		ret = he_ddns_answer(ans, HE_DDNS_GOOD, job->scratch, "%s the %s record %s (%s)",
				     strcmp(job->scratch, "created") ? "updated" : "created", type,
				     job->addr, text);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "route53: step %d out of order", job->step);
		break;
	}
	return he_ddns_step_end(job, ret, rc, "Route 53", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the hosted zone's name (default: the last two labels of hostname)"},
    {"username", HE_DDNS_KEY_REQUIRED, "the IAM access key ID (AKIA...)"},
    {"password-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the secret access key; the key needs route53:ListHostedZonesByName, "
     "ListResourceRecordSets, ChangeResourceRecordSets"},
    {"server", 0, "the API endpoint (default " R53_SERVER ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_route53 = {
    .name = "route53",
    .title = "Amazon Route 53",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "password-file",
};
