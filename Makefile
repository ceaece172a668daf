# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# cr: PostgreSQL backup and recovery as small Unix filters.
# One flat Makefile: every cmd/cr-X.c becomes a tool linked against libcr.a,
# which holds every lib/LAYER/*.c module.  New tools and modules need no edits here.

# The version: a release tarball's VERSION file (make dist writes it), else
# what git says of the checkout (the tag, commits since, -dirty), "v" dropped.
VERSION  := $(shell if [ -f VERSION ]; then cat VERSION; \
              else git describe --tags --always --dirty 2>/dev/null | sed 's/^v//'; fi)
ifeq ($(VERSION),)
VERSION   = unknown
endif
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/cr
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR  ?= $(PREFIX)/lib/systemd/system
NAGIOSDIR ?= $(PREFIX)/lib/nagios/plugins
LIBEXECDIR ?= $(PREFIX)/libexec/cr

CC       ?= cc
PKGS      = libpq zlib libbsd libdeflate libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/include/postgresql)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpq -lz -lbsd -ldeflate -lcrypto)

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DCR_VERSION='"$(VERSION)"' -Ilib $(PKG_CFLAGS) \
             $(WARN) $(CFLAGS) -pthread
LDLIBS    = $(PKG_LIBS) -pthread

# SANITIZE=1 builds into its own tree so a sanitizer build never mixes with a plain one.
ifeq ($(SANITIZE),1)
VARIANT   = sanitize
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
else ifeq ($(SANITIZE),thread)
# The threaded code (cr-gz's workers, cr-restore -j) under ThreadSanitizer.
VARIANT   = tsan
ALL_CFLAGS += -O1 -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=thread
else
VARIANT   = default
endif
O         = build/$(VARIANT)
# $(O)/VERSION holds the version the tools are built with, rewritten (as
# make reads this file) only when it changes: a commit rebuilds the tools
# that print it, and nothing else does.
VERSION_STAMP := $(shell mkdir -p $(O) && { [ "$$(cat $(O)/VERSION 2>/dev/null)" = '$(VERSION)' ] || \
                   echo '$(VERSION)' > $(O)/VERSION; })

TOOLS     = $(patsubst cmd/%.c,%,$(wildcard cmd/cr-*.c))
SCRIPTS   = $(wildcard cmd/cr-*.sh)
LIBSRC    = $(wildcard lib/*/*.c)
LIBHDR    = $(wildcard lib/*/*.h)
LIBOBJ    = $(patsubst lib/%.c,$(O)/lib/%.o,$(LIBSRC))
BINS      = $(addprefix $(O)/bin/,$(TOOLS)) $(patsubst cmd/%.sh,$(O)/bin/%,$(SCRIPTS))
MANPAGES  = $(wildcard man/*.1)

BATS_FLAGS ?= --tap

.PHONY: all version dist deps check unit check-threads lint-man bench demo install uninstall clean
.SUFFIXES:
# Keep the objects make builds on the way to a tool (cmd/X.o), so a second
# `make` finds everything up to date instead of relinking.
.SECONDARY:

all: $(BINS)

# Before the first compile: the build prerequisites, or one line naming the
# missing packages and `make deps` (no compiler error about bsd/string.h).
$(O)/prereqs.ok: contrib/deps.sh
	@mkdir -p $(@D)
	@sh contrib/deps.sh --check --build
	@touch $@

$(O)/lib/%.o: lib/%.c $(LIBHDR) Makefile | $(O)/prereqs.ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

version:
	@echo "$(VERSION)"

$(O)/cmd/%.o: cmd/%.c $(LIBHDR) Makefile $(O)/VERSION | $(O)/prereqs.ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libcr.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/bin/%: $(O)/cmd/%.o $(O)/libcr.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(O)/libcr.a $(LDLIBS)

# Wrapper scripts: copied with the version stamped in, and the code they
# share (cmd/wrapper.bash) in place of the line that sources it: one file each.
$(O)/bin/%: cmd/%.sh cmd/wrapper.bash Makefile $(O)/VERSION
	@mkdir -p $(@D)
	sed -e 's/@VERSION@/$(VERSION)/g' -e '/^\. .*\/wrapper\.bash"$$/{r cmd/wrapper.bash' -e 'd;}' \
	    -e '/^# shellcheck source=cmd\/wrapper\.bash$$/d' $< > $@.tmp && \
	chmod 755 $@.tmp && mv $@.tmp $@

# Prerequisites: checked, and installed with apt-get when missing and we are root.
deps:
	@sh contrib/deps.sh

lint-man:
	@out=$$(mandoc -Tlint -Wwarning $(MANPAGES) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

# C unit tests of lib/'s modules: each tests/unit/test_X.c is a program
# linked against libcr.a into $(O)/unit (so SANITIZE=1 sanitizes them too);
# make unit runs them all and fails if one failed (docs/design.md, "Tests").
UNITSRC   = $(wildcard tests/unit/test_*.c)
UNITBINS  = $(patsubst tests/unit/%.c,$(O)/unit/%,$(UNITSRC))
$(O)/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBHDR) $(O)/libcr.a Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(O)/libcr.a $(LDLIBS)
unit: $(UNITBINS)
	@rc=0; for t in $(UNITBINS); do $$t || rc=1; done; exit $$rc

check: deps all unit
	CR_BIN=$(CURDIR)/$(O)/bin CR_SANITIZE=$(SANITIZE) bats $(BATS_FLAGS) tests

# The tests of the threaded tools (cr-gz's workers, cr-restore -j's worker
# connections) on a ThreadSanitizer build: a race is reported and the tool
# exits 66, so the test that ran it fails.  Without address-space
# randomisation (setarch -R), as ThreadSanitizer's fixed memory layout
# fails to start under a kernel that randomises more bits than it expects.
THREAD_TESTS = tests/gz.bats tests/restore-parallel.bats
check-threads: deps
	$(MAKE) SANITIZE=thread all
	CR_BIN=$(CURDIR)/build/tsan/bin CR_SANITIZE=thread TSAN_OPTIONS=exitcode=66 \
	    setarch "$$(uname -m)" -R bats $(BATS_FLAGS) $(THREAD_TESTS)

bench: deps all
	CR_BIN=$(CURDIR)/$(O)/bin sh bench/run.sh

demo: deps all
	CR_BIN=$(CURDIR)/$(O)/bin bash contrib/demo.sh

# make install: the tools, man pages, bash completion (one file, linked
# under each command's name for bash-completion's loader), the systemd
# units (ExecStart in BINDIR), the monitoring scripts (the Nagios plugin
# where Nagios looks, the textfile exporter in LIBEXECDIR; both find the
# tools of this prefix first), and LICENSE, NEWS, README.  DESTDIR is
# prepended to every path, for packaging.
UNITS     = $(wildcard contrib/systemd/*)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(NAGIOSDIR) \
	    $(DESTDIR)$(LIBEXECDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1
	install -m 644 LICENSE NEWS README.md $(DESTDIR)$(DOCDIR)
	install -m 644 contrib/completion/cr.bash $(DESTDIR)$(COMPLETIONDIR)/cr
	for t in $(notdir $(BINS)); do ln -sf cr $(DESTDIR)$(COMPLETIONDIR)/$$t || exit 1; done
	for u in $(UNITS); do \
	    sed 's|/usr/local/bin/|$(BINDIR)/|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done
	sed '2a PATH=$(BINDIR):$$PATH  # make install: the cr tools of this prefix first' \
	    contrib/monitoring/check_cr_backup > $(DESTDIR)$(NAGIOSDIR)/check_cr_backup
	sed '2a PATH=$(BINDIR):$$PATH  # make install: the cr tools of this prefix first' \
	    contrib/monitoring/cr-backup-textfile > $(DESTDIR)$(LIBEXECDIR)/cr-backup-textfile
	chmod 755 $(DESTDIR)$(NAGIOSDIR)/check_cr_backup $(DESTDIR)$(LIBEXECDIR)/cr-backup-textfile

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,LICENSE NEWS README.md)
	rm -f $(addprefix $(DESTDIR)$(COMPLETIONDIR)/,cr $(notdir $(BINS)))
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(NAGIOSDIR)/check_cr_backup $(DESTDIR)$(LIBEXECDIR)/cr-backup-textfile
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

# make dist: cr-VERSION.tar.gz (in DIST_DIR) of the files git tracks, as they
# are in the work tree, with the VERSION file that stands in for git there.
DIST_DIR ?= .
DIST      = cr-$(VERSION)
dist:
	@git ls-files >/dev/null 2>&1 || { echo "make dist: needs the git checkout" >&2; exit 1; }
	@rm -rf $(O)/dist && mkdir -p $(O)/dist/$(DIST)
	git ls-files -z | xargs -0 cp --parents -P -t $(O)/dist/$(DIST)
	echo "$(VERSION)" > $(O)/dist/$(DIST)/VERSION
	tar -C $(O)/dist --sort=name --owner=0 --group=0 --numeric-owner \
	    --mtime=@$$(git log -1 --format=%ct) -czf $(DIST_DIR)/$(DIST).tar.gz $(DIST)
	@rm -rf $(O)/dist
	@echo "$(DIST_DIR)/$(DIST).tar.gz"

clean:
	rm -rf build
