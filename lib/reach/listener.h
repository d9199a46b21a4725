/* SPDX-License-Identifier: MIT */
/*
 * listener.h - who listens on a port, and on which address (like `ss -ltunp`).
 *
 * Owner: lib/reach. The sockets come from the kernel through sock_diag
 * netlink (NETLINK_SOCK_DIAG, inet_diag_req_v2): TCP sockets in LISTEN and
 * unconnected bound UDP sockets, IPv4 and IPv6, with IPV6_V6ONLY. The owning
 * process (name, pid) is found by matching socket inodes in /proc/PID/fd when
 * this process may read them (root, or the same user).
 *
 * The classification says whether the service can be reached over a family:
 * bound to every address, to one address (this host's LAN address or
 * another), to loopback only (the classic mistake), IPv6 with V6ONLY where
 * IPv4 is wanted, IPv4 only where IPv6 is wanted, or nothing at all.
 * Nothing here prints.
 */
#ifndef HE_REACH_LISTENER_H
#define HE_REACH_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HE_LISTENERS_MAX   32
#define HE_LISTEN_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

struct he_listener {
	int family;     /* AF_INET or AF_INET6 */
	unsigned proto; /* HE_PROTO_TCP or HE_PROTO_UDP */
	char addr[HE_LISTEN_ADDR_MAX];
	uint16_t port;
	bool v6only;  /* AF_INET6 socket with IPV6_V6ONLY */
	uint32_t ino; /* socket inode */
	uint32_t uid;
	int pid;       /* 0 when unknown (not permitted) */
	char comm[32]; /* process name ("" when unknown) */
};

struct he_listeners {
	size_t n;
	bool truncated; /* more sockets than HE_LISTENERS_MAX */
	struct he_listener v[HE_LISTENERS_MAX];
};

/*
 * Every socket listening (TCP) or bound and unconnected (UDP) on port, both
 * families, in this network namespace. proto: HE_PROTO_TCP or HE_PROTO_UDP.
 * Returns 0 (out->n may be 0) or -errno.
 */
int he_listeners_query(unsigned proto, uint16_t port, struct he_listeners *out,
		       struct he_error *err);

enum he_listen_class {
	HE_LISTEN_NONE = 0,    /* nothing listens */
	HE_LISTEN_ALL,         /* wildcard address covering the family */
	HE_LISTEN_ADDR,        /* bound to the host address that is mapped (want_addr) */
	HE_LISTEN_OTHER_ADDR,  /* bound only to other non-loopback addresses */
	HE_LISTEN_LOOPBACK,    /* bound to 127.0.0.1 / ::1 only: the classic mistake */
	HE_LISTEN_V6ONLY,      /* IPv4 wanted, only [::] with IPV6_V6ONLY listens */
	HE_LISTEN_OTHER_FAMILY /* IPv6 wanted, only IPv4 sockets listen */
};

/* "none", "all", "address", "other-address", "loopback", "v6only", "other-family". */
const char *he_listen_class_name(enum he_listen_class c);

struct he_listen_verdict {
	enum he_listen_class cls;
	bool ok;                       /* reachable over the family as far as binding goes */
	const struct he_listener *who; /* the socket the verdict rests on (NULL: none) */
	char evidence[256];            /* "nginx (pid 812) listens on 0.0.0.0:443/tcp" */
	char fix[256];                 /* what to change ("" when ok) */
};

/*
 * Can the sockets in l serve connections over family (AF_INET/AF_INET6)
 * arriving for want_addr (this host's address the router maps to or the
 * global IPv6 address; NULL or "" when unknown: any non-loopback address
 * counts)? Pure: no I/O.
 */
void he_listener_classify(const struct he_listeners *l, int family, const char *want_addr,
			  struct he_listen_verdict *out);

#endif
