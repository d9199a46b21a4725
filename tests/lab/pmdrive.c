/* SPDX-License-Identifier: MIT */
/*
 * pmdrive.c - development driver for lib/portmap against the lab's real
 * miniupnpd, and the recorder of tests/fixtures/portmap. Not built by the
 * Makefile (the CLI supersedes it for everything but "raw"); build by hand:
 *
 *   make && cc -std=gnu11 -Ilib -D_GNU_SOURCE $(pkg-config --cflags jansson) \
 *      tests/lab/pmdrive.c build/libhomeexpose.a \
 *      $(pkg-config --libs miniupnpc jansson libmnl) -lnatpmp -o build/pmdrive
 *
 * and run it inside the lab's home namespace (tests/lab/lab.sh: in_home):
 *   pmdrive [-g GW] [-p pcp|natpmp|upnp] [-s STATEDIR] [-n] [-t MS] COMMAND
 *   netcheck | extip | list | table
 *   open NAME EXT INT tcp|udp 4|6 [LEASE]      (env PM_TO=host, PM_ANY=1)
 *   close NAME EXT INT tcp|udp 4|6
 *   raw DIR GW SRC [GW6 SRC6]   send fixed PCP/NAT-PMP requests, save each reply
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/portspec.h"
#include "net/route.h"
#include "portmap/natpmp_wire.h"
#include "portmap/pcp_wire.h"
#include "portmap/portmap.h"
#include "state/state.h"

static void dump(const char *path, const uint8_t *b, ssize_t n)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(b, 1, (size_t)n, f);
		fclose(f);
	}
	printf("%s: %zd bytes\n", path, n);
}

/* raw exchange: send pkt to gw:5351 from src, save reply */
static int raw(int family, const char *gw, const char *src, const uint8_t *pkt, size_t len,
	       const char *out)
{
	uint8_t buf[1200];
	int fd = socket(family, SOCK_DGRAM, 0);
	struct timeval tv = {1, 0};
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (family == AF_INET) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(5351)};
		inet_pton(AF_INET, gw, &sa.sin_addr);
		connect(fd, (void *)&sa, sizeof(sa));
	} else {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(5351)};
		struct sockaddr_in6 s = {.sin6_family = AF_INET6};
		inet_pton(AF_INET6, src, &s.sin6_addr);
		bind(fd, (void *)&s, sizeof(s));
		inet_pton(AF_INET6, gw, &sa.sin6_addr);
		connect(fd, (void *)&sa, sizeof(sa));
	}
	send(fd, pkt, len, 0);
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0) {
		printf("%s: no reply (%s)\n", out, strerror(errno));
		return 1;
	}
	dump(out, buf, n);
	return 0;
}

static int do_raw(const char *dir, const char *gw, const char *src, const char *gw6,
		  const char *src6)
{
	struct he_pcp_map_req mr;
	struct in_addr a;
	uint8_t pkt[128];
	char path[512];
	size_t len;

	memset(&mr, 0, sizeof(mr));
	inet_pton(AF_INET, src, &a);
	he_pcp_v4mapped(&a, &mr.client);
	he_pcp_v4mapped(&(struct in_addr){0}, &mr.ext_addr);
	memcpy(mr.nonce, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c", 12);
	/* PCP ANNOUNCE */
	len = he_pcp_encode_announce(&mr.client, pkt, sizeof(pkt));
	snprintf(path, sizeof(path), "%s/pcp_announce_reply.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	/* PCP MAP tcp 8080 -> 18080 */
	mr.lifetime = 600;
	mr.proto = IPPROTO_TCP;
	mr.int_port = 8080;
	mr.ext_port = 18080;
	len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
	snprintf(path, sizeof(path), "%s/pcp_map_tcp_success.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	/* same port, other nonce, PREFER_FAILURE: conflict */
	mr.nonce[0] = 0xee;
	mr.prefer_failure = true;
	len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
	snprintf(path, sizeof(path), "%s/pcp_map_conflict_prefer_failure.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	mr.prefer_failure = false;
	/* delete with the right nonce */
	mr.nonce[0] = 0x01;
	mr.lifetime = 0;
	len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
	snprintf(path, sizeof(path), "%s/pcp_map_delete.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	/* wrong client address: ADDRESS_MISMATCH */
	mr.lifetime = 600;
	inet_pton(AF_INET, "192.168.77.99", &a);
	he_pcp_v4mapped(&a, &mr.client);
	len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
	snprintf(path, sizeof(path), "%s/pcp_map_address_mismatch.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	/* version 1 request: UNSUPP_VERSION */
	inet_pton(AF_INET, src, &a);
	he_pcp_v4mapped(&a, &mr.client);
	len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
	pkt[0] = 1;
	snprintf(path, sizeof(path), "%s/pcp_unsupp_version.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	/* unknown opcode 5 */
	len = he_pcp_encode_announce(&mr.client, pkt, sizeof(pkt));
	pkt[1] = 5;
	snprintf(path, sizeof(path), "%s/pcp_unsupp_opcode.bin", dir);
	raw(AF_INET, gw, src, pkt, len, path);
	/* NAT-PMP public address */
	memcpy(pkt, "\0\0", 2);
	snprintf(path, sizeof(path), "%s/natpmp_publicaddr.bin", dir);
	raw(AF_INET, gw, src, pkt, 2, path);
	/* NAT-PMP map tcp 8081 -> 18081 lifetime 600 */
	memcpy(pkt, "\0\2\0\0\x1f\x91\x46\xa1\0\0\x02\x58", 12);
	snprintf(path, sizeof(path), "%s/natpmp_map_tcp.bin", dir);
	raw(AF_INET, gw, src, pkt, 12, path);
	memcpy(pkt, "\0\1\0\0\x1f\x91\x46\xa1\0\0\x02\x58", 12);
	snprintf(path, sizeof(path), "%s/natpmp_map_udp.bin", dir);
	raw(AF_INET, gw, src, pkt, 12, path);
	/* delete */
	memcpy(pkt, "\0\2\0\0\x1f\x91\0\0\0\0\0\0", 12);
	snprintf(path, sizeof(path), "%s/natpmp_delete_tcp.bin", dir);
	raw(AF_INET, gw, src, pkt, 12, path);
	/* bad opcode 9 */
	memcpy(pkt, "\0\x09\0\0\x1f\x91\0\0\0\0\0\0", 12);
	snprintf(path, sizeof(path), "%s/natpmp_unsupp_opcode.bin", dir);
	raw(AF_INET, gw, src, pkt, 12, path);
	/* version 1 */
	memcpy(pkt, "\x01\0", 2);
	snprintf(path, sizeof(path), "%s/natpmp_unsupp_version.bin", dir);
	raw(AF_INET, gw, src, pkt, 2, path);
	if (gw6 && src6) {
		struct in6_addr c6;

		inet_pton(AF_INET6, src6, &c6);
		memset(&mr, 0, sizeof(mr));
		mr.client = c6;
		mr.ext_addr = c6;
		memcpy(mr.nonce, "\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c", 12);
		mr.lifetime = 600;
		mr.proto = IPPROTO_TCP;
		mr.int_port = 8443;
		mr.ext_port = 8443;
		len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
		snprintf(path, sizeof(path), "%s/pcp6_map_tcp_success.bin", dir);
		raw(AF_INET6, gw6, src6, pkt, len, path);
		mr.lifetime = 0;
		len = he_pcp_encode_map(&mr, pkt, sizeof(pkt));
		snprintf(path, sizeof(path), "%s/pcp6_map_delete.bin", dir);
		raw(AF_INET6, gw6, src6, pkt, len, path);
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "pmdrive [-g GW] [-p PROTO] [-s STATEDIR] [-n] netcheck|open NAME EXT INT "
			"tcp|udp 4|6 [LEASE]|close NAME EXT INT tcp|udp 4|6|list|table|extip|raw "
			"DIR GW SRC [GW6 SRC6]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct he_portmap_opts o = {0};
	struct he_state *st = NULL;
	struct he_portmap *pm = NULL;
	struct he_error err = {0};
	const char *sdir = NULL;
	int c, ret = 0;

	while ((c = getopt(argc, argv, "g:p:s:nt:")) != -1) {
		switch (c) {
		case 'g':
			o.gateway = optarg;
			break;
		case 'p':
			if (he_pm_protocol_parse(optarg, &o.force, &err) < 0)
				usage();
			break;
		case 's':
			sdir = optarg;
			break;
		case 'n':
			o.no_cache = true;
			break;
		case 't':
			o.probe_timeout_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (!strcmp(argv[0], "raw")) {
		if (argc < 4)
			usage();
		return do_raw(argv[1], argv[2], argv[3], argc > 5 ? argv[4] : NULL,
			      argc > 5 ? argv[5] : NULL);
	}
	if (sdir && he_state_open(sdir, HE_STATE_WRITE, 1000, &st, &err) < 0) {
		fprintf(stderr, "state: %s\n", err.msg);
		return 1;
	}
	if (!strcmp(argv[0], "netcheck")) {
		struct he_pm_netcheck nc;
		int i;

		ret = he_portmap_probe_all(&o, st, &nc, &err);
		if (ret < 0)
			goto fail;
		printf("gateway %s dev %s local %s gw6 %s global6 %s total %u ms\n", nc.gateway,
		       nc.ifname, nc.local_addr, nc.gateway6, nc.global6, nc.total_ms);
		for (i = 0; i < HE_PM_NPROTO; i++) {
			struct he_pm_probe_info *pi = &nc.proto[i];

			printf("  %-7s %s %4u ms ext=%s (%s) %s %s%s\n",
			       he_pm_protocol_name(pi->protocol), pi->answered ? "yes" : "no ",
			       pi->ms, pi->ext_addr, he_addr_class_name(pi->ext_class), pi->detail,
			       pi->error, pi->explain);
		}
		goto out;
	}
	ret = he_portmap_open(&o, st, &pm, &err);
	if (ret < 0)
		goto fail;
	printf("open: %s via %s in %u ms\n", he_pm_protocol_name(he_portmap_protocol(pm)),
	       he_portmap_gateway(pm), he_portmap_open_ms(pm));
	if (!strcmp(argv[0], "open") || !strcmp(argv[0], "close")) {
		struct he_pm_request rq = {0};
		struct he_pm_result rs;

		if (argc < 6)
			usage();
		rq.name = argv[1];
		rq.ext_port = (uint16_t)atoi(argv[2]);
		rq.int_port = (uint16_t)atoi(argv[3]);
		rq.proto = !strcmp(argv[4], "udp") ? HE_PROTO_UDP : HE_PROTO_TCP;
		rq.family = atoi(argv[5]) == 6 ? AF_INET6 : AF_INET;
		rq.lease = argc > 6 ? (uint32_t)atoi(argv[6]) : 0;
		rq.to = getenv("PM_TO");
		rq.allow_other_port = getenv("PM_ANY") != NULL;
		if (!strcmp(argv[0], "open")) {
			ret = he_portmap_map(pm, &rq, &rs, &err);
			if (ret < 0)
				goto fail;
			printf("mapped: %s %s:%u -> %s:%u lease %u%s%s in %u ms%s%s\n",
			       he_pm_protocol_name(rs.protocol), rs.ext_addr, rs.ext_port,
			       rs.client, rs.int_port, rs.lease, rs.permanent ? " permanent" : "",
			       rs.reused ? " reused" : "", rs.elapsed_ms,
			       rs.note[0] ? "\nnote: " : "", rs.note);
		} else {
			uint64_t t0;
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			t0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
			ret = he_portmap_unmap(pm, &rq, &err);
			if (ret < 0)
				goto fail;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			printf("unmapped in %llu ms\n",
			       (unsigned long long)((uint64_t)ts.tv_sec * 1000 +
						    (uint64_t)ts.tv_nsec / 1000000 - t0));
		}
	} else if (!strcmp(argv[0], "list") || !strcmp(argv[0], "table")) {
		struct he_pm_entry *v = NULL;
		size_t n = 0, i;

		ret = !strcmp(argv[0], "list") ? he_portmap_list(pm, &v, &n, &err)
					       : he_portmap_list_router(pm, &v, &n, &err);
		if (ret < 0)
			goto fail;
		for (i = 0; i < n; i++)
			printf("  %s %s ipv%d %u -> %s:%u \"%s\" lease %lld%s%s\n",
			       he_pm_protocol_name(v[i].protocol), he_proto_name(v[i].proto),
			       v[i].family == AF_INET6 ? 6 : 4, v[i].ext_port, v[i].client,
			       v[i].int_port, v[i].desc, (long long)v[i].lease_remaining,
			       v[i].ours ? " OURS" : "", v[i].on_router ? " on-router" : "");
		free(v);
	} else if (!strcmp(argv[0], "extip")) {
		char ip[64];
		enum he_addr_class cls;

		ret = he_portmap_external_address(pm, ip, sizeof(ip), &cls, &err);
		if (ret < 0)
			goto fail;
		printf("external %s (%s)\n", ip, he_addr_class_name(cls));
	} else {
		usage();
	}
	goto out;
fail:
	fprintf(stderr, "error %d: %s\n", ret, err.msg);
out:
	he_portmap_close(pm);
	he_state_close(st);
	return ret < 0 ? 1 : 0;
}
