/* SPDX-License-Identifier: MIT */
#include "core/portspec.h"

#include <ctype.h>
#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

const char *he_proto_name(unsigned proto)
{
	switch (proto) {
	case HE_PROTO_TCP:
		return "tcp";
	case HE_PROTO_UDP:
		return "udp";
	case HE_PROTO_BOTH:
		return "both";
	default:
		return "?";
	}
}

/* Parse a decimal port 1..65535 from [s, end). */
static int parse_port(const char *s, const char *end, const char *whole, const char *what,
		      uint16_t *out, struct he_error *err)
{
	unsigned long v = 0;
	const char *p;

	if (s == end)
		return he_error_set(err, -EINVAL, "'%s': missing %s port", whole, what);
	for (p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return he_error_set(err, -EINVAL,
					    "'%s': %s port '%.*s' is not a number (expected "
					    "EXT[:INT][/tcp|/udp|/both])",
					    whole, what, (int)(end - s), s);
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return he_error_set(err, -ERANGE,
					    "'%s': %s port %.*s is out of range (1-65535)", whole,
					    what, (int)(end - s), s);
	}
	if (v == 0)
		return he_error_set(err, -ERANGE, "'%s': %s port 0 is not a valid port (1-65535)",
				    whole, what);
	*out = (uint16_t)v;
	return 0;
}

int he_portspec_parse(const char *s, struct he_portspec *out, struct he_error *err)
{
	struct he_portspec ps = {0};
	const char *slash, *colon, *dash, *end;
	int r;

	if (!s || !*s)
		return he_error_set(err, -EINVAL, "empty port specification");
	slash = strchr(s, '/');
	end = slash ? slash : s + strlen(s);
	colon = memchr(s, ':', (size_t)(end - s));
	dash = end > s ? memchr(s + 1, '-', (size_t)(end - s - 1)) : NULL; /* "-1": a bad number */
	if (dash && colon)
		return he_error_set(err, -EINVAL,
				    "'%s': a port range maps each port to itself (write FIRST-LAST "
				    "without :INT)",
				    s);
	r = parse_port(s,
		       colon  ? colon
		       : dash ? dash
			      : end,
		       s,
		       colon  ? "external"
		       : dash ? "first"
			      : "the",
		       &ps.ext, err);
	if (r < 0)
		return r;
	if (dash) {
		r = parse_port(dash + 1, end, s, "last", &ps.last, err);
		if (r < 0)
			return r;
		if (ps.last < ps.ext)
			return he_error_set(err, -EINVAL,
					    "'%s': the range's last port is below its first", s);
		if (ps.last - ps.ext + 1 > HE_PORTRANGE_MAX)
			return he_error_set(err, -E2BIG,
					    "'%s': %u ports: ranges are supported up to %d ports; "
					    "split it or open fewer",
					    s, ps.last - ps.ext + 1u, HE_PORTRANGE_MAX);
		if (ps.last == ps.ext)
			ps.last = 0;
		ps.in = ps.ext;
	} else if (colon) {
		r = parse_port(colon + 1, end, s, "internal", &ps.in, err);
		if (r < 0)
			return r;
	} else {
		ps.in = ps.ext;
	}
	if (!slash) {
		ps.proto = HE_PROTO_TCP;
	} else if (strcasecmp(slash + 1, "tcp") == 0) {
		ps.proto = HE_PROTO_TCP;
	} else if (strcasecmp(slash + 1, "udp") == 0) {
		ps.proto = HE_PROTO_UDP;
	} else if (strcasecmp(slash + 1, "both") == 0) {
		ps.proto = HE_PROTO_BOTH;
	} else {
		return he_error_set(err, -EINVAL,
				    "'%s': unknown protocol '%s' (use tcp, udp or both)", s,
				    slash + 1);
	}
	*out = ps;
	return 0;
}

void he_portspec_format(const struct he_portspec *ps, char *buf, size_t len)
{
	if (ps->last > ps->ext)
		snprintf(buf, len, "%u-%u/%s", ps->ext, ps->last, he_proto_name(ps->proto));
	else if (ps->in != ps->ext)
		snprintf(buf, len, "%u:%u/%s", ps->ext, ps->in, he_proto_name(ps->proto));
	else
		snprintf(buf, len, "%u/%s", ps->ext, he_proto_name(ps->proto));
}

void he_portlist_format(const struct he_portlist *l, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < l->n && off < len; i++) {
		char one[32];
		int w;

		he_portspec_format(&l->v[i], one, sizeof(one));
		w = snprintf(buf + off, len - off, "%s%s", i ? " " : "", one);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

unsigned he_portspec_count(const struct he_portspec *ps)
{
	return ps->last > ps->ext ? ps->last - ps->ext + 1u : 1u;
}

struct he_portspec he_portspec_at(const struct he_portspec *ps, unsigned i)
{
	struct he_portspec one = *ps;

	one.last = 0;
	if (ps->last > ps->ext)
		one.ext = one.in = (uint16_t)(ps->ext + i);
	return one;
}

static unsigned last_of(const struct he_portspec *ps)
{
	return ps->last > ps->ext ? ps->last : ps->ext;
}

bool he_portspec_overlap(const struct he_portspec *a, const struct he_portspec *b)
{
	return (a->proto & b->proto) && a->ext <= last_of(b) && b->ext <= last_of(a);
}

unsigned he_portlist_count(const struct he_portlist *l)
{
	unsigned n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += he_portspec_count(&l->v[i]);
	return n;
}

bool he_portspec_range_like(const struct he_portspec *ps)
{
	return ps->last == 0 && ps->ext >= 1024 && ps->in > ps->ext &&
	       ps->in - ps->ext <= HE_PORTRANGE_MAX * 10;
}

int he_portlist_add(struct he_portlist *l, const struct he_portspec *ps, struct he_error *err)
{
	char a[32], b[32];

	for (size_t i = 0; i < l->n; i++) {
		if (he_portspec_overlap(&l->v[i], ps)) {
			unsigned port = ps->ext > l->v[i].ext ? ps->ext : l->v[i].ext;

			he_portspec_format(&l->v[i], a, sizeof(a));
			he_portspec_format(ps, b, sizeof(b));
			return he_error_set(
			    err, -EEXIST,
			    "duplicate port: '%s' and '%s' both use external port %u/%s", a, b,
			    port, he_proto_name(l->v[i].proto & ps->proto));
		}
	}
	if (l->n >= HE_PORTSPEC_MAX)
		return he_error_set(err, -E2BIG, "too many ports (at most %d per exposure)",
				    HE_PORTSPEC_MAX);
	if (he_portlist_count(l) + he_portspec_count(ps) > HE_PORTS_MAX)
		return he_error_set(err, -E2BIG,
				    "too many ports (at most %d per exposure, ranges counted "
				    "port by port)",
				    HE_PORTS_MAX);
	l->v[l->n++] = *ps;
	return 0;
}

int he_portlist_parse(struct he_portlist *l, const char *s, struct he_error *err)
{
	char tok[64];

	while (*s) {
		size_t n;
		struct he_portspec ps;
		int r;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (!*s)
			break;
		n = strcspn(s, " \t,");
		if (n >= sizeof(tok))
			return he_error_set(err, -EINVAL, "'%.*s': port specification too long",
					    (int)(n > 40 ? 40 : n), s);
		memcpy(tok, s, n);
		tok[n] = '\0';
		s += n;
		r = he_portspec_parse(tok, &ps, err);
		if (r < 0)
			return r;
		r = he_portlist_add(l, &ps, err);
		if (r < 0)
			return r;
	}
	return 0;
}

const char *he_family_id(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

const char *he_family_label(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

const char *he_family_rr(int family)
{
	return family == AF_INET6 ? "AAAA" : "A";
}
