/* SPDX-License-Identifier: MIT */
/* metrics_io.c - where the metrics go: a loopback HTTP listener or a textfile. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/metrics.h"
#include "state/state.h"

int he_metrics_write_textfile(const char *path, const char *text, struct he_error *err)
{
	return he_atomic_write(path, text, strlen(text), 0644, err);
}

/* "127.0.0.1:9477", "[::1]:9477", "localhost:9477" into a sockaddr. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sl,
			struct he_error *err)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon)
		return he_error_set(err, -EINVAL,
				    "metrics-listen '%s': expected ADDR:PORT, e.g. 127.0.0.1:9477",
				    spec);
	hl = (size_t)(colon - spec);
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return he_error_set(err, -EINVAL, "metrics-listen '%s': address too long", spec);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port == 0 || port > 65535)
		return he_error_set(err, -EINVAL, "metrics-listen: '%s' is not a port (1-65535)",
				    colon + 1);
	memset(ss, 0, sizeof(*ss));
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if ((ntohl(a->sin_addr.s_addr) >> 24) != 127)
			goto not_loopback;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*sl = sizeof(*a);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			goto not_loopback;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*a);
		return 0;
	}
	return he_error_set(err, -EINVAL, "metrics-listen: '%s' is not an IP address", host);
not_loopback:
	return he_error_set(err, -EINVAL,
			    "metrics-listen: %s is not a loopback address; the metrics name the "
			    "exposed ports, so they are served on 127.0.0.1 or ::1 only (use a "
			    "reverse proxy or metrics-textfile to publish them further)",
			    host);
}

int he_metrics_listen(const char *spec, struct he_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int fd, one = 1, r;

	r = parse_listen(spec, &ss, &sl, err);
	if (r < 0)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return he_error_set(err, -errno, "metrics socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 8) < 0) {
		r = he_error_set(err, -errno, "metrics-listen %s: %s", spec, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

int he_metrics_serve(int conn, const char *text)
{
	char req[1024], hdr[160];
	size_t len = strlen(text);
	ssize_t n;
	int hl;

	n = recv(conn, req, sizeof(req), MSG_DONTWAIT); /* the request itself is not needed */
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return -errno;
	hl = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
		      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		      len);
	if (send(conn, hdr, (size_t)hl, MSG_NOSIGNAL) != hl)
		return -EIO;
	while (len) {
		n = send(conn, text, len, MSG_NOSIGNAL);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}
