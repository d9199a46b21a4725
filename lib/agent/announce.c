/* SPDX-License-Identifier: MIT */
#include "agent/announce.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portmap/backend.h" /* he_pm_epoch_is_reset: the one epoch rule */
#include "portmap/natpmp_wire.h"
#include "portmap/pcp_wire.h"

int he_announce_decode(const uint8_t *buf, size_t len, struct he_announce *out)
{
	struct he_announce a;

	memset(&a, 0, sizeof(a));
	if (len >= 1 && buf[0] == HE_PCP_VERSION) {
		struct he_pcp_reply r;

		if (he_pcp_decode(buf, len, &r) < 0 || r.opcode != HE_PCP_OP_ANNOUNCE ||
		    r.result != 0)
			return -EBADMSG;
		a.kind = HE_ANNOUNCE_PCP;
		a.epoch = r.epoch;
	} else if (len >= 1 && buf[0] == 0) {
		struct he_natpmp_reply r;

		if (he_natpmp_decode(buf, len, &r) < 0 || r.opcode != HE_NATPMP_OP_PUBLICADDR ||
		    r.result != HE_NATPMP_SUCCESS)
			return -EBADMSG;
		a.kind = HE_ANNOUNCE_NATPMP;
		a.epoch = r.epoch;
		a.has_addr = true;
		a.addr = r.addr;
	} else {
		return -EBADMSG;
	}
	*out = a;
	return 0;
}

int he_announce_open(int family, int ifindex, struct he_error *err)
{
	int fd, one = 1, r;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return he_error_set(err, -errno, "announcement socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons(HE_ANNOUNCE_PORT)};
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET, "224.0.0.1", &mr.imr_multiaddr);
		mr.imr_ifindex = ifindex;
		/* bound to the group: only the announcements, no other traffic to 5350 */
		sa.sin_addr = mr.imr_multiaddr;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			goto fail;
	} else {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6,
					  .sin6_port = htons(HE_ANNOUNCE_PORT)};
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET6, "ff02::1", &mr.ipv6mr_multiaddr);
		mr.ipv6mr_interface = (unsigned)ifindex;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			goto fail;
	}
	return fd;
fail:
	r = he_error_set(err, -errno, "listening for router announcements on %s:%d: %s",
			 family == AF_INET ? "224.0.0.1" : "[ff02::1]", HE_ANNOUNCE_PORT,
			 strerror(errno));
	close(fd);
	return r;
}

int he_announce_read(int fd, struct he_announce *out)
{
	uint8_t buf[HE_PCP_MAX_LEN];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (he_announce_decode(buf, (size_t)n, out) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out->from,
			  sizeof(out->from));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out->from,
			  sizeof(out->from));
	return 1;
}

bool he_announce_from_router(const struct he_announce *an, const char *gateway,
			     const char *router_ll)
{
	struct in6_addr from, ll;

	if (gateway && *gateway && !strcmp(an->from, gateway))
		return true;
	if (!router_ll || !*router_ll || inet_pton(AF_INET6, an->from, &from) != 1 ||
	    !IN6_IS_ADDR_LINKLOCAL(&from) || inet_pton(AF_INET6, router_ll, &ll) != 1)
		return false;
	return !memcmp(&from, &ll, sizeof(from));
}

int64_t he_announce_remap_delay(int64_t *last_ms, int64_t now_ms)
{
	if (*last_ms && now_ms - *last_ms < HE_ANNOUNCE_REMAP_MS) {
		int64_t due = *last_ms + HE_ANNOUNCE_REMAP_MS;

		if (due - now_ms >= HE_ANNOUNCE_REMAP_MS) /* one is already scheduled */
			return due - HE_ANNOUNCE_REMAP_MS - now_ms;
		*last_ms = due;
		return due - now_ms;
	}
	*last_ms = now_ms;
	return 0;
}
