/* SPDX-License-Identifier: MIT */
/*
 * nft_persist.c - keep the integration rule (nft_integrate.c) across a
 * reboot where the ruleset file allows it without editing that file.
 *
 * /etc/nftables.conf ([firewall] nftables-conf) that includes a directory
 * (`include "/etc/nftables.d/STAR.nft"`, STAR the glob star) gets one file there,
 * homeexpose-integrate.nft (the include's prefix and suffix around the `*`),
 * holding the one `insert rule` line. The whole ruleset file is then checked
 * with libnftables' dry run (nothing is committed); when the check fails
 * (the include comes before the chain is made, say) the file is removed again
 * and the caller prints the line to add by hand. Nothing else is written.
 */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/state.h"

#define PERSIST_NAME "homeexpose-integrate"

int he_nft_persist_target(const char *conf_text, char *out, size_t n)
{
	const char *p = conf_text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024], path[1024];
		const char *s;
		char *star, *slash;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = eol ? eol + 1 : NULL;
		s = line + strspn(line, " \t");
		if (strncmp(s, "include", 7) || (s[7] != ' ' && s[7] != '\t'))
			continue;
		s += 7 + strspn(s + 7, " \t");
		if (sscanf(s, "\"%1023[^\"]\"", path) != 1 || path[0] != '/')
			continue;
		slash = strrchr(path, '/');
		star = strchr(slash, '*');
		/* one '*' in the last part, no other glob and no '*' before it */
		if (!star || strchr(star + 1, '*') || strpbrk(path, "?[") ||
		    strchr(path, '*') != star)
			continue;
		*star = '\0';
		if ((size_t)snprintf(out, n, "%s" PERSIST_NAME "%s", path, star + 1) >= n)
			return -ENAMETOOLONG;
		return 1;
	}
	return 0;
}

/* libnftables' dry run of the whole file: 0, or -EINVAL with nft's message. */
static int dry_run(const char *conf, struct he_error *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *e;
	int rc = 0;

	if (!ctx)
		return he_error_set(err, -ENOMEM, "libnftables: cannot create a context");
	nft_ctx_set_dry_run(ctx, true);
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		return he_error_set(err, -ENOMEM, "libnftables: cannot buffer output");
	}
	if (nft_run_cmd_from_filename(ctx, conf) != 0) {
		e = nft_ctx_get_error_buffer(ctx);
		rc = he_error_set(err, -EINVAL, "%s does not load with it: %.300s", conf,
				  e && *e ? e : "(no message)");
	}
	nft_ctx_free(ctx);
	return rc;
}

int he_nft_persist(uint32_t mark, const char *family, const char *table, const char *chain,
		   int remove, const char *conf, char *written, size_t n, struct he_error *err)
{
	char target[1024], line[512];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*written = '\0';
	f = fopen(conf, "re");
	if (!f)
		return 0; /* no ruleset file: the line is printed */
	rc = getdelim(&text, &len, '\0', f) < 0
		 ? 0
		 : he_nft_persist_target(text, target, sizeof(target));
	fclose(f);
	free(text);
	if (rc <= 0)
		return rc;
	if (remove) {
		if (unlink(target) < 0 && errno != ENOENT)
			return he_error_set(err, -errno, "cannot remove %s: %s", target,
					    strerror(errno));
		snprintf(written, n, "%s", target);
		return 1;
	}
	snprintf(line, sizeof(line),
		 "# written by `homeexpose firewall integrate`; removed by its --remove\n"
		 "insert rule %s %s %s " HE_NFT_INTEGRATE_FMT "\n",
		 family, table, chain, mark, mark);
	rc = he_atomic_write(target, line, strlen(line), 0644, err);
	if (rc < 0)
		return rc;
	rc = dry_run(conf, err);
	if (rc < 0) {
		unlink(target);
		return he_error_prefix(err, rc, "not kept in %s", target);
	}
	snprintf(written, n, "%s", target);
	return 1;
}
