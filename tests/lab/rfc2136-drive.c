/* SPDX-License-Identifier: MIT */
/*
 * rfc2136-drive.c - a small test driver for lib/ddns/rfc2136 until the ddns
 * command is wired (then: homeexpose ddns update).
 *
 * usage:
 *   rfc2136-drive update SERVER ZONE NAME A|AAAA ADDRESS KEYFILE [TTL]
 *   rfc2136-drive query SERVER NAME A|AAAA           (prints one address a line)
 *   rfc2136-drive record SERVER ZONE NAME A|AAAA ADDRESS KEYFILE OUTPREFIX
 *       sends one signed update over UDP and writes the raw request to
 *       OUTPREFIX.req and the raw reply to OUTPREFIX.reply (fixture recorder);
 *       then prints the classification like update.
 * update prints "ok rcode=R tcp=0|1 server=S" or the error on stderr and
 * "rcode=R tsig=E permanent=0|1" on stdout. Exit: 0 ok, 1 failed, 2 usage.
 */
#include "ddns/rfc2136.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int family_of(const char *t)
{
	if (!strcmp(t, "A"))
		return AF_INET;
	if (!strcmp(t, "AAAA"))
		return AF_INET6;
	return -1;
}

static int write_file(const char *prefix, const char *ext, const uint8_t *b, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", prefix, ext);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

/* One UDP exchange with a numeric IPv4/IPv6 server on port 53. */
static int record(const char *server, const struct he_rfc2136_req *req, const char *prefix,
		  const struct he_tsig_key *key)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	struct he_error err = {0};
	struct he_rfc2136_result res;
	uint8_t *q = NULL, reply[4096];
	size_t qlen;
	struct pollfd p;
	ssize_t n;
	int fd, rc;

	if (inet_pton(AF_INET, server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		sl = sizeof(*s6);
	} else {
		fprintf(stderr, "record: server must be a numeric address\n");
		return 2;
	}
	if (he_rfc2136_build(req, (uint16_t)(getpid() & 0xffff), time(NULL), &q, &qlen, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0 || send(fd, q, qlen, 0) < 0) {
		perror("record: send");
		free(q);
		return 1;
	}
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 3000) != 1 || (n = recv(fd, reply, sizeof(reply), 0)) < 0) {
		fprintf(stderr, "record: no reply\n");
		free(q);
		close(fd);
		return 1;
	}
	close(fd);
	if (write_file(prefix, "req", q, qlen) || write_file(prefix, "reply", reply, (size_t)n)) {
		free(q);
		return 1;
	}
	rc = he_rfc2136_classify(reply, (size_t)n, q, qlen, key, time(NULL), &res, &err);
	free(q);
	printf("rcode=%d tsig=%d permanent=%d\n", res.rcode, res.tsig_error, res.permanent);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct he_error err = {0};
	struct he_tsig_key key;
	struct he_rfc2136_req req = {0};
	struct he_rfc2136_result res;
	int fam, rc;

	if (argc == 5 && !strcmp(argv[1], "query")) {
		struct he_rfc2136_addrs a;

		fam = family_of(argv[4]);
		if (fam < 0)
			return 2;
		if (he_rfc2136_query(argv[2], argv[3], fam, 3000, &a, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		for (size_t i = 0; i < a.n; i++)
			printf("%s\n", a.addr[i]);
		return 0;
	}
	if (argc < 8 || (strcmp(argv[1], "update") && strcmp(argv[1], "record")) ||
	    (fam = family_of(argv[5])) < 0) {
		fprintf(stderr,
			"usage: rfc2136-drive update SERVER ZONE NAME A|AAAA ADDRESS "
			"KEYFILE [TTL]\n       rfc2136-drive query SERVER NAME A|AAAA\n"
			"       rfc2136-drive record SERVER ZONE NAME A|AAAA ADDRESS KEYFILE "
			"OUTPREFIX\n");
		return 2;
	}
	if (he_tsig_key_load(argv[7], &key, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	req.server = argv[2];
	req.zone = argv[3];
	req.name = argv[4];
	req.family = fam;
	req.address = argv[6];
	req.key = &key;
	req.timeout_ms = 3000;
	if (!strcmp(argv[1], "record")) {
		if (argc != 9)
			return 2;
		rc = record(argv[2], &req, argv[8], &key);
		he_tsig_key_wipe(&key);
		return rc;
	}
	if (argc > 8)
		req.ttl = (uint32_t)strtoul(argv[8], NULL, 10);
	rc = he_rfc2136_update(&req, &res, &err);
	he_tsig_key_wipe(&key);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		printf("rcode=%d tsig=%d permanent=%d\n", res.rcode, res.tsig_error, res.permanent);
		return 1;
	}
	printf("ok rcode=%d tcp=%d server=%s\n", res.rcode, res.tcp, res.server);
	return 0;
}
