/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the reflector server's admission (lib/reach/reflector_server.c)
 * and the TLS probe's deadline (lib/reach/probe.c), on loopback only: the
 * server runs in a thread on 127.0.0.1 and a free port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <openssl/ssl.h>

#include "core/clock.h"
#include "core/portspec.h"
#include "reach/probe.h"
#include "reach/reflector_client.h"
#include "reach/reflector_server.h"

struct srv {
	struct he_reflector_opts o;
	char listen[32];
	uint16_t port;
	volatile sig_atomic_t stop;
	pthread_t th;
	pthread_mutex_t lock;
	unsigned lines, refused_lines;
	char last[512];
};

static void on_log(void *ctx, const char *line)
{
	struct srv *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->lines++;
	if (strstr(line, "refused"))
		s->refused_lines++;
	snprintf(s->last, sizeof(s->last), "%s", line);
	pthread_mutex_unlock(&s->lock);
}

static void *serve(void *arg)
{
	struct srv *s = arg;
	struct he_error err = {0};

	if (he_reflector_serve(&s->o, &s->stop, &err) < 0)
		fprintf(stderr, "serve: %s\n", err.msg);
	return NULL;
}

static uint16_t free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t p;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

static int dial(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void start(struct srv *s)
{
	int64_t until = he_now_ms() + 3000;
	int fd;

	s->port = free_port();
	snprintf(s->listen, sizeof(s->listen), "127.0.0.1:%u", s->port);
	s->o.listen = s->listen;
	s->o.log = on_log;
	s->o.log_ctx = s;
	pthread_mutex_init(&s->lock, NULL);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
	while ((fd = dial(s->port)) < 0 && he_now_ms() < until)
		usleep(20000);
	assert_true(fd >= 0);
	close(fd); /* the probe connection: an early close, answered 400 */
	usleep(50000);
}

static void stop(struct srv *s)
{
	s->stop = 1;
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->lock);
}

/* GET /v1/ip on a new connection: the HTTP status, or -1. */
static int get_ip(uint16_t port)
{
	static const char q[] = "GET /v1/ip HTTP/1.1\r\nHost: r\r\n\r\n";
	char buf[1024];
	size_t got = 0;
	int fd = dial(port), code = -1;
	int64_t until = he_now_ms() + 5000;

	if (fd < 0)
		return -1;
	if (send(fd, q, sizeof(q) - 1, MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	while (got < sizeof(buf) - 1 && he_now_ms() < until) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/1.1 %d", &code) != 1)
		code = -1;
	close(fd);
	return code;
}

/* A loopback caller is refused unless allow_private (it would probe this host). */
static void test_private_peer_refused(void **state)
{
	struct srv s = {.o = {.rate_per_min = 600, .burst = 50}};

	(void)state;
	start(&s);
	assert_int_equal(get_ip(s.port), 403);
	stop(&s);
	memset(&s, 0, sizeof(s));
	s.o = (struct he_reflector_opts){.rate_per_min = 600, .burst = 50, .allow_private = true};
	start(&s);
	assert_int_equal(get_ip(s.port), 200);
	stop(&s);
}

/* One source cannot take every slot: its 5th concurrent request is 503. */
static void test_per_source_cap(void **state)
{
	struct srv s = {
	    .o = {.rate_per_min = 600, .burst = 50, .io_timeout_ms = 3000, .allow_private = true}};
	int idle[4];

	(void)state;
	start(&s);
	for (int i = 0; i < 4; i++)
		assert_true((idle[i] = dial(s.port)) >= 0);
	usleep(200000);
	assert_int_equal(get_ip(s.port), 503);
	for (int i = 0; i < 4; i++)
		close(idle[i]);
	stop(&s);
}

/* A request refused as busy (503) does not use up the caller's rate token. */
static void test_busy_keeps_token(void **state)
{
	struct srv s = {.o = {.rate_per_min = 1,
			      .burst = 3,
			      .io_timeout_ms = 600,
			      .max_clients = 1,
			      .allow_private = true}};
	int idle;

	(void)state;
	start(&s); /* the start-up probe connection took one token: 2 left */
	assert_true((idle = dial(s.port)) >= 0); /* 1 left */
	usleep(100000);
	for (int i = 0; i < 4; i++)
		assert_int_equal(get_ip(s.port), 503);
	close(idle);
	usleep(300000);
	assert_int_equal(get_ip(s.port), 200);
	stop(&s);
}

/* A flood of refused connections is a few log lines, not one each. */
static void test_refusals_aggregated(void **state)
{
	struct srv s = {.o = {.rate_per_min = 1, .burst = 1, .allow_private = true}};
	unsigned refused;

	(void)state;
	start(&s); /* uses the only token */
	for (int i = 0; i < 60; i++)
		assert_int_equal(get_ip(s.port), 429);
	stop(&s);
	pthread_mutex_lock(&s.lock);
	refused = s.refused_lines;
	pthread_mutex_unlock(&s.lock);
	if (refused > 3)
		fail_msg("%u log lines for 60 refusals", refused);
	/* the summary at the stop counts them */
	assert_non_null(strstr(s.last, "refused"));
	if (!strstr(s.last, "429 rate limit: 60") && !strstr(s.last, "429 rate limit: 59"))
		fail_msg("summary: %s", s.last);
}

struct trickle {
	int lfd;
	uint16_t port;
	pthread_t th;
};

/* Accept one connection and send one byte every 200 ms for 5 s. */
static void *trickle_run(void *arg)
{
	struct trickle *t = arg;
	int fd = accept(t->lfd, NULL, NULL);

	for (int i = 0; fd >= 0 && i < 25; i++) {
		if (send(fd, "\x16", 1, MSG_NOSIGNAL) < 0)
			break;
		usleep(200000);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* A peer trickling bytes cannot hold a TLS probe past its deadline. */
static void test_tls_probe_deadline(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	struct trickle t;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char out[200];
	int64_t t0, took;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t.lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(t.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(t.lfd, 4), 0);
	assert_int_equal(getsockname(t.lfd, (struct sockaddr *)&a, &l), 0);
	assert_int_equal(pthread_create(&t.th, NULL, trickle_run, &t), 0);
	t0 = he_now_ms();
	assert_int_equal(
	    he_probe_tls(ctx, (struct sockaddr *)&a, sizeof(a), t0 + 800, out, sizeof(out)), 0);
	took = he_now_ms() - t0;
	if (took > 1500)
		fail_msg("the TLS probe took %lld ms past an 800 ms deadline: %s", (long long)took,
			 out);
	pthread_join(t.th, NULL);
	close(t.lfd);
	SSL_CTX_free(ctx);
}

static const char KEY[] = "0123456789abcdef0123456789abcdef";

static struct he_rp_request one_probe(uint16_t port)
{
	struct he_rp_request r = {0};
	struct he_error err = {0};

	assert_int_equal(he_rp_request_init(&r, &err), 0);
	r.n = 1;
	r.v[0].proto = HE_PROTO_TCP;
	r.v[0].port = port;
	return r;
}

/* With a shared key the reflector signs its answer and the client checks it. */
static void test_signed_answer(void **state)
{
	struct srv s = {.o = {.rate_per_min = 600,
			      .burst = 50,
			      .allow_private = true,
			      .key = KEY,
			      .keylen = sizeof(KEY) - 1}};
	struct he_rp_request req;
	struct he_rp_response resp;
	struct he_error err = {0};
	char url[64];
	struct he_reflector_client c = {
	    .url = url, .key = KEY, .keylen = sizeof(KEY) - 1, .family = AF_INET};

	(void)state;
	start(&s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", s.port);
	req = one_probe(s.port);
	if (he_reflector_query(&c, &req, &resp, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(resp.v[0].result, HE_RP_OPEN);
	stop(&s);
}

struct fake {
	int lfd;
	char body[2048];
};

/* One HTTP exchange: read the request, answer 200 with the body, unsigned. */
static void *fake_run(void *arg)
{
	struct fake *f = arg;
	char buf[8192], head[256];
	int fd = accept(f->lfd, NULL, NULL), n;

	if (fd < 0)
		return NULL;
	usleep(100000);
	if (recv(fd, buf, sizeof(buf), 0) < 0) {
		close(fd);
		return NULL;
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
		     "%zu\r\nConnection: close\r\n\r\n",
		     strlen(f->body));
	if (send(fd, head, (size_t)n, MSG_NOSIGNAL) > 0)
		send(fd, f->body, strlen(f->body), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

/* An on-path party answering "open" without the key is not believed. */
static void test_unsigned_answer_refused(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	struct fake f;
	struct he_rp_response forged = {.family = AF_INET, .n = 1}, resp;
	struct he_rp_request req = one_probe(443);
	struct he_error err = {0};
	char url[64], *text = NULL;
	struct he_reflector_client c = {
	    .url = url, .key = KEY, .keylen = sizeof(KEY) - 1, .family = AF_INET};
	pthread_t th;
	int rc;

	(void)state;
	snprintf(forged.source, sizeof(forged.source), "127.0.0.1");
	forged.v[0] = (struct he_rp_item){.proto = HE_PROTO_TCP, .port = 443, .result = HE_RP_OPEN};
	snprintf(forged.v[0].detail, sizeof(forged.v[0].detail), "connected in 1 ms");
	assert_int_equal(he_rp_response_encode(&forged, &text, &err), 0);
	snprintf(f.body, sizeof(f.body), "%s", text);
	free(text);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f.lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(f.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f.lfd, 4), 0);
	assert_int_equal(getsockname(f.lfd, (struct sockaddr *)&a, &l), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", ntohs(a.sin_port));
	assert_int_equal(pthread_create(&th, NULL, fake_run, &f), 0);
	rc = he_reflector_query(&c, &req, &resp, &err);
	pthread_join(th, NULL);
	close(f.lfd);
	if (rc != -EACCES)
		fail_msg("an unsigned answer was taken (%d): %s", rc, err.msg);
	assert_non_null(strstr(err.msg, "signature"));
}

#define FIX "tests/fixtures/reflector/"

static void copy_file(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* Native TLS: the client verifies the certificate; SIGHUP (the reload flag)
 * puts a renewed one in place without a restart. */
static void test_native_tls_and_reload(void **state)
{
	static volatile sig_atomic_t reload;
	char dir[] = "/tmp/he-test-rtls.XXXXXX", cert[64], key[64], url[64];
	struct srv s = {.o = {.rate_per_min = 600, .burst = 50, .allow_private = true}};
	struct he_rp_request req;
	struct he_rp_response resp;
	struct he_error err = {0};
	struct he_reflector_client c = {.url = url, .family = AF_INET};
	int64_t until;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	copy_file(FIX "cert-a.pem", cert);
	copy_file(FIX "key-a.pem", key);
	s.o.cert = cert;
	s.o.key_file = key;
	s.o.reload = &reload;
	start(&s);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u", s.port);
	c.ca_file = FIX "cert-a.pem";
	req = one_probe(s.port);
	if (he_reflector_query(&c, &req, &resp, &err) < 0)
		fail_msg("%s", err.msg);
	/* renewed: the new certificate after the reload, not before */
	copy_file(FIX "cert-b.pem", cert);
	copy_file(FIX "key-b.pem", key);
	c.ca_file = FIX "cert-b.pem";
	req = one_probe(s.port);
	assert_true(he_reflector_query(&c, &req, &resp, &err) < 0);
	reload = 1;
	until = he_now_ms() + 3000;
	while (reload && he_now_ms() < until)
		usleep(20000);
	req = one_probe(s.port);
	if (he_reflector_query(&c, &req, &resp, &err) < 0)
		fail_msg("after the reload: %s", err.msg);
	stop(&s);
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_private_peer_refused),
	    cmocka_unit_test(test_per_source_cap),
	    cmocka_unit_test(test_busy_keeps_token),
	    cmocka_unit_test(test_refusals_aggregated),
	    cmocka_unit_test(test_tls_probe_deadline),
	    cmocka_unit_test(test_signed_answer),
	    cmocka_unit_test(test_unsigned_answer_refused),
	    cmocka_unit_test(test_native_tls_and_reload),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
