/* SPDX-License-Identifier: MIT */
/* common.c - what the providers share: URL encoding, redaction, HTTP status meanings. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddns/ddns_internal.h"

int he_ddns_append(char *out, size_t outsz, const char *s)
{
	size_t have = strlen(out), add = strlen(s);

	if (have + add + 1 > outsz) {
		snprintf(out + have, outsz - have, "%s", s);
		return -ENAMETOOLONG;
	}
	memcpy(out + have, s, add + 1);
	return 0;
}

int he_ddns_urlenc_append(char *out, size_t outsz, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = strlen(out);

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';

		if (o + (plain ? 1 : 3) + 1 > outsz)
			return -ENAMETOOLONG;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
		out[o] = '\0';
	}
	return 0;
}

int he_ddns_answer(struct he_ddns_answer *ans, enum he_ddns_outcome o, const char *code,
		   const char *fmt, ...)
{
	va_list ap;

	ans->outcome = o;
	snprintf(ans->code, sizeof(ans->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(ans->message, sizeof(ans->message), fmt, ap);
	va_end(ap);
	return HE_DDNS_DONE;
}

/*
 * Replace every run of at least min of needle's first characters (all of
 * needle when min is its length) by "REDACTED". A snippet of a reply may cut
 * an echoed secret short: min < length catches what is left of it.
 */
static void replace_runs(char *buf, size_t bufsz, const char *needle, size_t min)
{
	static const char mark[] = "REDACTED";
	size_t nl = strlen(needle), ml = sizeof(mark) - 1;

	if (!min || min > nl)
		min = nl;
	for (char *p = buf; nl && *p;) {
		size_t l = 0, tail;

		while (l < nl && p[l] && p[l] == needle[l])
			l++;
		if (l < min) {
			p++;
			continue;
		}
		tail = strlen(p + l);
		if ((size_t)(p - buf) + ml + tail + 1 > bufsz) {
			*p = '\0'; /* cannot fit: cut here rather than leak */
			return;
		}
		memmove(p + ml, p + l, tail + 1);
		memcpy(p, mark, ml);
		p += ml;
	}
}

static void replace_all(char *buf, size_t bufsz, const char *needle)
{
	replace_runs(buf, bufsz, needle, strlen(needle));
}

static void cut_pieces(char *buf, const char *word, size_t wlen, const char *span);
static void cut_words(char *buf, const char *secret);

static void redact_answer(struct he_ddns_answer *ans, const char *secret)
{
	char tmp[sizeof(ans->message)];

	he_ddns_redact(ans->message, secret, tmp, sizeof(tmp));
	memcpy(ans->message, tmp, sizeof(tmp));
	if (secret)
		replace_runs(ans->message, sizeof(ans->message), secret, 8);
	he_ddns_redact(ans->code, secret, tmp, sizeof(ans->code));
	memcpy(ans->code, tmp, sizeof(ans->code));
}

int he_ddns_answer_redact(struct he_ddns_answer *ans, const char *secret)
{
	char part[256];

	redact_answer(ans, secret);
	/*
	 * A two-part secret ("KEY:SECRET", two lines): each part on its own too.
	 * Not a key file (it has spaces): its names stay readable, its long
	 * base64 words are hidden by he_ddns_redact.
	 */
	for (const char *p = secret; p && *p && !strpbrk(secret, " \t");) {
		size_t n = strcspn(p, ":\n");

		if (n >= 6 && n < sizeof(part)) {
			memcpy(part, p, n);
			part[n] = '\0';
			redact_answer(ans, part);
			explicit_bzero(part, sizeof(part));
		}
		p += n;
		if (*p)
			p++;
	}
	/* last: no piece may be left beside a mark (a token or "KEY:SECRET": any piece) */
	if (secret && !strpbrk(secret, " \t\r\n")) {
		cut_pieces(ans->message, secret, strlen(secret), NULL);
		cut_pieces(ans->code, secret, strlen(secret), NULL);
	} else if (secret) {
		cut_words(ans->message, secret);
		cut_words(ans->code, secret);
	}
	return HE_DDNS_DONE;
}

void he_ddns_snippet(const char *body, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	if (!outsz)
		return;
	for (size_t i = 0; body && i < len && o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

void he_ddns_base_url(const char *server, const char *def, char *out, size_t outsz)
{
	const char *s = (server && *server) ? server : def;
	size_t n;

	if (strstr(s, "://"))
		snprintf(out, outsz, "%s", s);
	else
		snprintf(out, outsz, "https://%s", s);
	n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = '\0';
}

/* Replace the run of n bytes at p in buf by the mark; returns where to go on. */
static char *mark_run(char *buf, size_t bufsz, char *p, size_t n)
{
	static const char mark[] = "REDACTED";
	size_t ml = sizeof(mark) - 1, tail = strlen(p + n);

	if ((size_t)(p - buf) + ml + tail + 1 > bufsz) {
		*p = '\0'; /* cannot fit: cut here rather than leak */
		return p;
	}
	memmove(p + ml, p + n, tail + 1);
	memcpy(p, mark, ml);
	return p + ml;
}

/*
 * Replace every run of at least HE_DDNS_PIECE bytes that is also a piece of
 * WORD (WLEN bytes): a reply cut short elsewhere leaves part of a token.
 */
/* Does the run of n bytes at p hold one of the characters of set? */
static bool memchr_any(const char *p, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, p[i]))
			return true;
	return false;
}

static void replace_pieces(char *buf, size_t bufsz, const char *word, size_t wlen, const char *span)
{
	char *p = buf;

	while (*p) {
		size_t best = 0;

		for (size_t j = 0; j + HE_DDNS_PIECE <= wlen; j++) {
			size_t k = 0;

			while (p[k] && j + k < wlen && p[k] == word[j + k])
				k++;
			/* with span: only a run across one of its characters (a separator) */
			if (k > best && (!span || memchr_any(p, k, span)))
				best = k;
		}
		p = best >= HE_DDNS_PIECE ? mark_run(buf, bufsz, p, best) : p + 1;
	}
}

static bool base64_word(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && !strchr("+/=", w[i]))
			return false;
	return true;
}

/* The words of a secret worth hiding in pieces: the whole of a one-word secret
 * (a token, a password), the long base64 words of a key file (its secret,
 * not the key's name or algorithm). */
static void redact_words(char *buf, size_t bufsz, const char *secret)
{
	static const char sep[] = " \t\r\n\"';:{}";
	bool one_word = !secret[strcspn(secret, sep)];
	size_t len = strlen(secret);

	/*
	 * A secret without white space ("KEY:SECRET", a one-line key) is also
	 * searched whole for pieces that span a separator: they give away the
	 * ends of both parts (a key's name alone stays readable).
	 */
	if (!secret[strcspn(secret, " \t\r\n")] && len >= HE_DDNS_PIECE)
		replace_pieces(buf, bufsz, secret, len, sep);
	for (const char *w = secret; *w;) {
		size_t n = strcspn(w, sep);

		if (n >= HE_DDNS_PIECE &&
		    (one_word || (n >= 2 * HE_DDNS_PIECE && base64_word(w, n))))
			replace_pieces(buf, bufsz, w, n, NULL);
		w += n;
		w += strspn(w, sep);
	}
}

/*
 * The last safeguard: a piece of WORD (WLEN bytes) still in buf is cut off
 * with everything after it. It happens only when what is left beside a mark
 * joins the mark's first letters into a piece ("...EY1:SEC" + "REDACTED" of
 * the secret "...KEY1:SECRET...": found by fuzz_ddns_reply).
 */
static void cut_pieces(char *buf, const char *word, size_t wlen, const char *span)
{
	for (char *p = buf; *p; p++)
		for (size_t j = 0; j + HE_DDNS_PIECE <= wlen; j++)
			if (!strncmp(p, word + j, HE_DDNS_PIECE) &&
			    (!span || memchr_any(p, HE_DDNS_PIECE, span))) {
				*p = '\0';
				return;
			}
}

/* cut_pieces for each word redact_words hides in pieces. */
static void cut_words(char *buf, const char *secret)
{
	static const char sep[] = " \t\r\n\"';:{}";
	bool one_word = !secret[strcspn(secret, sep)];
	size_t len = strlen(secret);

	if (!secret[strcspn(secret, " \t\r\n")] && len >= HE_DDNS_PIECE)
		cut_pieces(buf, secret, len, sep); /* a piece across a separator, as above */
	for (const char *w = secret; *w;) {
		size_t n = strcspn(w, sep);

		if (n >= HE_DDNS_PIECE &&
		    (one_word || (n >= 2 * HE_DDNS_PIECE && base64_word(w, n))))
			cut_pieces(buf, w, n, NULL);
		w += n;
		w += strspn(w, sep);
	}
}

void he_ddns_redact(const char *url, const char *secret, char *out, size_t outsz)
{
	char enc[HE_DDNS_URL_MAX] = "";

	if (!outsz)
		return;
	snprintf(out, outsz, "%s", url ? url : "");
	if (!secret || !*secret)
		return;
	replace_all(out, outsz, secret);
	if (he_ddns_urlenc_append(enc, sizeof(enc), secret) == 0 && strcmp(enc, secret))
		replace_all(out, outsz, enc);
	redact_words(out, outsz, secret);
	/* a token may appear URL-encoded; a key file (white space) never goes into a URL */
	if (enc[0] && strcmp(enc, secret) && !strpbrk(secret, " \t\r\n"))
		redact_words(out, outsz, enc);
	cut_words(out, secret);
	if (enc[0] && strcmp(enc, secret) && !strpbrk(secret, " \t\r\n"))
		cut_words(out, enc);
}

bool he_ddns_http_status_outcome(long status, struct he_ddns_answer *ans)
{
	if (status == 401 || status == 403) {
		he_ddns_answer(ans, HE_DDNS_FATAL, "badauth",
			       "the provider refused the credentials (HTTP %ld); fix the "
			       "username/password or token file, then run 'ddns update --force'",
			       status);
		return true;
	}
	if (status == 429) {
		he_ddns_answer(ans, HE_DDNS_RETRY_LATER, "http 429",
			       "the provider asks to slow down (HTTP 429); waiting 30 minutes");
		return true;
	}
	if (status >= 500 && status <= 599) {
		char code[32];

		snprintf(code, sizeof(code), "http %ld", status);
		he_ddns_answer(ans, HE_DDNS_TRANSIENT, code,
			       "the provider had a server error (HTTP %ld); backing off", status);
		return true;
	}
	return false;
}

const char *he_ddns_outcome_name(enum he_ddns_outcome o)
{
	switch (o) {
	case HE_DDNS_GOOD:
		return "good";
	case HE_DDNS_NOCHG:
		return "nochg";
	case HE_DDNS_FATAL:
		return "fatal";
	case HE_DDNS_RETRY_LATER:
		return "retry-later";
	case HE_DDNS_TRANSIENT:
		return "transient";
	case HE_DDNS_NONE:
		break;
	}
	return "none";
}

void he_http_resp_free(struct he_http_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}
