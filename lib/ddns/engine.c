/* SPDX-License-Identifier: MIT */
/*
 * engine.c - when to talk to a provider, and what to remember afterwards.
 *
 * State, section "ddns" of the runtime state, one object per record:
 *   { "config": HASH, "disabled": WHY, "disabled_at": T,
 *     "A":    { "accepted": ADDR, "accepted_at": T, "last": CODE,
 *               "last_message": TEXT, "last_at": T, "next": T, "failures": N },
 *     "AAAA": { ... } }
 * A record whose configuration hash differs from "config" starts afresh.
 * Behind CGNAT/DS-Lite the "A" object also holds "withheld" (why the A is
 * not published), "removed_at" (when the old A was deleted at the provider)
 * and "stale" (an old A the provider cannot delete).
 * Key "@public" (not a record name: names cannot start with '@') holds the
 * public-address verdict of the last run: { "nat", "router_wan", "v4",
 * "v6", "verdict", "at" }.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config/secret.h"
#include "ddns/ddns_internal.h"
#include "ddns/ddns.h"
#include "publicip/publicip.h"
#include "state/state.h"
#include "core/jsonvocab.h"
#include "core/portspec.h"

unsigned he_ddns_families(const struct he_ddns_record *rec)
{
	unsigned f = 0;
	char words[sizeof(rec->families)], *save = NULL;

	snprintf(words, sizeof(words), "%s", rec->families);
	for (char *w = strtok_r(words, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (!strcasecmp(w, "A"))
			f |= 1;
		else if (!strcasecmp(w, "AAAA"))
			f |= 2;
	}
	return f ? f : 3;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s, strlen(s) + 1);
}

static uint64_t fnv_file(uint64_t h, const char *path)
{
	struct stat sb;
	long long v[4];

	if (!*path || strncmp(path, "credential:", 11) == 0 || stat(path, &sb) < 0)
		return h;
	v[0] = (long long)sb.st_ino;
	v[1] = (long long)sb.st_size;
	v[2] = (long long)sb.st_mtim.tv_sec;
	v[3] = (long long)sb.st_mtim.tv_nsec;
	return fnv(h, v, sizeof(v));
}

void he_ddns_config_hash(const struct he_ddns_record *rec, char *out, size_t outsz)
{
	uint64_t h = 14695981039346656037ULL;

	h = fnv_str(h, rec->provider);
	h = fnv_str(h, rec->preset);
	h = fnv_str(h, rec->hostname);
	h = fnv_str(h, rec->families);
	h = fnv_str(h, rec->server);
	h = fnv_str(h, rec->username);
	h = fnv_str(h, rec->password_file);
	h = fnv_str(h, rec->token_file);
	h = fnv_str(h, rec->zone);
	h = fnv_str(h, rec->tsig_key_file);
	h = fnv_str(h, rec->ca_file);
	/* A rewritten secret file counts as a configuration change. */
	h = fnv_file(h, rec->password_file);
	h = fnv_file(h, rec->token_file);
	h = fnv_file(h, rec->tsig_key_file);
	snprintf(out, outsz, "%016llx", (unsigned long long)h);
}

static json_t *obj_child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static time_t jtime(json_t *o, const char *key)
{
	return (time_t)json_integer_value(json_object_get(o, key));
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v));
}

static void set_time(json_t *o, const char *key, time_t t)
{
	json_object_set_new(o, key, json_integer((json_int_t)t));
}

/* The record's state object, reset when its configuration changed. */
static json_t *record_state(json_t *sec, const struct he_ddns_record *rec)
{
	char hash[32];
	json_t *r = obj_child(sec, rec->name);

	he_ddns_config_hash(rec, hash, sizeof(hash));
	if (strcmp(jstr(r, "config"), hash) != 0) {
		json_object_clear(r);
		set_str(r, "config", hash);
	}
	return r;
}

/* Back-off after n consecutive transient failures: 1 min doubling to 1 h, equal jitter. */
static unsigned backoff(const char *name, int family, time_t now, unsigned n)
{
	unsigned d = HE_DDNS_BACKOFF_MIN;
	uint64_t h = 14695981039346656037ULL;

	for (unsigned i = 1; i < n && d < HE_DDNS_BACKOFF_MAX; i++)
		d *= 2;
	if (d > HE_DDNS_BACKOFF_MAX)
		d = HE_DDNS_BACKOFF_MAX;
	h = fnv_str(h, name);
	h = fnv(h, &family, sizeof(family));
	h = fnv(h, &now, sizeof(now));
	h = fnv(h, &n, sizeof(n));
	return d / 2 + (unsigned)(h % (d / 2 + 1));
}

bool he_ddns_result_failed(const struct he_ddns_result *r)
{
	switch (r->action) {
	case HE_DDNS_SENT:
		return r->answer.outcome != HE_DDNS_GOOD && r->answer.outcome != HE_DDNS_NOCHG;
	case HE_DDNS_UNCHANGED:
	case HE_DDNS_WITHHELD:
		return false;
	case HE_DDNS_WAITING:
	case HE_DDNS_DISABLED:
	case HE_DDNS_NO_ADDRESS:
	case HE_DDNS_ERROR:
		return true;
	}
	return true;
}

/* Run one provider conversation to its end. */
static void converse(const struct he_ddns_provider *p, struct he_ddns_job *job,
		     const struct he_ddns_transport *t, struct he_ddns_result *res)
{
	struct he_http_resp resp = {0};
	struct he_error err = {0};
	int rc;

	if (p->update) {
		rc = p->update(job, &res->answer, &err);
		he_ddns_answer_redact(&res->answer, job->secret);
		if (rc < 0) {
			res->action = HE_DDNS_ERROR;
			snprintf(res->message, sizeof(res->message), "%s", err.msg);
		}
		return;
	}

	for (int round = 0; round < 8; round++) {
		struct he_http_req req = {0};

		rc = p->step(job, round ? &resp : NULL, &req, &res->answer, &err);
		he_ddns_answer_redact(&res->answer, job->secret);
		he_http_resp_free(&resp);
		memset(&resp, 0, sizeof(resp));
		if (rc == HE_DDNS_DONE)
			return;
		if (rc < 0) {
			res->action = HE_DDNS_ERROR;
			snprintf(res->message, sizeof(res->message), "%s", err.msg);
			return;
		}
		rc = t->send(t->ctx, &req, &resp, &err);
		explicit_bzero(&req, sizeof(req));
		if (rc < 0) {
			res->answer.outcome = HE_DDNS_TRANSIENT;
			snprintf(res->answer.code, sizeof(res->answer.code), "%s",
				 rc == -ETIMEDOUT ? "timeout" : "no reply");
			snprintf(res->answer.message, sizeof(res->answer.message), "%.380s",
				 err.msg);
			return;
		}
	}
	he_http_resp_free(&resp);
	res->answer.outcome = HE_DDNS_TRANSIENT;
	snprintf(res->answer.code, sizeof(res->answer.code), "loop");
	snprintf(res->answer.message, sizeof(res->answer.message),
		 "the provider conversation did not end");
}

static void remember(json_t *rs, json_t *fs, const struct he_ddns_result *res, time_t now)
{
	const struct he_ddns_answer *a = &res->answer;
	unsigned n;

	set_str(fs, "last", a->code);
	set_str(fs, "last_message", a->message);
	set_time(fs, "last_at", now);
	switch (a->outcome) {
	case HE_DDNS_GOOD:
	case HE_DDNS_NOCHG:
		set_str(fs, "accepted", res->addr);
		set_time(fs, "accepted_at", now);
		json_object_del(fs, "next");
		json_object_del(fs, "failures");
		break;
	case HE_DDNS_FATAL:
		set_str(rs, "disabled", a->message);
		set_time(rs, "disabled_at", now);
		json_object_del(fs, "next");
		break;
	case HE_DDNS_RETRY_LATER:
		set_time(fs, "next",
			 now + (a->retry_after > HE_DDNS_WAIT_SECS ? a->retry_after
								   : HE_DDNS_WAIT_SECS));
		break;
	case HE_DDNS_TRANSIENT:
	case HE_DDNS_NONE:
		n = (unsigned)json_integer_value(json_object_get(fs, "failures")) + 1;
		json_object_set_new(fs, "failures", json_integer(n));
		set_time(fs, "next", now + backoff(res->record, res->family, now, n));
		break;
	}
}

/* The record's secret, read once per record (*tried); NULL with err set when unreadable. */
struct secret_once {
	char *text;
	size_t len;
	bool tried;
	struct he_error err;
};

static const char *secret_get(const struct he_ddns_provider *p, const struct he_ddns_record *rec,
			      struct secret_once *s)
{
	const char *path = !strcmp(p->secret_key, "token-file")      ? rec->token_file
			   : !strcmp(p->secret_key, "tsig-key-file") ? rec->tsig_key_file
								     : rec->password_file;

	if (!s->tried) {
		s->tried = true;
		if (!*path)
			he_error_set(&s->err, -EINVAL, "[ddns %s]: %s is not set", rec->name,
				     p->secret_key);
		else
			he_secret_read(path, &s->text, &s->len, &s->err);
	}
	return s->text;
}

/* Not before the family's next attempt (911 wait, back-off; --force clears it): res says so. */
static bool waiting(json_t *fs, const struct he_ddns_opts *opts, const char *until,
		    struct he_ddns_result *res)
{
	if (opts->force)
		json_object_del(fs, "next");
	if (jtime(fs, "next") <= opts->now)
		return false;
	res->action = HE_DDNS_WAITING;
	res->next_attempt = jtime(fs, "next");
	snprintf(res->message, sizeof(res->message), "waiting after '%s' %s: %s", jstr(fs, "last"),
		 until, jstr(fs, "last_message"));
	return true;
}

static void forget_withheld(json_t *fs)
{
	json_object_del(fs, "withheld");
	json_object_del(fs, "removed_at");
	json_object_del(fs, "stale");
}

/*
 * The A record is withheld (why): delete the one published before where the
 * provider can (once; again with --force), flag it where it cannot.
 */
static void run_withheld(const struct he_ddns_provider *p, const struct he_ddns_record *rec,
			 json_t *rs, json_t *fs, const char *why, const struct he_ddns_opts *opts,
			 struct secret_once *sec, struct he_ddns_result *res)
{
	char old[HE_DDNS_ADDR_MAX];
	time_t now = opts->now;

	snprintf(old, sizeof(old), "%s", jstr(fs, "accepted"));
	res->action = HE_DDNS_WITHHELD;
	res->addr[0] = '\0';
	set_str(fs, "withheld", why);
	if (!p->can_remove) {
		if (*old) {
			char stale[384];

			snprintf(stale, sizeof(stale),
				 "the A record may still hold %s from an earlier update, and "
				 "provider %s cannot delete records: remove it at the provider",
				 old, rec->provider);
			set_str(fs, "stale", stale);
			snprintf(res->message, sizeof(res->message), "%.400s; STALE: %.300s", why,
				 stale);
		} else {
			snprintf(res->message, sizeof(res->message), "%.700s", why);
		}
		return;
	}
	if (json_object_get(fs, "removed_at") && !*old && !opts->force) {
		snprintf(res->message, sizeof(res->message),
			 "%.700s (the old A record was deleted earlier)", why);
		return;
	}
	if (waiting(fs, opts, "before deleting the old A record", res))
		return;
	if (!secret_get(p, rec, sec)) {
		res->action = HE_DDNS_ERROR;
		snprintf(res->message, sizeof(res->message), "[ddns %.60s]: %.680s", rec->name,
			 sec->err.msg);
		return;
	}
	struct he_ddns_job job = {
	    .rec = rec,
	    .family = AF_INET,
	    .remove = true,
	    .user = rec->username,
	    .secret = sec->text,
	    .now = now,
	};
	res->action = HE_DDNS_SENT;
	converse(p, &job, opts->transport ? opts->transport : &he_ddns_curl_transport, res);
	explicit_bzero(&job, sizeof(job));
	if (res->action != HE_DDNS_SENT)
		return;
	remember(rs, fs, res, now);
	res->next_attempt = jtime(fs, "next");
	if (res->answer.outcome == HE_DDNS_GOOD || res->answer.outcome == HE_DDNS_NOCHG) {
		json_object_del(fs, "accepted");
		json_object_del(fs, "accepted_at");
		json_object_del(fs, "stale");
		set_time(fs, "removed_at", now);
		snprintf(res->message, sizeof(res->message), "%.400s; old A record: %.300s", why,
			 res->answer.message);
	} else {
		snprintf(res->message, sizeof(res->message),
			 "%.400s; deleting the old A record failed: %.300s", why,
			 res->answer.message);
	}
}

static void run_record(const struct he_ddns_record *rec, json_t *sec,
		       const struct he_pubip_report *report, const struct he_ddns_opts *opts,
		       struct he_ddns_result *results, size_t max, size_t *n)
{
	static const int fams[2] = {AF_INET, AF_INET6};
	const struct he_ddns_provider *p = he_ddns_provider_find(rec->provider);
	unsigned want = he_ddns_families(rec);
	json_t *rs = record_state(sec, rec);
	struct secret_once secret = {0};
	struct he_error err = {0};
	time_t now = opts->now;
	char why[HE_ERR_MSG_MAX];

	if (opts->force) {
		json_object_del(rs, "disabled");
		json_object_del(rs, "disabled_at");
	}
	for (int i = 0; i < 2 && *n < max; i++) {
		struct he_ddns_result *res;
		json_t *fs;
		const char *addr;

		if (!(want & (1u << i)))
			continue;
		res = &results[(*n)++];
		memset(res, 0, sizeof(*res));
		snprintf(res->record, sizeof(res->record), "%s", rec->name);
		res->family = fams[i];
		addr = report ? (i ? report->v6 : report->v4) : "";
		snprintf(res->addr, sizeof(res->addr), "%s", addr);
		fs = obj_child(rs, he_family_rr(fams[i]));

		if (!p) {
			res->action = HE_DDNS_ERROR;
			snprintf(res->message, sizeof(res->message),
				 "provider '%s' is not available in this build", rec->provider);
			continue;
		}
		if (p->families && !(p->families & (1u << i))) {
			res->action = HE_DDNS_ERROR;
			snprintf(res->message, sizeof(res->message),
				 "%s cannot update %s records: drop %s from 'families'", p->name,
				 he_family_rr(fams[i]), he_family_rr(fams[i]));
			continue;
		}
		if (json_is_string(json_object_get(rs, "disabled"))) {
			res->action = HE_DDNS_DISABLED;
			snprintf(res->message, sizeof(res->message), "disabled: %s",
				 jstr(rs, "disabled"));
			continue;
		}
		if (i == 0 && he_ddns_v4_withheld(rec, report, why, sizeof(why))) {
			run_withheld(p, rec, rs, fs, why, opts, &secret, res);
			continue;
		}
		if (i == 0)
			forget_withheld(fs);
		if (!*addr) {
			res->action = HE_DDNS_NO_ADDRESS;
			snprintf(res->message, sizeof(res->message),
				 "no trusted public %s address%s%.700s", i ? "IPv6" : "IPv4",
				 report && *report->verdict ? ": " : "",
				 report ? report->verdict : "");
			continue;
		}
		if (waiting(fs, opts, "until the next attempt", res))
			continue;
		if (!opts->force && !strcmp(jstr(fs, "accepted"), addr) &&
		    now - jtime(fs, "accepted_at") < (time_t)rec->refresh_days * 86400) {
			res->action = HE_DDNS_UNCHANGED;
			snprintf(res->message, sizeof(res->message),
				 "%s already accepted by the provider", addr);
			continue;
		}
		if (p->check && p->check(rec, &err) < 0) {
			res->action = HE_DDNS_ERROR;
			snprintf(res->message, sizeof(res->message), "%s", err.msg);
			continue;
		}
		if (!secret_get(p, rec, &secret)) {
			res->action = HE_DDNS_ERROR;
			snprintf(res->message, sizeof(res->message), "[ddns %.60s]: %.680s",
				 rec->name, secret.err.msg);
			continue;
		}

		struct he_ddns_job job = {
		    .rec = rec,
		    .family = fams[i],
		    .addr = addr,
		    .user = rec->username,
		    .secret = secret.text,
		    .now = now,
		};
		res->action = HE_DDNS_SENT;
		converse(p, &job, opts->transport ? opts->transport : &he_ddns_curl_transport, res);
		explicit_bzero(&job, sizeof(job));
		if (res->action != HE_DDNS_SENT)
			continue;
		remember(rs, fs, res, now);
		res->next_attempt = jtime(fs, "next");
		snprintf(res->message, sizeof(res->message), "%s %s: %s", he_family_rr(fams[i]),
			 addr, res->answer.message);
		if (rec->verify &&
		    (res->answer.outcome == HE_DDNS_GOOD || res->answer.outcome == HE_DDNS_NOCHG)) {
			char v[384];

			he_ddns_verify(rec, fams[i], addr, opts, v, sizeof(v));
			set_str(fs, "verify", v);
			set_time(fs, "verify_at", now);
			snprintf(res->message + strlen(res->message),
				 sizeof(res->message) - strlen(res->message), "; %s", v);
		}
	}
	he_secret_free(secret.text);
}

int he_ddns_run(const struct he_config *cfg, struct he_state *st,
		const struct he_pubip_report *report, const struct he_ddns_opts *opts,
		struct he_ddns_result *results, size_t max, size_t *n, struct he_error *err)
{
	json_t *sec = he_state_section(st, "ddns");
	bool found = false;

	*n = 0;
	if (!sec)
		return he_error_set(err, -ENOMEM, "cannot read the ddns state");
	if (report)
		json_object_set_new(sec, "@public",
				    json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "nat",
					      he_pubip_nat_name(report->nat), "router_wan",
					      report->router_wan, "v4", report->v4, "v6",
					      report->v6, "verdict", report->verdict, "at",
					      (json_int_t)opts->now));
	for (unsigned i = 0; i < cfg->nddns; i++) {
		if (opts->name && strcmp(opts->name, cfg->ddns[i].name) != 0)
			continue;
		found = true;
		run_record(&cfg->ddns[i], sec, report, opts, results, max, n);
	}
	if (opts->name && !found)
		return he_error_set(err, -ENOENT,
				    "no [ddns %s] section in the configuration (see 'ddns status')",
				    opts->name);
	return 0;
}

int he_ddns_status_get(const struct he_config *cfg, struct he_state *st, const char *name,
		       struct he_ddns_status *out, size_t max, size_t *n, struct he_error *err)
{
	json_t *sec = he_state_section(st, "ddns");
	bool found = false;

	*n = 0;
	for (unsigned i = 0; i < cfg->nddns; i++) {
		const struct he_ddns_record *rec = &cfg->ddns[i];
		unsigned want = he_ddns_families(rec);
		json_t *rs = json_object_get(sec, rec->name);
		char hash[32];
		bool changed;

		if (name && strcmp(name, rec->name) != 0)
			continue;
		found = true;
		he_ddns_config_hash(rec, hash, sizeof(hash));
		changed = rs && strcmp(jstr(rs, "config"), hash) != 0;
		for (int f = 0; f < 2 && *n < max; f++) {
			struct he_ddns_status *s;
			json_t *fs;

			if (!(want & (1u << f)))
				continue;
			s = &out[(*n)++];
			memset(s, 0, sizeof(*s));
			snprintf(s->record, sizeof(s->record), "%s", rec->name);
			snprintf(s->provider, sizeof(s->provider), "%s", rec->provider);
			snprintf(s->hostname, sizeof(s->hostname), "%s", rec->hostname);
			s->family = f ? AF_INET6 : AF_INET;
			s->config_changed = changed;
			if (!rs || changed)
				continue;
			fs = json_object_get(rs, f ? "AAAA" : "A");
			snprintf(s->accepted, sizeof(s->accepted), "%s", jstr(fs, "accepted"));
			s->accepted_at = jtime(fs, "accepted_at");
			snprintf(s->last_code, sizeof(s->last_code), "%s", jstr(fs, "last"));
			snprintf(s->last_message, sizeof(s->last_message), "%s",
				 jstr(fs, "last_message"));
			s->last_at = jtime(fs, "last_at");
			s->next_attempt = jtime(fs, "next");
			s->failures = (unsigned)json_integer_value(json_object_get(fs, "failures"));
			snprintf(s->disabled, sizeof(s->disabled), "%s", jstr(rs, "disabled"));
			snprintf(s->verify, sizeof(s->verify), "%s", jstr(fs, "verify"));
			s->verify_at = jtime(fs, "verify_at");
			snprintf(s->withheld, sizeof(s->withheld), "%s", jstr(fs, "withheld"));
			s->removed_at = jtime(fs, "removed_at");
			snprintf(s->stale, sizeof(s->stale), "%s", jstr(fs, "stale"));
		}
	}
	if (name && !found)
		return he_error_set(err, -ENOENT, "no [ddns %s] section in the configuration",
				    name);
	return 0;
}

int he_ddns_public_get(struct he_state *st, struct he_ddns_public *out)
{
	json_t *p = json_object_get(he_state_section(st, "ddns"), "@public");

	memset(out, 0, sizeof(*out));
	if (!json_is_object(p))
		return -ENOENT;
	snprintf(out->nat, sizeof(out->nat), "%s", jstr(p, "nat"));
	snprintf(out->router_wan, sizeof(out->router_wan), "%s", jstr(p, "router_wan"));
	snprintf(out->v4, sizeof(out->v4), "%s", jstr(p, "v4"));
	snprintf(out->v6, sizeof(out->v6), "%s", jstr(p, "v6"));
	snprintf(out->verdict, sizeof(out->verdict), "%s", jstr(p, "verdict"));
	out->at = jtime(p, "at");
	return 0;
}

json_t *he_ddns_status_json(const struct he_config *cfg, struct he_state *st, const char *name,
			    struct he_error *err)
{
	struct he_ddns_status *s = calloc(HE_DDNS_RESULTS_MAX, sizeof(*s));
	struct he_ddns_public pub;
	json_t *arr, *pj = json_null();
	size_t n = 0;

	if (!s) {
		he_error_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (he_ddns_status_get(cfg, st, name, s, HE_DDNS_RESULTS_MAX, &n, err) < 0) {
		free(s);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:s?, s:s?, s:I, s:I, s:i, s:s?, "
		    "s:b, s:s?, s:I}",
		    "record", s[i].record, "provider", s[i].provider, "hostname", s[i].hostname,
		    "family", he_family_id(s[i].family), "type", he_family_rr(s[i].family),
		    "address", he_json_nz(s[i].accepted), "accepted_at",
		    (json_int_t)s[i].accepted_at, "answer", he_json_nz(s[i].last_code), "message",
		    he_json_nz(s[i].last_message), "answered_at", (json_int_t)s[i].last_at,
		    "next_attempt", (json_int_t)s[i].next_attempt, "failures", (int)s[i].failures,
		    "disabled", *s[i].disabled ? s[i].disabled : NULL, "config_changed",
		    s[i].config_changed, "verify", *s[i].verify ? s[i].verify : NULL, "verify_at",
		    (json_int_t)s[i].verify_at);

		json_object_set_new(o, "withheld",
				    *s[i].withheld ? json_string(s[i].withheld) : json_null());
		json_object_set_new(o, "removed_at", json_integer((json_int_t)s[i].removed_at));
		json_object_set_new(o, "stale",
				    *s[i].stale ? json_string(s[i].stale) : json_null());
		json_array_append_new(arr, o);
	}
	free(s);
	if (he_ddns_public_get(st, &pub) == 0)
		pj = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:I}", "nat", pub.nat, "router_wan",
			       he_json_nz(pub.router_wan), "ipv4", he_json_nz(pub.v4), "ipv6",
			       he_json_nz(pub.v6), "verdict", he_json_nz(pub.verdict), "at",
			       (json_int_t)pub.at);
	return json_pack("{s:o, s:o}", "records", arr, "public", pj);
}
