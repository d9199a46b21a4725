/* SPDX-License-Identifier: MIT */
/*
 * lazy.c - find a library's function on first use (see lazy.h).
 */
#include "core/lazy.h"

#include <dlfcn.h>
#include <errno.h>

#ifndef HE_SONAME_CURL
#define HE_SONAME_CURL "libcurl.so.4"
#endif
#ifndef HE_SONAME_SSL
#define HE_SONAME_SSL "libssl.so.3"
#endif
#ifndef HE_SONAME_CRYPTO
#define HE_SONAME_CRYPTO "libcrypto.so.3"
#endif
#ifndef HE_SONAME_LDNS
#define HE_SONAME_LDNS "libldns.so.3"
#endif
#ifndef HE_SONAME_SYSTEMD
#define HE_SONAME_SYSTEMD "libsystemd.so.0"
#endif

const char *he_lazy_soname(enum he_lazy_lib lib)
{
	switch (lib) {
	case HE_LAZY_CURL:
		return HE_SONAME_CURL;
	case HE_LAZY_SSL:
		return HE_SONAME_SSL;
	case HE_LAZY_CRYPTO:
		return HE_SONAME_CRYPTO;
	case HE_LAZY_LDNS:
		return HE_SONAME_LDNS;
	case HE_LAZY_SYSTEMD:
		return HE_SONAME_SYSTEMD;
	}
	return "";
}

static const char *package_of(enum he_lazy_lib lib)
{
	switch (lib) {
	case HE_LAZY_CURL:
		return "libcurl4";
	case HE_LAZY_SSL:
	case HE_LAZY_CRYPTO:
		return "libssl3";
	case HE_LAZY_LDNS:
		return "libldns3";
	case HE_LAZY_SYSTEMD:
		return "libsystemd0";
	}
	return "";
}

/*
 * The library stays loaded: the handle is never closed (each dlopen of a
 * loaded library only raises its count), so the functions found stay valid.
 */
void *he_lazy_sym(enum he_lazy_lib lib, const char *name)
{
	void *h = dlopen(he_lazy_soname(lib), RTLD_NOW | RTLD_LOCAL);

	return h ? dlsym(h, name) : NULL;
}

int he_lazy_need(enum he_lazy_lib lib, struct he_error *err)
{
	const char *why;

	if (dlopen(he_lazy_soname(lib), RTLD_NOW | RTLD_LOCAL))
		return 0;
	why = dlerror();
	return he_error_set(err, -ELIBACC, "cannot load %s (%s): install %s (apt install %s)",
			    he_lazy_soname(lib), why ? why : "not found", package_of(lib),
			    package_of(lib));
}
