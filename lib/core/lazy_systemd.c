/* SPDX-License-Identifier: MIT */
/*
 * lazy_systemd.c - written by tools/gen-lazy.py from the installed headers: libsystemd (sd-bus,
 * sd_notify) is loaded on first use (lib/core/lazy.h), not at start-up. Each function lib/ calls is
 * defined here as a wrapper that finds the real one with dlsym; when the library cannot be loaded
 * it returns a failure (NULL, an error code) and he_lazy_need() says why. Do not edit: re-run the
 * script.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <stddef.h>

#include "core/lazy.h"

int sd_bus_call_method(sd_bus *a0, const char *a1, const char *a2, const char *a3, const char *a4,
		       sd_bus_error *a5, sd_bus_message **a6, const char *a7, ...)
{
	__typeof__(&sd_bus_call_methodv) f =
	    (__typeof__(&sd_bus_call_methodv))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_bus_call_methodv");
	va_list ap;
	int rc;

	if (!f)
		return -ELIBACC;
	va_start(ap, a7);
	rc = f(a0, a1, a2, a3, a4, a5, a6, a7, ap);
	va_end(ap);
	return rc;
}

void sd_bus_error_free(sd_bus_error *a0)
{
	__typeof__(&sd_bus_error_free) f =
	    (__typeof__(&sd_bus_error_free))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_bus_error_free");

	if (f)
		f(a0);
}

sd_bus *sd_bus_flush_close_unref(sd_bus *a0)
{
	__typeof__(&sd_bus_flush_close_unref) f =
	    (__typeof__(&sd_bus_flush_close_unref))he_lazy_sym(HE_LAZY_SYSTEMD,
							       "sd_bus_flush_close_unref");

	return f ? f(a0) : NULL;
}

int sd_bus_message_enter_container(sd_bus_message *a0, char a1, const char *a2)
{
	__typeof__(&sd_bus_message_enter_container) f =
	    (__typeof__(&sd_bus_message_enter_container))he_lazy_sym(
		HE_LAZY_SYSTEMD, "sd_bus_message_enter_container");

	return f ? f(a0, a1, a2) : -ELIBACC;
}

int sd_bus_message_exit_container(sd_bus_message *a0)
{
	__typeof__(&sd_bus_message_exit_container) f =
	    (__typeof__(&sd_bus_message_exit_container))he_lazy_sym(
		HE_LAZY_SYSTEMD, "sd_bus_message_exit_container");

	return f ? f(a0) : -ELIBACC;
}

int sd_bus_message_read(sd_bus_message *a0, const char *a1, ...)
{
	__typeof__(&sd_bus_message_readv) f =
	    (__typeof__(&sd_bus_message_readv))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_bus_message_readv");
	va_list ap;
	int rc;

	if (!f)
		return -ELIBACC;
	va_start(ap, a1);
	rc = f(a0, a1, ap);
	va_end(ap);
	return rc;
}

int sd_bus_message_read_strv(sd_bus_message *a0, char ***a1)
{
	__typeof__(&sd_bus_message_read_strv) f =
	    (__typeof__(&sd_bus_message_read_strv))he_lazy_sym(HE_LAZY_SYSTEMD,
							       "sd_bus_message_read_strv");

	return f ? f(a0, a1) : -ELIBACC;
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *a0)
{
	__typeof__(&sd_bus_message_unref) f =
	    (__typeof__(&sd_bus_message_unref))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_bus_message_unref");

	return f ? f(a0) : NULL;
}

int sd_bus_open_system(sd_bus **a0)
{
	__typeof__(&sd_bus_open_system) f =
	    (__typeof__(&sd_bus_open_system))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_bus_open_system");

	return f ? f(a0) : -ELIBACC;
}

int sd_notify(int a0, const char *a1)
{
	__typeof__(&sd_notify) f =
	    (__typeof__(&sd_notify))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_notify");

	return f ? f(a0, a1) : -ELIBACC;
}

int sd_notifyf(int a0, const char *a1, ...)
{
	__typeof__(&sd_notify) f =
	    (__typeof__(&sd_notify))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_notify");
	char *msg = NULL;
	va_list ap;
	int rc;

	if (!f)
		return -ELIBACC;
	va_start(ap, a1);
	rc = vasprintf(&msg, a1, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = f(a0, msg); /* what sd_notifyf does: format, then sd_notify */
	free(msg);
	return rc;
}

int sd_watchdog_enabled(int a0, uint64_t *a1)
{
	__typeof__(&sd_watchdog_enabled) f =
	    (__typeof__(&sd_watchdog_enabled))he_lazy_sym(HE_LAZY_SYSTEMD, "sd_watchdog_enabled");

	return f ? f(a0, a1) : -ELIBACC;
}
