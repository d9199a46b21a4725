/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gena.c - libFuzzer target for the UPnP event (GENA NOTIFY) parser and
 * the SSDP NOTIFY parser: both read what any LAN device may send. Checks the
 * parsers' promises, not just crashes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portmap/gena.h"
#include "portmap/ssdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1); /* exact size: ASan sees over-reads */
	struct he_gena_notify n;
	struct he_ssdp_notify s;
	struct in_addr a;
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	r = he_gena_parse_notify(copy, size, &n);
	if (r != 0 && r != -EAGAIN && r != -EBADMSG && r != -EMSGSIZE)
		abort();
	if (r == 0) {
		if (n.total != size || size > HE_GENA_NOTIFY_MAX || !n.sid[0] || n.path[0] != '/')
			abort();
		if (n.ext_addr[0] && inet_pton(AF_INET, n.ext_addr, &a) != 1)
			abort();
		if (memchr(n.sid, '\0', sizeof(n.sid)) == NULL ||
		    memchr(n.path, '\0', sizeof(n.path)) == NULL)
			abort();
	}
	r = he_ssdp_parse_notify(copy, size, &s);
	if (r != 0 && r != -EBADMSG)
		abort();
	if (r == 0 && s.bootid < -1)
		abort();
	free(copy);
	return 0;
}
