/* SPDX-License-Identifier: MIT */
/*
 * lazy.h - libraries loaded on first use, not at start-up.
 *
 * Owner: lib/core. libcurl (HTTP: DDNS providers, what-is-my-IP, the
 * reflector client), OpenSSL (TLS probes, the reflector's HMAC, TSIG) and
 * ldns (RFC 2136, DNS checks), and libsystemd (sd-bus to find firewalld,
 * sd_notify for the agent) cost more to load than most commands take to
 * run (`homeexpose open` with the router and nftables needs none of them).
 * homeexpose is not linked against them: lib/core/lazy_{curl,ssl,ldns}.c
 * (written by tools/gen-lazy.py) define each function lib/ calls as a
 * wrapper that looks the real one up here. Nothing is cached: dlopen of a
 * library already loaded only finds it again (no globals in lib/).
 *
 * The sonames are the ones the build linked against (the Makefile passes
 * HE_SONAME_*); the Debian package depends on those libraries by name.
 */
#ifndef HE_CORE_LAZY_H
#define HE_CORE_LAZY_H

#include "core/error.h"

enum he_lazy_lib {
	HE_LAZY_CURL,
	HE_LAZY_SSL,
	HE_LAZY_CRYPTO,
	HE_LAZY_LDNS,
	HE_LAZY_SYSTEMD,
};

/* The library's soname ("libcurl.so.4"). */
const char *he_lazy_soname(enum he_lazy_lib lib);
/* The function NAME of LIB (loading LIB on first use), or NULL. */
void *he_lazy_sym(enum he_lazy_lib lib, const char *name);
/*
 * 0 when LIB can be loaded; else -ELIBACC with a message naming the library,
 * the loader's reason and the package to install.
 */
int he_lazy_need(enum he_lazy_lib lib, struct he_error *err);

#endif
