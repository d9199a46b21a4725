/* SPDX-License-Identifier: MIT */
/* fw_report.c - verify reports, dry-run text, the CAP_NET_ADMIN check. */
#include "firewall/fw_internal.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void he_fw_report_free(struct he_fw_report *r)
{
	if (!r)
		return;
	free(r->missing);
	free(r->extra);
	free(r->shadow);
	memset(r, 0, sizeof(*r));
}

static int grow(void **v, size_t n, size_t size)
{
	void *nv;

	if (n & (n - 1) && n > 4)
		return 0; /* only grow at powers of two: capacity is the next one */
	nv = realloc(*v, (n < 4 ? 4 : n * 2) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

int he_fw_report_add_missing(struct he_fw_report *r, const struct he_fw_port *p)
{
	struct he_fw_missing *m;

	if (grow((void **)&r->missing, r->n_missing, sizeof(*r->missing)) < 0)
		return -ENOMEM;
	m = &r->missing[r->n_missing++];
	memset(m, 0, sizeof(*m));
	m->port = p->port;
	m->proto = p->proto;
	snprintf(m->comment, sizeof(m->comment), "%s", p->comment);
	return 0;
}

int he_fw_report_add_extra(struct he_fw_report *r, uint16_t port, unsigned proto,
			   const char *comment)
{
	struct he_fw_missing *m;

	if (grow((void **)&r->extra, r->n_extra, sizeof(*r->extra)) < 0)
		return -ENOMEM;
	m = &r->extra[r->n_extra++];
	memset(m, 0, sizeof(*m));
	m->port = port;
	m->proto = proto;
	snprintf(m->comment, sizeof(m->comment), "%s", comment ? comment : "");
	return 0;
}

int he_fw_report_add_shadow(struct he_fw_report *r, const struct he_fw_shadow *s)
{
	if (grow((void **)&r->shadow, r->n_shadow, sizeof(*r->shadow)) < 0)
		return -ENOMEM;
	r->shadow[r->n_shadow++] = *s;
	return 0;
}

void he_fw_report_note(struct he_fw_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_notes >= HE_FW_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->n_notes], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
	r->n_notes++;
}

void he_fw_text_add(struct he_fw_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *np;

		while (cap < t->len + (size_t)n + 1)
			cap *= 2;
		np = realloc(t->p, cap);
		if (!np) {
			t->oom = 1;
			return;
		}
		t->p = np;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static int needs_quote(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++) {
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%",
			*s))
			return 1;
	}
	return 0;
}

void he_fw_text_argv(struct he_fw_text *t, const char *const argv[])
{
	for (size_t i = 0; argv[i]; i++) {
		const char *s = argv[i];

		if (i)
			he_fw_text_add(t, " ");
		if (!needs_quote(s)) {
			he_fw_text_add(t, "%s", s);
			continue;
		}
		he_fw_text_add(t, "'");
		for (; *s; s++) {
			if (*s == '\'')
				he_fw_text_add(t, "'\\''");
			else
				he_fw_text_add(t, "%c", *s);
		}
		he_fw_text_add(t, "'");
	}
	he_fw_text_add(t, "\n");
}

char *he_fw_text_take(struct he_fw_text *t)
{
	char *p;

	if (t->oom) {
		free(t->p);
		memset(t, 0, sizeof(*t));
		return NULL;
	}
	p = t->p ? t->p : strdup("");
	memset(t, 0, sizeof(*t));
	return p;
}

int he_fw_have_net_admin(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return geteuid() == 0;
	return (data[CAP_NET_ADMIN / 32].effective >> (CAP_NET_ADMIN % 32)) & 1;
}

int he_fw_eperm(struct he_error *err, const char *what)
{
	return he_error_set(err, -EPERM,
			    "%s needs root or CAP_NET_ADMIN: run homeexpose as root (sudo) or "
			    "give it CAP_NET_ADMIN; nothing was changed",
			    what);
}
