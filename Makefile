# Phễu: build, run, test, benchmark. Libraries come from Debian packages
# through pkg-config (SPEC §13). Objects go to build/rel (the ./pheu
# binary) and build/asan (AddressSanitizer + UBSan, used by the tests).

PKGS     := libmicrohttpd sqlite3 jansson libsodium libutf8proc libpq
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla
CFLAGS   ?= -O2 -g
BASEFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -Ibuild/gen \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

SRC      := $(shell find src -name '*.c' | sort)
LIBSRC   := $(filter-out src/main.c,$(SRC))
WEB      := $(shell find web -type f \( -name '*.html' -o -name '*.js' \
              -o -name '*.css' -o -name '*.json' -o -name '*.svg' \) | sort)
MIGR     := $(sort $(wildcard src/store/migrations/*.sql))
GEN      := build/gen/web_assets.c build/gen/migrations.c
HDRS     := $(shell find src -name '*.h')

REL_OBJ  := $(SRC:%.c=build/rel/%.o) $(GEN:build/gen/%.c=build/rel/gen/%.o)
ASAN_LIB := $(LIBSRC:%.c=build/asan/%.o) $(GEN:build/gen/%.c=build/asan/gen/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

PY       := /usr/bin/python3

.PHONY: all run check unit e2e browser deps-check bench fuzz lint clean

all: pheu

pheu: $(REL_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/asan/pheu: build/asan/src/main.o $(ASAN_LIB)
	$(CC) $(ASANFLAGS) -o $@ $^ $(LDLIBS)

build/rel/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) -c -o $@ $<

build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) -c -o $@ $<

build/embed: scripts/embed.c
	@mkdir -p build
	$(CC) -std=c17 -O1 $(WARN) -o $@ $<

build/gen/web_assets.c: build/embed $(WEB)
	@mkdir -p build/gen
	build/embed web_assets web $(WEB) > $@.tmp && mv $@.tmp $@

build/gen/migrations.c: build/embed $(MIGR)
	@mkdir -p build/gen
	build/embed sql_migrations src/store/migrations/ $(MIGR) > $@.tmp && \
	    mv $@.tmp $@

# ---- running ----

run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory pheu
	@./pheu init --db ./pheu.db
	@./pheu demo --db ./pheu.db
	@echo "open http://127.0.0.1:8080/ and log in as admin@demo.pheu.vn / pheu-demo"
	./pheu serve --db ./pheu.db --listen 127.0.0.1:8080

# ---- tests ----

build/asan/unit_tests: $(UNIT_SRC) $(ASAN_LIB) $(HDRS)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) -Itests/unit -o $@ $(UNIT_SRC) \
	    $(ASAN_LIB) $(LDLIBS) $(shell pkg-config --libs criterion)

export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

deps-check:
	@scripts/deps.sh check

unit: build/asan/unit_tests
	tests/with-pg.sh build/asan/unit_tests

# Every end-to-end suite runs twice: on SQLite, then on a throwaway
# PostgreSQL that tests/with-pg.sh starts and stops.
e2e: build/asan/pheu
	PHEU_BIN=$(CURDIR)/build/asan/pheu $(PY) -m pytest -q tests/e2e
	PHEU_BIN=$(CURDIR)/build/asan/pheu tests/with-pg.sh \
	    $(PY) -m pytest -q tests/e2e

tests/browser/node_modules: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser: pheu tests/browser/node_modules
	PHEU_BIN=$(CURDIR)/pheu node --test tests/browser/
	PHEU_BIN=$(CURDIR)/pheu tests/with-pg.sh node --test tests/browser/

# Banned functions (STYLE.md) and cppcheck's warnings are errors.
lint:
	@! grep -nE '\b(sprintf|strcpy|strcat|gets|atoi|strtok)\s*\(' $(SRC) \
	    || { echo "banned function (see STYLE.md)"; exit 1; }
	cppcheck --enable=warning,performance,portability --std=c11 -q \
	    --error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
	    -Isrc src

check: deps-check
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory pheu build/asan/pheu build/asan/unit_tests
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory browser

# ---- benchmarks and fuzzing ----

bench/baseline: bench/baseline.c
	$(CC) -std=c17 -O2 $(WARN) -o $@ $< $(shell pkg-config --cflags --libs libmicrohttpd)

# The database part of the CRM reads, timed without HTTP (bench_crm.sh).
bench/sqltime: bench/sqltime.c $(filter-out build/rel/src/main.o,$(REL_OBJ))
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

# HTTP figures on SQLite, then on a throwaway PostgreSQL (same run, same
# baseline): BENCH_ROUNDS interleaved rounds each. bench_crm.sh loads
# BENCH_CONTACTS (default 1,000,000) demo contacts on each engine.
# The database part of a stage move, with the checkpointer (bench_funnel.sh).
bench/stagetime: bench/stagetime.c $(filter-out build/rel/src/main.o,$(REL_OBJ))
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench: pheu bench/baseline bench/sqltime bench/stagetime
	@scripts/deps.sh bench
	BENCH_OUT=bench/RESULTS.md bench/bench_startup.sh
	BENCH_OUT=bench/RESULTS.md bench/bench_http.sh
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh sh -c \
	    'psql -q "$$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE bench" && \
	     bench/bench_http.sh --db "$$PHEU_TEST_PG_URL/bench"'
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh bench/bench_migrate.sh
	BENCH_OUT=bench/RESULTS.md bench/bench_import.sh
	BENCH_OUT=bench/RESULTS.md bench/bench_crm.sh
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh sh -c \
	    'psql -q "$$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE crm" && \
	     bench/bench_crm.sh --db "$$PHEU_TEST_PG_URL/crm"'
	BENCH_OUT=bench/RESULTS.md bench/bench_funnel.sh
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh sh -c \
	    'psql -q "$$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE funnel" && \
	     bench/bench_funnel.sh --db "$$PHEU_TEST_PG_URL/funnel"'
	BENCH_OUT=bench/RESULTS.md bench/bench_attribution.sh
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh sh -c \
	    'psql -q "$$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE attribution" && \
	     bench/bench_attribution.sh --db "$$PHEU_TEST_PG_URL/attribution"'
	BENCH_OUT=bench/RESULTS.md bench/bench_tracking.sh
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh sh -c \
	    'psql -q "$$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE tracking" && \
	     bench/bench_tracking.sh --db "$$PHEU_TEST_PG_URL/tracking"'
	bench/bench_track_api.sh
	BENCH_OUT=bench/RESULTS.md bench/bench_campaigns.sh
	BENCH_OUT=bench/RESULTS.md tests/with-pg.sh sh -c \
	    'psql -q "$$PHEU_TEST_PG_URL/postgres" -c "CREATE DATABASE campaigns" && \
	     bench/bench_campaigns.sh --db "$$PHEU_TEST_PG_URL/campaigns"'

FUZZ_SECONDS ?= 30
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -Ibuild/gen \
             -fsanitize=fuzzer,address,undefined \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

build/fuzz/%: fuzz/fuzz_%.c $(LIBSRC) $(GEN) $(HDRS)
	@mkdir -p build/fuzz
	clang $(FUZZFLAGS) -o $@ $< $(LIBSRC) $(GEN) $(LDLIBS)

fuzz:
	@scripts/deps.sh fuzz
	@for t in $(FUZZ_TARGETS); do \
	    $(MAKE) --no-print-directory build/fuzz/$$t || exit 1; \
	    mkdir -p fuzz/corpus/$$t build/fuzz/found-$$t; \
	    echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	    build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        build/fuzz/found-$$t fuzz/corpus/$$t || exit 1; \
	done

clean:
	rm -rf build pheu bench/baseline
