/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/reach (reflector protocol, HTTP head, rate limiter, listeners). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
#include "reach/check.h"
#include "reach/http_head.h"
#include "reach/listener.h"
#include "reach/ratelimit.h"
#include "reach/reflector_proto.h"

#define NONCE "0123456789abcdef0123"

static void refuses(const char *body, int code, const char *needle)
{
	struct he_rp_request r = {.ts = 77};
	struct he_error err = {0};

	assert_int_equal(he_rp_request_parse(body, strlen(body), &r, &err), code);
	if (!strstr(err.msg, needle))
		fail_msg("message for %s lacks '%s': %s", body, needle, err.msg);
	assert_int_equal(r.ts, 77); /* untouched on failure */
}

static void test_request_parse(void **state)
{
	struct he_rp_request r;
	struct he_error err = {0};
	const char *ok = "{\"v\":1,\"ts\":1700000000,\"nonce\":\"" NONCE "\",\"probes\":["
			 "{\"proto\":\"tcp\",\"port\":443},"
			 "{\"proto\":\"udp\",\"port\":51820,\"token\":\"abcDEF123\"}]}";

	(void)state;
	assert_int_equal(he_rp_request_parse(ok, strlen(ok), &r, &err), 0);
	assert_int_equal(r.ts, 1700000000);
	assert_string_equal(r.nonce, NONCE);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].proto, HE_PROTO_TCP);
	assert_int_equal(r.v[0].port, 443);
	assert_int_equal(r.v[1].proto, HE_PROTO_UDP);
	assert_string_equal(r.v[1].token, "abcDEF123");

	refuses("", -EINVAL, "not valid JSON");
	refuses("[]", -EINVAL, "not a JSON object");
	refuses("{\"v\":2,\"ts\":1,\"nonce\":\"" NONCE "\",\"probes\":[]}", -EINVAL, "version");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"xyz\",\"probes\":[{\"proto\":\"tcp\",\"port\":1}]}",
		-EINVAL, "nonce");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE "\",\"probes\":[]}", -EINVAL, "non-empty");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"probes\":[{\"proto\":\"tcp\",\"port\":0}]}",
		-EINVAL, "1-65535");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"probes\":[{\"proto\":\"sctp\",\"port\":5}]}",
		-EINVAL, "proto");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"probes\":[{\"proto\":\"udp\",\"port\":5}]}",
		-EINVAL, "needs a token");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"probes\":[{\"proto\":\"udp\",\"port\":5,\"token\":\"a b c d e f\"}]}",
		-EINVAL, "token");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE "\",\"probes\":[],\"extra\":1}", -EINVAL,
		"unknown key");
	refuses("{\"v\":1,\"v\":1,\"ts\":1,\"nonce\":\"" NONCE "\",\"probes\":[]}", -EINVAL,
		"not valid JSON");
}

static void test_request_names_target(void **state)
{
	(void)state;
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"target\":\"192.0.2.1\",\"probes\":[{\"proto\":\"tcp\",\"port\":22}]}",
		-EPERM, "caller's own source address");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"probes\":[{\"proto\":\"tcp\",\"port\":22,\"host\":\"example.org\"}]}",
		-EPERM, "'host'");
	refuses("{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE
		"\",\"probes\":[{\"proto\":\"tcp\",\"port\":22,\"Address\":\"::1\"}]}",
		-EPERM, "names a target");
}

static void test_request_caps(void **state)
{
	char body[HE_RP_BODY_MAX + 64];
	size_t n;

	(void)state;
	n = (size_t)snprintf(body, sizeof(body),
			     "{\"v\":1,\"ts\":1,\"nonce\":\"" NONCE "\",\"probes\":[");
	for (int i = 0; i < HE_RP_PROBES_MAX + 1; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
				      "%s{\"proto\":\"tcp\",\"port\":%d}", i ? "," : "", i + 1);
	snprintf(body + n, sizeof(body) - n, "]}");
	refuses(body, -EMSGSIZE, "too many probes");

	memset(body, ' ', sizeof(body));
	body[0] = '{';
	body[HE_RP_BODY_MAX + 1] = '}';
	body[HE_RP_BODY_MAX + 2] = '\0';
	refuses(body, -EMSGSIZE, "too large");
}

static void test_request_roundtrip(void **state)
{
	struct he_rp_request r = {.ts = 1234, .n = 2}, back;
	struct he_error err = {0};
	char *text = NULL;

	(void)state;
	assert_int_equal(he_rp_random_hex(r.nonce, 32, &err), 0);
	assert_int_equal(strlen(r.nonce), 32);
	r.v[0] = (struct he_rp_probe){.proto = HE_PROTO_TCP, .port = 8443};
	r.v[1] = (struct he_rp_probe){.proto = HE_PROTO_UDP, .port = 9081};
	snprintf(r.v[1].token, sizeof(r.v[1].token), "tok12345");
	assert_int_equal(he_rp_request_encode(&r, &text, &err), 0);
	assert_int_equal(he_rp_request_parse(text, strlen(text), &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.v[1].port, 9081);
	assert_string_equal(back.nonce, r.nonce);
	free(text);
	/* an invalid request is not encoded */
	r.v[1].token[0] = '\0';
	assert_int_equal(he_rp_request_encode(&r, &text, &err), -EINVAL);
}

static void test_hmac(void **state)
{
	char hex[HE_RP_SIG_HEX + 1], hdr[128];
	struct he_error err = {0};
	const char *data = "what do ya want for nothing?";

	(void)state;
	/* RFC 4231 test case 2 */
	assert_int_equal(he_rp_sign("Jefe", 4, data, strlen(data), hex), 0);
	assert_string_equal(hex,
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	snprintf(hdr, sizeof(hdr), "hmac-sha256=%s", hex);
	assert_int_equal(he_rp_verify("Jefe", 4, data, strlen(data), hdr, &err), 0);
	/* another key, another body, no header, junk header */
	assert_int_equal(he_rp_verify("Jeff", 4, data, strlen(data), hdr, &err), -EACCES);
	assert_non_null(strstr(err.msg, "key differs"));
	assert_int_equal(he_rp_verify("Jefe", 4, data, strlen(data) - 1, hdr, &err), -EACCES);
	assert_int_equal(he_rp_verify("Jefe", 4, data, strlen(data), NULL, &err), -EACCES);
	assert_non_null(strstr(err.msg, "key-file"));
	assert_int_equal(he_rp_verify("Jefe", 4, data, strlen(data), "hmac-sha256=00", &err),
			 -EACCES);
}

static void test_replay(void **state)
{
	struct he_rp_replay *c = calloc(1, sizeof(*c));
	struct he_error err = {0};

	(void)state;
	assert_non_null(c);
	assert_int_equal(he_rp_replay_check(c, NONCE, 1000, 1000, &err), 0);
	assert_int_equal(he_rp_replay_check(c, NONCE, 1000, 1001, &err), -EALREADY);
	assert_int_equal(he_rp_replay_check(c, NONCE "aa", 1000, 1001, &err), 0);
	/* clock skew both ways */
	assert_int_equal(
	    he_rp_replay_check(c, "ffffffffffffffff", 1000, 1000 + HE_RP_SKEW + 1, &err), -ETIME);
	assert_non_null(strstr(err.msg, "NTP"));
	assert_int_equal(
	    he_rp_replay_check(c, "ffffffffffffffff", 1000 + HE_RP_SKEW + 1, 1000, &err), -ETIME);
	assert_int_equal(he_rp_replay_check(c, "ffffffffffffffff", 1000 + HE_RP_SKEW, 1000, &err),
			 0);
	free(c);
}

static void test_response_roundtrip(void **state)
{
	struct he_rp_response r = {.family = AF_INET6, .n = 2}, back;
	struct he_error err = {0};
	char *text = NULL;

	(void)state;
	snprintf(r.source, sizeof(r.source), "2e77:77:1::2");
	r.v[0] =
	    (struct he_rp_item){.proto = HE_PROTO_TCP, .port = 443, .result = HE_RP_OPEN, .ms = 3};
	snprintf(r.v[0].tls, sizeof(r.v[0].tls), "TLSv1.3 handshake");
	r.v[1] = (struct he_rp_item){.proto = HE_PROTO_UDP, .port = 53, .result = HE_RP_SENT};
	assert_int_equal(he_rp_response_encode(&r, &text, &err), 0);
	assert_int_equal(he_rp_response_parse(text, strlen(text), &back, &err), 0);
	free(text);
	assert_string_equal(back.source, "2e77:77:1::2");
	assert_int_equal(back.family, AF_INET6);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.v[0].result, HE_RP_OPEN);
	assert_string_equal(back.v[0].tls, "TLSv1.3 handshake");
	assert_int_equal(back.v[1].result, HE_RP_SENT);
	assert_int_equal(back.v[1].proto, HE_PROTO_UDP);

	memset(&r, 0, sizeof(r));
	snprintf(r.error, sizeof(r.error), "rate limit");
	assert_int_equal(he_rp_response_encode(&r, &text, &err), 0);
	assert_int_equal(he_rp_response_parse(text, strlen(text), &back, &err), 0);
	assert_string_equal(back.error, "rate limit");
	free(text);
	assert_int_equal(he_rp_response_parse("{\"v\":1}", 7, &back, &err), -EINVAL);
}

static int head(const char *s, struct he_http_head *h)
{
	struct he_error err = {0};

	return he_http_head_parse(s, strlen(s), h, &err);
}

static void test_http_head(void **state)
{
	struct he_http_head h;
	char big[HE_HTTP_HEAD_MAX + 16];

	(void)state;
	assert_int_equal(head("POST /v1/probe HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n"
			      "X-Homeexpose-Auth: hmac-sha256=ab\r\n\r\n{body}",
			      &h),
			 0);
	assert_string_equal(h.method, "POST");
	assert_string_equal(h.path, "/v1/probe");
	assert_int_equal(h.content_length, 12);
	assert_string_equal(h.auth, "hmac-sha256=ab");
	assert_int_equal(h.head_len, strlen("POST /v1/probe HTTP/1.1\r\nHost: x\r\nContent-Length: "
					    "12\r\nX-Homeexpose-Auth: hmac-sha256=ab\r\n\r\n"));
	assert_int_equal(head("GET /v1/ip HTTP/1.0\n\n", &h), 0);
	assert_int_equal(h.content_length, -1);
	assert_int_equal(head("GET /v1/ip HTTP/1.1\r\nHost: x\r\n", &h), -EAGAIN);
	assert_int_equal(head("GET /v1/ip HTTP/2\r\n\r\n", &h), -EINVAL);
	assert_int_equal(head("GET http://x/ HTTP/1.1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h),
			 -ENOSYS);
	assert_int_equal(
	    head("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(head("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &h), -EINVAL);
	assert_int_equal(head("POST / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &h), -EINVAL);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(head(big, &h), -EMSGSIZE);
}

static struct sockaddr_in6 sa6(const char *text)
{
	struct sockaddr_in6 s = {.sin6_family = AF_INET6};

	assert_int_equal(inet_pton(AF_INET6, text, &s.sin6_addr), 1);
	return s;
}

static void test_ratelimit(void **state)
{
	struct he_ratelimit *rl = malloc(sizeof(*rl));
	struct sockaddr_in a = {.sin_family = AF_INET}, b = {.sin_family = AF_INET};
	struct sockaddr_in6 x = sa6("2001:db8:1:2::1"), y = sa6("2001:db8:1:2:ffff::9"),
			    z = sa6("2001:db8:1:3::1"), m = sa6("::ffff:192.0.2.1");

	(void)state;
	assert_non_null(rl);
	he_ratelimit_init(rl, 6, 3); /* 6 a minute: one token each 10 s, 3 at once */
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &b.sin_addr);
	for (int i = 0; i < 3; i++)
		assert_true(he_ratelimit_take(rl, (struct sockaddr *)&a, 1000));
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&a, 1000));
	assert_true(he_ratelimit_wait_ms(rl, (struct sockaddr *)&a, 1000) > 9000);
	/* the IPv4-mapped form is the same source */
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&m, 1000));
	/* another source has its own bucket */
	assert_true(he_ratelimit_take(rl, (struct sockaddr *)&b, 1000));
	/* refill: one token after 10 s */
	assert_true(he_ratelimit_take(rl, (struct sockaddr *)&a, 11001));
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&a, 11002));
	/* IPv6: one bucket per /64 */
	for (int i = 0; i < 3; i++)
		assert_true(he_ratelimit_take(rl, (struct sockaddr *)&x, 1000));
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&y, 1000));
	assert_true(he_ratelimit_take(rl, (struct sockaddr *)&z, 1000));
	free(rl);
}

/* A drained bucket is not forgotten when more prefixes than slots pass by,
 * and a refunded token (a request answered 503) is given back. */
static void test_ratelimit_eviction(void **state)
{
	struct he_ratelimit *rl = malloc(sizeof(*rl));
	struct sockaddr_in a = {.sin_family = AF_INET};

	(void)state;
	assert_non_null(rl);
	he_ratelimit_init(rl, 6, 3);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	for (int i = 0; i < 3; i++)
		assert_true(he_ratelimit_take(rl, (struct sockaddr *)&a, 1000));
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&a, 1000));
	for (int i = 0; i < HE_RL_SLOTS + 200; i++) {
		struct sockaddr_in6 p = sa6("2001:db8::1");

		p.sin6_addr.s6_addr[6] = (uint8_t)(i >> 8);
		p.sin6_addr.s6_addr[7] = (uint8_t)i;
		assert_true(he_ratelimit_take(rl, (struct sockaddr *)&p, 1001));
	}
	/* still limited: its empty bucket was kept */
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&a, 1002));
	/* a refund gives one token back, never more than the burst */
	he_ratelimit_refund(rl, (struct sockaddr *)&a);
	assert_true(he_ratelimit_take(rl, (struct sockaddr *)&a, 1003));
	assert_false(he_ratelimit_take(rl, (struct sockaddr *)&a, 1003));
	free(rl);
}

static struct he_listener sock(int fam, const char *addr, bool v6only)
{
	struct he_listener l = {
	    .family = fam, .proto = HE_PROTO_TCP, .port = 443, .v6only = v6only, .pid = 812};

	snprintf(l.addr, sizeof(l.addr), "%s", addr);
	snprintf(l.comm, sizeof(l.comm), "nginx");
	return l;
}

static enum he_listen_class classify(int fam, const char *want, int n, ...)
{
	struct he_listeners l = {0};
	struct he_listen_verdict v;
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		l.v[l.n++] = va_arg(ap, struct he_listener);
	va_end(ap);
	he_listener_classify(&l, fam, want, &v);
	assert_int_equal(v.ok, v.cls == HE_LISTEN_ALL || v.cls == HE_LISTEN_ADDR);
	if (!v.ok)
		assert_true(v.fix[0] != '\0');
	return v.cls;
}

static void test_listener_classify(void **state)
{
	struct he_listeners l = {0};
	struct he_listen_verdict v;

	(void)state;
	assert_int_equal(classify(AF_INET, NULL, 0), HE_LISTEN_NONE);
	assert_int_equal(classify(AF_INET, "192.168.1.2", 1, sock(AF_INET, "0.0.0.0", false)),
			 HE_LISTEN_ALL);
	assert_int_equal(classify(AF_INET6, NULL, 1, sock(AF_INET, "0.0.0.0", false)),
			 HE_LISTEN_OTHER_FAMILY);
	/* dual-stack [::] serves IPv4 too, unless V6ONLY */
	assert_int_equal(classify(AF_INET, NULL, 1, sock(AF_INET6, "::", false)), HE_LISTEN_ALL);
	assert_int_equal(classify(AF_INET, NULL, 1, sock(AF_INET6, "::", true)), HE_LISTEN_V6ONLY);
	assert_int_equal(classify(AF_INET6, NULL, 1, sock(AF_INET6, "::", true)), HE_LISTEN_ALL);
	/* loopback only: the classic mistake */
	assert_int_equal(classify(AF_INET, "192.168.1.2", 1, sock(AF_INET, "127.0.0.1", false)),
			 HE_LISTEN_LOOPBACK);
	assert_int_equal(classify(AF_INET6, NULL, 1, sock(AF_INET6, "::1", false)),
			 HE_LISTEN_LOOPBACK);
	assert_int_equal(classify(AF_INET, NULL, 1, sock(AF_INET6, "::ffff:127.0.0.1", false)),
			 HE_LISTEN_LOOPBACK);
	/* bound to the mapped address, or to another one */
	assert_int_equal(classify(AF_INET, "192.168.1.2", 2, sock(AF_INET, "127.0.0.1", false),
				  sock(AF_INET, "192.168.1.2", false)),
			 HE_LISTEN_ADDR);
	assert_int_equal(classify(AF_INET, "192.168.1.2", 1, sock(AF_INET, "10.0.0.5", false)),
			 HE_LISTEN_OTHER_ADDR);
	assert_int_equal(classify(AF_INET, NULL, 1, sock(AF_INET, "10.0.0.5", false)),
			 HE_LISTEN_ADDR);

	l.v[l.n++] = sock(AF_INET, "127.0.0.1", false);
	he_listener_classify(&l, AF_INET, "192.168.1.2", &v);
	assert_non_null(strstr(v.evidence, "nginx (pid 812) listens on 127.0.0.1:443/tcp"));
	assert_non_null(strstr(v.fix, "0.0.0.0"));
	assert_string_equal(he_listen_class_name(v.cls), "loopback");
}

/* The real kernel: a socket on loopback is found and classified as such. */
static void test_listener_query_live(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	struct he_listeners l;
	struct he_listen_verdict v;
	struct he_error err = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(he_listeners_query(HE_PROTO_TCP, ntohs(a.sin_port), &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].addr, "127.0.0.1");
	assert_int_equal(l.v[0].pid, getpid());
	he_listener_classify(&l, AF_INET, NULL, &v);
	assert_int_equal(v.cls, HE_LISTEN_LOOPBACK);
	close(fd);
	assert_int_equal(he_listeners_query(HE_PROTO_TCP, ntohs(a.sin_port), &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(he_listeners_query(HE_PROTO_BOTH, 1, &l, &err), -EINVAL);
}

static struct he_check_target tgt(const char *name, int family, enum he_check_reach r, int broken)
{
	struct he_check_target t;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.ext = t.in = 80;
	t.proto = HE_PROTO_TCP;
	t.family = family;
	t.reach = r;
	t.broken = broken;
	return t;
}

static void test_check_exposure_verdict(void **state)
{
	struct he_check_target v[5];
	struct he_check_result r = {.v = v, .n = 5};
	const struct he_check_target *first;

	(void)state;
	v[0] = tgt("web", AF_INET, HE_CHK_REACHABLE, -1);
	v[1] = tgt("web", AF_INET6, HE_CHK_IRRELEVANT, -1);
	v[2] = tgt("dns", AF_INET, HE_CHK_REACHABLE, -1);
	v[3] = tgt("dns", AF_INET6, HE_CHK_UNREACHABLE, HE_CHK_FIREWALL);
	v[4] = tgt("game", AF_INET, HE_CHK_UNPROVEN, -1);
	assert_int_equal(he_check_exposure_verdict(&r, "web", &first), HE_CHK_REACHABLE);
	assert_null(first);
	assert_int_equal(he_check_exposure_verdict(&r, "dns", &first), HE_CHK_UNREACHABLE);
	assert_ptr_equal(first, &v[3]);
	assert_int_equal(he_check_exposure_verdict(&r, "game", NULL), HE_CHK_UNPROVEN);
	assert_int_equal(he_check_exposure_verdict(&r, "none", NULL), HE_CHK_IRRELEVANT);
	/* only irrelevant targets prove nothing */
	r.v = &v[1];
	r.n = 1;
	assert_int_equal(he_check_exposure_verdict(&r, "web", NULL), HE_CHK_UNPROVEN);
	assert_string_equal(he_check_step_name(HE_CHK_FIREWALL), "firewall");
	assert_string_equal(he_check_step_name(99), "?");
	assert_string_equal(he_check_status_name(HE_CHK_WARN), "warn");
	assert_string_equal(he_check_reach_name(HE_CHK_UNREACHABLE), "not reachable");
	assert_string_equal(he_check_reach_name(HE_CHK_IMPOSSIBLE), "not possible here");
	/* behind CGNAT/DS-Lite: IPv4 not possible here, IPv6 proven: reachable */
	v[0] = tgt("web", AF_INET, HE_CHK_IMPOSSIBLE, -1);
	v[1] = tgt("web", AF_INET6, HE_CHK_REACHABLE, -1);
	r.v = v;
	r.n = 2;
	assert_int_equal(he_check_exposure_verdict(&r, "web", &first), HE_CHK_REACHABLE);
	assert_null(first);
	/* IPv4 not possible and nothing else proven: not reachable-proven */
	r.n = 1;
	assert_int_equal(he_check_exposure_verdict(&r, "web", NULL), HE_CHK_UNPROVEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_exposure_verdict),
	    cmocka_unit_test(test_request_parse),
	    cmocka_unit_test(test_request_names_target),
	    cmocka_unit_test(test_request_caps),
	    cmocka_unit_test(test_request_roundtrip),
	    cmocka_unit_test(test_hmac),
	    cmocka_unit_test(test_replay),
	    cmocka_unit_test(test_response_roundtrip),
	    cmocka_unit_test(test_http_head),
	    cmocka_unit_test(test_ratelimit),
	    cmocka_unit_test(test_ratelimit_eviction),
	    cmocka_unit_test(test_listener_classify),
	    cmocka_unit_test(test_listener_query_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
