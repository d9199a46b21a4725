/* SPDX-License-Identifier: MIT */
#include "target.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

bool he_cli_is_portspec(const char *word)
{
	return isdigit((unsigned char)word[0]);
}

/* he_cli_service, the error prefixed by `before` ("" or "no exposure named ..., and "). */
static int service(struct he_cli *cli, const char *word, const char *before,
		   struct he_portlist *ports, const struct he_profile **profile)
{
	struct he_error err;
	char origin[PATH_MAX + 64];

	if (he_cli_catalog(cli) < 0)
		return HE_EXIT_USAGE;
	if (he_service_resolve(&cli->catalog, word, ports, profile, origin, sizeof(origin), &err) <
	    0)
		return he_usage_error(cli, "%s%s", before, err.msg);
	he_infof(cli, "%s: %s", word, origin);
	return 0;
}

int he_cli_service(struct he_cli *cli, const char *word, struct he_portlist *ports,
		   const struct he_profile **profile)
{
	return service(cli, word, "", ports, profile);
}

/* The one exposure holding an external port of ports (NULL: none; ambiguity: usage). */
static int holder(struct he_cli *cli, struct he_exposures *all, const char *word,
		  struct he_cli_target *t)
{
	for (size_t i = 0; i < all->n; i++) {
		struct he_exposure *e = &all->v[i];
		bool holds = false;

		for (size_t j = 0; j < e->ports.n && !holds; j++)
			for (size_t k = 0; k < t->ports.n && !holds; k++)
				holds = he_portspec_overlap(&e->ports.v[j], &t->ports.v[k]);
		if (!holds)
			continue;
		if (t->ex && t->ex != e) {
			he_errorf(
			    cli, "'%s' is in more than one exposure ('%s', '%s'); name one of them",
			    word, t->ex->name, e->name);
			return HE_EXIT_USAGE;
		}
		t->ex = e;
	}
	return 0;
}

int he_cli_target(struct he_cli *cli, struct he_exposures *all, const char *word,
		  struct he_cli_target *t)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if (!he_cli_is_portspec(word)) {
		t->ex = he_exposures_find(all, word);
		if (t->ex)
			return 0;
		rc = service(cli, word, "no exposure by that name (see 'homeexpose list'), and ",
			     &t->ports, &t->profile);
		if (rc)
			return rc;
	} else {
		struct he_error err;

		if (he_portlist_parse(&t->ports, word, &err) < 0)
			return he_usage_error(cli, "%s", err.msg);
	}
	return holder(cli, all, word, t);
}
