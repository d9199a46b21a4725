/* SPDX-License-Identifier: MIT */
/* listen_class.c - is a port's binding reachable over a family? (pure) */
#include "reach/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/portspec.h"

const char *he_listen_class_name(enum he_listen_class c)
{
	static const char *const names[] = {
	    [HE_LISTEN_NONE] = "none",
	    [HE_LISTEN_ALL] = "all",
	    [HE_LISTEN_ADDR] = "address",
	    [HE_LISTEN_OTHER_ADDR] = "other-address",
	    [HE_LISTEN_LOOPBACK] = "loopback",
	    [HE_LISTEN_V6ONLY] = "v6only",
	    [HE_LISTEN_OTHER_FAMILY] = "other-family",
	};

	if ((unsigned)c < sizeof(names) / sizeof(names[0]) && names[c])
		return names[c];
	return "?";
}

enum kind { K_NONE, K_WILD, K_LOOP, K_ADDR };

/* How socket l serves family fam; *a gets its address in that family. */
static enum kind cover(const struct he_listener *l, int fam, unsigned char a[16])
{
	unsigned char b[16];

	if (inet_pton(l->family, l->addr, b) != 1)
		return K_NONE;
	if (l->family == AF_INET6) {
		const struct in6_addr *x = (const struct in6_addr *)b;

		if (IN6_IS_ADDR_V4MAPPED(x)) {
			if (fam != AF_INET)
				return K_NONE;
			memcpy(a, b + 12, 4);
			if (b[12] == 127)
				return K_LOOP;
			return memcmp(b + 12, "\0\0\0\0", 4) ? K_ADDR : K_WILD;
		}
		if (IN6_IS_ADDR_UNSPECIFIED(x)) {
			if (fam == AF_INET6 || !l->v6only)
				return K_WILD;
			return K_NONE;
		}
		if (fam != AF_INET6)
			return K_NONE;
		memcpy(a, b, 16);
		return IN6_IS_ADDR_LOOPBACK(x) ? K_LOOP : K_ADDR;
	}
	if (fam != AF_INET)
		return K_NONE;
	memcpy(a, b, 4);
	if (b[0] == 127)
		return K_LOOP;
	return memcmp(b, "\0\0\0\0", 4) ? K_ADDR : K_WILD;
}

static void describe(const struct he_listener *l, char *buf, size_t len)
{
	const char *verb = l->proto == HE_PROTO_UDP ? "is bound to" : "listens on";
	char addr[HE_LISTEN_ADDR_MAX + 2];

	if (l->family == AF_INET6)
		snprintf(addr, sizeof(addr), "[%s]", l->addr);
	else
		snprintf(addr, sizeof(addr), "%s", l->addr);
	if (l->pid)
		snprintf(buf, len, "%s (pid %d) %s %s:%u/%s%s", *l->comm ? l->comm : "?", l->pid,
			 verb, addr, l->port, he_proto_name(l->proto),
			 l->v6only ? " (IPv6 only)" : "");
	else
		snprintf(buf, len, "a process of uid %u %s %s:%u/%s%s (run as root to see which)",
			 l->uid, verb, addr, l->port, he_proto_name(l->proto),
			 l->v6only ? " (IPv6 only)" : "");
}

void he_listener_classify(const struct he_listeners *l, int family, const char *want_addr,
			  struct he_listen_verdict *out)
{
	const struct he_listener *wild = NULL, *match = NULL, *other = NULL, *loop = NULL;
	const struct he_listener *v6only = NULL, *otherfam = NULL;
	unsigned char want[16] = {0};
	bool have_want = want_addr && *want_addr && inet_pton(family, want_addr, want) == 1;
	const char *fam = he_family_label(family);
	const char *any = family == AF_INET6 ? "[::]" : "0.0.0.0";
	uint16_t port = 0;
	const char *proto = "tcp";

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->n; i++) {
		const struct he_listener *s = &l->v[i];
		unsigned char a[16] = {0};

		port = s->port;
		proto = he_proto_name(s->proto);
		switch (cover(s, family, a)) {
		case K_WILD:
			wild = wild ? wild : s;
			break;
		case K_LOOP:
			loop = loop ? loop : s;
			break;
		case K_ADDR:
			if (have_want && !memcmp(a, want, family == AF_INET6 ? 16 : 4))
				match = match ? match : s;
			else
				other = other ? other : s;
			break;
		case K_NONE:
			if (family == AF_INET && s->family == AF_INET6 && s->v6only)
				v6only = v6only ? v6only : s;
			else if (family == AF_INET6 && s->family == AF_INET)
				otherfam = otherfam ? otherfam : s;
			break;
		}
	}
	if (wild || match || (other && !have_want)) {
		out->who = wild ? wild : match ? match : other;
		out->cls = wild ? HE_LISTEN_ALL : HE_LISTEN_ADDR;
		out->ok = true;
		describe(out->who, out->evidence, sizeof(out->evidence));
		return;
	}
	if (other) {
		out->who = other;
		out->cls = HE_LISTEN_OTHER_ADDR;
		describe(other, out->evidence, sizeof(out->evidence));
		snprintf(out->fix, sizeof(out->fix),
			 "the service is bound to %s, not to %s where the router sends %s "
			 "traffic: bind it to %s or %s",
			 other->addr, want_addr, fam, want_addr, any);
		return;
	}
	if (loop) {
		out->who = loop;
		out->cls = HE_LISTEN_LOOPBACK;
		describe(loop, out->evidence, sizeof(out->evidence));
		snprintf(out->fix, sizeof(out->fix),
			 "bound to loopback only, so nothing from outside this host can reach it: "
			 "make the service listen on %s (all addresses)%s%s instead of %s",
			 any, have_want ? " or on " : "", have_want ? want_addr : "", loop->addr);
		return;
	}
	if (v6only) {
		out->who = v6only;
		out->cls = HE_LISTEN_V6ONLY;
		describe(v6only, out->evidence, sizeof(out->evidence));
		snprintf(out->fix, sizeof(out->fix),
			 "the socket on [::] has IPV6_V6ONLY set, so IPv4 is not served: also "
			 "listen on 0.0.0.0:%u, or clear V6ONLY (ipv6only=off)",
			 v6only->port);
		return;
	}
	if (otherfam) {
		out->who = otherfam;
		out->cls = HE_LISTEN_OTHER_FAMILY;
		describe(otherfam, out->evidence, sizeof(out->evidence));
		snprintf(out->fix, sizeof(out->fix),
			 "the service listens on IPv4 only: make it listen on [::]:%u as well "
			 "(or use --ipv4-only)",
			 otherfam->port);
		return;
	}
	out->cls = HE_LISTEN_NONE;
	if (l->n == 0)
		snprintf(out->evidence, sizeof(out->evidence), "nothing %s on this port",
			 proto[0] == 'u' ? "is bound" : "listens");
	else
		snprintf(out->evidence, sizeof(out->evidence), "no %s socket on port %u/%s", fam,
			 port, proto);
	snprintf(out->fix, sizeof(out->fix),
		 "start the service (or check the port it is set to use)");
}
