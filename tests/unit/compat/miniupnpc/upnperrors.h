/* SPDX-License-Identifier: MIT */
/* A stand-in for miniupnpc 2.2.8+'s <miniupnpc/upnperrors.h>; see miniupnpc.h here. */
#ifndef HE_COMPAT_UPNPERRORS_H
#define HE_COMPAT_UPNPERRORS_H

const char *strupnperror(int err);

#endif
