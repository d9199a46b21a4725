#!/usr/bin/env python3
"""tools/gen-lazy.py: write lib/core/lazy_{curl,ssl,ldns}.c.

homeexpose loads libcurl, OpenSSL (libssl, libcrypto) and ldns only when a
command uses them (lib/core/lazy.h): the binary is not linked against them,
and lib/ defines each function it calls as a small wrapper that finds the
real one with dlopen/dlsym on first use. This script writes those wrappers
from the prototypes the installed headers declare (gcc -aux-info), for the
functions lib/ uses (the undefined symbols of libhomeexpose.a).

usage: tools/gen-lazy.py LIBHOMEEXPOSE.a   (run from the top directory;
then `make format`). Re-run after lib/ starts using another function of
these libraries: the link of build/homeexpose fails until it is wrapped.
"""
import os
import re
import subprocess
import sys
import tempfile

LIBS = [
    # (file, soname macro, symbol prefixes, headers, cflags packages)
    ("curl", "HE_LAZY_CURL", ("curl_",), ["curl/curl.h"], "libcurl"),
    ("ssl", None, ("SSL_", "TLS_", "X509", "EVP_", "HMAC", "SHA256", "ERR_",
                   "CRYPTO_", "OPENSSL_"),
     ["openssl/ssl.h", "openssl/hmac.h", "openssl/sha.h", "openssl/err.h",
      "openssl/crypto.h", "openssl/evp.h", "openssl/x509.h"], "libssl libcrypto"),
    ("ldns", "HE_LAZY_LDNS", ("ldns_",), ["ldns/ldns.h"], "ldns"),
    ("systemd", "HE_LAZY_SYSTEMD", ("sd_",), ["systemd/sd-bus.h", "systemd/sd-daemon.h"],
     "libsystemd"),
]
# libssl's own functions; the rest of "ssl" lives in libcrypto
SSL_OWN = ("SSL_", "TLS_")

# what a wrapper returns when its library cannot be loaded: always a failure
FAIL = {
    "CURLcode": "CURLE_FAILED_INIT",
    "CURLMcode": "CURLM_INTERNAL_ERROR",
    "ldns_status": "LDNS_STATUS_ERR",
    "ldns_pkt_rcode": "LDNS_RCODE_SERVFAIL",
}
# sd-bus and sd-daemon return a negative errno on failure
FAIL_PREFIX = {"sd_": "-ELIBACC"}
FAIL_BY_NAME = {
    "CRYPTO_memcmp": "1",        # 0 would mean "equal"
    "ldns_dname_compare": "1",   # likewise
    "SSL_get_error": "SSL_ERROR_SSL",
    "SSL_read": "-1", "SSL_write": "-1", "SSL_connect": "-1",
    "SSL_accept": "-1", "SSL_shutdown": "-1",
}

HEAD = """/* SPDX-License-Identifier: MIT */
/*
 * %s - written by tools/gen-lazy.py from the installed headers: %s is
 * loaded on first use (lib/core/lazy.h), not at start-up. Each function
 * lib/ calls is defined here as a wrapper that finds the real one with
 * dlsym; when the library cannot be loaded it returns a failure (NULL, an
 * error code) and he_lazy_need() says why. Do not edit: re-run the script.
 */
"""


def prototypes(headers, pkgs):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "p.c")
        aux = os.path.join(d, "p.aux")
        with open(src, "w") as f:
            f.write("#define CURL_DISABLE_TYPECHECK\n")
            for h in headers:
                f.write("#include <%s>\n" % h)
        cflags = subprocess.run(["pkg-config", "--cflags"] + pkgs.split(),
                                capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(["gcc", "-std=gnu11", "-c", src, "-o", os.devnull,
                        "-aux-info", aux] + cflags, check=True)
        out = {}
        for line in open(aux):
            m = re.search(r"\*/\s*extern (.*?)\b(\w+) \((.*)\);\s*$", line)
            if m and m.group(2) not in out:
                out[m.group(2)] = (m.group(1).strip(), m.group(3))
        return out


def wrapper(name, ret, params, soname):
    args = [] if params == "void" else [p.strip() for p in params.split(",")]
    decl, call = [], []
    for i, a in enumerate(args):
        if a == "...":
            decl.append("...")
            continue
        if a.endswith("*"):
            decl.append("%s a%d" % (a, i))
        else:
            decl.append("%s a%d" % (a, i))
        call.append("a%d" % i)
    sig = "%s%s%s(%s)" % (ret, "" if ret.endswith("*") else " ", name,
                         ", ".join(decl) if decl else "void")
    look = "(__typeof__(&%s))he_lazy_sym(%s, \"%s\")" % (name, soname, name)
    fail = FAIL_BY_NAME.get(name) or FAIL.get(ret) or \
        next((v for k, v in FAIL_PREFIX.items() if name.startswith(k) and ret == "int"), None) or \
        ("NULL" if ret.endswith("*") else ("" if ret == "void" else "0"))
    if "..." in decl:
        return vararg(name, ret, look, fail)
    body = ["\t__typeof__(&%s) f = %s;" % (name, look), ""]
    if ret == "void":
        body += ["\tif (f)", "\t\tf(%s);" % ", ".join(call)]
    else:
        body += ["\treturn f ? f(%s) : %s;" % (", ".join(call), fail)]
    return "%s\n{\n%s\n}\n" % (sig, "\n".join(body))


def vararg(name, ret, look, fail):
    if name == "curl_easy_setopt":
        return """CURLcode curl_easy_setopt(CURL *a0, CURLoption a1, ...)
{
	__typeof__(&curl_easy_setopt) f = %s;
	CURLcode rc = %s;
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
""" % (look, fail)
    if name == "curl_easy_getinfo":
        return """CURLcode curl_easy_getinfo(CURL *a0, CURLINFO a1, ...)
{
	__typeof__(&curl_easy_getinfo) f = %s;
	CURLcode rc = %s;
	va_list ap;

	if (!f)
		return rc;
	va_start(ap, a1); /* always a pointer to the result */
	rc = f(a0, a1, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
""" % (look, fail)
    if name in ("sd_bus_call_method", "sd_bus_message_read"):
        # the va_list form of each exists in libsystemd: forward to it
        if name == "sd_bus_call_method":
            sig = ("int sd_bus_call_method(sd_bus *a0, const char *a1, const char *a2, "
                   "const char *a3, const char *a4, sd_bus_error *a5, sd_bus_message **a6, "
                   "const char *a7, ...)")
            last, call = "a7", "a0, a1, a2, a3, a4, a5, a6, a7, ap"
        else:
            sig = "int sd_bus_message_read(sd_bus_message *a0, const char *a1, ...)"
            last, call = "a1", "a0, a1, ap"
        return """%s
{
	__typeof__(&%sv) f = (__typeof__(&%sv))he_lazy_sym(HE_LAZY_SYSTEMD, "%sv");
	va_list ap;
	int rc;

	if (!f)
		return -ELIBACC;
	va_start(ap, %s);
	rc = f(%s);
	va_end(ap);
	return rc;
}
""" % (sig, name, name, name, last, call)
    if name == "sd_notifyf":
        return """int sd_notifyf(int a0, const char *a1, ...)
{
	__typeof__(&sd_notify) f = (__typeof__(&sd_notify))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_notify");
	char *msg = NULL;
	va_list ap;
	int rc;

	if (!f)
		return -ELIBACC;
	va_start(ap, a1);
	rc = vasprintf(&msg, a1, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = f(a0, msg); /* what sd_notifyf does: format, then sd_notify */
	free(msg);
	return rc;
}
"""
    sys.exit("gen-lazy: no rule for the variadic %s" % name)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    nm = subprocess.run(["nm", "-u", sys.argv[1]], capture_output=True, text=True,
                        check=True).stdout.split()
    used = sorted(set(s for s in nm if re.match(r"^\w+$", s)))
    for fname, soname, prefixes, headers, pkgs in LIBS:
        syms = [s for s in used if s.startswith(prefixes)]
        protos = prototypes(headers, pkgs)
        path = "lib/core/lazy_%s.c" % fname
        libname = {"curl": "libcurl", "ssl": "OpenSSL (libssl, libcrypto)",
                   "ldns": "ldns", "systemd": "libsystemd (sd-bus, sd_notify)"}[fname]
        out = [HEAD % ("lazy_%s.c" % fname, libname)]
        out.append("#define CURL_DISABLE_TYPECHECK\n" if fname == "curl" else "")
        if fname == "curl":
            out.append("#include <stdarg.h>\n")
        if fname == "systemd":
            out.append("#include <errno.h>\n#include <stdarg.h>\n#include <stdio.h>\n"
                       "#include <stdlib.h>\n")
        for h in headers:
            out.append("#include <%s>\n" % h)
        out.append("#include <stddef.h>\n\n#include \"core/lazy.h\"\n")
        if fname == "ldns":
            # ldns declares digests as arrays (unsigned char d[N]); -aux-info says pointer
            out.append("\n#if defined(__GNUC__) && !defined(__clang__)\n"
                       "#pragma GCC diagnostic ignored \"-Warray-parameter\"\n#endif\n")
        for s in syms:
            if s not in protos:
                sys.exit("gen-lazy: no prototype for %s in %s" % (s, headers))
            ret, params = protos[s]
            so = soname or ("HE_LAZY_SSL" if s.startswith(SSL_OWN) else "HE_LAZY_CRYPTO")
            out.append("\n" + wrapper(s, ret, params, so))
        with open(path, "w") as f:
            f.write("".join(out))
        print("gen-lazy: %s: %d functions" % (path, len(syms)))


main()
