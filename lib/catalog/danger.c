/* SPDX-License-Identifier: MIT */
#include "catalog/danger.h"

static const struct he_danger dangers[] = {
    {23, 23, HE_PROTO_BOTH, "telnet",
     "unencrypted remote login; the first thing botnets such as Mirai try. Use SSH"},
    {25, 25, HE_PROTO_TCP, "SMTP mail",
     "residential address ranges are on mail blocklists (e.g. Spamhaus PBL) and many ISPs "
     "block port 25, so mail from home is rejected; relay outgoing mail through a smarthost"},
    {53, 53, HE_PROTO_BOTH, "DNS",
     "an open DNS resolver on the internet is abused for amplification attacks within hours"},
    {111, 111, HE_PROTO_BOTH, "rpcbind/portmapper",
     "reveals RPC services (NFS) and is used for amplification attacks"},
    {137, 139, HE_PROTO_BOTH, "NetBIOS/SMB",
     "Windows file sharing is not safe on the internet; use a VPN such as WireGuard"},
    {445, 445, HE_PROTO_BOTH, "SMB",
     "Windows file sharing is attacked constantly (WannaCry, EternalBlue); use a VPN"},
    {2323, 2323, HE_PROTO_BOTH, "telnet (alternate)",
     "unencrypted remote login, scanned by IoT botnets"},
    {2375, 2375, HE_PROTO_TCP, "Docker API",
     "the unencrypted Docker API gives anyone root on this host"},
    {3389, 3389, HE_PROTO_BOTH, "RDP",
     "remote desktop is brute-forced and exploited constantly; use a VPN"},
    {5900, 5900, HE_PROTO_TCP, "VNC", "VNC is weakly authenticated and unencrypted; use a VPN"},
    {6379, 6379, HE_PROTO_TCP, "Redis",
     "Redis has no authentication by default and is taken over within minutes"},
    {9200, 9200, HE_PROTO_TCP, "Elasticsearch",
     "Elasticsearch without authentication leaks and loses its data to ransom bots"},
    {27017, 27017, HE_PROTO_TCP, "MongoDB",
     "MongoDB without authentication leaks and loses its data to ransom bots"},
    {0, 0, 0, NULL, NULL},
};

const struct he_danger *he_danger_list(void)
{
	return dangers;
}

const struct he_danger *he_danger_find(uint16_t port, unsigned proto)
{
	for (const struct he_danger *d = dangers; d->lo; d++)
		if (port >= d->lo && port <= d->hi && (proto & d->proto))
			return d;
	return NULL;
}

size_t he_danger_check(const struct he_portlist *l, struct he_danger_hit *hits, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n && n < max; i++) {
		const struct he_portspec *ps = &l->v[i];
		const struct he_danger *d = he_danger_find(ps->ext, ps->proto);
		uint16_t port = ps->ext;

		if (!d && ps->in != ps->ext) {
			d = he_danger_find(ps->in, ps->proto);
			port = ps->in;
		}
		/* a range: the first refused port in it */
		for (unsigned k = 1; !d && k < he_portspec_count(ps); k++) {
			port = he_portspec_at(ps, k).ext;
			d = he_danger_find(port, ps->proto);
		}
		if (d) {
			hits[n].spec = *ps;
			hits[n].port = port;
			hits[n].d = d;
			n++;
		}
	}
	return n;
}
