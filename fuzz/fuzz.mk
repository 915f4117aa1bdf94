# fuzz/fuzz.mk: libFuzzer harnesses (included by the Makefile).
#
#   make fuzz [FUZZ_SECONDS=60]   each harness for FUZZ_SECONDS, one line each:
#                                 fuzz NAME: execs=N execs_per_sec=R seconds=S findings=F
#   make fuzz-smoke               each harness over its seed corpus once (in `make test`)
#   make fuzz-seeds               only write the seed corpora
#   make fuzz-coverage            line and branch coverage the corpora reach, per
#                                 harness and source file (needs llvm-cov)
#
# Harnesses: container (rbpf_load, vm_init, every function run), raw
# (rbpf_load_raw, run), elf (rbpf_tool_gen, then the container checks), asm
# (asm, disasm, asm again: byte-identical), engines (the input as bytecode and
# as the seed of a generated program, run on every engine compiled in: all
# observables equal to the interpreter's; its seeds are raw's), builds (a
# generated program run by three builds linked into one binary, fast, -Os
# and switch, with budgets from the input: all observables equal, budget
# stops self-consistent; 32 seeds). Built with $(FUZZ_CC) and
# -fsanitize=fuzzer,address,undefined; the library and tool library are
# compiled again with the fuzzer's instrumentation under $(FUZZ_DIR)/obj-O*.
# Seeds are generated at run time under $(FUZZ_DIR)/seeds (fuzz/seeds.c: the
# conformance suite, edge programs, regressions; clang: fuzz/elf_seed.c and
# the samples' and benchmarks' container sources). The growing corpus lives
# in $(FUZZ_DIR)/corpus, findings in $(FUZZ_DIR)/findings; none is committed.
# docs/security.md says what each harness checks.

FUZZ_CC ?= $(CLANG)
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_HARNESSES := container raw elf asm engines builds
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(COMMON_CFLAGS) -Itests/escape -Itests/diff -Ifuzz -g $(FUZZ_SAN)
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_OBJ_SRCS := $(LIB_SRCS) $(TOOLLIB_SRCS) tests/escape/sandbox.c fuzz/oracle.c \
                 tests/diff/progen.c tests/diff/observe.c
# The interpreter has a fast build and a compact one (-Os, as firmware is
# built); the raw harness fuzzes the compact one, the others the fast one.
FUZZ_OPT_container := -O1
FUZZ_OPT_raw := -Os
FUZZ_OPT_elf := -O1
FUZZ_OPT_asm := -O1
FUZZ_OPT_engines := -O1
FUZZ_OPT_builds := -O1
FUZZ_SEEDS := $(FUZZ_DIR)/seeds
FUZZ_ELF_SEED_FLAGS := O1-v2 O2-v2 O2-v3 Os-v3 O2-v1
FUZZ_SAMPLE_SRCS := $(wildcard samples/*/container/*.c)
FUZZ_ELF_SEEDS := $(FUZZ_ELF_SEED_FLAGS:%=$(FUZZ_SEEDS)/elf/elf_seed-%.o) \
                  $(BENCH_WORKLOADS:%=$(FUZZ_SEEDS)/elf/bench-%.o) \
                  $(foreach f,$(FUZZ_SAMPLE_SRCS),$(FUZZ_SEEDS)/elf/$(subst /,-,$(f:.c=.o)))
FUZZ_BPF_FLAGS := -target bpf -ffreestanding -Wall -Werror -Iinclude/container

# Exit status 0 when $(FUZZ_CC) can build and link a libFuzzer target.
FUZZ_PROBE = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' | \
    $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined - -o $(FUZZ_DIR)/probe >/dev/null 2>&1

.PHONY: fuzz fuzz-smoke fuzz-seeds fuzz-build fuzz-coverage
# $(call fuzz_obj_rules,OPT): objects built with OPT under $(FUZZ_DIR)/objOPT.
define fuzz_obj_rules
.PRECIOUS: $(FUZZ_DIR)/obj$(1)/%.o
$(FUZZ_DIR)/obj$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $(1) -fsanitize=fuzzer-no-link -MMD -MP -c $$< -o $$@
endef
$(foreach o,$(sort $(foreach h,$(FUZZ_HARNESSES),$(FUZZ_OPT_$(h)))),$(eval $(call fuzz_obj_rules,$(o))))

# $(call fuzz_harness_rule,NAME)
define fuzz_harness_rule
$(FUZZ_DIR)/fuzz_$(1): fuzz/fuzz_$(1).c $(addprefix $(FUZZ_DIR)/obj$(FUZZ_OPT_$(1))/,$(FUZZ_OBJ_SRCS:.c=.o))
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $(FUZZ_OPT_$(1)) -fsanitize=fuzzer $$^ -o $$@
endef
$(foreach h,$(FUZZ_HARNESSES),$(eval $(call fuzz_harness_rule,$(h))))

# fuzz_builds links the library and the observer twice more, built for
# size (-Os: the compact layout) and with switch dispatch, each set made one
# object whose rbpf_* and observe_* symbols get the set's prefix
# (compact_rbpf_vm_run), so that one process runs three builds.
FUZZ_SET_SRCS := $(LIB_SRCS) tests/diff/observe.c
FUZZ_SET_FLAGS_compact := -Os
FUZZ_SET_FLAGS_switch := -O1 -DRBPF_USE_COMPUTED_GOTO=0
define fuzz_set_rules
.PRECIOUS: $(FUZZ_DIR)/set-$(1)/%.o
$(FUZZ_DIR)/set-$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $(FUZZ_SET_FLAGS_$(1)) -fsanitize=fuzzer-no-link -MMD -MP -c $$< -o $$@

$(FUZZ_DIR)/set-$(1).o: $(FUZZ_SET_SRCS:%.c=$(FUZZ_DIR)/set-$(1)/%.o)
	$$(FUZZ_CC) -r -nostdlib $$^ -o $$@.whole
	nm --defined-only -g $$@.whole | awk '$$$$3 ~ /(rbpf|observe)_/ { print $$$$3, "$(1)_" $$$$3 }' >$$@.syms
	objcopy --redefine-syms=$$@.syms $$@.whole $$@
endef
$(foreach s,compact switch,$(eval $(call fuzz_set_rules,$(s))))
$(FUZZ_DIR)/fuzz_builds: $(FUZZ_DIR)/set-compact.o $(FUZZ_DIR)/set-switch.o

$(FUZZ_DIR)/seeds-gen: fuzz/seeds.c $(BUILD)/host/tests/escape/sandbox.o $(BUILD)/host/librbpftool.a \
        $(BUILD)/host/librbpf.a
	@mkdir -p $(@D)
	$(CC) $(COMMON_CFLAGS) -Itests/escape -Ifuzz $(VFLAGS_host) $^ -o $@

$(FUZZ_SEEDS)/elf/elf_seed-%.o: fuzz/elf_seed.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_BPF_FLAGS) -$(word 1,$(subst -, ,$*)) -mcpu=$(word 2,$(subst -, ,$*)) \
	    -c $< -o $@

$(FUZZ_SEEDS)/elf/bench-%.o: bench/workloads/%.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_BPF_FLAGS) -O2 -mcpu=v3 -c $< -o $@

# A sample's container/include holds what its containers share with the host
# (contexts, bpf_appcalls.h), as mk/rbpf.mk passes it.
define fuzz_sample_rule
$(FUZZ_SEEDS)/elf/$(subst /,-,$(1:.c=.o)): $(1)
	@mkdir -p $$(@D)
	$$(CLANG) $$(FUZZ_BPF_FLAGS) $(addprefix -I,$(wildcard $(dir $(1))include)) -O2 -mcpu=v3 -c $$< -o $$@
endef
$(foreach f,$(FUZZ_SAMPLE_SRCS),$(eval $(call fuzz_sample_rule,$(f))))

$(FUZZ_SEEDS)/.done: $(FUZZ_DIR)/seeds-gen $(FUZZ_ELF_SEEDS)
	@mkdir -p $(FUZZ_SEEDS)
	$(FUZZ_DIR)/seeds-gen $(RBPF_CONFORMANCE_DIR) $(FUZZ_SEEDS) $(FUZZ_ELF_SEEDS)
	@mkdir -p $(FUZZ_SEEDS)/engines && cp $(FUZZ_SEEDS)/raw/* $(FUZZ_SEEDS)/engines/
	@# builds: seeds 1..32, every feature, four consecutive budgets from 1
	@mkdir -p $(FUZZ_SEEDS)/builds && for i in $$(seq 1 32); do \
	    printf "\\$$(printf %03o $$i)\\000\\000\\000\\000\\000\\000\\000\\017\\000\\000\\377\\000\\377\\000\\377\\000" \
	        >$(FUZZ_SEEDS)/builds/seed-$$i; done
	@touch $@

# Coverage builds: no sanitizers, so the counts are the code's own.
FUZZ_COV_FLAGS := $(COMMON_CFLAGS) -Itests/escape -Itests/diff -Ifuzz -O1 -g -fprofile-instr-generate \
                  -fcoverage-mapping
$(FUZZ_DIR)/cov/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJ_SRCS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_COV_FLAGS) -fsanitize=fuzzer $^ -o $@

fuzz-coverage: $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/cov/fuzz_%) $(FUZZ_SEEDS)/.done
	@sh fuzz/coverage.sh $(FUZZ_DIR) $(FUZZ_HARNESSES)

fuzz-seeds: $(FUZZ_SEEDS)/.done
fuzz-build: $(FUZZ_BINS)

fuzz:
	@mkdir -p $(FUZZ_DIR)
	@if ! $(FUZZ_PROBE); then \
	    echo "fuzz: $(FUZZ_CC) cannot link libFuzzer (install clang and libclang-rt-14-dev)"; \
	    exit 1; fi
	@$(MAKE) --no-print-directory fuzz-build fuzz-seeds
	@sh fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-smoke:
	@mkdir -p $(FUZZ_DIR)
	@if ! $(FUZZ_PROBE); then \
	    echo "fuzz-smoke: skipped ($(FUZZ_CC) cannot link libFuzzer: install libclang-rt-14-dev)"; \
	else \
	    $(MAKE) --no-print-directory fuzz-build fuzz-seeds && \
	    sh fuzz/run.sh $(FUZZ_DIR) 0 $(FUZZ_HARNESSES); fi

TEST_TARGETS += fuzz-smoke
