/* SPDX-License-Identifier: MIT */
/*
 * import.h - a ddclient.conf or an inadyn.conf carried over to [ddns NAME]
 * sections, and the writing of new sections (`ddns import`, `ddns add`).
 *
 * Owner: lib/ddns. import_ddclient.c and import_inadyn.c each read one
 * format into struct he_ddns_import: the records they could carry over
 * (with their secrets, held in memory only) and, line by line, what they
 * could not and why. Which homeexpose provider or dyndns2 preset a
 * ddclient protocol or an inadyn provider name becomes is a table
 * (import_map.c), and which keys a provider takes is the provider table's
 * (struct he_ddns_key), so nothing here names a provider in code.
 * conf_write.c renders records as configuration text and writes them:
 * secrets first (0600 files in DIR/secrets/, DIR the configuration's
 * directory), then the configuration, atomically.
 */
#ifndef HE_DDNS_IMPORT_H
#define HE_DDNS_IMPORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/error.h"

/* The longest record name the configuration keeps whole (inih reads 49 characters of a
 * section header, "ddns " included). */
#define HE_DDNS_NAME_LEN 44

/* A new [ddns NAME] section. Empty strings are left out. */
struct he_ddns_new {
	char name[HE_NAME_MAX];
	char provider[16];
	char preset[16];
	char hostname[HE_HOST_MAX];
	char families[16];
	char server[HE_URL_MAX];
	char username[128];
	char zone[HE_HOST_MAX];
	char ca_file[PATH_MAX];
	/* The secret's key ("password-file" ...): either secret (written to a new file) or
	 * secret_path (an existing file the section names, e.g. a TSIG key). */
	char secret_key[24];
	char *secret; /* malloc'd; wiped by he_ddns_import_free */
	char secret_path[PATH_MAX];
	int line; /* where it came from in the imported file, 0 for `ddns add` */
};

/* Something the import could not carry over (or carried over differently). */
struct he_ddns_skip {
	int line;
	bool dropped_record; /* the whole host was left out (else one setting) */
	char what[96];       /* "host h.example.org", "use=cmd" ... never a secret */
	char why[256];
};

struct he_ddns_import {
	const char *format; /* "ddclient" or "inadyn" */
	struct he_ddns_new *rec;
	size_t n, cap;
	struct he_ddns_skip *skip;
	size_t nskip, capskip;
	struct he_config *scratch; /* for he_ddns_new_check, allocated once */
};

/* The imports keep at most this many records (what a configuration holds); more become skips. */
#define HE_DDNS_IMPORT_MAX HE_DDNS_MAX
/* Input larger than this is refused (-EFBIG). */
#define HE_DDNS_IMPORT_TEXT_MAX (1024 * 1024)

/* Parse text (len bytes, NUL not needed) as a ddclient.conf. 0 or -errno (-ENOMEM). */
int he_ddns_import_ddclient(const char *text, size_t len, struct he_ddns_import *out,
			    struct he_error *err);
/* Parse text as an inadyn.conf (libConfuse syntax). 0 or -errno. */
int he_ddns_import_inadyn(const char *text, size_t len, struct he_ddns_import *out,
			  struct he_error *err);
/* Tell the two apart (inadyn has provider/custom blocks) and parse. */
int he_ddns_import_text(const char *text, size_t len, struct he_ddns_import *out,
			struct he_error *err);
/* Free everything, wiping the secrets. Accepts NULL. */
void he_ddns_import_free(struct he_ddns_import *im);

/* ---- shared by the two readers (import.c) ---- */

/* What a ddclient protocol or inadyn provider name becomes. */
struct he_ddns_import_map {
	const char *tool;     /* "ddclient", "inadyn" */
	const char *name;     /* protocol or provider name as the tool spells it */
	const char *provider; /* homeexpose provider (may not be built: then skipped) */
	const char *preset;   /* dyndns2 preset, or NULL */
	const char *families; /* forced families ("AAAA" for inadyn's ipv6@...), or NULL */
};

/* The entry for tool/name; inadyn also matches a unique substring, as inadyn does. */
const struct he_ddns_import_map *he_ddns_import_map_find(const char *tool, const char *name);

/* Values a reader found for one host, before mapping. NULL or "" when absent. */
struct he_ddns_import_in {
	int line;
	const char *hostname;
	const char *map_name; /* protocol / provider name */
	const char *server;   /* update server, host or URL */
	const char *login;
	const char *password;
	const char *zone;
	const char *ca_file;
	bool want_v4, want_v6;
};

/*
 * Map one host onto a new record (provider from the table, preset from the
 * server for dyndns2, keys only where the provider takes them) and add it,
 * or add a skip saying why not. Returns 0 or -ENOMEM.
 */
int he_ddns_import_add(struct he_ddns_import *im, const struct he_ddns_import_in *in);
/* Add a skip (printf-style why). Returns 0 or -ENOMEM. */
int he_ddns_import_skip(struct he_ddns_import *im, int line, bool dropped_record, const char *what,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- writing (conf_write.c) ---- */

/* DIR/secrets for the configuration file path. */
void he_ddns_secrets_dir(const char *config_path, char *out, size_t outsz);
/* The secret file a new record's secret goes to: DIR/secrets/NAME.password ...
 * 0, or -ENAMETOOLONG. */
int he_ddns_secret_file(const struct he_ddns_new *rec, const char *secrets_dir, char *out,
			size_t outsz);

/*
 * The configuration text of recs (one [ddns NAME] section each), secret
 * files named under secrets_dir. New string (free()), NULL on no memory.
 */
char *he_ddns_render(const struct he_ddns_new *recs, size_t n, const char *secrets_dir);

/*
 * Whether the configuration's loader takes r as it is (values it keeps
 * verbatim, keys and values valid): 0, or -EINVAL with the loader's reason
 * in err (-ENOMEM). Secret files are not looked at.
 */
int he_ddns_new_check(const struct he_ddns_new *r, struct he_error *err);
/* The same with a caller's scratch configuration (large), NULL: one is allocated. */
int he_ddns_new_check_in(const struct he_ddns_new *r, struct he_config *scratch,
			 struct he_error *err);

/* True if text (a configuration) already has a [ddns name] section. */
bool he_ddns_conf_has(const char *text, const char *name);

/*
 * Append recs to the configuration at path (created if missing): refuses
 * (-EEXIST) a name that already has a section, writes each secret to its
 * 0600 file under DIR/secrets/ (created 0700), then the configuration
 * atomically (mode kept, 0644 when new). On failure nothing new is left
 * behind. Returns 0 or -errno with err set.
 */
int he_ddns_conf_append(const char *path, const struct he_ddns_new *recs, size_t n,
			struct he_error *err);

#endif
