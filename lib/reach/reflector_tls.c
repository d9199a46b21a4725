/* SPDX-License-Identifier: MIT */
/* reflector_tls.c - the reflector's TLS and deadline-bound I/O (reflector_tls.h). */
#include "core/lazy.h"
#include "reach/reflector_tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "core/wait.h"

int he_rtls_load(const char *cert, const char *key, SSL_CTX **out, struct he_error *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char why[256] = "";

	if (!ctx)
		return he_lazy_need(HE_LAZY_SSL, err) < 0
			   ? -ELIBACC
			   : he_error_set(err, -ENOMEM, "cannot create a TLS context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return he_error_set(err, -EINVAL,
				    "TLS certificate %s / key %s: %s (PEM files; the key must "
				    "match the certificate)",
				    cert, key, why);
	}
	*out = ctx;
	return 0;
}

/* Wait for EV until deadline: 0 ready, -ETIMEDOUT, -errno. */
static int wait_for(int fd, short ev, int64_t deadline)
{
	int r = he_wait_fd(fd, ev, deadline);

	return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : r;
}

/* After an SSL call returned r: wait as it asks (0) or the error. */
static int ssl_wait(struct he_rio *io, int r, int64_t deadline)
{
	int e = SSL_get_error(io->ssl, r);

	if (e == SSL_ERROR_WANT_READ)
		return wait_for(io->fd, POLLIN, deadline);
	if (e == SSL_ERROR_WANT_WRITE)
		return wait_for(io->fd, POLLOUT, deadline);
	ERR_clear_error();
	return e == SSL_ERROR_ZERO_RETURN ? -ECONNRESET : -EPROTO;
}

int he_rio_accept(struct he_rio *io, SSL_CTX *ctx, int64_t deadline)
{
	int r;

	io->ssl = SSL_new(ctx);
	if (!io->ssl || SSL_set_fd(io->ssl, io->fd) != 1)
		return -ENOMEM;
	while ((r = SSL_accept(io->ssl)) != 1) {
		int w = ssl_wait(io, r, deadline);

		if (w < 0)
			return w;
	}
	return 0;
}

ssize_t he_rio_read(struct he_rio *io, void *buf, size_t n, int64_t deadline)
{
	for (;;) {
		ssize_t k;
		int w;

		if (io->ssl) {
			int r = SSL_read(io->ssl, buf, (int)(n > 65536 ? 65536 : n));

			if (r > 0)
				return r;
			if (SSL_get_error(io->ssl, r) == SSL_ERROR_ZERO_RETURN)
				return 0;
			w = ssl_wait(io, r, deadline);
		} else {
			k = recv(io->fd, buf, n, MSG_DONTWAIT);
			if (k >= 0)
				return k;
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			w = wait_for(io->fd, POLLIN, deadline);
		}
		if (w < 0)
			return w;
	}
}

int he_rio_write(struct he_rio *io, const void *buf, size_t n, int64_t deadline)
{
	const char *p = buf;

	while (n) {
		ssize_t k;
		int w;

		if (io->ssl) {
			int r = SSL_write(io->ssl, p, (int)(n > 65536 ? 65536 : n));

			if (r > 0) {
				p += r;
				n -= (size_t)r;
				continue;
			}
			w = ssl_wait(io, r, deadline);
		} else {
			k = send(io->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k > 0) {
				p += k;
				n -= (size_t)k;
				continue;
			}
			if (k < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			w = wait_for(io->fd, POLLOUT, deadline);
		}
		if (w < 0)
			return w;
	}
	return 0;
}

void he_rio_end(struct he_rio *io)
{
	if (!io->ssl)
		return;
	SSL_shutdown(io->ssl); /* one close_notify, no waiting for the peer's */
	SSL_free(io->ssl);
	io->ssl = NULL;
	ERR_clear_error();
}
