/* SPDX-License-Identifier: MIT */
/*
 * lazy_curl.c - written by tools/gen-lazy.py from the installed headers: libcurl is
 * loaded on first use (lib/core/lazy.h), not at start-up. Each function
 * lib/ calls is defined here as a wrapper that finds the real one with
 * dlsym; when the library cannot be loaded it returns a failure (NULL, an
 * error code) and he_lazy_need() says why. Do not edit: re-run the script.
 */
#define CURL_DISABLE_TYPECHECK
#include <stdarg.h>
#include <curl/curl.h>
#include <stddef.h>

#include "core/lazy.h"

void curl_easy_cleanup(CURL *a0)
{
	__typeof__(&curl_easy_cleanup) f =
	    (__typeof__(&curl_easy_cleanup))he_lazy_sym(HE_LAZY_CURL, "curl_easy_cleanup");

	if (f)
		f(a0);
}

CURLcode curl_easy_getinfo(CURL *a0, CURLINFO a1, ...)
{
	__typeof__(&curl_easy_getinfo) f =
	    (__typeof__(&curl_easy_getinfo))he_lazy_sym(HE_LAZY_CURL, "curl_easy_getinfo");
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!f)
		return rc;
	va_start(ap, a1); /* always a pointer to the result */
	rc = f(a0, a1, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURL *curl_easy_init(void)
{
	__typeof__(&curl_easy_init) f =
	    (__typeof__(&curl_easy_init))he_lazy_sym(HE_LAZY_CURL, "curl_easy_init");

	return f ? f() : NULL;
}

CURLcode curl_easy_perform(CURL *a0)
{
	__typeof__(&curl_easy_perform) f =
	    (__typeof__(&curl_easy_perform))he_lazy_sym(HE_LAZY_CURL, "curl_easy_perform");

	return f ? f(a0) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_setopt(CURL *a0, CURLoption a1, ...)
{
	__typeof__(&curl_easy_setopt) f =
	    (__typeof__(&curl_easy_setopt))he_lazy_sym(HE_LAZY_CURL, "curl_easy_setopt");
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!f)
		return rc;
	/* the option's number says the argument's type (curl/curl.h CURLOPTTYPE_*) */
	va_start(ap, a1);
	if (a1 < CURLOPTTYPE_OBJECTPOINT)
		rc = f(a0, a1, va_arg(ap, long));
	else if (a1 >= CURLOPTTYPE_OFF_T && a1 < CURLOPTTYPE_BLOB)
		rc = f(a0, a1, va_arg(ap, curl_off_t));
	else
		rc = f(a0, a1, va_arg(ap, void *)); /* object, function or blob pointer */
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode a0)
{
	__typeof__(&curl_easy_strerror) f =
	    (__typeof__(&curl_easy_strerror))he_lazy_sym(HE_LAZY_CURL, "curl_easy_strerror");

	return f ? f(a0) : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *a0, CURL *a1)
{
	__typeof__(&curl_multi_add_handle) f =
	    (__typeof__(&curl_multi_add_handle))he_lazy_sym(HE_LAZY_CURL, "curl_multi_add_handle");

	return f ? f(a0, a1) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_cleanup(CURLM *a0)
{
	__typeof__(&curl_multi_cleanup) f =
	    (__typeof__(&curl_multi_cleanup))he_lazy_sym(HE_LAZY_CURL, "curl_multi_cleanup");

	return f ? f(a0) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *a0, int *a1)
{
	__typeof__(&curl_multi_info_read) f =
	    (__typeof__(&curl_multi_info_read))he_lazy_sym(HE_LAZY_CURL, "curl_multi_info_read");

	return f ? f(a0, a1) : NULL;
}

CURLM *curl_multi_init(void)
{
	__typeof__(&curl_multi_init) f =
	    (__typeof__(&curl_multi_init))he_lazy_sym(HE_LAZY_CURL, "curl_multi_init");

	return f ? f() : NULL;
}

CURLMcode curl_multi_perform(CURLM *a0, int *a1)
{
	__typeof__(&curl_multi_perform) f =
	    (__typeof__(&curl_multi_perform))he_lazy_sym(HE_LAZY_CURL, "curl_multi_perform");

	return f ? f(a0, a1) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *a0, struct curl_waitfd *a1, unsigned int a2, int a3, int *a4)
{
	__typeof__(&curl_multi_poll) f =
	    (__typeof__(&curl_multi_poll))he_lazy_sym(HE_LAZY_CURL, "curl_multi_poll");

	return f ? f(a0, a1, a2, a3, a4) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *a0, CURL *a1)
{
	__typeof__(&curl_multi_remove_handle) f =
	    (__typeof__(&curl_multi_remove_handle))he_lazy_sym(HE_LAZY_CURL,
							       "curl_multi_remove_handle");

	return f ? f(a0, a1) : CURLM_INTERNAL_ERROR;
}

struct curl_slist *curl_slist_append(struct curl_slist *a0, const char *a1)
{
	__typeof__(&curl_slist_append) f =
	    (__typeof__(&curl_slist_append))he_lazy_sym(HE_LAZY_CURL, "curl_slist_append");

	return f ? f(a0, a1) : NULL;
}

void curl_slist_free_all(struct curl_slist *a0)
{
	__typeof__(&curl_slist_free_all) f =
	    (__typeof__(&curl_slist_free_all))he_lazy_sym(HE_LAZY_CURL, "curl_slist_free_all");

	if (f)
		f(a0);
}
