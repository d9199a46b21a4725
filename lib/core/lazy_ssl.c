/* SPDX-License-Identifier: MIT */
/*
 * lazy_ssl.c - written by tools/gen-lazy.py from the installed headers: OpenSSL (libssl, libcrypto)
 * is loaded on first use (lib/core/lazy.h), not at start-up. Each function lib/ calls is defined
 * here as a wrapper that finds the real one with dlsym; when the library cannot be loaded it
 * returns a failure (NULL, an error code) and he_lazy_need() says why. Do not edit: re-run the
 * script.
 */
#include <openssl/ssl.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

#include "core/lazy.h"

int CRYPTO_memcmp(const void *a0, const void *a1, size_t a2)
{
	__typeof__(&CRYPTO_memcmp) f =
	    (__typeof__(&CRYPTO_memcmp))he_lazy_sym(HE_LAZY_CRYPTO, "CRYPTO_memcmp");

	return f ? f(a0, a1, a2) : 1;
}

void ERR_clear_error(void)
{
	__typeof__(&ERR_clear_error) f =
	    (__typeof__(&ERR_clear_error))he_lazy_sym(HE_LAZY_CRYPTO, "ERR_clear_error");

	if (f)
		f();
}

void ERR_error_string_n(long unsigned int a0, char *a1, size_t a2)
{
	__typeof__(&ERR_error_string_n) f =
	    (__typeof__(&ERR_error_string_n))he_lazy_sym(HE_LAZY_CRYPTO, "ERR_error_string_n");

	if (f)
		f(a0, a1, a2);
}

long unsigned int ERR_get_error(void)
{
	__typeof__(&ERR_get_error) f =
	    (__typeof__(&ERR_get_error))he_lazy_sym(HE_LAZY_CRYPTO, "ERR_get_error");

	return f ? f() : 0;
}

const EVP_MD *EVP_sha256(void)
{
	__typeof__(&EVP_sha256) f =
	    (__typeof__(&EVP_sha256))he_lazy_sym(HE_LAZY_CRYPTO, "EVP_sha256");

	return f ? f() : NULL;
}

unsigned char *HMAC(const EVP_MD *a0, const void *a1, int a2, const unsigned char *a3, size_t a4,
		    unsigned char *a5, unsigned int *a6)
{
	__typeof__(&HMAC) f = (__typeof__(&HMAC))he_lazy_sym(HE_LAZY_CRYPTO, "HMAC");

	return f ? f(a0, a1, a2, a3, a4, a5, a6) : NULL;
}

void OPENSSL_cleanse(void *a0, size_t a1)
{
	__typeof__(&OPENSSL_cleanse) f =
	    (__typeof__(&OPENSSL_cleanse))he_lazy_sym(HE_LAZY_CRYPTO, "OPENSSL_cleanse");

	if (f)
		f(a0, a1);
}

unsigned char *SHA256(const unsigned char *a0, size_t a1, unsigned char *a2)
{
	__typeof__(&SHA256) f = (__typeof__(&SHA256))he_lazy_sym(HE_LAZY_CRYPTO, "SHA256");

	return f ? f(a0, a1, a2) : NULL;
}

int SSL_CTX_check_private_key(const SSL_CTX *a0)
{
	__typeof__(&SSL_CTX_check_private_key) f =
	    (__typeof__(&SSL_CTX_check_private_key))he_lazy_sym(HE_LAZY_SSL,
								"SSL_CTX_check_private_key");

	return f ? f(a0) : 0;
}

long int SSL_CTX_ctrl(SSL_CTX *a0, int a1, long int a2, void *a3)
{
	__typeof__(&SSL_CTX_ctrl) f =
	    (__typeof__(&SSL_CTX_ctrl))he_lazy_sym(HE_LAZY_SSL, "SSL_CTX_ctrl");

	return f ? f(a0, a1, a2, a3) : 0;
}

void SSL_CTX_free(SSL_CTX *a0)
{
	__typeof__(&SSL_CTX_free) f =
	    (__typeof__(&SSL_CTX_free))he_lazy_sym(HE_LAZY_SSL, "SSL_CTX_free");

	if (f)
		f(a0);
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *a0)
{
	__typeof__(&SSL_CTX_new) f =
	    (__typeof__(&SSL_CTX_new))he_lazy_sym(HE_LAZY_SSL, "SSL_CTX_new");

	return f ? f(a0) : NULL;
}

void SSL_CTX_set_verify(SSL_CTX *a0, int a1, SSL_verify_cb a2)
{
	__typeof__(&SSL_CTX_set_verify) f =
	    (__typeof__(&SSL_CTX_set_verify))he_lazy_sym(HE_LAZY_SSL, "SSL_CTX_set_verify");

	if (f)
		f(a0, a1, a2);
}

int SSL_CTX_up_ref(SSL_CTX *a0)
{
	__typeof__(&SSL_CTX_up_ref) f =
	    (__typeof__(&SSL_CTX_up_ref))he_lazy_sym(HE_LAZY_SSL, "SSL_CTX_up_ref");

	return f ? f(a0) : 0;
}

int SSL_CTX_use_PrivateKey_file(SSL_CTX *a0, const char *a1, int a2)
{
	__typeof__(&SSL_CTX_use_PrivateKey_file) f =
	    (__typeof__(&SSL_CTX_use_PrivateKey_file))he_lazy_sym(HE_LAZY_SSL,
								  "SSL_CTX_use_PrivateKey_file");

	return f ? f(a0, a1, a2) : 0;
}

int SSL_CTX_use_certificate_chain_file(SSL_CTX *a0, const char *a1)
{
	__typeof__(&SSL_CTX_use_certificate_chain_file) f =
	    (__typeof__(&SSL_CTX_use_certificate_chain_file))he_lazy_sym(
		HE_LAZY_SSL, "SSL_CTX_use_certificate_chain_file");

	return f ? f(a0, a1) : 0;
}

int SSL_accept(SSL *a0)
{
	__typeof__(&SSL_accept) f = (__typeof__(&SSL_accept))he_lazy_sym(HE_LAZY_SSL, "SSL_accept");

	return f ? f(a0) : -1;
}

int SSL_connect(SSL *a0)
{
	__typeof__(&SSL_connect) f =
	    (__typeof__(&SSL_connect))he_lazy_sym(HE_LAZY_SSL, "SSL_connect");

	return f ? f(a0) : -1;
}

void SSL_free(SSL *a0)
{
	__typeof__(&SSL_free) f = (__typeof__(&SSL_free))he_lazy_sym(HE_LAZY_SSL, "SSL_free");

	if (f)
		f(a0);
}

X509 *SSL_get1_peer_certificate(const SSL *a0)
{
	__typeof__(&SSL_get1_peer_certificate) f =
	    (__typeof__(&SSL_get1_peer_certificate))he_lazy_sym(HE_LAZY_SSL,
								"SSL_get1_peer_certificate");

	return f ? f(a0) : NULL;
}

int SSL_get_error(const SSL *a0, int a1)
{
	__typeof__(&SSL_get_error) f =
	    (__typeof__(&SSL_get_error))he_lazy_sym(HE_LAZY_SSL, "SSL_get_error");

	return f ? f(a0, a1) : SSL_ERROR_SSL;
}

const char *SSL_get_version(const SSL *a0)
{
	__typeof__(&SSL_get_version) f =
	    (__typeof__(&SSL_get_version))he_lazy_sym(HE_LAZY_SSL, "SSL_get_version");

	return f ? f(a0) : NULL;
}

SSL *SSL_new(SSL_CTX *a0)
{
	__typeof__(&SSL_new) f = (__typeof__(&SSL_new))he_lazy_sym(HE_LAZY_SSL, "SSL_new");

	return f ? f(a0) : NULL;
}

int SSL_read(SSL *a0, void *a1, int a2)
{
	__typeof__(&SSL_read) f = (__typeof__(&SSL_read))he_lazy_sym(HE_LAZY_SSL, "SSL_read");

	return f ? f(a0, a1, a2) : -1;
}

int SSL_set_fd(SSL *a0, int a1)
{
	__typeof__(&SSL_set_fd) f = (__typeof__(&SSL_set_fd))he_lazy_sym(HE_LAZY_SSL, "SSL_set_fd");

	return f ? f(a0, a1) : 0;
}

int SSL_shutdown(SSL *a0)
{
	__typeof__(&SSL_shutdown) f =
	    (__typeof__(&SSL_shutdown))he_lazy_sym(HE_LAZY_SSL, "SSL_shutdown");

	return f ? f(a0) : -1;
}

int SSL_write(SSL *a0, const void *a1, int a2)
{
	__typeof__(&SSL_write) f = (__typeof__(&SSL_write))he_lazy_sym(HE_LAZY_SSL, "SSL_write");

	return f ? f(a0, a1, a2) : -1;
}

const SSL_METHOD *TLS_client_method(void)
{
	__typeof__(&TLS_client_method) f =
	    (__typeof__(&TLS_client_method))he_lazy_sym(HE_LAZY_SSL, "TLS_client_method");

	return f ? f() : NULL;
}

const SSL_METHOD *TLS_server_method(void)
{
	__typeof__(&TLS_server_method) f =
	    (__typeof__(&TLS_server_method))he_lazy_sym(HE_LAZY_SSL, "TLS_server_method");

	return f ? f() : NULL;
}

char *X509_NAME_oneline(const X509_NAME *a0, char *a1, int a2)
{
	__typeof__(&X509_NAME_oneline) f =
	    (__typeof__(&X509_NAME_oneline))he_lazy_sym(HE_LAZY_CRYPTO, "X509_NAME_oneline");

	return f ? f(a0, a1, a2) : NULL;
}

void X509_free(X509 *a0)
{
	__typeof__(&X509_free) f = (__typeof__(&X509_free))he_lazy_sym(HE_LAZY_CRYPTO, "X509_free");

	if (f)
		f(a0);
}

X509_NAME *X509_get_subject_name(const X509 *a0)
{
	__typeof__(&X509_get_subject_name) f = (__typeof__(&X509_get_subject_name))he_lazy_sym(
	    HE_LAZY_CRYPTO, "X509_get_subject_name");

	return f ? f(a0) : NULL;
}
