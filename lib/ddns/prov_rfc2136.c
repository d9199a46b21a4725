/* SPDX-License-Identifier: MIT */
/*
 * prov_rfc2136.c - the rfc2136 provider: a thin adapter from the engine's job
 * to he_rfc2136_update() (rfc2136.c), and from its result to an outcome.
 * Settings: server (ADDR[:PORT] or host; empty: the zone's primary from its
 * SOA), zone, hostname, tsig-key-file (BIND, Knot or one-line form).
 * job->remove deletes the name's RRset of the family (a stale A behind
 * CGNAT/DS-Lite); DNS UPDATE cannot tell whether there was one, so a
 * success is "deleted" either way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ddns/ddns_internal.h"
#include "ddns/rfc2136.h"

static enum he_ddns_outcome outcome_of(int rc, const struct he_rfc2136_result *res)
{
	if (rc == 0)
		return HE_DDNS_GOOD;
	/* only a TSIG-verified error answer (or a local error) is final */
	if (res->permanent || rc == -EINVAL)
		return HE_DDNS_FATAL;
	return HE_DDNS_TRANSIENT; /* unsigned or unverified errors, SERVFAIL, BADTIME, no reply */
}

static int update(struct he_ddns_job *job, struct he_ddns_answer *ans, struct he_error *err)
{
	const struct he_ddns_record *rec = job->rec;
	struct he_tsig_key key;
	struct he_rfc2136_result res = {.rcode = -1};
	struct he_error e = {0};
	char code[32], rname[24];
	int rc;

	if (he_tsig_key_parse(job->secret ? job->secret : "", job->secret ? strlen(job->secret) : 0,
			      &key, &e) < 0) {
		he_tsig_key_wipe(&key);
		he_ddns_answer(ans, HE_DDNS_FATAL, "badkey",
			       "tsig-key-file: %.300s; fix the key file", e.msg);
		return 0;
	}
	struct he_rfc2136_req req = {
	    .server = rec->server,
	    .zone = rec->zone,
	    .name = rec->hostname,
	    .family = job->family,
	    .address = job->addr,
	    .key = &key,
	    .remove = job->remove,
	};
	rc = he_rfc2136_update(&req, &res, &e);
	he_tsig_key_wipe(&key);
	if (rc == 0 && job->remove) {
		he_ddns_answer(ans, HE_DDNS_GOOD, "deleted", "%s deleted every %s record of %s",
			       *res.server ? res.server : "the DNS server",
			       job->family == AF_INET6 ? "AAAA" : "A", rec->hostname);
		return 0;
	}
	if (rc == 0) {
		he_ddns_answer(ans, HE_DDNS_GOOD, "good", "%s accepted the update",
			       *res.server ? res.server : "the DNS server");
		return 0;
	}
	if (res.rcode >= 0)
		snprintf(code, sizeof(code), "%s",
			 he_rfc2136_rcode_name(res.rcode, rname, sizeof(rname)));
	else
		snprintf(code, sizeof(code), "%s", rc == -ETIMEDOUT ? "timeout" : "no reply");
	he_ddns_answer(ans, outcome_of(rc, &res), code, "%.360s", e.msg);
	(void)err;
	return 0;
}

static const struct he_ddns_key keys[] = {
    {"hostname", HE_DDNS_KEY_REQUIRED, "the record's name: home.example.com"},
    {"zone", HE_DDNS_KEY_REQUIRED, "the zone the server is primary for"},
    {"server", HE_DDNS_KEY_REQUIRED, "the primary server, ADDR[:PORT] or a host name"},
    {"tsig-key-file", HE_DDNS_KEY_REQUIRED | HE_DDNS_KEY_SECRET,
     "the TSIG key (BIND, Knot or one-line NAME ALG SECRET form)"},
    {NULL, 0, NULL},
};

const struct he_ddns_provider he_ddns_rfc2136 = {
    .name = "rfc2136",
    .title = "RFC 2136 dynamic update with TSIG (BIND, Knot, PowerDNS ...)",
    .families = HE_DDNS_FAM_A | HE_DDNS_FAM_AAAA,
    .keys = keys,
    .check = NULL,
    .step = NULL,
    .update = update,
    .secret_key = "tsig-key-file",
    .can_remove = true,
};
