# gorca build. `make` builds build/gorca and libgorca (static + shared).
#   make test     install missing deps, build, run every test, then the whole suite under ASan+UBSan
#   make check    build and run the tests once (no dependency install, no sanitizers)
#   make asan     the whole test suite under ASan+UBSan (build/asan)
#   make fuzz     libFuzzer harnesses with clang, FUZZ_SECONDS each (default 30)
#   make bench    gorca vs go tool pprof / go tool trace on the same large inputs
#   make demo     install missing deps, build, analyse the bundled sample capture
#   make install  PREFIX=/usr/local DESTDIR=
# Knobs: CC=clang, SANITIZER=address,undefined, BUILD=dir, O=-O2.

CC ?= cc
O ?= -O2
BUILD ?= build
PREFIX ?= /usr/local
SANITIZER ?=
FUZZ_SECONDS ?= 30

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wpointer-arith -Wwrite-strings -Wvla -Wformat=2 \
        -Wimplicit-fallthrough -Wundef -fno-common -Werror
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Isrc
# CFLAGS/LDFLAGS from the command line are added to, not substituted for, ours.
ALL_CFLAGS = $(O) -g $(WARN) -fPIC -MMD -MP $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_LDFLAGS) $(LDFLAGS)
LIBS := -ldeflate -lz -lcurl -lpcre2-8 -ljansson -lm -lpthread

ifneq ($(SANITIZER),)
SAN_FLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LDFLAGS := -fsanitize=$(SANITIZER)
endif

LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_LIB_SRC := $(sort $(wildcard tests/lib/*.c))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_LIB_OBJ := $(TEST_LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
REGRESS_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/regress_%)

VERSION := $(shell sed -n 's/^\#define GORCA_VERSION "\(.*\)"/\1/p' include/gorca/gorca.h)

.PHONY: all test check asan fuzz bench demo install clean deps format format-check tests
all: $(BUILD)/gorca $(BUILD)/libgorca.a $(BUILD)/libgorca.so

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libgorca.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libgorca.so: $(LIB_OBJ) src/libgorca.map
	$(CC) -shared -Wl,-soname,libgorca.so.0 -Wl,--version-script=src/libgorca.map $(ALL_LDFLAGS) \
	    -o $@ $(LIB_OBJ) $(LIBS)

$(BUILD)/gorca: $(CLI_OBJ) $(BUILD)/libgorca.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libgorca.a $(LIBS)

$(BUILD)/tests/%: tests/%.c $(TEST_LIB_OBJ) $(BUILD)/libgorca.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/lib $(ALL_CFLAGS) -o $@ $< $(TEST_LIB_OBJ) $(BUILD)/libgorca.a \
	    $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/fuzz/regress_%: fuzz/%.c fuzz/regress_main.c $(BUILD)/libgorca.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< fuzz/regress_main.c $(BUILD)/libgorca.a $(ALL_LDFLAGS) $(LIBS)

tests: all $(TEST_BIN) $(REGRESS_BIN)

deps:
	@if [ -z "$$GORCA_SKIP_DEPS" ]; then bash scripts/install-deps.sh; fi

# The full test run: deps, normal build and tests, then the sanitizer build and tests.
test: deps
	$(MAKE) check
	$(MAKE) asan

check: tests
	@GORCA_BUILD=$(BUILD) bash tests/run.sh

asan:
	$(MAKE) tests BUILD=build/asan CC=clang SANITIZER=address,undefined O=-O1
	@GORCA_BUILD=build/asan GORCA_SANITIZED=1 \
	 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 bash tests/run.sh

fuzz:
	@bash fuzz/run.sh $(FUZZ_SECONDS)

bench: all
	@bash bench/run.sh

demo: deps all
	@bash scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/gorca \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/gorca $(DESTDIR)$(PREFIX)/bin/gorca
	install -m 644 $(BUILD)/libgorca.a $(DESTDIR)$(PREFIX)/lib/libgorca.a
	install -m 755 $(BUILD)/libgorca.so $(DESTDIR)$(PREFIX)/lib/libgorca.so.$(VERSION)
	ln -sf libgorca.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libgorca.so.0
	ln -sf libgorca.so.0 $(DESTDIR)$(PREFIX)/lib/libgorca.so
	install -m 644 include/gorca/*.h $(DESTDIR)$(PREFIX)/include/gorca/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@LIBS@|$(LIBS)|g' \
	    docs/gorca.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/gorca.pc
	install -m 644 docs/gorca.1 $(DESTDIR)$(PREFIX)/share/man/man1/gorca.1

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_LIB_OBJ:.o=.d)
