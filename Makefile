# tenantry - build, run, check, bench. No other build system.
#
#   make            build tenantry and tenantryd
#   make run        install what is missing, start ./var PostgreSQL, migrate,
#                   load demo data once, open the console
#   make check      every test suite against throwaway servers
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make serve      tenantryd on the make run database (LISTEN=host:port)
#   make stop       stop the ./var PostgreSQL
#   make bench [SCALE=small]   performance table (var/bench.json, or
#                              var/bench-small.json for SCALE=small)
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="json http"]
#                   builds the libFuzzer targets (clang) and runs each
#   make fuzz-ci    every fuzz target for 60 s (what CI runs)
#   make install [PREFIX=/usr/local] [DESTDIR=]   binaries, manual pages,
#                   themes, keymaps, completions, the systemd unit, an
#                   example tenantryd.conf; make uninstall removes them
#   make deb        Debian packages tenantry and tenantryd into $(DEBOUT)
#   make cluster    the high-availability stack under ./var/cluster: a
#                   pg_auto_failover monitor, primary and synchronous
#                   standby, HAProxy, PgBouncer, pgBackRest, two tenantryd
#   make cluster-stop   stops everything make cluster started
#   make check-ha   the failover, pooling and backup/restore drills on a
#                   cluster of their own (tests/ha/drill.sh)

CC       ?= cc
BUILD    ?= build
PKGS      = libpq jansson libjwt libcurl libsodium ncursesw libmicrohttpd liboath
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	    -Wno-missing-field-initializers -Isrc -Itests -I$(BUILD) -MMD -MP
LDLIBS   += -lpthread -lm

ifeq ($(SANITIZE),1)
BUILD     = build-san
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1
endif

# libFuzzer targets (make fuzz): clang with ASan and UBSan, into their own
# directory; -DTENANTRY_FUZZ exports what only a fuzz target calls.
FUZZ_BUILD = build-fuzzer
ifeq ($(FUZZ),1)
override BUILD   = $(FUZZ_BUILD)
override CC      = clang
CFLAGS   += -O1 -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DTENANTRY_FUZZ
LDFLAGS  += -fsanitize=fuzzer,address,undefined
endif

# Debian packages the build, the demo and the tests need (python3-aiosmtpd:
# the SMTP server the mail suite sends to, on loopback).
DEBS = build-essential pkg-config libpq-dev libjansson-dev libjwt-dev \
       libcurl4-openssl-dev libsodium-dev libncurses-dev libmicrohttpd-dev \
       liboath-dev check libsubunit-dev postgresql-15 postgresql-contrib \
       tmux mandoc wrk clang-format python3-aiosmtpd

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpanelw
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
CFLAGS     += $(PKG_CFLAGS)

CORE_SRC   = $(wildcard src/core/*.c)
STORE_SRC  = $(wildcard src/store/*.c)
CLI_SRC    = $(wildcard src/cli/*.c)
TUI_SRC    = $(wildcard src/tui/*.c)
SERVER_SRC = $(wildcard src/server/*.c)
SQL_FILES  = $(sort $(wildcard src/sql/*.sql))
TEST_SRC   = $(wildcard tests/*/test_*.c)
BENCH_SRC  = $(wildcard tests/bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# Where make install puts things; the data directory (themes, keymaps) and
# the configuration directory are compiled in, so the installed programs
# find them from any directory.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/tenantry
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions

LIB_OBJ    = $(call obj,$(CORE_SRC) $(STORE_SRC)) $(BUILD)/sql_embed.o
CLI_OBJ    = $(call obj,$(CLI_SRC) $(TUI_SRC))
SERVER_OBJ = $(call obj,$(SERVER_SRC))
TEST_OBJ   = $(call obj,$(TEST_SRC) tests/main.c tests/testlib.c tests/testsrv.c tests/console/term.c)

BINS = $(BUILD)/tenantry
ifneq ($(SERVER_SRC),)
BINS += $(BUILD)/tenantryd
endif

.PHONY: install uninstall deb unit all bins deps deps-quiet run demo-db stop serve check bench clean format \
	fuzz fuzz-ci fuzz-deps ha-deps cluster cluster-stop check-ha
# Packages first, then a fresh make that sees their pkg-config flags.
all: deps-quiet
	@$(MAKE) --no-print-directory bins

bins: $(BINS)

$(BUILD)/tenantry: $(LIB_OBJ) $(CLI_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/tenantryd: $(LIB_OBJ) $(SERVER_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# The test binary links the library, the console modules and the server
# modules except main(); the CLI is tested by running it.
$(BUILD)/tenantry-tests: $(TEST_OBJ) $(BUILD)/tests/bench/bench_data.o $(LIB_OBJ) $(call obj,$(TUI_SRC)) $(filter-out %/main.o,$(SERVER_OBJ))
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Migrations are compiled into the binaries (the folder too: a migration
# taken away changes no file that is left).
$(BUILD)/sql_embed.c: $(SQL_FILES) src/sql src/sql/embed.sh
	@mkdir -p $(BUILD)
	sh src/sql/embed.sh $(SQL_FILES) >$@.tmp && mv $@.tmp $@

# The built-in keymap and themes, embedded from the shipped files by the
# same script.
CONF_FILES = keymaps/default.keys themes/default.theme themes/mono.theme
$(BUILD)/conf_embed.h: $(CONF_FILES) src/sql/embed.sh
	@mkdir -p $(BUILD)
	sh src/sql/embed.sh --text conf_default_keys keymaps/default.keys \
		conf_default_theme themes/default.theme conf_mono_theme themes/mono.theme \
		>$@.tmp && mv $@.tmp $@
$(BUILD)/src/tui/keymap.o $(BUILD)/src/tui/theme.o: $(BUILD)/conf_embed.h

# The compiled-in directories; a stamp rewritten only when they change
# rebuilds the objects that use them.
PATHS = DATADIR=$(DATADIR) SYSCONFDIR=$(SYSCONFDIR)
$(BUILD)/paths.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PATHS)' | cmp -s - $@ || echo '$(PATHS)' >$@
$(BUILD)/src/tui/conffile.o: $(BUILD)/paths.stamp
$(BUILD)/src/tui/conffile.o: CFLAGS += -DTENANTRY_DATADIR='"$(DATADIR)"'
$(BUILD)/src/server/config.o: $(BUILD)/paths.stamp
$(BUILD)/src/server/mail_text.o: $(BUILD)/paths.stamp
$(BUILD)/src/server/mail_text.o: CFLAGS += -DTENANTRY_DATADIR='"$(DATADIR)"'
$(BUILD)/src/server/config.o $(BUILD)/src/server/main.o: $(BUILD)/paths.stamp
$(BUILD)/src/server/config.o $(BUILD)/src/server/main.o: CFLAGS += -DTENANTRY_SYSCONFDIR='"$(SYSCONFDIR)"'
.PHONY: FORCE
FORCE:

# Every tests/*/test_NAME.c defines Suite *suite_NAME(void).
$(BUILD)/suites.h: $(TEST_SRC)
	@mkdir -p $(BUILD)
	for f in $(TEST_SRC); do b=$${f##*/test_}; echo "SUITE($${b%.c})"; done >$@.tmp
	mv $@.tmp $@
$(BUILD)/tests/main.o: $(BUILD)/suites.h

# Unit suites only (no servers): make unit [UNIT_TESTS="tests/unit/test_x.c ..."]
UNIT_TESTS ?= $(wildcard tests/unit/test_*.c)
$(BUILD)/unit_suites.h: $(UNIT_TESTS)
	@mkdir -p $(BUILD)
	for f in $(UNIT_TESTS); do b=$${f##*/test_}; echo "SUITE($${b%.c})"; done >$@.tmp
	mv $@.tmp $@
UNIT_SRC ?= $(CORE_SRC) $(filter-out src/tui/console%.c src/tui/pane_%.c,$(TUI_SRC))
$(BUILD)/unit: $(call obj,$(UNIT_TESTS)) $(BUILD)/unit_suites.h $(call obj,$(UNIT_SRC))
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -DSUITES_FILE='"unit_suites.h"' -c -o $(BUILD)/tests/unit_main.o tests/main.c
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/tests/unit_main.o $(call obj,$(UNIT_TESTS) $(UNIT_SRC)) \
		$(PKG_LIBS) $(CHECK_LIBS) $(LDLIBS)
unit: deps-quiet
	@$(MAKE) --no-print-directory $(BUILD)/unit
	@$(BUILD)/unit

# ---- installing --------------------------------------------------------------

# What make install writes, below $(DESTDIR); make uninstall removes it.
MAN_PAGES  = $(wildcard docs/*.1 docs/*.5 docs/*.8)
INSTALLED  = $(BINDIR)/tenantry $(BINDIR)/tenantryd \
	     $(foreach m,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	     $(addprefix $(DATADIR)/,$(wildcard themes/*.theme keymaps/*.keys)) \
	     $(addprefix $(DATADIR)/mail/,$(notdir $(wildcard src/dist/mail/*.txt))) \
	     $(BASHCOMPDIR)/tenantry $(BASHCOMPDIR)/tenantryd \
	     $(ZSHCOMPDIR)/_tenantry $(ZSHCOMPDIR)/_tenantryd \
	     $(UNITDIR)/tenantryd.service $(SYSCONFDIR)/tenantry/tenantryd.conf.example

install: bins
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(DATADIR)/keymaps \
		$(DESTDIR)$(DATADIR)/mail \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/tenantry
	install -m 755 $(BUILD)/tenantry $(BUILD)/tenantryd $(DESTDIR)$(BINDIR)/
	for m in $(MAN_PAGES); do \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -m 644 keymaps/*.keys $(DESTDIR)$(DATADIR)/keymaps/
	install -m 644 src/dist/mail/*.txt $(DESTDIR)$(DATADIR)/mail/
	install -m 644 src/dist/tenantry.bash $(DESTDIR)$(BASHCOMPDIR)/tenantry
	install -m 644 src/dist/tenantryd.bash $(DESTDIR)$(BASHCOMPDIR)/tenantryd
	install -m 644 src/dist/_tenantry src/dist/_tenantryd $(DESTDIR)$(ZSHCOMPDIR)/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		src/dist/tenantryd.service >$(DESTDIR)$(UNITDIR)/tenantryd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/tenantryd.service
	sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' src/dist/tenantryd.conf.example \
		>$(DESTDIR)$(SYSCONFDIR)/tenantry/tenantryd.conf.example
	chmod 644 $(DESTDIR)$(SYSCONFDIR)/tenantry/tenantryd.conf.example

# Removes the files of make install and the directories that are then
# empty (never a directory something else still uses).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(DATADIR)/keymaps $(DESTDIR)$(DATADIR)/mail \
		$(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(SYSCONFDIR)/tenantry 2>/dev/null

# Debian packages (debian/): tenantry and tenantryd, built with
# dpkg-buildpackage and checked with lintian, into $(DEBOUT).
DEBOUT    ?= $(BUILD)/deb
DEB_TOOLS  = dpkg-dev debhelper devscripts lintian fakeroot
deb:
	@$(MAKE) --no-print-directory deps DEBS="$(DEBS) $(DEB_TOOLS)"
	@bash src/dist/deb.sh $(DEBOUT)

# ---- packages ---------------------------------------------------------------

# Installs the Debian packages that are missing: apt-get as root, else sudo.
deps:
	@missing=$$(for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deps-quiet:
	@command -v pkg-config >/dev/null && pkg-config --exists $(PKGS) check \
		&& command -v clang-format >/dev/null || $(MAKE) --no-print-directory deps

# ---- running ---------------------------------------------------------------

VAR       = var
RUN_ADMIN = host=$(CURDIR)/$(VAR)/pg/run port=$$(cat $(VAR)/pg/port) user=postgres dbname=tenantry
RUN_DB    = host=$(CURDIR)/$(VAR)/pg/run port=$$(cat $(VAR)/pg/port) user=demo_operator dbname=tenantry

# The console on the demo, with `demo --live` moving gauges and the audit
# log meanwhile; without a terminal, the tenant list instead.
run: demo-db
	@if [ -t 0 ] && [ -t 1 ]; then \
		$(BUILD)/tenantry --db "$(RUN_DB)" --master-key-file $(VAR)/master.key \
			demo --live >$(VAR)/live.log 2>&1 & live=$$!; \
		trap 'kill $$live 2>/dev/null' EXIT INT TERM; \
		$(BUILD)/tenantry --db "$(RUN_DB)" --master-key-file $(VAR)/master.key; \
	else \
		$(BUILD)/tenantry --db "$(RUN_DB)" --master-key-file $(VAR)/master.key tenants list; \
	fi

# The private cluster under ./var with the demo loaded once; the demo's
# output (with the tenantryd staff login) is kept in var/demo.log.
demo-db: deps
	@$(MAKE) --no-print-directory all
	@tests/pg.sh start $(VAR)/pg >/dev/null
	@psql -X -q -d "$(subst dbname=tenantry,dbname=postgres,$(RUN_ADMIN))" -tAc \
		"SELECT 1 FROM pg_database WHERE datname='tenantry'" | grep -q 1 || \
		psql -X -q -d "$(subst dbname=tenantry,dbname=postgres,$(RUN_ADMIN))" -c "CREATE DATABASE tenantry"
	@test -s $(VAR)/master.key || (umask 077; head -c 32 /dev/urandom >$(VAR)/master.key)
	@$(BUILD)/tenantry --db "$(RUN_ADMIN)" migrate
	@test -e $(VAR)/demo.done || \
		(umask 077; $(BUILD)/tenantry --db "$(RUN_ADMIN)" --master-key-file $(VAR)/master.key \
		 demo --tenants 200 | tee $(VAR)/demo.log && touch $(VAR)/demo.done)

# tenantryd on the demo database: make serve [LISTEN=127.0.0.1:8080]
LISTEN   ?= 127.0.0.1:8080
SERVE_DB  = host=$(CURDIR)/$(VAR)/pg/run port=$$(cat $(VAR)/pg/port) user=tenantry_app dbname=tenantry
serve: demo-db
	@test -s $(VAR)/jwt.secret || (umask 077; head -c 48 /dev/urandom | base64 -w0 >$(VAR)/jwt.secret)
	@grep 'staff login' $(VAR)/demo.log 2>/dev/null || true
	@echo "log in with: $(BUILD)/tenantry --url http://$(LISTEN) login ops@tenantry.test"
	@exec $(BUILD)/tenantryd --db "$(SERVE_DB)" --listen $(LISTEN) \
		--jwt-secret-file $(VAR)/jwt.secret --master-key-file $(VAR)/master.key

stop:
	@tests/pg.sh stop $(VAR)/pg

# ---- high availability -----------------------------------------------------

# The field's standard engines for failover, pooling, load balancing and
# backups, all from Debian 12; only the cluster targets install them, so
# make run stays light.
HA_DEBS = postgresql-15-auto-failover pgbouncer haproxy pgbackrest curl jq bc
HA_DIR  = $(VAR)/cluster

ha-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(HA_DEBS)"

cluster: deps-quiet ha-deps
	@$(MAKE) --no-print-directory bins
	@bash tests/ha/cluster.sh start $(HA_DIR) $(BUILD)

cluster-stop:
	@bash tests/ha/cluster.sh stop $(HA_DIR)

check-ha: deps-quiet ha-deps
	@$(MAKE) --no-print-directory bins
	@bash tests/ha/drill.sh $(BUILD)

# ---- tests -----------------------------------------------------------------

check: deps-quiet
	@bash tests/lint.sh
	@$(MAKE) --no-print-directory bins $(BUILD)/tenantry-tests
	@bash tests/run.sh $(BUILD)
	@bash tests/install.sh

# Rewrites the sources as .clang-format says (make check refuses drift).
format:
	clang-format -i src/*/*.[ch] tests/*.[ch] tests/*/*.[ch]

# ---- performance -----------------------------------------------------------

SCALE ?= full
$(BUILD)/tenantry-bench: $(call obj,$(BENCH_SRC)) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

bench: deps-quiet
	@$(MAKE) --no-print-directory bins $(BUILD)/tenantry-bench
	@bash tests/bench/bench.sh $(BUILD) $(SCALE)

# ---- fuzzing ---------------------------------------------------------------

# One target per tests/fuzz/fuzz_NAME.c, each run on a scratch copy of its
# seeds in tests/fuzz/corpus/NAME/ (tests/fuzz/run.sh); a crash fails.
FUZZ_SECONDS ?= 60
FUZZ_ALL      = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
.SECONDARY: $(patsubst %,$(BUILD)/tests/fuzz/fuzz_%.o,$(FUZZ_ALL))
# Only the fuzz targets need clang; make and make check do not.
FUZZ_DEBS     = clang libclang-rt-14-dev
FUZZ_TUI      = $(call obj,src/tui/theme.c src/tui/keymap.c src/tui/conffile.c \
			   src/tui/keyname.c src/tui/action.c)
# The server without its main, its database pool and its audit streams
# (fuzz_http.c stands in for those), with a store that needs no database.
FUZZ_SERVER   = $(filter-out %/main.o %/pool.o %/sse.o,$(SERVER_OBJ)) \
		$(BUILD)/tests/fuzz/store_stub.o $(BUILD)/tests/fuzz/store_stub_credentials.o \
		$(BUILD)/tests/fuzz/store_stub_webhooks.o

$(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_OBJ) $(FUZZ_TUI)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# http.c's req_query and req_header read the head fuzz_http.c splits.
$(BUILD)/fuzz/fuzz_http: $(BUILD)/tests/fuzz/fuzz_http.o $(LIB_OBJ) $(FUZZ_SERVER)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--wrap=MHD_lookup_connection_value -o $@ $^ \
		$(PKG_LIBS) $(LDLIBS)

fuzz: deps-quiet fuzz-deps
	@$(MAKE) --no-print-directory FUZZ=1 \
		$(addprefix $(FUZZ_BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
	@bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(FUZZ_DEBS)"

clean:
	rm -rf build build-san $(FUZZ_BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
