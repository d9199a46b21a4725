/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: lib/reach/socks5 (the SOCKS5 wire format, RFC 1928 and RFC
 * 1929, written from the RFCs' byte layouts) and the outside step through a
 * proxy (outside_socks), against a scripted SOCKS5 server on loopback: Tor's
 * fresh credentials per attempt, several exits, the reply codes told apart,
 * UDP "unknown" when UDP ASSOCIATE is refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/portspec.h"
#include "reach/outside_socks.h"
#include "reach/socks5.h"

/* ---- wire format ------------------------------------------------------- */

static void test_greeting_and_choice(void **state)
{
	uint8_t b[4];
	uint8_t m = 0xee;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_socks5_greeting(b, false), 3);
	assert_memory_equal(b, "\x05\x01\x00", 3);
	assert_int_equal(he_socks5_greeting(b, true), 3);
	assert_memory_equal(b, "\x05\x01\x02", 3);

	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x05\x00", 2, false, &m, &err),
			 0);
	assert_int_equal(m, 0);
	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x05\x02", 2, true, &m, &err), 0);
	assert_int_equal(m, 2);
	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x05", 1, false, &m, &err),
			 -EAGAIN);
	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x04\x00", 2, false, &m, &err),
			 -EPROTO);
	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x05\xff", 2, true, &m, &err),
			 -EACCES);
	assert_non_null(strstr(err.msg, "none of the offered methods"));
	/* a method that was not offered */
	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x05\x02", 2, false, &m, &err),
			 -EPROTO);
	assert_int_equal(he_socks5_parse_choice((const uint8_t *)"\x05\x00", 2, true, &m, &err),
			 -EPROTO);
}

static void test_auth(void **state)
{
	uint8_t b[HE_SOCKS5_AUTH_MAX];
	char big[300];
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_socks5_auth_request(b, "user", "pw", &err), 9);
	assert_memory_equal(b, "\x01\x04user\x02pw", 9);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(he_socks5_auth_request(b, big, "pw", &err), -EINVAL);
	assert_int_equal(he_socks5_auth_request(b, "", "pw", &err), -EINVAL);
	big[255] = '\0';
	assert_int_equal(he_socks5_auth_request(b, big, big, &err), 3 + 255 + 255);

	assert_int_equal(he_socks5_parse_auth((const uint8_t *)"\x01\x00", 2, &err), 0);
	assert_int_equal(he_socks5_parse_auth((const uint8_t *)"\x01\x01", 2, &err), -EACCES);
	assert_int_equal(he_socks5_parse_auth((const uint8_t *)"\x01", 1, &err), -EAGAIN);
	assert_int_equal(he_socks5_parse_auth((const uint8_t *)"\x05\x00", 2, &err), -EPROTO);
}

static void test_request(void **state)
{
	uint8_t b[HE_SOCKS5_REQ_MAX];
	struct he_socks5_addr a;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_socks5_addr_set(&a, "192.0.2.7", 443, &err), 0);
	assert_int_equal(a.atyp, HE_SOCKS5_ATYP_IPV4);
	assert_int_equal(he_socks5_request(b, HE_SOCKS5_CONNECT, &a, &err), 10);
	assert_memory_equal(b, "\x05\x01\x00\x01\xc0\x00\x02\x07\x01\xbb", 10);

	assert_int_equal(he_socks5_addr_set(&a, "2001:db8::1", 8080, &err), 0);
	assert_int_equal(a.atyp, HE_SOCKS5_ATYP_IPV6);
	assert_int_equal(he_socks5_request(b, HE_SOCKS5_UDP_ASSOC, &a, &err), 22);
	assert_memory_equal(b, "\x05\x03\x00\x04\x20\x01\x0d\xb8", 8);
	assert_memory_equal(b + 8, "\0\0\0\0\0\0\0\0\0\0\0\x01\x1f\x90", 14);

	assert_int_equal(he_socks5_addr_set(&a, "home.example.org", 22, &err), 0);
	assert_int_equal(a.atyp, HE_SOCKS5_ATYP_DOMAIN);
	assert_int_equal(he_socks5_request(b, HE_SOCKS5_CONNECT, &a, &err), 7 + 16);
	assert_memory_equal(b, "\x05\x01\x00\x03\x10home.example.org\x00\x16", 23);

	assert_int_equal(he_socks5_addr_set(&a, "", 1, &err), -EINVAL);
}

/* A reply with an IPv4 bound address 198.51.100.9:4660. */
static void reply4(uint8_t *b, int rep)
{
	memcpy(b, "\x05\x00\x00\x01\xc6\x33\x64\x09\x12\x34", 10);
	b[1] = (uint8_t)rep;
}

static void test_reply_codes(void **state)
{
	uint8_t b[10];
	struct he_socks5_addr bnd;
	struct he_error err = {0};
	size_t used;
	int rep;

	(void)state;
	for (int code = 0; code <= 9; code++) {
		reply4(b, code);
		assert_int_equal(he_socks5_parse_reply(b, 10, &rep, &bnd, &used, &err), 0);
		assert_int_equal(rep, code);
		assert_int_equal(used, 10);
		assert_string_equal(bnd.host, "198.51.100.9");
		assert_int_equal(bnd.port, 0x1234);
	}
	assert_string_equal(he_socks5_rep_text(0), "succeeded");
	assert_string_equal(he_socks5_rep_text(1), "general SOCKS server failure");
	assert_string_equal(he_socks5_rep_text(2), "connection not allowed by ruleset");
	assert_string_equal(he_socks5_rep_text(3), "network unreachable");
	assert_string_equal(he_socks5_rep_text(4), "host unreachable");
	assert_string_equal(he_socks5_rep_text(5), "connection refused");
	assert_string_equal(he_socks5_rep_text(6), "TTL expired");
	assert_string_equal(he_socks5_rep_text(7), "command not supported");
	assert_string_equal(he_socks5_rep_text(8), "address type not supported");
	assert_string_equal(he_socks5_rep_text(9), "unknown reply code");
	assert_string_equal(he_socks5_rep_text(HE_SOCKS5_NO_REPLY), "no reply from the proxy");
}

static void test_reply_addresses_and_truncation(void **state)
{
	static const uint8_t v6[] = {5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,
				     0, 0, 0, 0, 0,    0,    0,    0,    0x2a, 0x04, 0x38};
	static const uint8_t dom[] = {5, 0, 0, 3, 7, 'r', 'e', 'l', 'a', 'y', '.', 'x', 0, 53};
	uint8_t b[10], extra[12];
	struct he_socks5_addr bnd;
	struct he_error err = {0};
	size_t used;
	int rep = -1;

	(void)state;
	assert_int_equal(he_socks5_parse_reply(v6, sizeof(v6), &rep, &bnd, &used, &err), 0);
	assert_int_equal(used, sizeof(v6));
	assert_int_equal(bnd.atyp, HE_SOCKS5_ATYP_IPV6);
	assert_string_equal(bnd.host, "2001:db8::2a");
	assert_int_equal(bnd.port, 0x0438);
	assert_int_equal(he_socks5_parse_reply(dom, sizeof(dom), &rep, &bnd, &used, &err), 0);
	assert_int_equal(used, sizeof(dom));
	assert_string_equal(bnd.host, "relay.x");
	assert_int_equal(bnd.port, 53);
	/* every truncation asks for more, and says how much in all once it can know */
	for (size_t n = 0; n < sizeof(v6); n++) {
		rep = -1;
		assert_int_equal(he_socks5_parse_reply(v6, n, &rep, &bnd, &used, &err), -EAGAIN);
		assert_int_equal(rep, -1);
		assert_int_equal(used, n < 5 ? 5 : sizeof(v6));
	}
	for (size_t n = 0; n < sizeof(dom); n++)
		assert_int_equal(he_socks5_parse_reply(dom, n, &rep, &bnd, &used, &err), -EAGAIN);
	/* bytes after the reply are the destination's, not the reply's */
	reply4(extra, 0);
	memcpy(extra + 10, "hi", 2);
	assert_int_equal(he_socks5_parse_reply(extra, 12, &rep, &bnd, &used, &err), 0);
	assert_int_equal(used, 10);
	/* malformed */
	reply4(b, 0);
	b[0] = 4;
	assert_int_equal(he_socks5_parse_reply(b, 10, &rep, &bnd, &used, &err), -EPROTO);
	reply4(b, 0);
	b[2] = 1;
	assert_int_equal(he_socks5_parse_reply(b, 10, &rep, &bnd, &used, &err), -EPROTO);
	reply4(b, 0);
	b[3] = 2;
	assert_int_equal(he_socks5_parse_reply(b, 10, &rep, &bnd, &used, &err), -EPROTO);
	assert_int_equal(he_socks5_parse_reply((const uint8_t *)"\x05\x00\x00\x03\x00\x00\x35", 7,
					       &rep, &bnd, &used, &err),
			 -EPROTO);
	assert_int_equal(he_socks5_parse_reply((const uint8_t *)"\x05\x00\x00\x03\x01\n\x00\x35", 8,
					       &rep, &bnd, &used, &err),
			 -EPROTO);
}

static void test_udp_header(void **state)
{
	uint8_t b[HE_SOCKS5_REQ_MAX + 8];
	struct he_socks5_addr a, from;
	struct he_error err = {0};
	size_t hl;
	int n;

	(void)state;
	he_socks5_addr_set(&a, "203.0.113.5", 51820, &err);
	n = he_socks5_udp_header(b, &a, &err);
	assert_int_equal(n, 10);
	assert_memory_equal(b, "\0\0\0\x01\xcb\x00\x71\x05\xca\x6c", 10);
	memcpy(b + n, "data", 4);
	assert_int_equal(he_socks5_parse_udp(b, (size_t)n + 4, &from, &hl, &err), 0);
	assert_int_equal(hl, 10);
	assert_string_equal(from.host, "203.0.113.5");
	assert_int_equal(from.port, 51820);
	b[2] = 1;
	assert_int_equal(he_socks5_parse_udp(b, (size_t)n + 4, &from, &hl, &err), -ENOTSUP);
	b[2] = 0;
	assert_int_equal(he_socks5_parse_udp(b, 7, &from, &hl, &err), -EPROTO);
	b[0] = 1;
	assert_int_equal(he_socks5_parse_udp(b, (size_t)n, &from, &hl, &err), -EPROTO);
}

static void test_hostport(void **state)
{
	char h[64];
	uint16_t p;
	struct he_error err = {0};

	(void)state;
	assert_int_equal(he_socks5_parse_hostport("127.0.0.1:9050", h, sizeof(h), &p, &err), 0);
	assert_string_equal(h, "127.0.0.1");
	assert_int_equal(p, 9050);
	assert_int_equal(he_socks5_parse_hostport("[::1]:1080", h, sizeof(h), &p, &err), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(he_socks5_parse_hostport("proxy.lan:1080", h, sizeof(h), &p, &err), 0);
	assert_string_equal(h, "proxy.lan");
	assert_int_equal(he_socks5_parse_hostport("proxy.lan", h, sizeof(h), &p, &err), -EINVAL);
	assert_int_equal(he_socks5_parse_hostport("::1:1080", h, sizeof(h), &p, &err), -EINVAL);
	assert_int_equal(he_socks5_parse_hostport("h:0", h, sizeof(h), &p, &err), -EINVAL);
	assert_int_equal(he_socks5_parse_hostport("h:65536", h, sizeof(h), &p, &err), -EINVAL);
	assert_int_equal(he_socks5_parse_hostport("h:-1", h, sizeof(h), &p, &err), -EINVAL);
	assert_int_equal(he_socks5_parse_hostport(":80", h, sizeof(h), &p, &err), -EINVAL);
	assert_int_equal(he_socks5_parse_hostport("[::1]80", h, sizeof(h), &p, &err), -EINVAL);

	assert_true(he_outside_socks_is_tor("auto", "127.0.0.1:9050"));
	assert_true(he_outside_socks_is_tor("auto", "127.0.0.1:9150"));
	assert_false(he_outside_socks_is_tor("auto", "127.0.0.1:1080"));
	assert_true(he_outside_socks_is_tor("yes", "127.0.0.1:1080"));
	assert_false(he_outside_socks_is_tor("no", "127.0.0.1:9050"));
}

static void test_vantage(void **state)
{
	static struct he_config cfg;
	struct he_check_opts o = {0};
	char v[200];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.reflector_socks_tor, sizeof(cfg.reflector_socks_tor), "auto");
	he_check_vantage(&cfg, &o, v, sizeof(v));
	assert_string_equal(v, "");
	snprintf(cfg.reflector_socks, sizeof(cfg.reflector_socks), "127.0.0.1:9050");
	he_check_vantage(&cfg, &o, v, sizeof(v));
	assert_string_equal(v, "from a Tor exit (socks 127.0.0.1:9050)");
	/* a configured reflector is preferred to the configured proxy */
	snprintf(cfg.reflector_url, sizeof(cfg.reflector_url), "http://r.example:7700");
	he_check_vantage(&cfg, &o, v, sizeof(v));
	assert_string_equal(v, "from reflector http://r.example:7700");
	assert_null(he_outside_socks_proxy(&cfg, &o));
	/* --via-socks wins */
	o.via_socks = "192.0.2.7:1080";
	he_check_vantage(&cfg, &o, v, sizeof(v));
	assert_string_equal(v, "through socks 192.0.2.7:1080");
	assert_string_equal(he_outside_socks_proxy(&cfg, &o), "192.0.2.7:1080");
}

static void test_config_keys(void **state)
{
	static struct he_config cfg;
	struct he_diags d = {0};

	(void)state;
	he_config_defaults(&cfg, "/etc/homeexpose/homeexpose.conf");
	assert_string_equal(cfg.reflector_socks, "");
	assert_string_equal(cfg.reflector_socks_tor, "auto");
	assert_int_equal(he_config_load_string(&cfg, "t.conf",
					       "[reflector]\nsocks = [::1]:9150\nsocks-tor = no\n",
					       &d),
			 0);
	assert_string_equal(cfg.reflector_socks, "[::1]:9150");
	assert_false(he_outside_socks_is_tor(cfg.reflector_socks_tor, cfg.reflector_socks));
	assert_int_equal(
	    he_config_load_string(&cfg, "t.conf", "[reflector]\nsocks-tor = maybe\n", &d), -EINVAL);
	assert_int_equal(he_config_load_string(&cfg, "t.conf", "[reflector]\nsocks = a b:1\n", &d),
			 -EINVAL);
	he_diags_free(&d);
}

/* ---- a scripted SOCKS5 server on loopback ------------------------------ */

#define FAKE_MAX 4

struct fake {
	int lfd;
	uint16_t port;
	int reps[FAKE_MAX]; /* the reply for each connection in turn */
	size_t n;
	const char *banner; /* sent after a successful CONNECT */
	char users[FAKE_MAX][64];
	uint8_t cmds[FAKE_MAX];
	pthread_t th;
};

static int rd(int fd, uint8_t *b, size_t n)
{
	while (n) {
		ssize_t r = recv(fd, b, n, 0);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void fake_one(struct fake *f, size_t i, int fd)
{
	uint8_t b[600], reply[10];
	size_t alen;

	if (rd(fd, b, 2) || rd(fd, b + 2, b[1]))
		return;
	if (memchr(b + 2, 2, b[1])) {
		if (send(fd, "\x05\x02", 2, 0) != 2 || rd(fd, b, 2) || rd(fd, b + 2, b[1] + 1u) ||
		    rd(fd, b + 3 + b[1], b[2 + b[1]]))
			return;
		snprintf(f->users[i], sizeof(f->users[i]), "%.*s", b[1], (const char *)b + 2);
		if (send(fd, "\x01\x00", 2, 0) != 2)
			return;
	} else if (send(fd, "\x05\x00", 2, 0) != 2) {
		return;
	}
	if (rd(fd, b, 5))
		return;
	f->cmds[i] = b[1];
	alen = b[3] == 1 ? 3 + 2 : b[3] == 4 ? 15 + 2 : (size_t)b[4] + 2;
	if (rd(fd, b + 5, alen))
		return;
	reply4(reply, f->reps[i]);
	if (send(fd, reply, sizeof(reply), 0) != (ssize_t)sizeof(reply))
		return;
	if (f->reps[i] == 0 && f->banner && send(fd, f->banner, strlen(f->banner), 0) < 0)
		return;
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	for (size_t i = 0; i < f->n; i++) {
		int fd = accept(f->lfd, NULL, NULL);

		if (fd < 0)
			break;
		fake_one(f, i, fd);
		close(fd);
	}
	return NULL;
}

static void fake_start(struct fake *f)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	pthread_join(f->th, NULL);
	close(f->lfd);
}

/* One target through the fake proxy; its outside line. */
static struct he_check_line run_one(struct fake *f, bool tor, unsigned proto)
{
	char proxy[32];
	struct he_check_target t = {.ext = 8480, .in = 8080, .proto = proto, .family = AF_INET};
	struct he_outside_socks o = {
	    .proxy = proxy, .tor = tor, .pub = {"127.0.0.1", ""}, .timeout_ms = 3000};

	fake_start(f);
	snprintf(proxy, sizeof(proxy), "127.0.0.1:%u", f->port);
	he_outside_socks_run(&o, &t, 1);
	fake_stop(f);
	return t.l[HE_CHK_OUTSIDE];
}

static void has(const struct he_check_line *l, enum he_check_status st, const char *needle)
{
	if (l->status != st || !strstr(l->evidence, needle))
		fail_msg("want %s with '%s', got %s: %s", he_check_status_name(st), needle,
			 he_check_status_name(l->status), l->evidence);
}

static void test_tor_exits(void **state)
{
	struct fake f = {.n = 3, .reps = {2, 5, 2}};
	struct he_check_line l;

	(void)state;
	/* three exits: the closed port outranks the exit policies */
	l = run_one(&f, true, HE_PROTO_TCP);
	has(&l, HE_CHK_FAIL, "from 3 Tor exits: the connection to 127.0.0.1:8480/tcp was refused");
	/* a fresh username per attempt: a new circuit each time */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(strncmp(f.users[i], "homeexpose-", 11), 0);
		assert_int_equal(f.cmds[i], HE_SOCKS5_CONNECT);
	}
	assert_string_not_equal(f.users[0], f.users[1]);
	assert_string_not_equal(f.users[1], f.users[2]);

	/* every exit refuses by policy: not "closed" */
	f = (struct fake){.n = 3, .reps = {2, 2, 2}};
	l = run_one(&f, true, HE_PROTO_TCP);
	has(&l, HE_CHK_WARN, "the proxy refused the destination 127.0.0.1:8480/tcp");
	assert_null(strstr(l.evidence, "closed"));

	/* the second exit connects: a pass, and what the service said */
	f = (struct fake){.n = 2, .reps = {6, 0}, .banner = "SSH-2.0-OpenSSH_9.2\r\n"};
	l = run_one(&f, true, HE_PROTO_TCP);
	has(&l, HE_CHK_PASS, "from a Tor exit (circuit 2 of 3): connected to 127.0.0.1:8480/tcp");
	has(&l, HE_CHK_PASS, "\"SSH-2.0-OpenSSH_9.2\"");

	/* TTL expired (Tor: the exit timed out) and host unreachable: not reachable */
	f = (struct fake){.n = 3, .reps = {6, 4, 6}};
	l = run_one(&f, true, HE_PROTO_TCP);
	assert_int_equal(l.status, HE_CHK_FAIL);
}

static void test_plain_proxy(void **state)
{
	struct fake f = {.n = 1, .reps = {5}};
	struct he_check_line l;

	(void)state;
	/* not Tor: one attempt, no credentials */
	l = run_one(&f, false, HE_PROTO_TCP);
	has(&l, HE_CHK_FAIL, "was refused (closed)");
	assert_string_equal(f.users[0], "");

	f = (struct fake){.n = 1, .reps = {6}};
	l = run_one(&f, false, HE_PROTO_TCP);
	has(&l, HE_CHK_FAIL, "timed out (TTL expired");

	f = (struct fake){.n = 1, .reps = {1}};
	l = run_one(&f, false, HE_PROTO_TCP);
	has(&l, HE_CHK_WARN, "general SOCKS server failure");

	/* UDP ASSOCIATE refused as Tor does: unknown, never a pass */
	f = (struct fake){.n = 1, .reps = {7}};
	l = run_one(&f, true, HE_PROTO_UDP);
	has(&l, HE_CHK_WARN, "unknown: the proxy");
	has(&l, HE_CHK_WARN, "does not relay UDP");
	assert_int_equal(f.cmds[0], HE_SOCKS5_UDP_ASSOC);
}

static void test_proxy_down(void **state)
{
	struct he_check_target t = {.ext = 80, .in = 80, .proto = HE_PROTO_TCP, .family = AF_INET};
	struct he_outside_socks o = {.proxy = "127.0.0.1:1", .pub = {"127.0.0.1", ""}};
	struct he_check_target t6 = {
	    .ext = 80, .in = 80, .proto = HE_PROTO_TCP, .family = AF_INET6};

	(void)state;
	he_outside_socks_run(&o, &t, 1);
	has(&t.l[HE_CHK_OUTSIDE], HE_CHK_WARN, "cannot reach socks proxy 127.0.0.1:1");
	/* no public address of the family: nothing to connect to */
	he_outside_socks_run(&o, &t6, 1);
	assert_int_equal(t6.l[HE_CHK_OUTSIDE].status, HE_CHK_NA);
	o.pub[0] = "";
	he_outside_socks_run(&o, &t, 1);
	has(&t.l[HE_CHK_OUTSIDE], HE_CHK_NA, "public IPv4 address is not known");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_greeting_and_choice),
	    cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_reply_codes),
	    cmocka_unit_test(test_reply_addresses_and_truncation),
	    cmocka_unit_test(test_udp_header),
	    cmocka_unit_test(test_hostport),
	    cmocka_unit_test(test_vantage),
	    cmocka_unit_test(test_config_keys),
	    cmocka_unit_test(test_tor_exits),
	    cmocka_unit_test(test_plain_proxy),
	    cmocka_unit_test(test_proxy_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
