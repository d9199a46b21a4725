/* SPDX-License-Identifier: MIT */
/*
 * reflector_tls.h - the reflector's own TLS (--cert/--key) and the byte I/O of
 * one connection, plain or TLS, every call bounded by an absolute deadline.
 *
 * Owner: lib/reach. Used by reflector_server.c only.
 */
#ifndef HE_REACH_REFLECTOR_TLS_H
#define HE_REACH_REFLECTOR_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

struct ssl_ctx_st;
struct ssl_st;

/* A TLS server context from a PEM certificate (chain) and key file. */
int he_rtls_load(const char *cert, const char *key, struct ssl_ctx_st **out, struct he_error *err);

struct he_rio {
	int fd;             /* non-blocking */
	struct ssl_st *ssl; /* NULL: plain */
};

/* The TLS handshake on io->fd with ctx until deadline: 0 or -errno. */
int he_rio_accept(struct he_rio *io, struct ssl_ctx_st *ctx, int64_t deadline);
/* Up to n bytes before deadline: the count, 0 at the end, -ETIMEDOUT or -errno. */
ssize_t he_rio_read(struct he_rio *io, void *buf, size_t n, int64_t deadline);
/* All n bytes before deadline: 0 or -errno. */
int he_rio_write(struct he_rio *io, const void *buf, size_t n, int64_t deadline);
/* Shut TLS down (no wait) and free it; the fd stays open. */
void he_rio_end(struct he_rio *io);

#endif
