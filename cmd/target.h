/* SPDX-License-Identifier: MIT */
/*
 * target.h - what a command's NAME|PORTSPEC|SERVICE argument names.
 *
 * Owner: cmd/. open, close and check read their argument the same way: an
 * exposure's name first, then a port specification, then a catalog profile
 * or an /etc/services name (lib/catalog he_service_resolve). A word that is
 * none of these is a usage error (exit 2) for every command alike.
 */
#ifndef HE_CMD_TARGET_H
#define HE_CMD_TARGET_H

#include "cli.h"
#include "config/exposure.h"

/* Does the word start like a port specification (a digit)? */
bool he_cli_is_portspec(const char *word);

/*
 * Resolve SERVICE into ports (and *profile when from the catalog); says
 * where it came from with -v. On an unknown name prints the error and
 * returns HE_EXIT_USAGE; 0 on success.
 */
int he_cli_service(struct he_cli *cli, const char *word, struct he_portlist *ports,
		   const struct he_profile **profile);

struct he_cli_target {
	struct he_exposure *ex;   /* the exposure named, or holding the ports; NULL: none */
	struct he_portlist ports; /* the ports of a PORTSPEC or SERVICE (n 0 for a name) */
	const struct he_profile *profile;
};

/*
 * Resolve word against the exposures in all: an exposure's name, a
 * PORTSPEC or a SERVICE (then t->ex is the one exposure holding one of its
 * external ports, or NULL). Returns 0, or an exit code after printing the
 * error: HE_EXIT_USAGE for a bad PORTSPEC, an unknown word, or ports held
 * by more than one exposure.
 */
int he_cli_target(struct he_cli *cli, struct he_exposures *all, const char *word,
		  struct he_cli_target *t);

#endif
