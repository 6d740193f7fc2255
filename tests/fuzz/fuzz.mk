# tests/fuzz/fuzz.mk: libFuzzer harnesses (clang 14 + ASan + UBSan) and valgrind over the unit tests.
# Included from the top Makefile, which defines BUILD, INCLUDES, HANDOFF_SRCS, CORE_SRCS, WARN, Q
# (standalone: make -f Makefile -f tests/fuzz/fuzz.mk fuzz-smoke). Needs clang, libclang-rt-14-dev
# (the libFuzzer and sanitizer runtimes), valgrind. See docs/fuzzing.md.
#
#   make fuzz            each harness for FUZZ_SECONDS (default 60)
#   make fuzz-smoke      each harness for FUZZ_SMOKE_SECONDS (default 5), for `make test`
#   make fuzz-one FUZZ_TARGET=normalize [FUZZ_SECONDS=600]
#   make valgrind-unit   the unit tests, built without sanitizers, under valgrind

.PHONY: fuzz fuzz-smoke fuzz-one fuzz-build fuzz-seeds valgrind-unit

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_DIR := tests/fuzz
FUZZ_OUT := $(BUILD)/fuzz

# A harness whose parser source is missing (a module still being written) is left out.
FUZZ_NEEDS_config := loader/core/config.c
FUZZ_NEEDS_memtext := loader/core/memtext.c
FUZZ_ALL := $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(sort $(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_NAMES := $(foreach n,$(FUZZ_ALL),$(if $(FUZZ_NEEDS_$(n)),$(if $(wildcard $(FUZZ_NEEDS_$(n))),$(n)),$(n)))
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_NAMES))

# The library objects carry coverage instrumentation (fuzzer-no-link); only the harness link
# pulls in libFuzzer's main.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -g -O1 $(WARN) $(INCLUDES) -I$(FUZZ_DIR) -DTB_HOST=1 $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -MMD -MP
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(HANDOFF_SRCS) $(CORE_SRCS))
FUZZ_LIB := $(FUZZ_OUT)/libtagboot-fuzz.a

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/$(FUZZ_DIR)/fuzz_%.o $(FUZZ_LIB)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB)

# Keep the harness objects (make would delete them as intermediates and relink every time).
.SECONDARY: $(patsubst %,$(FUZZ_OUT)/obj/$(FUZZ_DIR)/fuzz_%.o,$(FUZZ_NAMES)) \
	$(patsubst tests/unit/%.c,$(BUILD)/valgrind/obj/tests/unit/%.o,$(wildcard tests/unit/test_*.c))

fuzz-build: $(FUZZ_BINS)

# Seeds: regenerated on every run (cheap) so they follow the fixtures, the ESP and the tools.
FUZZ_SEEDGEN := $(FUZZ_OUT)/seedgen
$(FUZZ_SEEDGEN): $(FUZZ_DIR)/seedgen.c $(HANDOFF_SRCS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -std=c11 -O1 $(WARN) $(INCLUDES) -o $@ $^

fuzz-seeds: $(FUZZ_SEEDGEN)
	$(Q)$(FUZZ_DIR)/make-seeds.sh $(FUZZ_OUT)/seeds $(FUZZ_SEEDGEN) $(BUILD)

# Each run: tests/fuzz/run-fuzz.sh (corpus in $(FUZZ_OUT)/corpus, crashes in $(FUZZ_OUT)/artifacts).
FUZZ_RUN := $(FUZZ_DIR)/run-fuzz.sh $(FUZZ_OUT)

fuzz: fuzz-build fuzz-seeds
	$(Q)$(FUZZ_RUN) $(FUZZ_SECONDS) $(FUZZ_NAMES)
	@echo "fuzz: $(words $(FUZZ_NAMES)) harnesses ran $(FUZZ_SECONDS)s each without a crash"

fuzz-smoke: fuzz-build fuzz-seeds
	$(Q)$(FUZZ_RUN) $(FUZZ_SMOKE_SECONDS) $(FUZZ_NAMES)
	@echo "fuzz-smoke: $(words $(FUZZ_NAMES)) harnesses ran $(FUZZ_SMOKE_SECONDS)s each without a crash"

FUZZ_TARGET ?= normalize
fuzz-one: $(FUZZ_OUT)/fuzz_$(FUZZ_TARGET) fuzz-seeds
	$(Q)$(FUZZ_RUN) $(FUZZ_SECONDS) $(FUZZ_TARGET)

# ---------------------------------------------------------------------------------------------
# valgrind over the unit tests: the same tests/unit/test_*.c and sources, built with gcc and no
# sanitizers (ASan and valgrind cannot share a process), each run once from the repo root.
# ---------------------------------------------------------------------------------------------

VALGRIND_CC ?= gcc
VALGRIND_OUT := $(BUILD)/valgrind
VALGRIND_CFLAGS := -std=c11 -g -O1 $(WARN) $(INCLUDES) -DTB_HOST=1 -MMD -MP
VALGRIND_FLAGS := --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible \
	--track-origins=yes --quiet
VALGRIND_UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
VALGRIND_LIB_OBJS := $(patsubst %.c,$(VALGRIND_OUT)/obj/%.o,$(HANDOFF_SRCS) $(CORE_SRCS))
VALGRIND_LIB := $(VALGRIND_OUT)/libtagboot.a
VALGRIND_BINS := $(patsubst tests/unit/%.c,$(VALGRIND_OUT)/%,$(VALGRIND_UNIT_SRCS))

$(VALGRIND_OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(VALGRIND_CC) $(VALGRIND_CFLAGS) -c $< -o $@

$(VALGRIND_LIB): $(VALGRIND_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(VALGRIND_OUT)/test_%: $(VALGRIND_OUT)/obj/tests/unit/test_%.o $(VALGRIND_LIB)
	$(Q)$(VALGRIND_CC) -o $@ $< $(VALGRIND_LIB) -lcmocka

valgrind-unit: $(VALGRIND_BINS)
	$(Q)failed=0; for t in $(VALGRIND_BINS); do \
		echo "== valgrind $$(basename $$t)"; \
		valgrind $(VALGRIND_FLAGS) $$t >$$t.log 2>&1 || \
			{ failed=$$((failed + 1)); tail -n 40 $$t.log; echo "FAILED: $$t (log $$t.log)"; }; \
	done; \
	echo "valgrind-unit: $(words $(VALGRIND_BINS)) binaries, $$failed failed"; [ $$failed -eq 0 ]
