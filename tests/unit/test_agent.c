/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: lib/agent's pure parts and its loop - the control protocol, the
 * metrics text, timers and signals in the epoll loop (the planning is
 * lib/engine's: test_engine.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "agent/announce.h"
#include "agent/ctlproto.h"
#include "agent/loop.h"
#include "agent/metrics.h"

/* --- control protocol --- */

static void test_ctl_parse(void **state)
{
	struct he_ctl_request r = {0};
	struct he_error err;
	char big[HE_CTL_LINE_MAX + 20];

	(void)state;
	assert_int_equal(he_ctl_parse("{\"cmd\":\"status\"}\n", 17, &r, &err), 0);
	assert_int_equal(r.cmd, HE_CTL_STATUS);
	assert_null(r.id);
	assert_int_equal(he_ctl_parse("{\"cmd\":\"list\",\"id\":7}", 21, &r, &err), 0);
	assert_int_equal(r.cmd, HE_CTL_LIST);
	assert_int_equal(json_integer_value(r.id), 7);
	he_ctl_request_free(&r);
	assert_int_equal(he_ctl_parse("{\"cmd\":\"reload\"}", 16, &r, &err), 0);
	assert_true(he_ctl_cmd_mutates(r.cmd));
	assert_false(he_ctl_cmd_mutates(HE_CTL_LIST));
	assert_false(he_ctl_cmd_mutates(HE_CTL_DDNS_STATUS));

	assert_int_equal(he_ctl_parse("", 0, &r, &err), -EINVAL);
	assert_int_equal(he_ctl_parse("status", 6, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not JSON"));
	assert_int_equal(he_ctl_parse("[1]", 3, &r, &err), -EINVAL);
	assert_int_equal(he_ctl_parse("{\"cmd\":3}", 9, &r, &err), -EINVAL);
	assert_int_equal(he_ctl_parse("{\"cmd\":\"rm\"}", 12, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown command"));
	assert_int_equal(he_ctl_parse("{\"cmd\":\"list\"}\n{}", 17, &r, &err), -EINVAL);
	assert_int_equal(he_ctl_parse("{\"cmd\":\"list\",\"cmd\":\"reload\"}", 29, &r, &err),
			 -EINVAL);
	memset(big, ' ', sizeof(big));
	assert_int_equal(he_ctl_parse(big, sizeof(big), &r, &err), -EINVAL);
}

static void test_ctl_format(void **state)
{
	char *s = he_ctl_format_request(HE_CTL_DDNS_STATUS);
	json_t *id = json_integer(3);

	(void)state;
	assert_string_equal(s, "{\"cmd\":\"ddns-status\"}\n");
	free(s);
	s = he_ctl_format_reply(json_pack("{s:i}", "pid", 42), true, NULL, id);
	assert_string_equal(s, "{\"pid\":42,\"schema_version\":1,\"ok\":true,\"id\":3}\n");
	free(s);
	s = he_ctl_format_reply(NULL, false, "permission denied", NULL);
	assert_string_equal(
	    s, "{\"schema_version\":1,\"ok\":false,\"error\":\"permission denied\"}\n");
	free(s);
	json_decref(id);
}

/* --- metrics --- */

static void test_metrics_render(void **state)
{
	struct he_metrics_mapping maps[2] = {
	    {.name = "we\"b",
	     .proto = HE_PROTO_TCP,
	     .family = AF_INET,
	     .ext_port = 443,
	     .protocol = HE_PM_PCP,
	     .expires = 1100},
	    {.name = "perm",
	     .proto = HE_PROTO_UDP,
	     .family = AF_INET6,
	     .ext_port = 53,
	     .protocol = HE_PM_UPNP,
	     .expires = 0},
	};
	struct he_metrics_check checks[2] = {
	    {.name = "web",
	     .port = 8443,
	     .proto = HE_PROTO_TCP,
	     .family = AF_INET,
	     .reachable = true},
	    {.name = "web", .port = 8080, .proto = HE_PROTO_TCP, .family = AF_INET6},
	};
	struct he_agent_metrics m = {.start_time = 900,
				     .check_runs = 4,
				     .check_last_run = 990,
				     .ncheck = 2,
				     .checks = checks,
				     .exposures = 2,
				     .pubip_changes = 3,
				     .firewall_in_sync = 1,
				     .nmap = 2,
				     .maps = maps,
				     .nddns = 1};
	char *t;

	(void)state;
	m.errors[HE_AGENT_ERR_ROUTER] = 5;
	m.state_lock_busy = 7;
	snprintf(m.ddns[0].record, sizeof(m.ddns[0].record), "home");
	m.ddns[0].last_success = 950;
	m.ddns[0].failures = 2;
	t = he_metrics_render(&m, 1000);
	assert_non_null(t);
	assert_non_null(strstr(t, "# TYPE homeexpose_exposures gauge\nhomeexpose_exposures 2\n"));
	assert_non_null(
	    strstr(t, "homeexpose_mapping_lease_remaining_seconds{name=\"we\\\"b\",transport="
		      "\"tcp\",family=\"ipv4\",port=\"443\",protocol=\"pcp\"} 100\n"));
	assert_non_null(strstr(t, "family=\"ipv6\",port=\"53\",protocol=\"upnp\"} -1\n"));
	assert_non_null(strstr(t, "homeexpose_public_address_changes_total 3\n"));
	assert_non_null(strstr(t, "homeexpose_errors_total{kind=\"router\"} 5\n"));
	assert_non_null(strstr(t, "homeexpose_errors_total{kind=\"ddns\"} 0\n"));
	assert_non_null(
	    strstr(t, "homeexpose_ddns_last_success_timestamp_seconds{record=\"home\"} 950\n"));
	assert_non_null(strstr(t, "homeexpose_ddns_failures_total{record=\"home\"} 2\n"));
	assert_non_null(strstr(t, "homeexpose_firewall_in_sync 1\n"));
	assert_non_null(strstr(t, "homeexpose_state_lock_busy_total 7\n"));
	assert_non_null(strstr(t, "homeexpose_check_runs_total 4\n"));
	assert_non_null(strstr(t, "homeexpose_check_last_run_timestamp_seconds 990\n"));
	assert_non_null(strstr(t, "homeexpose_check_reachable{exposure=\"web\",port=\"8443\","
				  "proto=\"tcp\",family=\"ipv4\"} 1\n"));
	assert_non_null(strstr(t, "homeexpose_check_reachable{exposure=\"web\",port=\"8080\","
				  "proto=\"tcp\",family=\"ipv6\"} 0\n"));
	/* every sample line belongs to a declared metric */
	for (char *line = t; *line;) {
		char *nl = strchr(line, '\n');

		assert_non_null(nl);
		if (*line != '#') {
			char name[128], decl[160];

			sscanf(line, "%127[a-z_]", name);
			snprintf(decl, sizeof(decl), "# TYPE %s ", name);
			assert_non_null(strstr(t, decl));
		}
		line = nl + 1;
	}
	free(t);
}

static void test_metrics_listen_rejects_public(void **state)
{
	struct he_error err;

	(void)state;
	assert_int_equal(he_metrics_listen("0.0.0.0:9477", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "loopback"));
	assert_int_equal(he_metrics_listen("127.0.0.1", &err), -EINVAL);
	assert_int_equal(he_metrics_listen("127.0.0.1:0", &err), -EINVAL);
	assert_int_equal(he_metrics_listen("[::1]:99999", &err), -EINVAL);
}

/* --- loop --- */

struct loop_ctx {
	int fired[3];
	uint64_t at[3];
	int signals;
	int last_signal;
	struct he_loop_timer *t[3];
};

static void on_timer(struct he_loop *l, struct he_loop_timer *t, void *ctx)
{
	struct loop_ctx *c = ctx;

	for (int i = 0; i < 3; i++) {
		if (c->t[i] == t) {
			c->fired[i]++;
			c->at[i] = he_now_ms();
		}
	}
	if (t == c->t[0])
		kill(getpid(), SIGHUP);
	if (t == c->t[1]) {
		he_loop_timer_del(c->t[2]); /* deleting another timer from a callback */
		c->t[2] = NULL;
		kill(getpid(), SIGTERM);
	}
}

static void on_signal(struct he_loop *l, int signo, void *ctx)
{
	struct loop_ctx *c = ctx;

	c->signals++;
	c->last_signal = signo;
	if (signo == SIGTERM)
		he_loop_stop(l);
}

static void test_loop_timers_and_signals(void **state)
{
	struct he_loop *l = NULL;
	struct loop_ctx c = {0};
	struct he_error err;
	uint64_t t0;

	(void)state;
	assert_int_equal(he_loop_new(on_signal, &c, &l, &err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(he_loop_timer_new(l, on_timer, &c, &c.t[i], &err), 0);
	t0 = he_now_ms();
	assert_true(he_loop_timer_remaining(c.t[0]) == UINT64_MAX);
	assert_int_equal(he_loop_timer_arm(c.t[0], 20), 0);
	assert_int_equal(he_loop_timer_arm(c.t[1], 500), 0);
	assert_int_equal(he_loop_timer_arm(c.t[2], 1000), 0);
	/* arm_before keeps the sooner deadline, takes a sooner one */
	assert_int_equal(he_loop_timer_arm_before(c.t[1], 800), 0);
	assert_true(he_loop_timer_remaining(c.t[1]) <= 500);
	assert_int_equal(he_loop_timer_arm_before(c.t[1], 60), 0);
	assert_true(he_loop_timer_remaining(c.t[1]) <= 60);
	assert_int_equal(he_loop_run(l, &err), 0);
	assert_int_equal(c.fired[0], 1);
	assert_int_equal(c.fired[1], 1);
	assert_int_equal(c.fired[2], 0);
	assert_true(c.at[0] - t0 >= 20);
	assert_true(c.at[1] - t0 >= 60 && c.at[1] - t0 < 400);
	assert_int_equal(c.signals, 2);
	assert_int_equal(c.last_signal, SIGTERM);
	he_loop_free(l);
}

static void on_pipe(struct he_loop *l, int fd, uint32_t events, void *ctx)
{
	char b[8];
	int *n = ctx;

	assert_true(read(fd, b, sizeof(b)) > 0);
	(*n)++;
	he_loop_del_fd(l, fd); /* removing itself */
	he_loop_stop(l);
}

static void test_loop_fd(void **state)
{
	struct he_loop *l = NULL;
	struct he_error err;
	int p[2], n = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(he_loop_new(NULL, NULL, &l, &err), 0);
	assert_int_equal(he_loop_add_fd(l, p[0], 1 /* EPOLLIN */, on_pipe, &n, &err), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(he_loop_run(l, &err), 0);
	assert_int_equal(n, 1);
	he_loop_free(l);
	close(p[0]);
	close(p[1]);
}

/* Announcements count only from the router: its IPv4 gateway, or its own
 * IPv6 link-local address, not any other host on the link. */
static void test_announce_sender(void **state)
{
	struct he_announce an = {.kind = HE_ANNOUNCE_PCP};

	(void)state;
	snprintf(an.from, sizeof(an.from), "192.168.1.1");
	assert_true(he_announce_from_router(&an, "192.168.1.1", "fe80::1"));
	snprintf(an.from, sizeof(an.from), "192.168.1.66");
	assert_false(he_announce_from_router(&an, "192.168.1.1", "fe80::1"));
	snprintf(an.from, sizeof(an.from), "fe80::1");
	assert_true(he_announce_from_router(&an, "192.168.1.1", "fe80::1"));
	assert_true(he_announce_from_router(&an, "192.168.1.1", "fe80:0::0:1"));
	snprintf(an.from, sizeof(an.from), "fe80::bad");
	assert_false(he_announce_from_router(&an, "192.168.1.1", "fe80::1"));
	/* the router's link-local address unknown: no link-local sender */
	assert_false(he_announce_from_router(&an, "192.168.1.1", ""));
	assert_false(he_announce_from_router(&an, "", NULL));
}

/* A burst of announcements makes at most one remap per period. */
static void test_announce_remap_rate(void **state)
{
	int64_t last = 0, t = 1000000;

	(void)state;
	assert_int_equal(he_announce_remap_delay(&last, t), 0);
	assert_int_equal(he_announce_remap_delay(&last, t + 1000), HE_ANNOUNCE_REMAP_MS - 1000);
	/* more in the same period: the one already scheduled */
	assert_int_equal(he_announce_remap_delay(&last, t + 2000), HE_ANNOUNCE_REMAP_MS - 2000);
	for (int i = 0; i < 100; i++)
		assert_true(he_announce_remap_delay(&last, t + 3000 + i) > 0);
	/* the next one: one period after the scheduled remap */
	assert_int_equal(he_announce_remap_delay(&last, t + HE_ANNOUNCE_REMAP_MS + 1),
			 HE_ANNOUNCE_REMAP_MS - 1);
	/* quiet for long: at once again */
	assert_int_equal(he_announce_remap_delay(&last, t + 10 * HE_ANNOUNCE_REMAP_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ctl_parse),
	    cmocka_unit_test(test_ctl_format),
	    cmocka_unit_test(test_metrics_render),
	    cmocka_unit_test(test_announce_sender),
	    cmocka_unit_test(test_announce_remap_rate),
	    cmocka_unit_test(test_metrics_listen_rejects_public),
	    cmocka_unit_test(test_loop_timers_and_signals),
	    cmocka_unit_test(test_loop_fd),
	};
	return cmocka_run_group_tests_name("agent", tests, NULL, NULL);
}
