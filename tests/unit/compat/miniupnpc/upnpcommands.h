/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for miniupnpc 2.2.8+/2.3.x's <miniupnpc/upnpcommands.h>: the
 * calls lib/portmap/upnp.c makes, with the prototypes of those versions.
 */
#ifndef HE_COMPAT_UPNPCOMMANDS_H
#define HE_COMPAT_UPNPCOMMANDS_H

#include <stddef.h>

#define UPNPCOMMAND_SUCCESS          (0)
#define UPNPCOMMAND_UNKNOWN_ERROR    (-1)
#define UPNPCOMMAND_INVALID_ARGS     (-2)
#define UPNPCOMMAND_HTTP_ERROR       (-3)
#define UPNPCOMMAND_INVALID_RESPONSE (-4)
#define UPNPCOMMAND_MEM_ALLOC_ERROR  (-5)

int UPNP_GetExternalIPAddress(const char *controlURL, const char *servicetype, char *extIpAdd);
int UPNP_AddPortMapping(const char *controlURL, const char *servicetype, const char *extPort,
			const char *inPort, const char *inClient, const char *desc,
			const char *proto, const char *remoteHost, const char *leaseDuration);
int UPNP_AddAnyPortMapping(const char *controlURL, const char *servicetype, const char *extPort,
			   const char *inPort, const char *inClient, const char *desc,
			   const char *proto, const char *remoteHost, const char *leaseDuration,
			   char *reservedPort);
int UPNP_DeletePortMapping(const char *controlURL, const char *servicetype, const char *extPort,
			   const char *proto, const char *remoteHost);
int UPNP_GetSpecificPortMappingEntry(const char *controlURL, const char *servicetype,
				     const char *extPort, const char *proto, const char *remoteHost,
				     char *intClient, char *intPort, char *desc, char *enabled,
				     char *leaseDuration);
int UPNP_GetSpecificPortMappingEntryExt(const char *controlURL, const char *servicetype,
					const char *extPort, const char *proto,
					const char *remoteHost, char *intClient, char *intPort,
					char *desc, size_t desclen, char *enabled,
					char *leaseDuration);
int UPNP_GetGenericPortMappingEntry(const char *controlURL, const char *servicetype,
				    const char *index, char *extPort, char *intClient,
				    char *intPort, char *protocol, char *desc, char *enabled,
				    char *rHost, char *duration);
int UPNP_AddPinhole(const char *controlURL, const char *servicetype, const char *remoteHost,
		    const char *remotePort, const char *intClient, const char *intPort,
		    const char *proto, const char *leaseTime, char *uniqueID);
int UPNP_UpdatePinhole(const char *controlURL, const char *servicetype, const char *uniqueID,
		       const char *leaseTime);
int UPNP_DeletePinhole(const char *controlURL, const char *servicetype, const char *uniqueID);
int UPNP_CheckPinholeWorking(const char *controlURL, const char *servicetype, const char *uniqueID,
			     int *isWorking);

#endif
