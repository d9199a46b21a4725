/* SPDX-License-Identifier: MIT */
#include "portmap/ssdp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t he_ssdp_msearch(char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "M-SEARCH * HTTP/1.1\r\n"
			 "HOST: " HE_SSDP_GROUP ":1900\r\n"
			 "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
			 "MAN: \"ssdp:discover\"\r\n"
			 "MX: 1\r\n"
			 "\r\n");

	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* Value of header name in the line [p, end), or NULL. */
static const char *header_value(const char *p, const char *end, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);

	if ((size_t)(end - p) <= nl || strncasecmp(p, name, nl) || p[nl] != ':')
		return NULL;
	p += nl + 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*vlen = (size_t)(end - p);
	return p;
}

int he_ssdp_parse(const char *buf, size_t len, char *location, size_t loclen)
{
	const char *p, *end, *loc = NULL, *st = NULL;
	size_t loc_len = 0, st_len = 0;

	if (!buf)
		return -EBADMSG;
	p = buf;
	end = buf + len;
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) || strncmp(buf + 8, " 200", 4))
		return -EBADMSG;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *v;
		size_t vl;

		if ((v = header_value(p, le, "LOCATION", &vl))) {
			loc = v;
			loc_len = vl;
		} else if ((v = header_value(p, le, "ST", &vl))) {
			st = v;
			st_len = vl;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	if (!loc || loc_len < 8 || loc_len >= loclen || strncasecmp(loc, "http://", 7))
		return -EBADMSG;
	for (size_t i = 0; i < loc_len; i++)
		if ((unsigned char)loc[i] <= 0x20 || loc[i] == 0x7f)
			return -EBADMSG; /* a URL has no spaces, NULs or control bytes */
	if (st) {
		static const char *const ok[] = {"InternetGatewayDevice", "WANIPConnection",
						 "WANPPPConnection", "WANConnectionDevice"};
		size_t i;
		int match = 0;

		for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (memmem(st, st_len, ok[i], strlen(ok[i])))
				match = 1;
		if (!match)
			return -EBADMSG;
	}
	memcpy(location, loc, loc_len);
	location[loc_len] = '\0';
	return 0;
}

int he_ssdp_parse_notify(const char *buf, size_t len, struct he_ssdp_notify *out)
{
	const char *p, *end;
	bool nt = false, nts = false;

	out->alive = out->igd = false;
	out->bootid = -1;
	if (!buf || len < 17 || strncmp(buf, "NOTIFY * HTTP/1.", 16) != 0)
		return -EBADMSG;
	p = buf;
	end = buf + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *v;
		size_t vl;

		if ((v = header_value(p, le, "NTS", &vl))) {
			if (vl == 10 && strncasecmp(v, "ssdp:alive", 10) == 0)
				out->alive = true;
			else if (!(vl == 11 && strncasecmp(v, "ssdp:byebye", 11) == 0))
				return -EBADMSG;
			nts = true;
		} else if ((v = header_value(p, le, "NT", &vl))) {
			static const char *const igd[] = {"InternetGatewayDevice",
							  "WANIPConnection", "WANPPPConnection",
							  "WANConnectionDevice"};

			for (size_t i = 0; i < sizeof(igd) / sizeof(igd[0]); i++)
				if (memmem(v, vl, igd[i], strlen(igd[i])))
					out->igd = true;
			nt = true;
		} else if ((v = header_value(p, le, "BOOTID.UPNP.ORG", &vl))) {
			long b = 0;

			if (!vl || vl > 10)
				return -EBADMSG;
			for (size_t i = 0; i < vl; i++) {
				if (v[i] < '0' || v[i] > '9')
					return -EBADMSG;
				b = b * 10 + (v[i] - '0');
			}
			out->bootid = b;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return nt && nts ? 0 : -EBADMSG;
}
