/* SPDX-License-Identifier: MIT */
/*
 * dyndns2.c - the dyndns2 protocol: GET /nic/update?hostname=H&myip=ADDR with
 * basic auth, and the presets of the services that speak it.
 *
 * One request per family: every preset takes one address per request, and
 * sending each family alone keeps one family's failure from touching the
 * other's record. Where a service would otherwise clear or auto-detect the
 * other family, the preset names a value that keeps it (deSEC: "preserve",
 * Dynu: "no").
 *
 * provider = desec can delete (job->remove, a stale A behind CGNAT/DS-Lite):
 * deSEC's IP update API deletes the family's record when its parameter is
 * given empty ("myipv4=", desec.readthedocs.io dyndns/update-api), the other
 * family preserved. The generic dyndns2 protocol has no deletion.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"
#include "ddns/dyndns2.h"

/*
 * Servers and paths as the services document them (tests/fixtures/ddns/README.md
 * names the sources). v4_only where the service takes no AAAA through
 * /nic/update, or where an update of one family clears the other (INWX).
 */
static const struct he_dyndns2_preset presets[] = {
    {"dyn", "members.dyndns.org", "myip", "myip", NULL, false, "Dyn (Oracle)"},
    {"noip", "dynupdate.no-ip.com", "myip", "myip", NULL, false, "No-IP"},
    {"dynu", "api.dynu.com", "myip", "myipv6", "no", false, "Dynu"},
    {"selfhost", "carol.selfhost.de", "myip", "myip", NULL, false, "selfHOST"},
    {"strato", "dyndns.strato.com", "myip", "myip", NULL, false, "STRATO"},
    {"freedns", "freedns.afraid.org", "myip", "myip", NULL, false, "FreeDNS (afraid.org)"},
    {"desec", "update.dedyn.io", "myipv4", "myipv6", "preserve", false, "deSEC"},
    {"ovh", "https://www.ovh.com/nic/update?system=dyndns", "myip", "myip", NULL, false,
     "OVH DynHost"},
    {"he", "dyn.dns.he.net", "myip", "myip", NULL, false, "Hurricane Electric (dns.he.net)"},
    {"inwx", "dyndns.inwx.com", "myip", "myipv6", NULL, true, "INWX"},
    {"all-inkl", "https://dyndns.kasserver.com/?", "myip", "myip", NULL, true,
     "ALL-INKL.COM (KAS)"},
    {"infomaniak", "infomaniak.com", "myip", "myip", NULL, false, "Infomaniak"},
    {"ipv64", "ipv64.net", "myip", "myipv6", NULL, false, "IPv64.net"},
    {"spdyn", "update.spdyn.de", "myip", "myip", NULL, false, "spDYN (Securepoint)"},
    {"loopia", "https://dns.loopia.se/XDynDNSServer/XDynDNS.php", "myip", "myip", NULL, true,
     "Loopia"},
    {"dnsomatic", "updates.dnsomatic.com", "myip", "myip", NULL, true, "DNS-O-Matic"},
    {"opendns", "updates.opendns.com", "myip", "myip", NULL, true, "OpenDNS"},
    {"changeip", "nic.changeip.com", "myip", "myip", NULL, true, "ChangeIP"},
    {"dyfi", "www.dy.fi", "myip", "myip", NULL, true, "dy.fi"},
    {"joker", "svc.joker.com", "myip", "myip", NULL, true, "Joker.com"},
    {"schokokeks", "dyndns.schokokeks.org", "myip", "myip", NULL, true, "schokokeks.org"},
    {"variomedia", "dyndns.variomedia.de", "myip", "myip", NULL, true, "Variomedia"},
    {"udmedia", "www.udmedia.de", "myip", "myip", NULL, true, "udmedia"},
    {"dyndns-it", "update.dyndns.it", "myip", "myip", NULL, true, "DynDNS.it"},
    {"simply", "ddns.simply.com", "myip", "myip", NULL, true, "Simply.com"},
    {"do-de", "ddns.do.de", "myip", "myip", NULL, true, "Domain-Offensive (do.de)"},
    {"3322", "https://members.3322.org/dyndns/update", "myip", "myip", NULL, true,
     "3322.org (pubyun)"},
    {"tunnelbroker", "ipv4.tunnelbroker.net", "myip", "myip", NULL, true,
     "Hurricane Electric tunnel endpoint"},
    {"nsupdate-info", "ipv4.nsupdate.info", "myip", "myip", NULL, true, "nsupdate.info"},
    {"custom", NULL, "myip", "myip", NULL, false, "any dyndns2 server ('server')"},
};

const struct he_dyndns2_preset *he_dyndns2_presets(size_t *n)
{
	*n = sizeof(presets) / sizeof(presets[0]);
	return presets;
}

const struct he_dyndns2_preset *he_dyndns2_preset_by_server(const char *host)
{
	char want[HE_URL_MAX + 16], have[HE_URL_MAX + 16];

	if (!host || !*host)
		return NULL;
	he_ddns_base_url(host, host, want, sizeof(want));
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		size_t n;

		if (!presets[i].server)
			continue;
		he_ddns_base_url(presets[i].server, NULL, have, sizeof(have));
		/* Compare scheme://host: a server setting rarely names the path. */
		n = strcspn(strstr(have, "://") + 3, "/?") +
		    (size_t)(strstr(have, "://") + 3 - have);
		if (!strncmp(want, have, n) &&
		    (want[n] == '\0' || want[n] == '/' || want[n] == '?'))
			return &presets[i];
	}
	return NULL;
}

const struct he_dyndns2_preset *he_dyndns2_preset(const char *name)
{
	for (size_t i = 0; name && i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	return NULL;
}

static const struct {
	const char *code;
	const char *why;
} fatal_codes[] = {
    {"badauth", "the username or password is wrong: fix 'username' or the password file"},
    {"!donator", "this update needs a paid account at the provider"},
    {"notfqdn", "'hostname' is not a fully qualified domain name"},
    {"nohost", "'hostname' does not exist in this account: create it at the provider or fix it"},
    {"numhost", "too many hosts in one request"},
    {"abuse", "the provider blocked this hostname for abuse: resolve it with the provider"},
    {"badagent", "the provider refused this client (user agent or request method)"},
    {"!yours", "'hostname' belongs to another account"},
    {"!active", "'hostname' is not active at the provider"},
    {"badsys", "the provider refused the system parameter"},
};

int he_dyndns2_parse(long status, const char *body, size_t len, struct he_ddns_answer *ans)
{
	char first[96];
	size_t i = 0, n = 0;

	if (he_ddns_http_status_outcome(status, ans) && status != 401 && status != 403)
		return HE_DDNS_DONE;
	/* First word of the first non-blank line. */
	while (body && i < len &&
	       (body[i] == ' ' || body[i] == '\r' || body[i] == '\n' || body[i] == '\t'))
		i++;
	while (body && i < len && n + 1 < sizeof(first) && body[i] != ' ' && body[i] != '\r' &&
	       body[i] != '\n' && body[i] != '\t' && body[i] != '\0')
		first[n++] = body[i++];
	first[n] = '\0';

	if (!strcmp(first, "good"))
		return he_ddns_answer(ans, HE_DDNS_GOOD, "good", "the provider updated the record");
	if (!strcmp(first, "nochg"))
		return he_ddns_answer(ans, HE_DDNS_NOCHG, "nochg",
				      "the provider already had this address");
	for (size_t k = 0; k < sizeof(fatal_codes) / sizeof(fatal_codes[0]); k++)
		if (!strcmp(first, fatal_codes[k].code))
			return he_ddns_answer(ans, HE_DDNS_FATAL, fatal_codes[k].code,
					      "%s: %s; the record stays disabled until its "
					      "configuration changes or 'ddns update --force'",
					      fatal_codes[k].code, fatal_codes[k].why);
	if (!strcmp(first, "911") || !strcmp(first, "dnserr"))
		return he_ddns_answer(ans, HE_DDNS_RETRY_LATER, first,
				      "%s: the provider has a problem on its side; not asking "
				      "again for 30 minutes",
				      first);
	if (status == 401 || status == 403)
		return he_ddns_answer(
		    ans, HE_DDNS_FATAL, "badauth",
		    "badauth: the provider refused the credentials (HTTP %ld): fix "
		    "'username' or the password file; the record stays disabled "
		    "until its configuration changes or 'ddns update --force'",
		    status);
	if (status == 404)
		return he_ddns_answer(ans, HE_DDNS_FATAL, "http 404",
				      "the server has no /nic/update (HTTP 404): check 'server' "
				      "or 'preset'");
	{
		char snip[80], code[32];

		he_ddns_snippet(body, len, snip, sizeof(snip));
		snprintf(code, sizeof(code), "http %ld", status);
		return he_ddns_answer(ans, HE_DDNS_TRANSIENT, status == 200 ? "unexpected" : code,
				      "unexpected reply (HTTP %ld): '%s'; will try again later",
				      status, snip);
	}
}

static int check(const struct he_ddns_record *rec, struct he_error *err)
{
	const struct he_dyndns2_preset *p =
	    he_dyndns2_preset(*rec->preset ? rec->preset : "custom");

	if (!p)
		return he_error_set(err, -EINVAL, "[ddns %s]: unknown preset '%s'", rec->name,
				    rec->preset);
	if (!p->server && !*rec->server)
		return he_error_set(err, -EINVAL, "[ddns %s]: dyndns2 needs 'server' or a 'preset'",
				    rec->name);
	if (p->v4_only && (he_ddns_families(rec) & 2))
		return he_error_set(err, -EINVAL,
				    "[ddns %s]: preset %s takes IPv4 only: set 'families = A'",
				    rec->name, p->name);
	return 0;
}

static int build(struct he_ddns_job *job, const struct he_dyndns2_preset *p,
		 struct he_http_req *req, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	bool v6 = job->family == AF_INET6;
	char base[HE_URL_MAX + 16];
	int rc = 0;

	he_ddns_base_url(rec->server, p->server, base, sizeof(base));
	req->method = "GET";
	req->url[0] = '\0';
	rc |= he_ddns_append(req->url, sizeof(req->url), base);
	/* A server given as a full URL with a path keeps its path. */
	if (!strstr(strstr(base, "://") + 3, "/"))
		rc |= he_ddns_append(req->url, sizeof(req->url), "/nic/update");
	if (!strchr(base, '?'))
		rc |= he_ddns_append(req->url, sizeof(req->url), "?");
	else if (base[strlen(base) - 1] != '?')
		rc |= he_ddns_append(req->url, sizeof(req->url), "&");
	rc |= he_ddns_append(req->url, sizeof(req->url), "hostname=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), rec->hostname);
	rc |= he_ddns_append(req->url, sizeof(req->url), "&");
	rc |= he_ddns_append(req->url, sizeof(req->url), v6 ? p->v6_param : p->v4_param);
	rc |= he_ddns_append(req->url, sizeof(req->url), "=");
	rc |= he_ddns_urlenc_append(req->url, sizeof(req->url), job->remove ? "" : job->addr);
	if (p->keep && strcmp(p->v4_param, p->v6_param)) {
		rc |= he_ddns_append(req->url, sizeof(req->url), "&");
		rc |= he_ddns_append(req->url, sizeof(req->url), v6 ? p->v4_param : p->v6_param);
		rc |= he_ddns_append(req->url, sizeof(req->url), "=");
		rc |= he_ddns_append(req->url, sizeof(req->url), p->keep);
	}
	if (rc)
		return he_error_set(err, -ENAMETOOLONG, "[ddns %s]: the update URL is too long",
				    rec->name);
	req->user = (job->user && *job->user) ? job->user : rec->hostname;
	req->password = job->secret;
	req->ca_file = rec->ca_file;
	return HE_DDNS_SEND;
}

static int step_preset(struct he_ddns_job *job, const struct he_dyndns2_preset *p,
		       const struct he_http_resp *resp, struct he_http_req *req,
		       struct he_ddns_answer *ans, struct he_error *err)
{
	if (!resp) {
		if (!p)
			return he_error_set(err, -EINVAL, "[ddns %s]: unknown preset '%s'",
					    job->rec->name, job->rec->preset);
		return build(job, p, req, err);
	}
	he_dyndns2_parse(resp->status, resp->body, resp->len, ans);
	if (job->remove && (ans->outcome == HE_DDNS_GOOD || ans->outcome == HE_DDNS_NOCHG))
		he_ddns_answer(ans, HE_DDNS_GOOD, "deleted", "the provider deleted the %s record",
			       job->family == AF_INET6 ? "AAAA" : "A");
	return he_ddns_answer_redact(ans, job->secret);
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const char *name = *job->rec->preset ? job->rec->preset : "custom";

	return step_preset(job, he_dyndns2_preset(name), resp, req, ans, err);
}

/* provider = desec: dyndns2 with the deSEC preset whatever 'preset' says. */
static int step_desec(struct he_ddns_job *job, const struct he_http_resp *resp,
		      struct he_http_req *req, struct he_ddns_answer *ans, struct he_error *err)
{
	return step_preset(job, he_dyndns2_preset("desec"), resp, req, ans, err);
}

static int check_desec(const struct he_ddns_record *rec, struct he_error *err)
{
	return 0;
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the name kept current"},
    {"preset", 0, "the service (see the presets below); 'custom' or none: set 'server'"},
    {"server", 0, "the update server, host or https:// URL (default: the preset's)"},
    {"username", 0, "the account's user name (default: hostname)"},
    {"password-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the account's password or the host's update key"},
    {NULL, 0, NULL},
};

static const struct he_ddns_key desec_keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the name kept current: home.dedyn.io"},
    {"username", 0, "the domain (default: hostname)"},
    {"password-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET, "the deSEC token"},
    {"server", 0, "the update server (default update.dedyn.io)"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_dyndns2 = {
    .name = "dyndns2",
    .title = "dyndns2 protocol (/nic/update) and its presets",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .check = check,
    .step = step,
    .secret_key = "password-file",
};

const struct he_ddns_provider he_ddns_desec = {
    .name = "desec",
    .title = "deSEC (dedyn.io)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = desec_keys,
    .check = check_desec,
    .step = step_desec,
    .secret_key = "password-file",
    .can_remove = true,
};
