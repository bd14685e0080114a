# dissent — one Makefile, no generated build system.
#
#   make run     install missing packages, build, create dissent.db with a demo, serve on 127.0.0.1:8080
#   make check   every test: unit, vectors, sanitizers, constant time, fuzz smoke, end-to-end, browser
#   make bench   benchmarks (figures printed, never asserted)
#
# Sources are discovered: every src/<layer>/*.c goes into the library, every
# tests/unit/<layer>/test_*.c and tests/vectors/test_*.c becomes one test program,
# every bench/bench_*.c one benchmark. Adding a file needs no edit here.

BUILD    ?= build
SAN      ?=
CC       ?= gcc
PKGS     := libmicrohttpd jansson sqlite3 libsodium libcurl libcmark libpq liboath
OPT      ?= -O2

# Debian's libdecaf-dev has no pkg-config file and its headers include each
# other as <decaf/...> from inside /usr/include/decaf (see shared DESIGN.md).
DECAF_CFLAGS := -I/usr/include/decaf
DECAF_LIBS   := -ldecaf

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS_BASE := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
               -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -fno-common -g
ifeq ($(CTGRIND),1)
CFLAGS_BASE += -DRING_CTGRIND
endif
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1
endif
CFLAGS  += $(CFLAGS_BASE) $(OPT) $(SANFLAGS) -Isrc $(PKG_CFLAGS) $(DECAF_CFLAGS)
LDLIBS  += $(PKG_LIBS) $(DECAF_LIBS) -lpthread -lm
LDFLAGS += $(SANFLAGS)

# Each layer is its own archive, so a test of one layer links (and builds)
# only that layer and those below it (see ../shared/DESIGN.md for who may call whom).
LAYERS      := base tlog ring proto store channel http client cli
DEPS_base   := base
DEPS_tlog   := tlog base
DEPS_ring   := ring base
DEPS_proto  := proto ring tlog base
DEPS_store  := store base
DEPS_channel:= channel store proto tlog ring base
DEPS_http   := http channel store proto tlog ring base
DEPS_client := client proto ring tlog base
DEPS_cli    := cli http client channel store proto tlog ring base
layer_libs   = $(foreach l,$(DEPS_$(1)),$(BUILD)/lib/lib$(l).a)

MAIN_SRC  := src/main.c
UNIT_SRC  := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN  := $(UNIT_SRC:%.c=$(BUILD)/%)
VEC_SRC   := $(wildcard tests/vectors/*/test_*.c)
VEC_BIN   := $(VEC_SRC:%.c=$(BUILD)/%)
BENCH_SRC := $(wildcard bench/*/bench_*.c)
BENCH_BIN := $(BENCH_SRC:%.c=$(BUILD)/%)

VECTORS ?= $(abspath ../shared/vectors)
DEPS_STAMP := .deps-ok

.PHONY: all deps run check unit vectors asan ct fuzz e2e browser bench clean format lint wasm wasm-test
all: $(BUILD)/dissent

# web/ is compiled into the binary through two generated, committed files:
# they are remade whenever a file under web/ changes (and `make lint` fails
# when the committed ones are stale, e.g. in a clean clone).
WEB_STATIC    := $(wildcard web/static/* web/static/anon/*)
WEB_TEMPLATES := $(wildcard web/templates/*.html)
src/http/static.inc src/http/tmpl.inc &: $(WEB_STATIC) $(WEB_TEMPLATES) tools/embed.sh
	@sh tools/embed.sh
$(BUILD)/obj/src/http/static.o: src/http/static.inc
$(BUILD)/obj/src/http/tmpl.o: src/http/tmpl.inc

# Every C file we write, formatted by .clang-format (the .inc files are generated).
FORMAT_SRC = $(filter-out %.inc,$(shell git ls-files --cached --others --exclude-standard 'src/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' 2>/dev/null))

# The browser's signing module: src/ring and src/proto/anon.c compiled to
# WebAssembly with Debian's clang/lld/wasi-libc, against libsodium and
# libdecaf built from Debian's source tarballs (tools/wasm/). `serve` finds
# it beside the binary ($(BUILD)/wasm/) and serves /static/anon/dissent-ring.wasm.
WASM_SRC := $(wildcard src/ring/*.[ch] tools/wasm/*.[ch] tools/wasm/include/*.h src/base/*.h \
              src/proto/*.h src/tlog/*.h src/client/*.h) \
            $(addprefix src/,base/err.c base/util.c base/buf.c base/json.c base/json_out.c proto/anon.c \
              proto/events.c \
              proto/commit.c proto/names.c proto/receipt.c tlog/hash.c tlog/note.c tlog/checkpoint.c \
              tlog/proof.c client/anon.c client/ringcheck.c client/logrange.c client/receipts.c \
              ) \
            tools/wasm/build.sh tools/wasm/fetch-sources.sh
wasm: $(BUILD)/wasm/dissent-ring.wasm
$(BUILD)/wasm/dissent-ring.wasm: $(WASM_SRC)
	@bash scripts/deps.sh wasm
	@sh tools/wasm/build.sh $@

# The native side of the compatibility tests and the browser benchmark.
$(BUILD)/wasm/ringtool: tools/wasm/ringtool.c $(call layer_libs,ring)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $< $(call layer_libs,ring) $(LDFLAGS) $(LDLIBS)

# The module under Node.js: shared vectors, CLI byte compatibility (tests/wasm/).
wasm-test: $(BUILD)/wasm/dissent-ring.wasm $(BUILD)/dissent $(BUILD)/wasm/ringtool
	@DISSENT_VECTORS=$(VECTORS) DISSENT_BIN=$(abspath $(BUILD)/dissent) \
	  DISSENT_RINGTOOL=$(abspath $(BUILD)/wasm/ringtool) \
	  DISSENT_WASM=$(abspath $(BUILD)/wasm/dissent-ring.wasm) node --test tests/wasm/

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@bash scripts/deps.sh
	@touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

define layer_rule
$(BUILD)/lib/lib$(1).a: $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard src/$(1)/*.c))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	@ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

$(BUILD)/dissent: $(BUILD)/obj/$(MAIN_SRC:.c=.o) $(call layer_libs,cli)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# tests/unit/<layer>/test_x.c and tests/vectors/<layer>/test_x.c link <layer> and below.
# _XOPEN_SOURCE: nftw, which tests/unit/test_tmp.h removes a test's (or a bench's) files with.
# Each program's .d lists the headers it includes (a fixture's change relinks its tests).
TEST_CFLAGS := -Itests -D_XOPEN_SOURCE=700
.SECONDEXPANSION:
$(BUILD)/tests/%: tests/%.c $$(call layer_libs,$$(word 2,$$(subst /, ,$$*)))
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -MF $@.d -MT $@ -o $@ $< $(call layer_libs,$(word 2,$(subst /, ,$*))) $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c $$(call layer_libs,$$(word 1,$$(subst /, ,$$*)))
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -MF $@.d -MT $@ -o $@ $< $(call layer_libs,$(word 1,$(subst /, ,$*))) $(LDFLAGS) $(LDLIBS)

run: $(BUILD)/dissent
	@$(MAKE) --no-print-directory wasm || echo "make run: no signing module (make wasm failed): anonymous signing in the browser is off"
	@bash scripts/run.sh $(BUILD)/dissent

unit: $(UNIT_BIN)
	@bash scripts/run-tests.sh unit $(UNIT_BIN)

vectors: $(VEC_BIN)
	@DISSENT_VECTORS=$(VECTORS) bash scripts/run-tests.sh vectors $(VEC_BIN)

asan: | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 unit vectors

# The prover's constant-time check (tests/ct/, docs/testing.md): src/ring built
# with its secrets marked for valgrind's memcheck, which fails the run on any
# branch or memory index that depends on them.
CT_BIN := build-ct/tests/ct/ring/test_prover_ct
ct: | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=build-ct CTGRIND=1 $(CT_BIN)
	@valgrind -q --error-exitcode=1 --track-origins=yes --suppressions=tests/ct/valgrind.supp $(CT_BIN)

# Coverage-guided fuzzing with clang's libFuzzer (tests/fuzz/, docs/testing.md);
# FUZZ_SECONDS per harness (check uses a short smoke run).
fuzz: | $(DEPS_STAMP)
	@bash tests/fuzz/run.sh

e2e: $(BUILD)/dissent $(BUILD)/wasm/ringtool
	@bash tests/e2e/run.sh $(abspath $(BUILD)/dissent)

browser: $(BUILD)/dissent $(BUILD)/wasm/dissent-ring.wasm $(BUILD)/wasm/ringtool
	@if [ -f tests/browser/run.sh ]; then bash tests/browser/run.sh $(abspath $(BUILD)/dissent); fi

# Fails on a file clang-format would change, and on stale generated files.
lint: | $(DEPS_STAMP)
	@clang-format --dry-run -Werror $(FORMAT_SRC) || { echo "lint: run 'make format' and commit" >&2; exit 1; }
	@sh tools/embed.sh --check
	@! grep -rn --include='*.[ch]' '"/tmp/[^"]*XXXXXX' tests bench || \
	  { echo "lint: make temporary files under \$$TMPDIR with tests/unit/test_tmp.h (tt_template, tt_mkdtemp)" >&2; exit 1; }
	@echo "lint: formatted and generated files are current"

check: deps
	@bash scripts/deps.sh test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory all unit vectors wasm-test
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory ct
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-8} $(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory e2e browser
	@echo "make check: every suite passed (lint, unit, vectors, sanitizers, constant time, fuzz smoke, end-to-end, browser)"
	@echo "check: 9 passed, 0 failed"

# A throwaway PostgreSQL is started for the store's comparison unless
# DISSENT_BENCH_PG_URL names one (scripts/bench.sh).
# The browser's prover in Chromium next to the native one (tools/wasm/bench-browser.mjs;
# BENCH_REPS runs per size, default 1 here).
# Ends with the goals table of issue #12 from the figures the benches wrote
# (scripts/bench_table.sh).
bench: $(BENCH_BIN) $(BUILD)/dissent $(BUILD)/wasm/dissent-ring.wasm $(BUILD)/wasm/ringtool
	@mkdir -p $(BUILD)/bench && : > $(BUILD)/bench/figures.tsv
	@DISSENT_BENCH_FIGURES=$(abspath $(BUILD)/bench/figures.tsv) bash scripts/bench.sh $(BENCH_BIN)
	@if [ -x "$${DISSENT_CHROMIUM:-/usr/bin/chromium}" ]; then \
	  [ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund --prefer-offline --loglevel=error); \
	  echo "== tools/wasm/bench-browser.mjs"; BUILD=$(BUILD) BENCH_REPS=$${BENCH_REPS:-1} node tools/wasm/bench-browser.mjs; \
	else echo "bench: no Chromium; the browser prover's figures are skipped"; fi
	@bash scripts/bench_table.sh $(BUILD)/bench/figures.tsv

format:
	clang-format -i $(FORMAT_SRC)

clean:
	rm -rf build build-asan build-ct build-fuzz

-include $(shell find $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench -name '*.d' 2>/dev/null)
