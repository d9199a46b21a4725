/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: lib/ddns engine - the cache (one request per change), forced
 * refresh, disabling on fatal answers, 911 waits, back-off, secrets, status;
 * the clock is moved, never waited for.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "publicip/publicip.h"
#include "state/state.h"
#include "ddns/rfc2136.h"
#include "test_ddns_fake.h"

#define T0 1700000000

static char dir[64];
static char pwfile[128];

struct env {
	struct he_config cfg;
	struct he_pubip_report rep;
	struct fake_net net;
	struct he_ddns_transport t;
	struct he_ddns_result res[HE_DDNS_RESULTS_MAX];
	size_t n;
};

static void write_secret(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	fchmod(fd, mode);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/he-test-ddns.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(pwfile, sizeof(pwfile), "%s/pw", dir);
	write_secret(pwfile, "s3cret\n", 0600);
	return 0;
}

static int teardown(void **state)
{
	char p[160];

	(void)state;
	snprintf(p, sizeof(p), "%s/state.json", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock", dir);
	unlink(p);
	unlink(pwfile);
	rmdir(dir);
	return 0;
}

static void env_init(struct env *e, const char *families)
{
	memset(e, 0, sizeof(*e));
	he_config_defaults(&e->cfg, "/nonexistent/homeexpose.conf");
	e->cfg.nddns = 1;
	record(&e->cfg.ddns[0], "home", "dyndns2", "custom", "home.example.org", families);
	snprintf(e->cfg.ddns[0].server, sizeof(e->cfg.ddns[0].server), "ddns.lab.test");
	snprintf(e->cfg.ddns[0].username, sizeof(e->cfg.ddns[0].username), "alice");
	snprintf(e->cfg.ddns[0].password_file, sizeof(e->cfg.ddns[0].password_file), "%s", pwfile);
	snprintf(e->rep.v4, sizeof(e->rep.v4), "11.77.0.2");
	snprintf(e->rep.v6, sizeof(e->rep.v6), "2e77:77:1::2");
	e->t.send = fake_send;
	e->t.ctx = &e->net;
}

/* One run at time now; the state is saved and reopened like separate program runs. */
static void run(struct env *e, time_t now, bool force)
{
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_ddns_opts o = {.force = force, .now = now, .transport = &e->t};

	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	assert_int_equal(
	    he_ddns_run(&e->cfg, st, &e->rep, &o, e->res, HE_DDNS_RESULTS_MAX, &e->n, &err), 0);
	assert_int_equal(he_state_save(st, &err), 0);
	he_state_close(st);
}

static void test_one_request_per_change(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0, false);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.res[0].action, HE_DDNS_SENT);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_GOOD);
	assert_false(he_ddns_result_failed(&e.res[0]));
	assert_int_equal(e.net.nsent, 1);
	assert_string_equal(e.net.sent[0].password, "s3cret"); /* read from the file */
	assert_null(strstr(e.res[0].message, "s3cret"));

	/* unchanged: no request, again and again */
	run(&e, T0 + 60, false);
	run(&e, T0 + 86400, false);
	assert_int_equal(e.net.nsent, 1);
	assert_int_equal(e.res[0].action, HE_DDNS_UNCHANGED);
	assert_false(he_ddns_result_failed(&e.res[0]));

	/* the address changed: exactly one request */
	snprintf(e.rep.v4, sizeof(e.rep.v4), "11.77.0.9");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0 + 90000, false);
	run(&e, T0 + 90060, false);
	assert_int_equal(e.net.nsent, 2);
	assert_non_null(strstr(e.net.sent[1].url, "myip=11.77.0.9"));

	/* nochg counts as accepted */
	snprintf(e.rep.v4, sizeof(e.rep.v4), "11.77.0.2");
	fake_push(&e.net, 200, "dyndns2_nochg.txt");
	run(&e, T0 + 100000, false);
	run(&e, T0 + 100060, false);
	assert_int_equal(e.net.nsent, 3);
	assert_int_equal(e.res[0].action, HE_DDNS_UNCHANGED);
}

static void test_refresh_and_force(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0, false);
	run(&e, T0 + 25 * 86400 - 1, false);
	assert_int_equal(e.net.nsent, 1);
	fake_push(&e.net, 200, "dyndns2_nochg.txt");
	run(&e, T0 + 25 * 86400, false); /* refresh-days reached */
	assert_int_equal(e.net.nsent, 2);
	fake_push(&e.net, 200, "dyndns2_nochg.txt");
	run(&e, T0 + 25 * 86400 + 5, true); /* --force sends even when unchanged */
	assert_int_equal(e.net.nsent, 3);

	e.cfg.ddns[0].refresh_days = 1;
	/* the config changed (refresh-days is not part of the identity hash): still cached */
	run(&e, T0 + 25 * 86400 + 10, false);
	assert_int_equal(e.net.nsent, 3);
	fake_push(&e.net, 200, "dyndns2_nochg.txt");
	run(&e, T0 + 26 * 86400 + 10, false);
	assert_int_equal(e.net.nsent, 4);
}

static void test_fatal_disables(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A AAAA");
	fake_push(&e.net, 200, "dyndns2_badauth.txt");
	run(&e, T0, false);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.res[0].action, HE_DDNS_SENT);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_FATAL);
	assert_true(he_ddns_result_failed(&e.res[0]));
	assert_int_equal(e.res[1].action, HE_DDNS_DISABLED); /* AAAA not even tried */
	assert_non_null(strstr(e.res[1].message, "badauth"));
	assert_int_equal(e.net.nsent, 1);

	/* no further request, a day, a month later, even with a new address */
	run(&e, T0 + 86400, false);
	snprintf(e.rep.v4, sizeof(e.rep.v4), "11.77.0.9");
	run(&e, T0 + 30 * 86400, false);
	assert_int_equal(e.net.nsent, 1);
	assert_int_equal(e.res[0].action, HE_DDNS_DISABLED);
	assert_true(he_ddns_result_failed(&e.res[0]));

	/* --force asks again */
	fake_push(&e.net, 200, "dyndns2_nohost.txt");
	run(&e, T0 + 30 * 86400 + 1, true);
	assert_int_equal(e.net.nsent, 2);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_FATAL);
	run(&e, T0 + 30 * 86400 + 2, false);
	assert_int_equal(e.net.nsent, 2);

	/* a configuration change asks again */
	snprintf(e.cfg.ddns[0].hostname, sizeof(e.cfg.ddns[0].hostname), "home2.example.org");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0 + 30 * 86400 + 3, false);
	assert_int_equal(e.net.nsent, 4);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_GOOD);
	assert_int_equal(e.res[1].answer.outcome, HE_DDNS_GOOD);

	/* and so does a rewritten password file (new inode/mtime) */
	fake_push(&e.net, 200, "dyndns2_badauth.txt");
	snprintf(e.rep.v4, sizeof(e.rep.v4), "11.77.0.10");
	run(&e, T0 + 30 * 86400 + 4, false);
	assert_int_equal(e.net.nsent, 5);
	run(&e, T0 + 30 * 86400 + 5, false);
	assert_int_equal(e.net.nsent, 5);
	unlink(pwfile);
	write_secret(pwfile, "n3w\n", 0600);
	fake_push(&e.net, 200, "dyndns2_good.txt");
	fake_push(&e.net, 200, "dyndns2_nochg.txt");
	run(&e, T0 + 30 * 86400 + 6, false);
	assert_int_equal(e.net.nsent, 7);
	assert_string_equal(e.net.sent[5].password, "n3w");
}

static void test_911_waits_30_minutes(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A");
	fake_push(&e.net, 200, "dyndns2_911.txt");
	run(&e, T0, false);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_RETRY_LATER);
	assert_int_equal(e.res[0].next_attempt, T0 + 1800);
	run(&e, T0 + 60, false);
	run(&e, T0 + 1799, false);
	assert_int_equal(e.net.nsent, 1);
	assert_int_equal(e.res[0].action, HE_DDNS_WAITING);
	assert_true(he_ddns_result_failed(&e.res[0]));
	fake_push(&e.net, 200, "dyndns2_dnserr.txt");
	run(&e, T0 + 1800, false);
	assert_int_equal(e.net.nsent, 2);
	assert_int_equal(e.res[0].next_attempt, T0 + 3600);
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0 + 3600, false);
	assert_int_equal(e.net.nsent, 3);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_GOOD);
}

static void test_backoff(void **state)
{
	struct env e;
	time_t now = T0, prev_delay = 0;

	(void)state;
	env_init(&e, "A");
	for (unsigned i = 1; i <= 9; i++) {
		unsigned d = HE_DDNS_BACKOFF_MIN << (i - 1);
		time_t delay;

		if (d > HE_DDNS_BACKOFF_MAX)
			d = HE_DDNS_BACKOFF_MAX;
		if (i % 3 == 0)
			fake_push(&e.net, -ETIMEDOUT, NULL);
		else
			fake_push(&e.net, i % 2 ? 503 : 500, i % 2 ? "http_503.html" : NULL);
		run(&e, now, false);
		assert_int_equal(e.net.nsent, i);
		assert_int_equal(e.res[0].answer.outcome, HE_DDNS_TRANSIENT);
		delay = e.res[0].next_attempt - now;
		/* equal jitter: within [d/2, d] */
		if (delay < (time_t)d / 2 || delay > (time_t)d)
			fail_msg("failure %u: delay %ld not in [%u, %u]", i, (long)delay, d / 2, d);
		/* nothing before the next attempt */
		run(&e, e.res[0].next_attempt - 1, false);
		assert_int_equal(e.res[0].action, HE_DDNS_WAITING);
		assert_int_equal(e.net.nsent, i);
		now = e.res[0].next_attempt;
		prev_delay = delay;
	}
	assert_true(prev_delay <= HE_DDNS_BACKOFF_MAX);
	assert_true(prev_delay >= HE_DDNS_BACKOFF_MAX / 2);
	/* success resets the counter */
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, now, false);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_GOOD);
	assert_int_equal(e.res[0].next_attempt, 0);
	snprintf(e.rep.v4, sizeof(e.rep.v4), "11.77.0.9");
	fake_push(&e.net, 502, NULL);
	run(&e, now + 10, false);
	assert_true(e.res[0].next_attempt - (now + 10) <= HE_DDNS_BACKOFF_MIN);
}

static void test_status(void **state)
{
	struct env e;
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_ddns_status s[4];
	size_t n;

	(void)state;
	env_init(&e, "A AAAA");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	fake_push(&e.net, 503, NULL);
	run(&e, T0, false);
	assert_int_equal(he_state_open(dir, HE_STATE_READ, 0, &st, &err), 0);
	assert_int_equal(he_ddns_status_get(&e.cfg, st, NULL, s, 4, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].family, AF_INET);
	assert_string_equal(s[0].accepted, "11.77.0.2");
	assert_int_equal(s[0].accepted_at, T0);
	assert_string_equal(s[0].last_code, "good");
	assert_int_equal(s[0].next_attempt, 0);
	assert_int_equal(s[1].family, AF_INET6);
	assert_string_equal(s[1].accepted, "");
	assert_string_equal(s[1].last_code, "http 503");
	assert_int_equal(s[1].failures, 1);
	assert_true(s[1].next_attempt > T0);
	assert_string_equal(s[1].disabled, "");
	assert_false(s[1].config_changed);
	assert_int_equal(he_ddns_status_get(&e.cfg, st, "nope", s, 4, &n, &err), -ENOENT);
	he_state_close(st);
}

/* verify = yes: a fake authoritative server answering fake_zone_addr. */
static const char *fake_zone_addr;
static unsigned fake_queries;

static int fake_query(const char *server, const char *name, int family, int timeout_ms,
		      struct he_rfc2136_addrs *out, struct he_error *err)
{
	(void)timeout_ms;
	fake_queries++;
	assert_string_equal(server, "11.77.0.1:5353");
	assert_string_equal(name, "home.example.org");
	assert_int_equal(family, AF_INET);
	if (!fake_zone_addr)
		return he_error_set(err, -ETIMEDOUT, "no reply");
	out->n = *fake_zone_addr ? 1 : 0;
	snprintf(out->addr[0], sizeof(out->addr[0]), "%s", fake_zone_addr);
	return 0;
}

static void test_verify(void **state)
{
	struct env e;
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_ddns_status s[2];
	struct he_ddns_opts o = {.now = T0, .query = fake_query, .verify_pause_ms = 1};
	size_t n;

	(void)state;
	env_init(&e, "A");
	e.cfg.ddns[0].verify = true;
	e.cfg.ddns[0].verify_tries = 3;
	snprintf(e.cfg.ddns[0].verify_server, sizeof(e.cfg.ddns[0].verify_server),
		 "11.77.0.1:5353");
	o.transport = &e.t;
	/* the zone answers the new address: verified at the first try */
	fake_zone_addr = "11.77.0.2";
	fake_queries = 0;
	fake_push(&e.net, 200, "dyndns2_good.txt");
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	assert_int_equal(he_ddns_run(&e.cfg, st, &e.rep, &o, e.res, 2, &e.n, &err), 0);
	assert_int_equal(fake_queries, 1);
	assert_non_null(strstr(e.res[0].message, "verified by 11.77.0.1:5353"));
	assert_int_equal(he_ddns_status_get(&e.cfg, st, NULL, s, 2, &n, &err), 0);
	assert_string_equal(s[0].verify, "verified by 11.77.0.1:5353");
	assert_int_equal(s[0].verify_at, T0);
	/* a stale answer on every try: MISMATCH after verify-tries queries */
	fake_zone_addr = "11.77.0.9";
	fake_queries = 0;
	fake_push(&e.net, 200, "dyndns2_good.txt");
	o.force = true;
	o.now = T0 + 60;
	assert_int_equal(he_ddns_run(&e.cfg, st, &e.rep, &o, e.res, 2, &e.n, &err), 0);
	assert_int_equal(fake_queries, 3);
	assert_int_equal(he_ddns_status_get(&e.cfg, st, NULL, s, 2, &n, &err), 0);
	assert_string_equal(
	    s[0].verify, "MISMATCH: server 11.77.0.1:5353 answers 11.77.0.9 (expected 11.77.0.2)");
	/* no record at all, then no reply */
	fake_zone_addr = "";
	fake_push(&e.net, 200, "dyndns2_good.txt");
	assert_int_equal(he_ddns_run(&e.cfg, st, &e.rep, &o, e.res, 2, &e.n, &err), 0);
	assert_int_equal(he_ddns_status_get(&e.cfg, st, NULL, s, 2, &n, &err), 0);
	assert_non_null(strstr(s[0].verify, "answers no record"));
	fake_zone_addr = NULL;
	fake_push(&e.net, 200, "dyndns2_good.txt");
	assert_int_equal(he_ddns_run(&e.cfg, st, &e.rep, &o, e.res, 2, &e.n, &err), 0);
	assert_int_equal(he_ddns_status_get(&e.cfg, st, NULL, s, 2, &n, &err), 0);
	assert_string_equal(s[0].verify, "UNVERIFIED: 11.77.0.1:5353: no reply");
	he_state_close(st);
}

/* The public-address verdict of the run is kept for `ddns status`. */
static void test_status_public_verdict(void **state)
{
	struct env e;
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_ddns_public pub;
	json_t *doc, *p;

	(void)state;
	env_init(&e, "A");
	assert_int_equal(he_state_open(dir, HE_STATE_READ, 0, &st, &err), 0);
	assert_int_equal(he_ddns_public_get(st, &pub), -ENOENT);
	doc = he_ddns_status_json(&e.cfg, st, NULL, &err);
	assert_non_null(doc);
	assert_true(json_is_null(json_object_get(doc, "public")));
	/* nothing sent yet: what is not known is null, never "" (docs/json.md) */
	p = json_array_get(json_object_get(doc, "records"), 0);
	assert_non_null(p);
	assert_true(json_is_null(json_object_get(p, "address")));
	assert_true(json_is_null(json_object_get(p, "answer")));
	assert_true(json_is_null(json_object_get(p, "message")));
	json_decref(doc);
	he_state_close(st);

	e.rep.nat = HE_PUBIP_NAT_CGNAT;
	snprintf(e.rep.router_wan, sizeof(e.rep.router_wan), "100.64.77.2");
	snprintf(e.rep.verdict, sizeof(e.rep.verdict), "CGNAT: ask the ISP");
	e.cfg.ddns[0].publish_behind_nat = true; /* else the A is withheld (see below) */
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0, false);
	assert_int_equal(he_state_open(dir, HE_STATE_READ, 0, &st, &err), 0);
	assert_int_equal(he_ddns_public_get(st, &pub), 0);
	assert_string_equal(pub.nat, "cgnat");
	assert_string_equal(pub.router_wan, "100.64.77.2");
	assert_string_equal(pub.v4, "11.77.0.2");
	assert_int_equal(pub.at, T0);
	doc = he_ddns_status_json(&e.cfg, st, NULL, &err);
	assert_non_null(doc);
	p = json_object_get(doc, "public");
	assert_string_equal(json_string_value(json_object_get(p, "nat")), "cgnat");
	assert_string_equal(json_string_value(json_object_get(p, "verdict")), "CGNAT: ask the ISP");
	p = json_array_get(json_object_get(doc, "records"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "address")), "11.77.0.2");
	assert_true(json_is_null(json_object_get(p, "verify")));
	assert_true(json_is_null(json_object_get(p, "withheld")));
	assert_true(json_is_null(json_object_get(p, "stale")));
	json_decref(doc);
	assert_null(he_ddns_status_json(&e.cfg, st, "nope", &err));
	assert_int_equal(err.code, -ENOENT);
	he_state_close(st);
}

static void test_no_address_no_secret(void **state)
{
	struct env e;
	struct he_state *st = NULL;
	struct he_error err = {0};
	struct he_ddns_opts o = {.now = T0, .name = "other"};

	(void)state;
	env_init(&e, "A AAAA");
	e.rep.v6[0] = '\0';
	snprintf(e.rep.verdict, sizeof(e.rep.verdict), "sources disagree");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0, false);
	assert_int_equal(e.net.nsent, 1);
	assert_int_equal(e.res[1].action, HE_DDNS_NO_ADDRESS);
	assert_non_null(strstr(e.res[1].message, "sources disagree"));
	assert_true(he_ddns_result_failed(&e.res[1]));

	/* a group-readable password file is refused, nothing is sent */
	chmod(pwfile, 0640);
	snprintf(e.rep.v4, sizeof(e.rep.v4), "11.77.0.9");
	run(&e, T0 + 10, false);
	chmod(pwfile, 0600);
	assert_int_equal(e.net.nsent, 1);
	assert_int_equal(e.res[0].action, HE_DDNS_ERROR);
	assert_non_null(strstr(e.res[0].message, "home"));

	/* an unknown record name */
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	assert_int_equal(
	    he_ddns_run(&e.cfg, st, &e.rep, &o, e.res, HE_DDNS_RESULTS_MAX, &e.n, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "[ddns other]"));
	he_state_close(st);
}

static void test_cloudflare_through_engine(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A AAAA");
	record(&e.cfg.ddns[0], "cf", "cloudflare", "", "home.example.com", "A AAAA");
	snprintf(e.cfg.ddns[0].token_file, sizeof(e.cfg.ddns[0].token_file), "%s", pwfile);
	fake_push(&e.net, 200, "cf_zones.json");
	fake_push(&e.net, 200, "cf_records_a.json");
	fake_push(&e.net, 200, "cf_patch_ok.json");
	fake_push(&e.net, 200, "cf_zones.json");
	fake_push(&e.net, 200, "cf_records_empty.json");
	fake_push(&e.net, 200, "cf_create_ok.json");
	run(&e, T0, false);
	assert_int_equal(e.net.nsent, 6);
	assert_string_equal(e.net.sent[2].method, "PATCH");
	assert_string_equal(e.net.sent[5].method, "POST");
	assert_string_equal(e.net.sent[0].bearer, "s3cret");
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_GOOD);
	assert_string_equal(e.res[1].answer.code, "created");
	run(&e, T0 + 5, false);
	assert_int_equal(e.net.nsent, 6);
}

/* The A-record rule alone: withheld behind CGNAT and DS-Lite, not behind double NAT. */
static void test_v4_withheld_rule(void **state)
{
	struct he_ddns_record r;
	struct he_pubip_report rep;
	char why[HE_ERR_MSG_MAX];

	(void)state;
	record(&r, "nas", "rfc2136", "", "nas.home.example", "A AAAA");
	memset(&rep, 0, sizeof(rep));
	snprintf(rep.v4, sizeof(rep.v4), "11.77.0.2");
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 0); /* no router answer */
	assert_string_equal(why, "");
	assert_int_equal(he_ddns_v4_withheld(&r, NULL, why, sizeof(why)), 0);
	snprintf(rep.router_wan, sizeof(rep.router_wan), "11.77.0.2");
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 0); /* public */
	snprintf(rep.router_wan, sizeof(rep.router_wan), "192.168.1.2");
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 0); /* double NAT */
	snprintf(rep.router_wan, sizeof(rep.router_wan), "100.64.77.2");
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "CGNAT"));
	assert_non_null(strstr(why, "11.77.0.2 is the ISP's address"));
	assert_non_null(strstr(why, "publish-behind-nat = yes in [ddns nas]"));
	assert_null(strstr(why, "add AAAA"));
	snprintf(rep.router_wan, sizeof(rep.router_wan), "192.0.0.2");
	rep.v4[0] = '\0'; /* no outside source: still known to be DS-Lite */
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "DS-Lite"));
	assert_non_null(strstr(why, "AFTR"));
	snprintf(r.families, sizeof(r.families), "A");
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "add AAAA to 'families'"));
	r.publish_behind_nat = true;
	assert_int_equal(he_ddns_v4_withheld(&r, &rep, why, sizeof(why)), 0);
}

static struct he_ddns_status status_of(struct env *e, int idx)
{
	struct he_ddns_status s[4];
	struct he_state *st = NULL;
	struct he_error err = {0};
	size_t n = 0;

	assert_int_equal(he_state_open(dir, HE_STATE_READ, 0, &st, &err), 0);
	assert_int_equal(he_ddns_status_get(&e->cfg, st, NULL, s, 4, &n, &err), 0);
	he_state_close(st);
	assert_true((size_t)idx < n);
	return s[idx];
}

/* Cloudflare: an A published on a public line is deleted once the line is CGNAT. */
static void test_cgnat_deletes_old_a(void **state)
{
	struct env e;
	struct he_ddns_status s;

	(void)state;
	env_init(&e, "A AAAA");
	record(&e.cfg.ddns[0], "cf", "cloudflare", "", "home.example.com", "A AAAA");
	snprintf(e.cfg.ddns[0].token_file, sizeof(e.cfg.ddns[0].token_file), "%s", pwfile);
	snprintf(e.rep.router_wan, sizeof(e.rep.router_wan), "11.77.0.2");
	fake_push(&e.net, 200, "cf_zones.json");
	fake_push(&e.net, 200, "cf_records_empty.json");
	fake_push(&e.net, 200, "cf_create_ok.json");
	fake_push(&e.net, 200, "cf_zones.json");
	fake_push(&e.net, 200, "cf_records_empty.json");
	fake_push(&e.net, 200, "cf_create_ok.json");
	run(&e, T0, false);
	assert_int_equal(e.net.nsent, 6);
	assert_string_equal(status_of(&e, 0).accepted, "11.77.0.2");

	/* the ISP moves the line behind CGNAT: the A goes, the AAAA stays */
	snprintf(e.rep.router_wan, sizeof(e.rep.router_wan), "100.64.77.2");
	e.rep.nat = HE_PUBIP_NAT_CGNAT;
	fake_push(&e.net, 200, "cf_zones.json");
	fake_push(&e.net, 200, "cf_records_a.json");
	fake_push(&e.net, 200, "cf_delete_ok.json");
	fake_push(&e.net, 200, "cf_records_empty.json");
	run(&e, T0 + 60, false);
	assert_int_equal(e.net.nsent, 10);
	assert_string_equal(e.net.sent[8].method, "DELETE");
	assert_non_null(strstr(e.net.sent[8].url, "/dns_records/372e67954025e0ba6aaa6d586b9e0b59"));
	assert_string_equal(e.net.sent[9].method, "GET");
	assert_int_equal(e.n, 2);
	assert_int_equal(e.res[0].action, HE_DDNS_SENT);
	assert_string_equal(e.res[0].answer.code, "deleted");
	assert_string_equal(e.res[0].addr, "");
	assert_false(he_ddns_result_failed(&e.res[0]));
	assert_non_null(strstr(e.res[0].message, "not published"));
	assert_int_equal(e.res[1].action, HE_DDNS_UNCHANGED); /* AAAA */
	s = status_of(&e, 0);
	assert_string_equal(s.accepted, "");
	assert_int_equal(s.removed_at, T0 + 60);
	assert_non_null(strstr(s.withheld, "CGNAT"));
	assert_string_equal(s.stale, "");

	/* later runs: nothing sent, still withheld, not a failure */
	run(&e, T0 + 120, false);
	assert_int_equal(e.net.nsent, 10);
	assert_int_equal(e.res[0].action, HE_DDNS_WITHHELD);
	assert_false(he_ddns_result_failed(&e.res[0]));
	assert_non_null(strstr(e.res[0].message, "deleted earlier"));

	/* publish-behind-nat = yes: the NAT's address is published after all */
	e.cfg.ddns[0].publish_behind_nat = true;
	fake_push(&e.net, 200, "cf_zones.json");
	fake_push(&e.net, 200, "cf_records_empty.json");
	fake_push(&e.net, 200, "cf_create_ok.json");
	run(&e, T0 + 180, false);
	assert_int_equal(e.net.nsent, 13);
	assert_string_equal(e.net.sent[12].method, "POST");
	assert_non_null(strstr(e.net.sent[12].body, "\"content\":\"11.77.0.2\""));
	s = status_of(&e, 0);
	assert_string_equal(s.accepted, "11.77.0.2");
	assert_string_equal(s.withheld, "");
}

/* dyndns2 cannot delete: the old A is flagged as stale, nothing is sent. */
static void test_dslite_flags_stale_a(void **state)
{
	struct env e;
	struct he_ddns_status s;

	(void)state;
	env_init(&e, "A");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0, false);
	assert_int_equal(e.net.nsent, 1);
	snprintf(e.rep.router_wan, sizeof(e.rep.router_wan), "192.0.0.2");
	e.rep.nat = HE_PUBIP_NAT_DSLITE;
	run(&e, T0 + 60, false);
	assert_int_equal(e.net.nsent, 1);
	assert_int_equal(e.res[0].action, HE_DDNS_WITHHELD);
	assert_false(he_ddns_result_failed(&e.res[0]));
	assert_non_null(strstr(e.res[0].message, "STALE"));
	s = status_of(&e, 0);
	assert_non_null(strstr(s.withheld, "DS-Lite"));
	assert_non_null(strstr(s.stale, "11.77.0.2"));
	assert_non_null(strstr(s.stale, "cannot delete"));
	assert_string_equal(s.accepted, "11.77.0.2"); /* what the provider still has */
}

/* deSEC deletes with an empty myipv4 and keeps the AAAA. */
static void test_desec_delete_url(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A");
	record(&e.cfg.ddns[0], "d", "desec", "", "home.dedyn.io", "A");
	snprintf(e.cfg.ddns[0].password_file, sizeof(e.cfg.ddns[0].password_file), "%s", pwfile);
	snprintf(e.rep.router_wan, sizeof(e.rep.router_wan), "100.64.0.9");
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0, false);
	assert_int_equal(e.net.nsent, 1);
	assert_non_null(strstr(e.net.sent[0].url, "myipv4=&myipv6=preserve"));
	assert_string_equal(e.res[0].answer.code, "deleted");
	run(&e, T0 + 60, false); /* once only */
	assert_int_equal(e.net.nsent, 1);
	fake_push(&e.net, 200, "dyndns2_good.txt");
	run(&e, T0 + 120, true); /* --force asks again */
	assert_int_equal(e.net.nsent, 2);
}

static void test_rfc2136_bad_key(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A");
	record(&e.cfg.ddns[0], "dns", "rfc2136", "", "home.example.org", "A");
	snprintf(e.cfg.ddns[0].zone, sizeof(e.cfg.ddns[0].zone), "example.org");
	snprintf(e.cfg.ddns[0].server, sizeof(e.cfg.ddns[0].server), "127.0.0.1:1");
	snprintf(e.cfg.ddns[0].tsig_key_file, sizeof(e.cfg.ddns[0].tsig_key_file), "%s", pwfile);
	run(&e, T0, false); /* "s3cret" is no TSIG key: refused before any packet */
	assert_int_equal(e.net.nsent, 0);
	assert_int_equal(e.res[0].action, HE_DDNS_SENT);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_FATAL);
	assert_string_equal(e.res[0].answer.code, "badkey");
	assert_null(strstr(e.res[0].message, "s3cret"));
	run(&e, T0 + 10, false);
	assert_int_equal(e.res[0].action, HE_DDNS_DISABLED);
}

/* A family the provider cannot update is an error of that family alone, with no request. */
static void test_family_the_provider_lacks(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, "A AAAA");
	snprintf(e.cfg.ddns[0].provider, sizeof(e.cfg.ddns[0].provider), "namecheap");
	fake_push(&e.net, 200, "namecheap_ok.xml");
	run(&e, T0, false);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.res[0].action, HE_DDNS_SENT);
	assert_int_equal(e.res[0].answer.outcome, HE_DDNS_GOOD);
	assert_int_equal(e.res[1].action, HE_DDNS_ERROR);
	assert_non_null(strstr(e.res[1].message, "namecheap cannot update AAAA"));
	assert_int_equal(e.net.nsent, 1);
	/* the A request carried the secret file's text */
	assert_non_null(strstr(e.net.sent[0].url, "password=s3cret"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_request_per_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_and_force, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fatal_disables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_911_waits_30_minutes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_public_verdict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_address_no_secret, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cloudflare_through_engine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rfc2136_bad_key, setup, teardown),
	    cmocka_unit_test(test_v4_withheld_rule),
	    cmocka_unit_test_setup_teardown(test_cgnat_deletes_old_a, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dslite_flags_stale_a, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_desec_delete_url, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_family_the_provider_lacks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
