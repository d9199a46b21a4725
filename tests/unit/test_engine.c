/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: lib/engine - the one expansion of exposures (to, families,
 * transports, router/firewall, never-expose list), the router and firewall
 * plans table by table, the live view's drift, and the parity between the
 * command line's entry (he_op_*'s desired state, scoped) and the agent's
 * (every exposure, unscoped).
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "state/state.h"

static void exposure(struct he_exposure *e, const char *name, const char *ports, const char *family)
{
	struct he_error err;

	he_exposure_init(e, name);
	assert_int_equal(he_portlist_parse(&e->ports, ports, &err), 0);
	snprintf(e->family, sizeof(e->family), "%s", family);
}

static size_t count_wants(const struct he_desired *d, const char *name, int family)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nwant; i++)
		n += !strcmp(d->want[i].name, name) && (!family || d->want[i].family == family);
	return n;
}

static size_t count_fw(const struct he_desired *d, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < d->fw.n; i++)
		n += !strcmp(d->fw.v[i].name, name);
	return n;
}

static size_t count_targets(const struct he_desired *d, size_t x, int family)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nt; i++)
		n += d->t[i].x == x && (!family || d->t[i].family == family);
	return n;
}

/* --- desired: one row per rule --- */

static void test_desired_families_and_transports(void **state)
{
	struct he_exposure v[4];
	struct he_desired d;
	struct he_desired_opts o = {.have_v6 = false};
	struct he_error err;

	(void)state;
	exposure(&v[0], "web", "443:8443/tcp", "both");
	exposure(&v[1], "dns", "53/both", "ipv4");
	v[1].force = true; /* 53 is on the never-expose list */
	exposure(&v[2], "off", "80", "both");
	v[2].router = false;
	exposure(&v[3], "v6", "8080", "ipv6");
	v[3].router = false; /* no pinhole wanted: not refused without IPv6 */
	/* without a global IPv6 address: IPv4 only */
	assert_int_equal(he_desired_build(v, 4, &o, &d, &err), 0);
	assert_int_equal(d.nwant, 3);
	assert_string_equal(d.want[0].name, "web");
	assert_int_equal(d.want[0].ext_port, 443);
	assert_int_equal(d.want[0].int_port, 8443);
	assert_int_equal(d.want[0].family, AF_INET);
	assert_int_equal(d.want[1].proto, HE_PROTO_TCP);
	assert_int_equal(d.want[2].proto, HE_PROTO_UDP);
	assert_int_equal(count_targets(&d, 2, 0), 1); /* router = no: still checked */
	assert_int_equal(count_targets(&d, 3, 0), 0); /* ipv6 only, no IPv6 here */
	assert_int_equal(count_fw(&d, "web"), 1);
	assert_int_equal(d.fw.v[0].port, 8443); /* the service port */
	assert_int_equal(count_fw(&d, "dns"), 1);
	assert_int_equal(d.nref, 0);
	he_desired_free(&d);
	/* with one: web gets its pinhole, dns (ipv4) does not */
	o.have_v6 = true;
	assert_int_equal(he_desired_build(v, 4, &o, &d, &err), 0);
	assert_int_equal(d.nwant, 4);
	assert_int_equal(d.want[1].family, AF_INET6);
	assert_int_equal(count_wants(&d, "dns", AF_INET6), 0);
	assert_int_equal(count_targets(&d, 3, AF_INET6), 1);
	assert_int_equal(count_targets(&d, 3, AF_INET), 0);
	he_desired_free(&d);
}

/* A range is one router mapping and check target per port, its firewall openings per port. */
static void test_desired_range(void **state)
{
	struct he_exposure v[1];
	struct he_desired d;
	struct he_desired_opts o = {.have_v6 = true};
	struct he_error err;

	(void)state;
	exposure(&v[0], "mosh", "60000-60002/udp", "both");
	assert_int_equal(he_desired_build(v, 1, &o, &d, &err), 0);
	assert_int_equal(count_wants(&d, "mosh", AF_INET), 3);
	assert_int_equal(count_wants(&d, "mosh", AF_INET6), 3);
	assert_int_equal(count_targets(&d, 0, 0), 6);
	assert_int_equal(count_fw(&d, "mosh"), 3);
	for (size_t i = 0; i < d.nwant; i++) {
		assert_int_equal(d.want[i].proto, HE_PROTO_UDP);
		assert_int_equal(d.want[i].ext_port, d.want[i].int_port);
		assert_in_range(d.want[i].ext_port, 60000, 60002);
	}
	assert_int_equal(d.fw.v[2].port, 60002);
	he_desired_free(&d);
	/* a never-expose port inside a range refuses the exposure */
	exposure(&v[0], "low", "20-30", "ipv4");
	assert_int_equal(he_desired_build(v, 1, &o, &d, &err), 0);
	assert_int_equal(d.nref, 1);
	assert_int_equal(d.nwant, 0);
	assert_non_null(strstr(d.ref[0].msg, "port 23"));
	he_desired_free(&d);
}

static void test_desired_to_another_host(void **state)
{
	struct he_exposure v[3];
	struct he_desired d;
	const struct he_desired_opts o = {.have_v6 = true};
	struct he_error err;

	(void)state;
	exposure(&v[0], "cam", "8554/tcp", "both");
	snprintf(v[0].to, sizeof(v[0].to), "192.168.77.20");
	exposure(&v[1], "nas6", "8443/tcp", "both");
	snprintf(v[1].to, sizeof(v[1].to), "fd00::20");
	exposure(&v[2], "bad", "8000/tcp", "ipv6");
	snprintf(v[2].to, sizeof(v[2].to), "192.168.77.21");
	assert_int_equal(he_desired_build(v, 3, &o, &d, &err), 0);
	/* an IPv4 LAN host: its forward only, no pinhole to an IPv4 address */
	assert_int_equal(count_wants(&d, "cam", AF_INET), 1);
	assert_int_equal(count_wants(&d, "cam", AF_INET6), 0);
	assert_string_equal(d.want[0].to, "192.168.77.20");
	/* an IPv6 LAN host: its pinhole only */
	assert_int_equal(count_wants(&d, "nas6", AF_INET), 0);
	assert_int_equal(count_wants(&d, "nas6", AF_INET6), 1);
	/* never this host's firewall for a service on another machine */
	assert_int_equal(count_fw(&d, "cam"), 0);
	assert_int_equal(count_fw(&d, "nas6"), 0);
	/* contradictory: refused with the reason, the others go on */
	assert_non_null(he_desired_refusal(&d, "bad"));
	assert_int_equal(he_desired_refusal(&d, "bad")->code, -EINVAL);
	assert_int_equal(count_wants(&d, "bad", 0), 0);
	assert_int_equal(count_targets(&d, 2, 0), 0);
	he_desired_free(&d);
}

static void test_desired_refusals(void **state)
{
	struct he_exposure v[3];
	struct he_desired d;
	const struct he_desired_opts o = {.have_v6 = false};
	struct he_error err;

	(void)state;
	exposure(&v[0], "smb", "445/tcp 8443/tcp", "both");
	exposure(&v[1], "forced", "445/tcp", "both");
	v[1].force = true;
	exposure(&v[2], "only6", "9000/udp", "ipv6");
	assert_int_equal(he_desired_build(v, 3, &o, &d, &err), 0);
	assert_int_equal(d.nref, 2);
	assert_int_equal(he_desired_refusal(&d, "smb")->code, -EPERM);
	assert_non_null(strstr(he_desired_refusal(&d, "smb")->msg, "445"));
	assert_null(he_desired_refusal(&d, "forced"));
	assert_int_equal(count_wants(&d, "forced", 0), 1);
	assert_int_equal(he_desired_refusal(&d, "only6")->code, -ENETUNREACH);
	/* ... but its firewall opening stays: the address may come back */
	assert_int_equal(count_fw(&d, "only6"), 1);
	assert_int_equal(count_wants(&d, "only6", 0), 0);
	assert_int_equal(count_fw(&d, "smb"), 0);
	he_desired_free(&d);
}

/* --- observed: the state's records through lib/portmap --- */

static const char *state_json =
    "{\"mappings\": {"
    " \"web tcp 443 ipv4\": {\"name\": \"web\", \"protocol\": \"pcp\", \"proto\": \"tcp\","
    "   \"family\": 4, \"ext_port\": 443, \"int_port\": 8443, \"lease\": 3600,"
    "   \"expires\": 5000, \"permanent\": false},"
    " \"old tcp 80 ipv4\": {\"name\": \"old\", \"protocol\": \"upnp\", \"proto\": \"tcp\","
    "   \"family\": 4, \"ext_port\": 80, \"int_port\": 80, \"lease\": 0,"
    "   \"expires\": 0, \"permanent\": true},"
    " \"junk\": {\"proto\": 7}"
    "}}";

static void observe(struct he_observed *o)
{
	char dir[] = "/tmp/he-test-engine.XXXXXX";
	struct he_state *st = NULL;
	struct he_error err;
	json_t *sec = json_loads(state_json, 0, NULL), *mine;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	mine = he_state_section(st, "portmap");
	assert_non_null(mine);
	json_object_update(mine, sec);
	json_decref(sec);
	memset(o, 0, sizeof(*o));
	assert_int_equal(he_observed_router(st, o, &err), 0);
	he_state_close(st);
	{
		char path[sizeof(dir) + 32];

		snprintf(path, sizeof(path), "%s/state.json", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/state.lock", dir);
		unlink(path);
		rmdir(dir);
	}
}

static void test_observed_records(void **state)
{
	struct he_observed o;
	struct he_error err;

	(void)state;
	observe(&o);
	assert_true(o.router_read);
	assert_int_equal(o.nmaps, 2); /* the record lib/portmap never wrote is skipped */
	assert_string_equal(o.maps[0].name, "web");
	assert_int_equal(o.maps[0].protocol, HE_PM_PCP);
	assert_int_equal(o.maps[0].lease, 3600);
	assert_int_equal(o.maps[0].expires, 5000);
	assert_false(o.maps[0].router_checked);
	assert_true(o.maps[1].permanent);
	assert_int_equal(he_observed_router(NULL, &o, &err), 0);
	assert_int_equal(o.nmaps, 0);
	he_observed_free(&o);
}

/* --- plan: router --- */

static size_t count(const struct he_plan *p, enum he_eng_act a)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].act == a;
	return n;
}

static void test_renew_at_and_backoff(void **state)
{
	struct he_pm_entry h = {.lease = 3600, .expires = 10000};

	(void)state;
	assert_int_equal(he_eng_renew_at(&h), 10000 - 1800);
	h.lease = 121;
	assert_int_equal(he_eng_renew_at(&h), 10000 - 60);
	h.permanent = true;
	assert_true(he_eng_renew_at(&h) == INT64_MAX);
	h.permanent = false;
	h.expires = 0; /* UPnP permanent mapping recorded with expires 0 */
	assert_true(he_eng_renew_at(&h) == INT64_MAX);
	assert_int_equal(he_eng_backoff(0), 0);
	assert_int_equal(he_eng_backoff(1), 1);
	assert_int_equal(he_eng_backoff(2), 2);
	assert_int_equal(he_eng_backoff(4), 8);
	assert_int_equal(he_eng_backoff(7), 60);
	assert_int_equal(he_eng_backoff(1000), 60);
}

static void test_plan_router(void **state)
{
	struct he_exposure v[2];
	struct he_desired d;
	struct he_observed o;
	struct he_plan p = {0};
	struct he_error err;
	const char *keep[] = {"old"};
	struct he_plan_opts po = {.now = 3000};

	(void)state;
	exposure(&v[0], "web", "443:8443/tcp", "ipv4");
	exposure(&v[1], "new", "9000/udp", "ipv4");
	assert_int_equal(he_desired_build(v, 2, NULL, &d, &err), 0);
	observe(&o);

	/* before half the lease: only the new one is mapped, old is removed */
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(count(&p, HE_ACT_MAP), 1);
	assert_int_equal(count(&p, HE_ACT_RENEW), 0);
	assert_int_equal(count(&p, HE_ACT_UNMAP), 1);
	assert_int_equal(p.v[0].act, HE_ACT_UNMAP); /* removals first */
	assert_string_equal(o.maps[p.v[0].idx].name, "old");
	assert_int_equal(p.next_at, 5000 - 1800);

	/* at half the lease: renewed */
	po.now = 3200;
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(count(&p, HE_ACT_RENEW), 1);
	assert_true(p.next_at == INT64_MAX);

	/* an unreadable drop-in keeps its mappings */
	po.now = 3000;
	po.keep = keep;
	po.n_keep = 1;
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(count(&p, HE_ACT_UNMAP), 0);

	/* the router lost its state: everything wanted is mapped again */
	po.flags = HE_PLAN_REMAP_ALL;
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(count(&p, HE_ACT_MAP), 2);
	po.flags = 0;

	/* the router said web is not there (a backend that can confirm) */
	o.maps[0].router_checked = true;
	o.maps[0].on_router = false;
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(count(&p, HE_ACT_MAP), 2);
	o.maps[0].router_checked = false;

	/* scoped (close web): only web's records and wants are touched */
	po.scope = "web";
	po.keep = NULL;
	po.n_keep = 0;
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(p.n, 0); /* web is wanted and fresh; old is out of scope */
	po.scope = NULL;

	/* internal port changed in the drop-in: the old record goes, the new is made */
	he_desired_free(&d);
	v[0].ports.v[0].in = 9443;
	assert_int_equal(he_desired_build(v, 2, NULL, &d, &err), 0);
	po.keep = keep;
	po.n_keep = 1;
	assert_int_equal(he_plan_router(&d, o.maps, o.nmaps, &po, &p, &err), 0);
	assert_int_equal(count(&p, HE_ACT_UNMAP), 1);
	assert_string_equal(o.maps[p.v[0].idx].name, "web");
	assert_int_equal(count(&p, HE_ACT_MAP), 2);

	/* nothing wanted, nothing recorded: nothing to do */
	he_desired_free(&d);
	assert_int_equal(he_desired_build(NULL, 0, NULL, &d, &err), 0);
	assert_int_equal(he_plan_router(&d, o.maps, 0, &po, &p, &err), 0);
	assert_int_equal(p.n, 0);
	he_plan_free(&p);
	he_desired_free(&d);
	he_observed_free(&o);
}

static void test_plan_pinhole_is_kept(void **state)
{
	struct he_exposure v[1];
	const struct he_desired_opts o = {.have_v6 = true};
	struct he_desired d;
	/* the router records a pinhole under its service port, not the forward's */
	struct he_pm_entry h[2] = {
	    {.name = "web",
	     .proto = HE_PROTO_TCP,
	     .family = AF_INET,
	     .ext_port = 8443,
	     .int_port = 8081,
	     .lease = 120,
	     .expires = 5000},
	    {.name = "web",
	     .proto = HE_PROTO_TCP,
	     .family = AF_INET6,
	     .ext_port = 8081,
	     .int_port = 8081,
	     .lease = 120,
	     .expires = 5000},
	};
	struct he_plan_opts po = {.now = 4000};
	struct he_plan p = {0};
	struct he_error err;

	(void)state;
	exposure(&v[0], "web", "8443:8081/tcp", "both");
	assert_int_equal(he_desired_build(v, 1, &o, &d, &err), 0);
	assert_int_equal(he_plan_router(&d, h, 2, &po, &p, &err), 0);
	assert_int_equal(p.n, 0); /* neither removed nor made again */
	assert_int_equal(p.next_at, 5000 - 60);
	he_plan_free(&p);
	he_desired_free(&d);
}

/* --- plan: firewall --- */

static void test_plan_firewall(void **state)
{
	struct he_exposure v[2];
	struct he_desired d;
	struct he_fw_report rep = {0};
	struct he_fw_shadow sh[2] = {
	    {.port = 8080,
	     .proto = HE_PROTO_TCP,
	     .certain = 1,
	     .family = "inet",
	     .table = "locked"},
	    {.port = 22, .proto = HE_PROTO_TCP, .certain = 1, .family = "inet", .table = "locked"},
	};
	struct he_fw_missing extra = {
	    .port = 7000, .proto = HE_PROTO_TCP, .comment = "homeexpose:coming"};
	struct he_fw_plan fp;
	struct he_error err;

	(void)state;
	exposure(&v[0], "web", "8443:8080/tcp", "both");
	exposure(&v[1], "ssh", "2222:22/tcp", "both");
	v[1].force = true;
	assert_int_equal(he_desired_build(v, 2, NULL, &d, &err), 0);
	rep.in_sync = 1;
	/* in sync, nothing to do (the agent) */
	assert_int_equal(he_plan_firewall(&d, &rep, NULL, 0, &fp, &err), 0);
	assert_int_equal(fp.decision, HE_FW_NOTHING);
	he_fw_plan_free(&fp);
	/* open web: a certain drop of 8080 in another table refuses */
	rep.shadow = sh;
	rep.n_shadow = 2;
	assert_int_equal(he_plan_firewall(&d, &rep, "web", HE_FWPLAN_ALWAYS, &fp, &err), 0);
	assert_int_equal(fp.decision, HE_FW_REFUSE);
	assert_int_equal(fp.nshadow, 1); /* ssh's shadow is not web's business */
	assert_int_equal(fp.shadow[0].port, 8080);
	he_fw_plan_free(&fp);
	/* a "may drop" does not refuse */
	sh[0].certain = 0;
	assert_int_equal(he_plan_firewall(&d, &rep, "web", HE_FWPLAN_ALWAYS, &fp, &err), 0);
	assert_int_equal(fp.decision, HE_FW_APPLY);
	assert_int_equal(fp.nshadow, 1);
	he_fw_plan_free(&fp);
	/* the agent never refuses over shadows; an extra opening is kept unless pruning */
	rep.n_shadow = 0;
	rep.in_sync = 0;
	rep.extra = &extra;
	rep.n_extra = 1;
	assert_int_equal(he_plan_firewall(&d, &rep, NULL, 0, &fp, &err), 0);
	assert_int_equal(fp.decision, HE_FW_NOTHING);
	assert_int_equal(fp.apply.n, 3);
	assert_string_equal(fp.apply.v[2].name, "coming");
	he_fw_plan_free(&fp);
	assert_int_equal(he_plan_firewall(&d, &rep, NULL, HE_FWPLAN_PRUNE, &fp, &err), 0);
	assert_int_equal(fp.decision, HE_FW_APPLY);
	assert_int_equal(fp.nextra, 1);
	assert_int_equal(fp.apply.n, 2);
	he_fw_plan_free(&fp);
	he_desired_free(&d);
}

/* --- parity: the command line's entry and the agent's give the same actions --- */

/* The actions as sorted text lines, for comparison. */
static void describe(const struct he_desired *d, const struct he_plan *p, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n; i++) {
		const struct he_eng_want *w = &d->want[p->v[i].idx];

		off +=
		    (size_t)snprintf(buf + off, len - off, "%s %s %s %u:%u %s lease=%u;",
				     he_eng_act_name(p->v[i].act), w->name, he_family_id(w->family),
				     w->ext_port, w->int_port, he_proto_name(w->proto), w->lease);
		assert_true(off < len);
	}
}

static void test_parity_cli_agent(void **state)
{
	struct he_exposure v[6];
	const struct he_desired_opts o = {.have_v6 = true};
	struct he_desired all;
	struct he_plan pa = {0};
	struct he_plan_opts po = {.now = 1000, .flags = HE_PLAN_REMAP_ALL};
	struct he_error err;
	char agent[8192], cli[8192], one[4096];

	(void)state;
	exposure(&v[0], "v4only", "8443:8080/tcp", "ipv4");
	exposure(&v[1], "both", "443/tcp", "both");
	exposure(&v[2], "udp", "3478/udp 5349/both", "both");
	exposure(&v[3], "several", "80 443 8448:8008/tcp", "both");
	v[3].lease = 600;
	exposure(&v[4], "lanhost", "8554/tcp", "both");
	snprintf(v[4].to, sizeof(v[4].to), "192.168.77.20");
	exposure(&v[5], "danger", "23/tcp", "both");
	v[5].force = true;

	/* the agent: every exposure, one plan */
	assert_int_equal(he_desired_build(v, 6, &o, &all, &err), 0);
	assert_int_equal(he_plan_router(&all, NULL, 0, &po, &pa, &err), 0);
	describe(&all, &pa, agent, sizeof(agent));

	/* the command line: open NAME, one exposure at a time (scope), same desired list */
	cli[0] = '\0';
	for (size_t x = 0; x < 6; x++) {
		struct he_plan pc = {0};
		struct he_plan_opts pco = po;

		pco.scope = v[x].name;
		assert_int_equal(he_plan_router(&all, NULL, 0, &pco, &pc, &err), 0);
		describe(&all, &pc, one, sizeof(one));
		strcat(cli, one);
		he_plan_free(&pc);
	}
	assert_string_equal(cli, agent);
	/* and what the rules say: 1 + 2 + 2*(1+2) + 3*2 + 1 + 2 */
	assert_int_equal(pa.n, 1 + 2 + 6 + 6 + 1 + 2);
	assert_null(strstr(agent, "lanhost ipv6"));
	assert_non_null(strstr(agent, "map several ipv4 8448:8008 tcp lease=600;"));
	he_plan_free(&pa);
	he_desired_free(&all);
}

/* --- live: drift lines --- */

static void test_live_drift(void **state)
{
	struct he_exposure v[1];
	struct he_live lv;
	struct he_fw_missing miss = {.port = 8443, .proto = HE_PROTO_TCP};
	char lines[HE_DRIFT_MAX][HE_DRIFT_LEN];
	struct he_error err;
	size_t n;

	(void)state;
	exposure(&v[0], "web", "443:8443/tcp", "ipv4");
	memset(&lv, 0, sizeof(lv));
	assert_int_equal(he_desired_build(v, 1, NULL, &lv.d, &err), 0);
	observe(&lv.o);
	lv.o.maps[0].lease_remaining = 100; /* the fixture's expiry is long past */
	n = he_live_drift(&lv, 0, lines, HE_DRIFT_MAX);
	assert_int_equal(n, 0); /* recorded, lease not over, firewall not read */
	lv.o.maps[0].lease_remaining = -1;
	lv.o.fw_read = true;
	snprintf(lv.o.fw_backend, sizeof(lv.o.fw_backend), "nftables");
	lv.o.fw.missing = &miss;
	lv.o.fw.n_missing = 1;
	n = he_live_drift(&lv, 0, lines, HE_DRIFT_MAX);
	assert_int_equal(n, 2);
	assert_non_null(strstr(lines[0], "lease of the IPv4 forward 443/tcp has run out"));
	assert_non_null(strstr(lines[1], "8443/tcp is no longer open in nftables"));
	lv.o.fw.missing = NULL;
	lv.o.fw.n_missing = 0;
	he_live_free(&lv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_desired_families_and_transports),
	    cmocka_unit_test(test_desired_range),
	    cmocka_unit_test(test_desired_to_another_host),
	    cmocka_unit_test(test_desired_refusals),
	    cmocka_unit_test(test_observed_records),
	    cmocka_unit_test(test_renew_at_and_backoff),
	    cmocka_unit_test(test_plan_router),
	    cmocka_unit_test(test_plan_pinhole_is_kept),
	    cmocka_unit_test(test_plan_firewall),
	    cmocka_unit_test(test_parity_cli_agent),
	    cmocka_unit_test(test_live_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
