# homeexpose - a plain Makefile. Every dependency comes from pkg-config
# (libnatpmp ships no .pc file in Debian, so it is linked as -lnatpmp).
# `make V=1` shows the full commands.

VERSION       := 0.1.0
PREFIX        ?= /usr/local
SBINDIR       ?= $(PREFIX)/sbin
DATADIR       ?= $(PREFIX)/share
MANDIR        ?= $(DATADIR)/man
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR   ?= /run
BASHCOMPDIR   ?= $(DATADIR)/bash-completion/completions
# Lazily evaluated: pkg-config may only exist after `make deps`.
SYSTEMDUNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
DESTDIR       ?=

CC      ?= cc
PKG_CONFIG ?= pkg-config
# libcrypto/libssl (OpenSSL): the reflector's HMAC-SHA256 request signatures and its TLS probe.
PKGS    := miniupnpc libnftables libnftnl inih ldns libsystemd jansson libcurl libmnl libcrypto libssl

ifeq ($(V),1)
Q :=
else
Q := @
endif

B := build

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN)
CFLAGS  ?= $(BASE_CFLAGS)
DEFS    := -DHE_VERSION=\"$(VERSION)\" \
           -DHE_SYSCONFDIR=\"$(SYSCONFDIR)\" \
           -DHE_LOCALSTATEDIR=\"$(LOCALSTATEDIR)\" \
           -DHE_RUNSTATEDIR=\"$(RUNSTATEDIR)\" \
           -DHE_DATADIR=\"$(DATADIR)\" \
           -D_GNU_SOURCE
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lnatpmp
# The binary loads libcurl, OpenSSL, ldns and libsystemd on first use (lib/core/lazy.h), not
# at start-up: it is linked without them; lazy.c gets the sonames built against.
PKGS_LAZY := libcurl ldns libcrypto libssl libsystemd
BIN_LIBS   = $(shell $(PKG_CONFIG) --libs $(filter-out $(PKGS_LAZY),$(PKGS))) -lnatpmp -ldl
he_soname  = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | \
		awk '$$1 == "SONAME" { print $$2 }')
he_soname_def = $(if $(call he_soname,$(2)),-DHE_SONAME_$(1)=\"$(call he_soname,$(2))\")
LAZY_DEFS  = $(call he_soname_def,CURL,curl) $(call he_soname_def,SSL,ssl) \
	     $(call he_soname_def,CRYPTO,crypto) $(call he_soname_def,LDNS,ldns) \
	     $(call he_soname_def,SYSTEMD,systemd)
lazydefs   = $(if $(filter lib/core/lazy,$(1)),$(LAZY_DEFS))
ALL_CPPFLAGS = -Ilib $(DEFS) $(PKG_CFLAGS) $(CPPFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS  := $(sort $(shell find lib -name '*.c'))
CMD_SRCS  := $(sort $(wildcard cmd/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJS      := $(LIB_SRCS:%.c=$(B)/obj/%.o)
LIB_ASAN_OBJS := $(LIB_SRCS:%.c=$(B)/asan/%.o)
CMD_OBJS      := $(CMD_SRCS:%.c=$(B)/obj/%.o)
UNIT_BINS     := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
UNIT_ASAN_BINS:= $(UNIT_SRCS:tests/unit/%.c=$(B)/asan/tests/%)
FUZZ_BINS     := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)

.SECONDARY:
.PHONY: all check demo install uninstall deps deps-test deps-bench bench fuzz fuzz-smoke lint \
        unit unit-asan cli-test lab-test clean format

all: $(B)/homeexpose

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(call lazydefs,$*) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/asan/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-ASAN $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(call lazydefs,$*) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/libhomeexpose.a: $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libhomeexpose-asan.a: $(LIB_ASAN_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/homeexpose: $(CMD_OBJS) $(B)/libhomeexpose.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJS) $(B)/libhomeexpose.a $(BIN_LIBS)

# A unit test may name link-time seams (-Wl,--wrap=...) in tests/unit/NAME.wrap.
wrapflags = $(shell cat tests/unit/$(1).wrap 2>/dev/null)

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/libhomeexpose.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(call wrapflags,$*) -o $@ $< $(B)/libhomeexpose.a \
		$(PKG_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(B)/asan/tests/%: $(B)/asan/tests/unit/%.o $(B)/libhomeexpose-asan.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD-ASAN $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) $(call wrapflags,$*) -o $@ $< \
		$(B)/libhomeexpose-asan.a $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

unit: $(UNIT_BINS)
	$(Q)tests/run-unit.sh $(UNIT_BINS)
	$(Q)CC="$(CC)" tests/unit/compat/check.sh

unit-asan: $(UNIT_ASAN_BINS)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-unit.sh $(UNIT_ASAN_BINS)

# --- fuzzing (clang libFuzzer) ---
FUZZ_CC     ?= clang
FUZZ_FLAGS  := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_SECONDS ?= 60
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-FUZZ $<")
	$(Q)$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(B)/fuzz/obj/%.o)
$(B)/fuzz/%: $(B)/fuzz/obj/tests/fuzz/%.o $(FUZZ_LIB_OBJS)
	@$(if $(Q),echo "  LD-FUZZ $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

# Long run of every fuzzer (FUZZ_SECONDS each), corpus kept in build/fuzz/corpus.
fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# Short run used by `make check`: seeds plus a bounded number of mutations.
fuzz-smoke: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh smoke $(FUZZ_BINS)

cli-test: $(B)/homeexpose
	$(Q)HE_BIN=$(B)/homeexpose tests/cli/run.sh
	$(Q)HE_BIN=$(B)/homeexpose tests/cli/snippets.py

lab-test: $(B)/homeexpose
	$(Q)tests/lab/run-all.sh

# --- set-up: install only what is missing from Debian ---
deps:
	$(Q)tools/deps.sh build
deps-test:
	$(Q)tools/deps.sh build test
deps-bench:
	$(Q)tools/deps.sh build test bench

check:
	$(Q)tools/deps.sh build test
	$(Q)$(MAKE) --no-print-directory all unit unit-asan cli-test fuzz-smoke
	$(Q)$(MAKE) --no-print-directory lab-test
	$(Q)$(MAKE) --no-print-directory monitoring-test pkg-test

# Debian packages (tools/mkdeb.sh: build/deb/*.deb, then lintian); the
# package's install test; the Prometheus rules' and Grafana dashboard's checks.
.PHONY: deb pkg-test monitoring-test
deb:
	$(Q)tools/mkdeb.sh
pkg-test:
	$(Q)tests/pkg/run.sh
monitoring-test:
	$(Q)monitoring/check.sh

demo:
	$(Q)tools/deps.sh build test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/lab/demo.sh

bench:
	$(Q)tools/deps.sh build test bench
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/run.sh

# The agent under random seeded faults in the lab (root), SOAK_SECONDS long
# (600); SOAK_SEED reproduces a run. tests/lab/soak.sh; 60 s of it is
# tests/lab/test_soak.sh in lab-test.
.PHONY: soak
SOAK_SECONDS ?= 600
soak: $(B)/homeexpose
	$(Q)HE_BIN=$(B)/homeexpose SOAK_SECONDS=$(SOAK_SECONDS) tests/lab/soak.sh

lint:
	$(Q)tools/lint.sh

format:
	$(Q)clang-format -i $(LIB_SRCS) $(CMD_SRCS) $(UNIT_SRCS) $(FUZZ_SRCS) \
		$(shell find lib cmd -name '*.h')

install: $(B)/homeexpose
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/homeexpose/services \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(SYSCONFDIR)/homeexpose/exposures.d $(DESTDIR)$(SYSCONFDIR)/homeexpose/services \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(B)/homeexpose $(DESTDIR)$(SBINDIR)/homeexpose
	install -m 0644 config/services/*.conf $(DESTDIR)$(DATADIR)/homeexpose/services/
	test -e $(DESTDIR)$(SYSCONFDIR)/homeexpose/homeexpose.conf || \
		sed -e 's|/usr/share/homeexpose/|$(DATADIR)/homeexpose/|' config/homeexpose.conf | \
		install -m 0644 /dev/stdin $(DESTDIR)$(SYSCONFDIR)/homeexpose/homeexpose.conf
	install -m 0644 man/homeexpose.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/homeexpose.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 completion/homeexpose.bash $(DESTDIR)$(BASHCOMPDIR)/homeexpose
	for u in systemd/*.service; do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' $$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/homeexpose $(DESTDIR)$(MANDIR)/man8/homeexpose.8 \
		$(DESTDIR)$(MANDIR)/man5/homeexpose.conf.5 $(DESTDIR)$(BASHCOMPDIR)/homeexpose
	rm -rf $(DESTDIR)$(DATADIR)/homeexpose
	for u in systemd/*.service; do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); done

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
