/* SPDX-License-Identifier: MIT */
/*
 * lazy_ldns.c - written by tools/gen-lazy.py from the installed headers: ldns is
 * loaded on first use (lib/core/lazy.h), not at start-up. Each function
 * lib/ calls is defined here as a wrapper that finds the real one with
 * dlsym; when the library cannot be loaded it returns a failure (NULL, an
 * error code) and he_lazy_need() says why. Do not edit: re-run the script.
 */
#include <ldns/ldns.h>
#include <stddef.h>

#include "core/lazy.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Warray-parameter"
#endif

void ldns_dname2canonical(const ldns_rdf *a0)
{
	__typeof__(&ldns_dname2canonical) f =
	    (__typeof__(&ldns_dname2canonical))he_lazy_sym(HE_LAZY_LDNS, "ldns_dname2canonical");

	if (f)
		f(a0);
}

int ldns_dname_compare(const ldns_rdf *a0, const ldns_rdf *a1)
{
	__typeof__(&ldns_dname_compare) f =
	    (__typeof__(&ldns_dname_compare))he_lazy_sym(HE_LAZY_LDNS, "ldns_dname_compare");

	return f ? f(a0, a1) : 1;
}

ldns_rdf *ldns_dname_new_frm_str(const char *a0)
{
	__typeof__(&ldns_dname_new_frm_str) f = (__typeof__(&ldns_dname_new_frm_str))he_lazy_sym(
	    HE_LAZY_LDNS, "ldns_dname_new_frm_str");

	return f ? f(a0) : NULL;
}

ldns_status ldns_pkt2wire(uint8_t **a0, const ldns_pkt *a1, size_t *a2)
{
	__typeof__(&ldns_pkt2wire) f =
	    (__typeof__(&ldns_pkt2wire))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt2wire");

	return f ? f(a0, a1, a2) : LDNS_STATUS_ERR;
}

ldns_rr_list *ldns_pkt_answer(const ldns_pkt *a0)
{
	__typeof__(&ldns_pkt_answer) f =
	    (__typeof__(&ldns_pkt_answer))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt_answer");

	return f ? f(a0) : NULL;
}

void ldns_pkt_free(ldns_pkt *a0)
{
	__typeof__(&ldns_pkt_free) f =
	    (__typeof__(&ldns_pkt_free))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt_free");

	if (f)
		f(a0);
}

ldns_pkt_rcode ldns_pkt_get_rcode(const ldns_pkt *a0)
{
	__typeof__(&ldns_pkt_get_rcode) f =
	    (__typeof__(&ldns_pkt_get_rcode))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt_get_rcode");

	return f ? f(a0) : LDNS_RCODE_SERVFAIL;
}

ldns_pkt *ldns_pkt_query_new(ldns_rdf *a0, ldns_rr_type a1, ldns_rr_class a2, uint16_t a3)
{
	__typeof__(&ldns_pkt_query_new) f =
	    (__typeof__(&ldns_pkt_query_new))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt_query_new");

	return f ? f(a0, a1, a2, a3) : NULL;
}

ldns_rr_list *ldns_pkt_rr_list_by_type(const ldns_pkt *a0, ldns_rr_type a1, ldns_pkt_section a2)
{
	__typeof__(&ldns_pkt_rr_list_by_type) f =
	    (__typeof__(&ldns_pkt_rr_list_by_type))he_lazy_sym(HE_LAZY_LDNS,
							       "ldns_pkt_rr_list_by_type");

	return f ? f(a0, a1, a2) : NULL;
}

void ldns_pkt_set_id(ldns_pkt *a0, uint16_t a1)
{
	__typeof__(&ldns_pkt_set_id) f =
	    (__typeof__(&ldns_pkt_set_id))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt_set_id");

	if (f)
		f(a0, a1);
}

void ldns_pkt_set_rd(ldns_pkt *a0, signed char a1)
{
	__typeof__(&ldns_pkt_set_rd) f =
	    (__typeof__(&ldns_pkt_set_rd))he_lazy_sym(HE_LAZY_LDNS, "ldns_pkt_set_rd");

	if (f)
		f(a0, a1);
}

char *ldns_rdf2str(const ldns_rdf *a0)
{
	__typeof__(&ldns_rdf2str) f =
	    (__typeof__(&ldns_rdf2str))he_lazy_sym(HE_LAZY_LDNS, "ldns_rdf2str");

	return f ? f(a0) : NULL;
}

ldns_rdf *ldns_rdf_clone(const ldns_rdf *a0)
{
	__typeof__(&ldns_rdf_clone) f =
	    (__typeof__(&ldns_rdf_clone))he_lazy_sym(HE_LAZY_LDNS, "ldns_rdf_clone");

	return f ? f(a0) : NULL;
}

uint8_t *ldns_rdf_data(const ldns_rdf *a0)
{
	__typeof__(&ldns_rdf_data) f =
	    (__typeof__(&ldns_rdf_data))he_lazy_sym(HE_LAZY_LDNS, "ldns_rdf_data");

	return f ? f(a0) : NULL;
}

void ldns_rdf_deep_free(ldns_rdf *a0)
{
	__typeof__(&ldns_rdf_deep_free) f =
	    (__typeof__(&ldns_rdf_deep_free))he_lazy_sym(HE_LAZY_LDNS, "ldns_rdf_deep_free");

	if (f)
		f(a0);
}

ldns_rdf *ldns_rdf_new_frm_str(ldns_rdf_type a0, const char *a1)
{
	__typeof__(&ldns_rdf_new_frm_str) f =
	    (__typeof__(&ldns_rdf_new_frm_str))he_lazy_sym(HE_LAZY_LDNS, "ldns_rdf_new_frm_str");

	return f ? f(a0, a1) : NULL;
}

size_t ldns_rdf_size(const ldns_rdf *a0)
{
	__typeof__(&ldns_rdf_size) f =
	    (__typeof__(&ldns_rdf_size))he_lazy_sym(HE_LAZY_LDNS, "ldns_rdf_size");

	return f ? f(a0) : 0;
}

void ldns_resolver_deep_free(ldns_resolver *a0)
{
	__typeof__(&ldns_resolver_deep_free) f = (__typeof__(&ldns_resolver_deep_free))he_lazy_sym(
	    HE_LAZY_LDNS, "ldns_resolver_deep_free");

	if (f)
		f(a0);
}

ldns_status ldns_resolver_new_frm_file(ldns_resolver **a0, const char *a1)
{
	__typeof__(&ldns_resolver_new_frm_file) f =
	    (__typeof__(&ldns_resolver_new_frm_file))he_lazy_sym(HE_LAZY_LDNS,
								 "ldns_resolver_new_frm_file");

	return f ? f(a0, a1) : LDNS_STATUS_ERR;
}

ldns_pkt *ldns_resolver_query(const ldns_resolver *a0, const ldns_rdf *a1, ldns_rr_type a2,
			      ldns_rr_class a3, uint16_t a4)
{
	__typeof__(&ldns_resolver_query) f =
	    (__typeof__(&ldns_resolver_query))he_lazy_sym(HE_LAZY_LDNS, "ldns_resolver_query");

	return f ? f(a0, a1, a2, a3, a4) : NULL;
}

void ldns_resolver_set_retry(ldns_resolver *a0, uint8_t a1)
{
	__typeof__(&ldns_resolver_set_retry) f = (__typeof__(&ldns_resolver_set_retry))he_lazy_sym(
	    HE_LAZY_LDNS, "ldns_resolver_set_retry");

	if (f)
		f(a0, a1);
}

void ldns_resolver_set_timeout(ldns_resolver *a0, struct timeval a1)
{
	__typeof__(&ldns_resolver_set_timeout) f =
	    (__typeof__(&ldns_resolver_set_timeout))he_lazy_sym(HE_LAZY_LDNS,
								"ldns_resolver_set_timeout");

	if (f)
		f(a0, a1);
}

void ldns_rr_free(ldns_rr *a0)
{
	__typeof__(&ldns_rr_free) f =
	    (__typeof__(&ldns_rr_free))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_free");

	if (f)
		f(a0);
}

ldns_rr_type ldns_rr_get_type(const ldns_rr *a0)
{
	__typeof__(&ldns_rr_get_type) f =
	    (__typeof__(&ldns_rr_get_type))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_get_type");

	return f ? f(a0) : 0;
}

void ldns_rr_list_deep_free(ldns_rr_list *a0)
{
	__typeof__(&ldns_rr_list_deep_free) f = (__typeof__(&ldns_rr_list_deep_free))he_lazy_sym(
	    HE_LAZY_LDNS, "ldns_rr_list_deep_free");

	if (f)
		f(a0);
}

ldns_rr_list *ldns_rr_list_new(void)
{
	__typeof__(&ldns_rr_list_new) f =
	    (__typeof__(&ldns_rr_list_new))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_list_new");

	return f ? f() : NULL;
}

signed char ldns_rr_list_push_rr(ldns_rr_list *a0, const ldns_rr *a1)
{
	__typeof__(&ldns_rr_list_push_rr) f =
	    (__typeof__(&ldns_rr_list_push_rr))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_list_push_rr");

	return f ? f(a0, a1) : 0;
}

ldns_rr *ldns_rr_list_rr(const ldns_rr_list *a0, size_t a1)
{
	__typeof__(&ldns_rr_list_rr) f =
	    (__typeof__(&ldns_rr_list_rr))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_list_rr");

	return f ? f(a0, a1) : NULL;
}

size_t ldns_rr_list_rr_count(const ldns_rr_list *a0)
{
	__typeof__(&ldns_rr_list_rr_count) f =
	    (__typeof__(&ldns_rr_list_rr_count))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_list_rr_count");

	return f ? f(a0) : 0;
}

ldns_rr *ldns_rr_new(void)
{
	__typeof__(&ldns_rr_new) f =
	    (__typeof__(&ldns_rr_new))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_new");

	return f ? f() : NULL;
}

ldns_rdf *ldns_rr_owner(const ldns_rr *a0)
{
	__typeof__(&ldns_rr_owner) f =
	    (__typeof__(&ldns_rr_owner))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_owner");

	return f ? f(a0) : NULL;
}

signed char ldns_rr_push_rdf(ldns_rr *a0, const ldns_rdf *a1)
{
	__typeof__(&ldns_rr_push_rdf) f =
	    (__typeof__(&ldns_rr_push_rdf))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_push_rdf");

	return f ? f(a0, a1) : 0;
}

ldns_rdf *ldns_rr_rdf(const ldns_rr *a0, size_t a1)
{
	__typeof__(&ldns_rr_rdf) f =
	    (__typeof__(&ldns_rr_rdf))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_rdf");

	return f ? f(a0, a1) : NULL;
}

void ldns_rr_set_class(ldns_rr *a0, ldns_rr_class a1)
{
	__typeof__(&ldns_rr_set_class) f =
	    (__typeof__(&ldns_rr_set_class))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_set_class");

	if (f)
		f(a0, a1);
}

void ldns_rr_set_owner(ldns_rr *a0, ldns_rdf *a1)
{
	__typeof__(&ldns_rr_set_owner) f =
	    (__typeof__(&ldns_rr_set_owner))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_set_owner");

	if (f)
		f(a0, a1);
}

void ldns_rr_set_question(ldns_rr *a0, signed char a1)
{
	__typeof__(&ldns_rr_set_question) f =
	    (__typeof__(&ldns_rr_set_question))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_set_question");

	if (f)
		f(a0, a1);
}

void ldns_rr_set_ttl(ldns_rr *a0, uint32_t a1)
{
	__typeof__(&ldns_rr_set_ttl) f =
	    (__typeof__(&ldns_rr_set_ttl))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_set_ttl");

	if (f)
		f(a0, a1);
}

void ldns_rr_set_type(ldns_rr *a0, ldns_rr_type a1)
{
	__typeof__(&ldns_rr_set_type) f =
	    (__typeof__(&ldns_rr_set_type))he_lazy_sym(HE_LAZY_LDNS, "ldns_rr_set_type");

	if (f)
		f(a0, a1);
}

void ldns_sha1_final(unsigned char *a0, ldns_sha1_ctx *a1)
{
	__typeof__(&ldns_sha1_final) f =
	    (__typeof__(&ldns_sha1_final))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha1_final");

	if (f)
		f(a0, a1);
}

void ldns_sha1_init(ldns_sha1_ctx *a0)
{
	__typeof__(&ldns_sha1_init) f =
	    (__typeof__(&ldns_sha1_init))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha1_init");

	if (f)
		f(a0);
}

void ldns_sha1_update(ldns_sha1_ctx *a0, const unsigned char *a1, unsigned int a2)
{
	__typeof__(&ldns_sha1_update) f =
	    (__typeof__(&ldns_sha1_update))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha1_update");

	if (f)
		f(a0, a1, a2);
}

void ldns_sha256_final(uint8_t *a0, ldns_sha256_CTX *a1)
{
	__typeof__(&ldns_sha256_final) f =
	    (__typeof__(&ldns_sha256_final))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha256_final");

	if (f)
		f(a0, a1);
}

void ldns_sha256_init(ldns_sha256_CTX *a0)
{
	__typeof__(&ldns_sha256_init) f =
	    (__typeof__(&ldns_sha256_init))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha256_init");

	if (f)
		f(a0);
}

void ldns_sha256_update(ldns_sha256_CTX *a0, const uint8_t *a1, size_t a2)
{
	__typeof__(&ldns_sha256_update) f =
	    (__typeof__(&ldns_sha256_update))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha256_update");

	if (f)
		f(a0, a1, a2);
}

void ldns_sha512_final(uint8_t *a0, ldns_sha512_CTX *a1)
{
	__typeof__(&ldns_sha512_final) f =
	    (__typeof__(&ldns_sha512_final))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha512_final");

	if (f)
		f(a0, a1);
}

void ldns_sha512_init(ldns_sha512_CTX *a0)
{
	__typeof__(&ldns_sha512_init) f =
	    (__typeof__(&ldns_sha512_init))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha512_init");

	if (f)
		f(a0);
}

void ldns_sha512_update(ldns_sha512_CTX *a0, const uint8_t *a1, size_t a2)
{
	__typeof__(&ldns_sha512_update) f =
	    (__typeof__(&ldns_sha512_update))he_lazy_sym(HE_LAZY_LDNS, "ldns_sha512_update");

	if (f)
		f(a0, a1, a2);
}

ldns_status ldns_str2rdf_b64(ldns_rdf **a0, const char *a1)
{
	__typeof__(&ldns_str2rdf_b64) f =
	    (__typeof__(&ldns_str2rdf_b64))he_lazy_sym(HE_LAZY_LDNS, "ldns_str2rdf_b64");

	return f ? f(a0, a1) : LDNS_STATUS_ERR;
}

ldns_pkt *ldns_update_pkt_new(ldns_rdf *a0, ldns_rr_class a1, const ldns_rr_list *a2,
			      const ldns_rr_list *a3, const ldns_rr_list *a4)
{
	__typeof__(&ldns_update_pkt_new) f =
	    (__typeof__(&ldns_update_pkt_new))he_lazy_sym(HE_LAZY_LDNS, "ldns_update_pkt_new");

	return f ? f(a0, a1, a2, a3, a4) : NULL;
}

ldns_status ldns_wire2dname(ldns_rdf **a0, const uint8_t *a1, size_t a2, size_t *a3)
{
	__typeof__(&ldns_wire2dname) f =
	    (__typeof__(&ldns_wire2dname))he_lazy_sym(HE_LAZY_LDNS, "ldns_wire2dname");

	return f ? f(a0, a1, a2, a3) : LDNS_STATUS_ERR;
}

ldns_status ldns_wire2pkt(ldns_pkt **a0, const uint8_t *a1, size_t a2)
{
	__typeof__(&ldns_wire2pkt) f =
	    (__typeof__(&ldns_wire2pkt))he_lazy_sym(HE_LAZY_LDNS, "ldns_wire2pkt");

	return f ? f(a0, a1, a2) : LDNS_STATUS_ERR;
}

ldns_status ldns_wire2rr(ldns_rr **a0, const uint8_t *a1, size_t a2, size_t *a3,
			 ldns_pkt_section a4)
{
	__typeof__(&ldns_wire2rr) f =
	    (__typeof__(&ldns_wire2rr))he_lazy_sym(HE_LAZY_LDNS, "ldns_wire2rr");

	return f ? f(a0, a1, a2, a3, a4) : LDNS_STATUS_ERR;
}
