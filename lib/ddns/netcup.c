/* SPDX-License-Identifier: MIT */
/*
 * netcup.c - the netcup CCP DNS API (JSON over one endpoint, a session):
 *
 *   POST BASE {"action": "login", "param": {customernumber, apikey, apipassword}}
 *        -> responsedata.apisessionid
 *   POST BASE {"action": "infoDnsRecords", "param": {domainname, ... session}}
 *        -> responsedata.dnsrecords [{id, hostname, type, priority, destination}]
 *   POST BASE {"action": "updateDnsRecords", ... "dnsrecordset": {"dnsrecords":
 *        [{id, hostname, type, priority, destination: ADDR, deleterecord false}]}}
 *        (no id: the record is created)
 *   POST BASE {"action": "logout", ...}   after a success or nochg
 *
 * BASE is https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON.
 * 'username' is the customer number, the password file holds
 * "APIKEY:APIPASSWORD". Replies are {"status": "success"|"error",
 * "statuscode", "shortmessage", "longmessage", "responsedata"}; a failed
 * login is fatal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"

#define NC_API "https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON"
#define NC_FIX                                                                                     \
	"'username' is the customer number and the password file holds APIKEY:APIPASSWORD "        \
	"(CCP > Master Data > API)"

enum { NC_LOGIN = 1, NC_INFO, NC_UPDATE, NC_LOGOUT };
/* job->ttl carries what to answer after the logout. */
enum { NC_DONE_NOCHG = 1, NC_DONE_GOOD, NC_DONE_CREATED };

/* responsedata of a success reply; NULL (ans filled) otherwise. *docp owns the reply. */
static json_t *nc_parse(const struct he_http_resp *resp, const char *what, bool login,
			json_t **docp, struct he_ddns_answer *ans)
{
	json_t *doc = he_ddns_json_reply(resp);
	const char *st = json_string_value(json_object_get(doc, "status"));
	const char *lm = json_string_value(json_object_get(doc, "longmessage"));
	const char *sm = json_string_value(json_object_get(doc, "shortmessage"));
	struct he_http_resp r = *resp;

	*docp = doc;
	if (resp->status == 200 && st && !strcmp(st, "success")) /* never NULL on success */
		return json_object_get(doc, "responsedata") ? json_object_get(doc, "responsedata")
							    : doc;
	if (login && resp->status == 200 && st)
		r.status = 401; /* the login failed: wrong customer number, key or password */
	he_ddns_api_fail(&r, "netcup", what, lm && *lm ? lm : sm, NC_FIX, ans);
	return NULL;
}

static json_t *nc_param(const struct he_ddns_job *job)
{
	return json_pack("{s:s, s:s, s:s}", "customernumber", job->user ? job->user : "", "apikey",
			 "", "apisessionid", job->scratch);
}

static int nc_body(struct he_http_req *req, const char *action, json_t *param, const char *key)
{
	if (param)
		json_object_set_new(param, "apikey", json_string(key));
	return he_ddns_json_body(
	    req, param ? json_pack("{s:s, s:o}", "action", action, "param", param) : NULL);
}

static int step(struct he_ddns_job *job, const struct he_http_resp *resp, struct he_http_req *req,
		struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	const char *type = job->family == AF_INET6 ? "AAAA" : "A";
	char zone[HE_HOST_MAX], host[HE_HOST_MAX], key[128] = "", pw[128] = "";
	json_t *doc = NULL, *data, *r, *found = NULL, *param;
	int rc = 0, ret = HE_DDNS_SEND;

	he_ddns_zone(rec, zone, sizeof(zone));
	he_ddns_relname(rec, zone, "@", host, sizeof(host));
	req->method = "POST";
	req->ca_file = rec->ca_file;
	if (*rec->server && !strstr(rec->server, "://"))
		rc = he_ddns_urlf(req, "https://%s", rec->server);
	else
		rc = he_ddns_urlf(req, "%s", *rec->server ? rec->server : NC_API);
	if (!rc)
		rc = he_ddns_secret_pair(job->secret, key, sizeof(key), pw, sizeof(pw));
	if (!resp) {
		if (!job->user || !*job->user)
			return he_error_set(err, -EINVAL,
					    "[ddns %s]: netcup needs 'username' (the customer "
					    "number)",
					    rec->name);
		job->step = NC_LOGIN;
		rc = rc ? rc
			: he_ddns_json_body(req,
					    json_pack("{s:s, s:{s:s, s:s, s:s}}", "action", "login",
						      "param", "customernumber", job->user,
						      "apikey", key, "apipassword", pw));
		goto out;
	}
	switch (job->step) {
	case NC_LOGIN:
		data = nc_parse(resp, "the login", true, &doc, ans);
		if (!data) {
			ret = HE_DDNS_DONE;
			break;
		}
		snprintf(job->scratch, sizeof(job->scratch), "%s",
			 json_is_string(json_object_get(data, "apisessionid"))
			     ? json_string_value(json_object_get(data, "apisessionid"))
			     : "");
		if (!*job->scratch) {
			ret = he_ddns_answer(ans, HE_DDNS_TRANSIENT, "unexpected",
					     "netcup's login reply has no session id");
			break;
		}
		job->step = NC_INFO;
		param = nc_param(job);
		if (param)
			json_object_set_new(param, "domainname", json_string(zone));
		rc = rc ? rc : nc_body(req, "infoDnsRecords", param, key);
		break;
	case NC_INFO:
		data = nc_parse(resp, "the record lookup", false, &doc, ans);
		/* 5029: the zone has no records yet */
		if (!data && json_integer_value(json_object_get(doc, "statuscode")) != 5029) {
			ret = HE_DDNS_DONE;
			break;
		}
		found =
		    he_ddns_json_find(json_object_get(data, "dnsrecords"), "hostname", host, type);
		if (found &&
		    he_ddns_same_addr(json_string_value(json_object_get(found, "destination")),
				      job->addr)) {
			job->ttl = NC_DONE_NOCHG;
			job->step = NC_LOGOUT;
			rc = rc ? rc : nc_body(req, "logout", nc_param(job), key);
			break;
		}
		r = json_pack("{s:s, s:s, s:s, s:s, s:b}", "hostname", host, "type", type,
			      "priority", "0", "destination", job->addr, "deleterecord", 0);
		if (r && found && json_is_string(json_object_get(found, "id")))
			json_object_set(r, "id", json_object_get(found, "id"));
		job->ttl = found ? NC_DONE_GOOD : NC_DONE_CREATED;
		job->step = NC_UPDATE;
		param = nc_param(job);
		if (param) {
			json_object_set_new(param, "domainname", json_string(zone));
			json_object_set_new(param, "dnsrecordset",
					    json_pack("{s:[o]}", "dnsrecords", r));
		} else {
			json_decref(r);
		}
		rc = rc ? rc : nc_body(req, "updateDnsRecords", param, key);
		break;
	case NC_UPDATE:
		data = nc_parse(resp, "the update", false, &doc, ans);
		if (!data) {
			ret = HE_DDNS_DONE;
			break;
		}
		job->step = NC_LOGOUT;
		rc = rc ? rc : nc_body(req, "logout", nc_param(job), key);
		break;
	case NC_LOGOUT: /* whatever the logout says: the session expires anyway */
		ret = job->ttl == NC_DONE_NOCHG
			  ? he_ddns_unchanged(ans, type, job->addr)
			  : he_ddns_written(ans, job->ttl == NC_DONE_CREATED, type, job->addr);
		break;
	default:
		ret = he_error_set(err, -EINVAL, "netcup: step %d out of order", job->step);
		break;
	}
out:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(pw, sizeof(pw));
	json_decref(doc);
	return he_ddns_step_end(job, ret, rc, "netcup", ans, err);
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", 0, "the domain (default: the last two labels of hostname)"},
    {"username", HE_DDNS_KEY_REQUIRED, "the netcup customer number"},
    {"password-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "APIKEY:APIPASSWORD (CCP > Master Data > API)"},
    {"server", 0, "the endpoint URL (default " NC_API ")"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_netcup = {
    .name = "netcup",
    .title = "netcup (CCP DNS API)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .step = step,
    .secret_key = "password-file",
};
