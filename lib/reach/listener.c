/* SPDX-License-Identifier: MIT */
/* listener.c - sockets on a port through sock_diag netlink, owners from /proc. */
#include "reach/listener.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/portspec.h"

struct dump_ctx {
	struct he_listeners *out;
	unsigned proto;
	uint16_t port;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct he_listener *l;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return MNL_CB_OK;
	if (ntohs(m->id.idiag_sport) != c->port)
		return MNL_CB_OK;
	if (c->proto == HE_PROTO_UDP && m->id.idiag_dport != 0)
		return MNL_CB_OK; /* a connected UDP socket is a client, not a service */
	if (c->out->n >= HE_LISTENERS_MAX) {
		c->out->truncated = true;
		return MNL_CB_OK;
	}
	l = &c->out->v[c->out->n++];
	memset(l, 0, sizeof(*l));
	l->family = m->idiag_family;
	l->proto = c->proto;
	l->port = c->port;
	l->uid = m->idiag_uid;
	l->ino = m->idiag_inode;
	if (!inet_ntop(l->family, m->id.idiag_src, l->addr, sizeof(l->addr)))
		snprintf(l->addr, sizeof(l->addr), "?");
	mnl_attr_for_each(a, nlh, sizeof(*m))
	{
		if (mnl_attr_get_type(a) == INET_DIAG_SKV6ONLY && mnl_attr_get_payload_len(a) >= 1)
			l->v6only = *(const uint8_t *)mnl_attr_get_payload(a) != 0;
	}
	return MNL_CB_OK;
}

static int dump_one(struct mnl_socket *nl, int family, unsigned proto, struct dump_ctx *c,
		    struct he_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *r;
	unsigned seq = (unsigned)time(NULL) + (unsigned)family * 7 + proto;
	unsigned portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret = MNL_CB_OK;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = proto == HE_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	r->idiag_states = proto == HE_PROTO_UDP ? 0xffffffffu : 1u << TCP_LISTEN;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return he_error_set(err, -errno, "sock_diag request failed: %s", strerror(errno));
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, dump_cb, c);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (n < 0 || ret < 0) {
		int e = errno ? errno : EIO;

		if (e == ENOENT && proto == HE_PROTO_UDP)
			return 0; /* udp_diag not loaded: no UDP sockets to report */
		return he_error_set(err, -e, "sock_diag dump (%s, %s) failed: %s",
				    he_family_label(family), he_proto_name(proto), strerror(e));
	}
	return 0;
}

/* Fill pid and comm of the sockets whose inode shows up in /proc/PID/fd. */
static void find_owners(struct he_listeners *l)
{
	DIR *proc = opendir("/proc");
	const struct dirent *d;
	size_t left = l->n;

	if (!proc)
		return;
	while (left && (d = readdir(proc)) != NULL) {
		char path[64], link[64];
		const struct dirent *f;
		DIR *fds;
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue; /* not permitted, or gone */
		while ((f = readdir(fds)) != NULL) {
			char fdpath[352];
			ssize_t n;
			unsigned long ino;

			if (f->d_name[0] == '.')
				continue;
			snprintf(fdpath, sizeof(fdpath), "%s/%s", path, f->d_name);
			n = readlink(fdpath, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1)
				continue;
			for (size_t i = 0; i < l->n; i++) {
				FILE *fp;

				if (l->v[i].pid || l->v[i].ino != ino)
					continue;
				l->v[i].pid = (int)pid;
				left--;
				snprintf(fdpath, sizeof(fdpath), "/proc/%ld/comm", pid);
				fp = fopen(fdpath, "re");
				if (fp) {
					if (fgets(l->v[i].comm, sizeof(l->v[i].comm), fp))
						l->v[i].comm[strcspn(l->v[i].comm, "\n")] = '\0';
					fclose(fp);
				}
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

int he_listeners_query(unsigned proto, uint16_t port, struct he_listeners *out,
		       struct he_error *err)
{
	struct dump_ctx c = {.out = out, .proto = proto, .port = port};
	struct mnl_socket *nl;
	int ret;

	if (proto != HE_PROTO_TCP && proto != HE_PROTO_UDP)
		return he_error_set(err, -EINVAL, "listener query: one protocol (tcp or udp)");
	memset(out, 0, sizeof(*out));
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return he_error_set(err, -errno, "cannot open a sock_diag netlink socket: %s",
				    strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = he_error_set(err, -errno, "cannot bind a sock_diag socket: %s",
				   strerror(errno));
		goto out;
	}
	ret = dump_one(nl, AF_INET, proto, &c, err);
	if (ret == 0)
		ret = dump_one(nl, AF_INET6, proto, &c, err);
	if (ret == 0)
		find_owners(out);
out:
	mnl_socket_close(nl);
	return ret;
}
