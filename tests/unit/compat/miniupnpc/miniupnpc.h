/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for miniupnpc 2.2.8+/2.3.x's <miniupnpc/miniupnpc.h> (API 18 and
 * later), declaring only what lib/portmap/upnp.c uses, with the newer
 * prototypes. `make unit` compiles upnp.c against it (-fsyntax-only) to prove
 * the MINIUPNPC_API_VERSION guard picks the right branch; Debian 12's real
 * 2.2.4 (API 17) covers the other branch in the normal build. Never linked.
 */
#ifndef HE_COMPAT_MINIUPNPC_H
#define HE_COMPAT_MINIUPNPC_H

#ifndef MINIUPNPC_API_VERSION
#define MINIUPNPC_API_VERSION 18
#endif
#define MINIUPNPC_VERSION "2.2.8-compat"

#define MINIUPNPC_URL_MAXSIZE 128

struct IGDdatas_service {
	char controlurl[MINIUPNPC_URL_MAXSIZE];
	char eventsuburl[MINIUPNPC_URL_MAXSIZE];
	char scpdurl[MINIUPNPC_URL_MAXSIZE];
	char servicetype[MINIUPNPC_URL_MAXSIZE];
};

struct IGDdatas {
	char cureltname[MINIUPNPC_URL_MAXSIZE];
	char urlbase[MINIUPNPC_URL_MAXSIZE];
	char presentationurl[MINIUPNPC_URL_MAXSIZE];
	int level;
	struct IGDdatas_service CIF;
	struct IGDdatas_service first;
	struct IGDdatas_service second;
	struct IGDdatas_service IPv6FC;
	struct IGDdatas_service tmp;
};

struct UPNPDev {
	struct UPNPDev *pNext;
	char *descURL;
	char *st;
	char *usn;
	unsigned int scope_id;
	char buffer[3];
};

struct UPNPUrls {
	char *controlURL;
	char *ipcondescURL;
	char *controlURL_CIF;
	char *controlURL_6FC;
	char *rootdescURL;
};

/* API 18: return values */
#define UPNP_NO_IGD           (0)
#define UPNP_CONNECTED_IGD    (1)
#define UPNP_PRIVATEIP_IGD    (2)
#define UPNP_DISCONNECTED_IGD (3)
#define UPNP_UNKNOWN_DEVICE   (4)

struct UPNPDev *upnpDiscover(int delay, const char *multicastif, const char *minissdpdsock,
			     int localport, int ipv6, unsigned char ttl, int *error);
void freeUPNPDevlist(struct UPNPDev *devlist);

/* API 18: the WAN address arguments are new */
int UPNP_GetValidIGD(struct UPNPDev *devlist, struct UPNPUrls *urls, struct IGDdatas *data,
		     char *lanaddr, int lanaddrlen, char *wanaddr, int wanaddrlen);
int UPNP_GetIGDFromUrl(const char *rootdescurl, struct UPNPUrls *urls, struct IGDdatas *data,
		       char *lanaddr, int lanaddrlen);
void FreeUPNPUrls(struct UPNPUrls *urls);

#endif
