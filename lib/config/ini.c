/* SPDX-License-Identifier: MIT */
#include "config/ini.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct reader {
	const char *name;
	FILE *f;          /* either a file ... */
	const char *text; /* ... or a string */
	int line;         /* number of the line last handed to inih */
	he_ini_fn fn;
	he_ini_section_fn sfn;
	void *user;
	struct he_diags *d;
};

/* Read one whole line (up to '\n' or end) into buf; 0 at end of input. */
static size_t next_line(struct reader *r, char *buf, size_t cap, int *too_long)
{
	size_t n = 0;
	int c;

	*too_long = 0;
	for (;;) {
		if (r->f) {
			c = fgetc(r->f);
			if (c == EOF)
				break;
		} else {
			if (!*r->text)
				break;
			c = (unsigned char)*r->text++;
		}
		if (c == '\0')
			c = ' '; /* a NUL inside a line must not cut it short silently */
		if (n + 2 < cap)
			buf[n] = (char)c;
		else
			*too_long = 1;
		n++;
		if (c == '\n')
			break;
	}
	if (n + 2 >= cap)
		n = cap - 2;
	buf[n] = '\0';
	return n;
}

/*
 * Make a line mean what it says when pasted: leading white space is dropped
 * (inih would take an indented line as the continuation of the value above),
 * and a '#' or ';' after white space starts a comment. Returns the start.
 */
static char *tidy(char *line)
{
	char *s = line + strspn(line, " \t");

	if (*s == '#' || *s == ';')
		return s;
	for (char *p = s + 1; *p; p++) {
		if ((*p == '#' || *p == ';') && (p[-1] == ' ' || p[-1] == '\t')) {
			p[0] = '\n';
			p[1] = '\0';
			break;
		}
	}
	return s;
}

/* Tell the section callback about a "[name]" header, named as inih names it. */
static void section_line(struct reader *r, const char *s)
{
	const char *end;
	char name[50]; /* inih's INI_MAX_SECTION */

	if (!r->sfn || *s != '[')
		return;
	end = strchr(s + 1, ']');
	if (!end)
		return; /* inih reports the syntax error */
	snprintf(name, sizeof(name), "%.*s", (int)(end - s - 1), s + 1);
	r->sfn(r->user, name, r->line);
}

static char *reader_fn(char *str, int num, void *stream)
{
	struct reader *r = stream;
	char buf[HE_INI_MAX_LINE + 2];
	const char *line;
	int too_long;
	size_t n = next_line(r, buf, sizeof(buf), &too_long);

	if (n == 0)
		return NULL;
	r->line++;
	if (too_long) {
		he_diags_add(r->d, HE_DIAG_ERROR, r->name, r->line,
			     "line longer than %d characters, ignored", HE_INI_MAX_LINE);
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	/* a UTF-8 byte-order mark would hide the first "[section]" from section_line() */
	line = tidy(r->line == 1 && !strncmp(buf, "\xEF\xBB\xBF", 3) ? buf + 3 : buf);
	if ((size_t)num <= strlen(line) + 1) {
		he_diags_add(r->d, HE_DIAG_ERROR, r->name, r->line,
			     "line longer than %d characters, ignored", num - 2);
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	section_line(r, line);
	memcpy(str, line, strlen(line) + 1);
	return str;
}

static int handler_fn(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;

	if (name && value)
		r->fn(r->user, section, name, value, r->line);
	return 1; /* keep going: diagnostics are collected, not fatal */
}

static int run(struct reader *r)
{
	int rc = ini_parse_stream(reader_fn, r, handler_fn, r);

	if (rc > 0)
		he_diags_add(r->d, HE_DIAG_ERROR, r->name, rc,
			     "syntax error: expected '[section]' or 'key = value'");
	else if (rc < 0)
		he_diags_add(r->d, HE_DIAG_ERROR, r->name, 0, "cannot parse (out of memory)");
	return rc < 0 ? -ENOMEM : 0;
}

int he_ini_parse_file_sections(const char *path, he_ini_fn fn, he_ini_section_fn sfn, void *user,
			       struct he_diags *d)
{
	struct reader r = {.name = path, .fn = fn, .sfn = sfn, .user = user, .d = d};
	struct stat st;
	int rc;

	r.f = fopen(path, "re");
	if (!r.f) {
		rc = -errno;
		he_diags_add(d, HE_DIAG_ERROR, path, 0, "cannot read: %s", strerror(errno));
		return rc;
	}
	if (fstat(fileno(r.f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(r.f);
		he_diags_add(d, HE_DIAG_ERROR, path, 0,
			     "is a directory, not a file; name the file itself (e.g. "
			     "%s/homeexpose.conf)",
			     path);
		return -EISDIR;
	}
	rc = run(&r);
	fclose(r.f);
	return rc;
}

int he_ini_parse_file(const char *path, he_ini_fn fn, void *user, struct he_diags *d)
{
	return he_ini_parse_file_sections(path, fn, NULL, user, d);
}

int he_ini_parse_string_sections(const char *name, const char *text, he_ini_fn fn,
				 he_ini_section_fn sfn, void *user, struct he_diags *d)
{
	struct reader r = {.name = name, .text = text, .fn = fn, .sfn = sfn, .user = user, .d = d};

	return run(&r);
}

int he_ini_parse_string(const char *name, const char *text, he_ini_fn fn, void *user,
			struct he_diags *d)
{
	return he_ini_parse_string_sections(name, text, fn, NULL, user, d);
}
