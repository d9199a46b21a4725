/* SPDX-License-Identifier: MIT */
/*
 * verify.c - verify = yes: after an accepted update, does the zone's
 * authoritative servers' answer match? (he_ddns_verify, ddns.h). The engine
 * stores the verdict per record and family for `ddns status`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ddns/ddns.h"
#include "ddns/rfc2136.h"

#define VERIFY_QUERY_MS 2000

/* One pass over the servers: 1 all agree, 0 a mismatch, -1 a server did not answer. */
static int verify_pass(const struct he_rfc2136_names *sv, const struct he_ddns_record *rec,
		       int family, const char *addr, he_ddns_query_fn query, char *out,
		       size_t outsz)
{
	int verdict = 1;

	for (size_t i = 0; i < sv->n; i++) {
		struct he_rfc2136_addrs a = {0};
		struct he_error e = {0};
		char got[256] = "";
		bool match = false;

		if (query(sv->name[i], rec->hostname, family, VERIFY_QUERY_MS, &a, &e) < 0) {
			if (verdict == 1)
				snprintf(out, outsz, "UNVERIFIED: %.60s: %.300s", sv->name[i],
					 e.msg);
			verdict = verdict == 0 ? 0 : -1;
			continue;
		}
		for (size_t k = 0; k < a.n; k++) {
			match |= !strcmp(a.addr[k], addr);
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "",
				 a.addr[k]);
		}
		if (!match) {
			snprintf(out, outsz, "MISMATCH: server %.60s answers %.200s (expected %s)",
				 sv->name[i], a.n ? got : "no record", addr);
			verdict = 0;
		}
	}
	return verdict;
}

int he_ddns_verify(const struct he_ddns_record *rec, int family, const char *addr,
		   const struct he_ddns_opts *opts, char *out, size_t outsz)
{
	he_ddns_query_fn query = opts->query ? opts->query : he_rfc2136_query;
	unsigned tries = rec->verify_tries ? rec->verify_tries : 3;
	unsigned pause = opts->verify_pause_ms ? opts->verify_pause_ms : 1000;
	struct he_rfc2136_names sv = {0};
	struct he_error e = {0};
	int v = -1;

	if (*rec->verify_server) {
		sv.n = 1;
		snprintf(sv.name[0], sizeof(sv.name[0]), "%s", rec->verify_server);
	} else {
		const char *dot = strchr(rec->hostname, '.');
		const char *zone = *rec->zone ? rec->zone : dot ? dot + 1 : rec->hostname;

		if (he_rfc2136_zone_ns(zone, VERIFY_QUERY_MS, &sv, &e) < 0) {
			snprintf(out, outsz, "UNVERIFIED: %.360s", e.msg);
			return 0;
		}
	}
	for (unsigned t = 0; t < tries; t++) {
		if (t) {
			struct timespec ts = {pause / 1000, (long)(pause % 1000) * 1000000L};

			nanosleep(&ts, NULL);
		}
		v = verify_pass(&sv, rec, family, addr, query, out, outsz);
		if (v == 1)
			break;
	}
	if (v == 1) {
		int len = snprintf(out, outsz, "verified by");

		for (size_t i = 0; i < sv.n && len > 0 && (size_t)len < outsz; i++)
			len += snprintf(out + len, outsz - (size_t)len, "%s %s", i ? "," : "",
					sv.name[i]);
	}
	return v == 1;
}
