/* SPDX-License-Identifier: MIT */
/*
 * test_lazy.c - libraries loaded on first use (lib/core/lazy.h): the
 * wrappers reach the real functions, a missing function is NULL, and the
 * sonames are the ones the build linked against.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <ldns/ldns.h>
#include <openssl/sha.h>

#include "core/lazy.h"

static void test_need_and_sym(void **state)
{
	struct he_error err = {0};

	for (int lib = HE_LAZY_CURL; lib <= HE_LAZY_SYSTEMD; lib++) {
		assert_int_equal(he_lazy_need((enum he_lazy_lib)lib, &err), 0);
		assert_non_null(strstr(he_lazy_soname((enum he_lazy_lib)lib), ".so."));
	}
	assert_non_null(he_lazy_sym(HE_LAZY_CURL, "curl_easy_init"));
	assert_null(he_lazy_sym(HE_LAZY_LDNS, "no_such_function_in_ldns"));
	assert_null(he_lazy_sym(HE_LAZY_SSL, "curl_easy_init")); /* only from its own library */
}

/* The wrappers give the real answers: a digest, a parsed name, curl's options. */
static void test_wrappers_forward(void **state)
{
	static const unsigned char want[SHA256_DIGEST_LENGTH] = {
	    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
	    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
	    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad}; /* SHA-256("abc") */
	unsigned char md[SHA256_DIGEST_LENGTH];
	ldns_rdf *d = ldns_dname_new_frm_str("Home.Example.");
	char *s;
	CURL *c = curl_easy_init();
	long code = -1;

	assert_ptr_equal(SHA256((const unsigned char *)"abc", 3, md), md);
	assert_memory_equal(md, want, sizeof(want));
	assert_non_null(d);
	ldns_dname2canonical(d);
	s = ldns_rdf2str(d);
	assert_string_equal(s, "home.example.");
	free(s);
	ldns_rdf_deep_free(d);
	/* the variadic wrappers: a long, a pointer, an off_t option, and getinfo */
	assert_non_null(c);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)4096),
			 CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, (CURLoption)99999, 0L), CURLE_UNKNOWN_OPTION);
	assert_int_equal(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
	assert_int_equal(code, 0);
	curl_easy_cleanup(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_need_and_sym),
	    cmocka_unit_test(test_wrappers_forward),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
