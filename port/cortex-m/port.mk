# port/cortex-m/port.mk: the microcontroller targets (included by the Makefile).
#
#   make size        footprint of the core per target and configuration:
#                    size <target> <config>: text= data= bss= vm_state= stack_max=
#                    (SIZE_DETAIL=N: also the N largest symbols of each)
#   make size-knobs  what each config knob costs in the core on the Cortex-M4
#   make test-mcu    on QEMU's MPS2-AN386 (Cortex-M4): the unit tests, the core
#                    checks, the whole conformance suite and the basic sample,
#                    each in its own image and on every engine the build has,
#                    and a differential test of 10,000 random programs, every
#                    engine against the interpreter,
#                    for several builds of the library; the Cortex-M0+ build on
#                    QEMU's microbit
#   make bench-mcu   fletcher32 (built for cpu v3 and v2) in the VM, as loaded
#                    and on each engine, and natively on the emulated
#                    Cortex-M4, counting guest instructions; and each
#                    engine's preparation (instructions, RAM); then the other
#                    bench workloads on every engine (bench_engines.c, QEMU's
#                    instruction clock), with the JIT's code size and compile
#                    cost for all of them
#
# docs/port.md says how each figure is taken. `make test` runs test-mcu when
# qemu-system-arm and arm-none-eabi-gcc are installed, and says so when not.

MCU_DIR := port/cortex-m
MCU_BUILD := $(BUILD)/mcu
ARM_PREFIX ?= arm-none-eabi-
RISCV_PREFIX ?= riscv64-unknown-elf-
QEMU_ARM ?= qemu-system-arm
MCU_RUN := $(MCU_DIR)/run-qemu.sh

# ---- make size ------------------------------------------------------------
SIZE_TARGETS := cortex-m4 cortex-m0plus rv32imac

SIZE_CC_rv32imac := $(RISCV_PREFIX)gcc

.PHONY: size
size:
	@set -e; for t in $(SIZE_TARGETS); do \
	    case $$t in rv32imac) cc=$(SIZE_CC_rv32imac) ;; *) cc=$(ARM_PREFIX)gcc ;; esac; \
	    if ! command -v $$cc >/dev/null; then echo "size $$t: skipped ($$cc not found)"; continue; fi; \
	    ARM_PREFIX=$(ARM_PREFIX) RISCV_PREFIX=$(RISCV_PREFIX) $(MCU_DIR)/size.sh $$t full $(MCU_BUILD)/size/$$t-full $(LIB_CORE_SRCS); \
	    ARM_PREFIX=$(ARM_PREFIX) RISCV_PREFIX=$(RISCV_PREFIX) $(MCU_DIR)/size.sh $$t interp $(MCU_BUILD)/size/$$t-interp $(LIB_CORE_SRCS); \
	    ARM_PREFIX=$(ARM_PREFIX) RISCV_PREFIX=$(RISCV_PREFIX) $(MCU_DIR)/size.sh $$t minimal $(MCU_BUILD)/size/$$t-minimal $(LIB_CORE_SRCS); \
	    ARM_PREFIX=$(ARM_PREFIX) RISCV_PREFIX=$(RISCV_PREFIX) $(MCU_DIR)/size.sh $$t full+helpers $(MCU_BUILD)/size/$$t-full+helpers $(LIB_SRCS); \
	done
	@if command -v $(ARM_PREFIX)gcc >/dev/null; then text() { sed -n 's/.* text=\([0-9]*\) .*/\1/p'; }; \
	    with=$$(ARM_PREFIX=$(ARM_PREFIX) $(MCU_DIR)/size.sh cortex-m4 full $(MCU_BUILD)/size/jit $(LIB_CORE_SRCS) | text); \
	    for e in jit:RBPF_ENABLE_JIT threaded:RBPF_ENABLE_THREADED; do \
	        without=$$(SIZE_CFLAGS=-D$${e#*:}=0 ARM_PREFIX=$(ARM_PREFIX) $(MCU_DIR)/size.sh cortex-m4 full \
	            $(MCU_BUILD)/size/jit $(LIB_CORE_SRCS) | text); \
	        echo "size cortex-m4 $${e%%:*}: text=$$((with - without)) (the engine's flash: full with and without $${e#*:})"; \
	    done; \
	fi

# Each knob turned off alone in the full core, against full.
SIZE_KNOBS := RBPF_ENABLE_ALU32=0 RBPF_ENABLE_JMP32=0 RBPF_ENABLE_ATOMIC=0 \
              RBPF_ENABLE_LOCAL_CALLS=0 RBPF_ENABLE_ERROR_TEXT=0 RBPF_ENABLE_JIT=0 RBPF_ENABLE_THREADED=0 \
              RBPF_USE_COMPUTED_GOTO=0
.PHONY: size-knobs
size-knobs:
	@set -e; text() { sed -n 's/.* text=\([0-9]*\) .*/\1/p'; }; \
	full=$$(ARM_PREFIX=$(ARM_PREFIX) $(MCU_DIR)/size.sh cortex-m4 full $(MCU_BUILD)/size/knob $(LIB_CORE_SRCS) | text); \
	echo "size-knobs cortex-m4 full: text=$$full"; \
	for k in $(SIZE_KNOBS); do \
	    t=$$(SIZE_CFLAGS=-D$$k ARM_PREFIX=$(ARM_PREFIX) $(MCU_DIR)/size.sh cortex-m4 full \
	        $(MCU_BUILD)/size/knob $(LIB_CORE_SRCS) | text); \
	    echo "size-knobs cortex-m4 $$k: text=$$t ($$((full - t)) less)"; \
	done

# ---- MCU images ------------------------------------------------------------
# The library is built as a firmware would build it (-Os, Thumb-2, sections
# for --gc-sections); the images add startup, semihosting and a test main.
# The builds, each under $(MCU_BUILD)/<variant>/ with its own library:
#   full     the default configuration (-Os: the interpreter's compact layout,
#            switch dispatch)
#   minimal  -DRBPF_MINIMAL=1 (tests of compiled-out features are skipped)
#   o2       full at -O2: the fast layout with computed goto on a 32-bit core
#   ubsan    full, with the library under -fsanitize=undefined in trap mode:
#            any undefined behaviour on the 32-bit core faults the image
#   clang    the same with the library built by clang (whose sanitizer also
#            checks pointer arithmetic, e.g. an unsigned offset that wraps)
#   m0plus   full, built for the Cortex-M0+ (Armv6-M) and run on QEMU's
#            microbit (a Cortex-M0 with 16 KiB of RAM)
# Per variant: MCU_ARCH_<v>, MCU_LD_<v> (linker script), MCU_MACHINE_<v>
# (QEMU board), defaulting to the Cortex-M4 on mps2-an386.
MCU_ARCH := -mcpu=cortex-m4 -mthumb
MCU_LD := $(MCU_DIR)/mps2-an386.ld
MCU_MACHINE := mps2-an386
MCU_BASE_CFLAGS := -Os -g -ffunction-sections -fdata-sections $(COMMON_CFLAGS) -I$(MCU_DIR)
MCU_CFLAGS := $(MCU_ARCH) $(MCU_BASE_CFLAGS)
MCU_LDFLAGS := -nostartfiles -Wl,--gc-sections -Wl,--no-warn-execstack \
               -L$(MCU_DIR)
mcu_arch = $(or $(MCU_ARCH_$(1)),$(MCU_ARCH))
mcu_ld = $(or $(MCU_LD_$(1)),$(MCU_LD))
mcu_machine = $(or $(MCU_MACHINE_$(1)),$(MCU_MACHINE))
MCU_CONFORMANCE_JSON := $(RBPF_CONFORMANCE_DIR)/assembled.json
MCU_HAVE_SUITE := $(if $(wildcard $(MCU_CONFORMANCE_JSON)),yes)
MCU_HAVE_CLANG := $(if $(shell command -v $(CLANG) 2>/dev/null),yes)
MCU_VARIANTS := full minimal o2 ubsan $(if $(MCU_HAVE_CLANG),clang) m0plus m33
MCU_VFLAGS_full :=
MCU_VFLAGS_minimal := -DRBPF_MINIMAL=1
# -O2: the interpreter's fast layout with computed goto on a 32-bit core,
# what firmware built for speed gets (full is -Os: the compact layout).
MCU_VFLAGS_o2 := -O2
MCU_VFLAGS_ubsan :=
MCU_LIBFLAGS_ubsan := -fsanitize=undefined -fsanitize-undefined-trap-on-error
MCU_VFLAGS_clang :=
MCU_LIBFLAGS_clang := -fsanitize=undefined -fsanitize-trap=undefined
MCU_ARCH_m33 := -mcpu=cortex-m33 -mthumb
MCU_LD_m33 := $(MCU_DIR)/mps2-an505.ld
MCU_MACHINE_m33 := mps2-an505
MCU_ARCH_m0plus := -mcpu=cortex-m0plus -mthumb
MCU_LD_m0plus := $(MCU_DIR)/microbit.ld
MCU_MACHINE_m0plus := microbit
MCU_VFLAGS_m0plus := -DCONFORMANCE_STACK_BYTES=2048 -DCONFORMANCE_ENGINE_BYTES=2048 -DCORE_ENGINE_BYTES=1024
# clang for the same ABI as arm-none-eabi-gcc (short enums, soft float), with
# newlib's headers found where that gcc finds them.
MCU_NEWLIB_INC = $(patsubst %/string.h,%,$(firstword $(filter %/string.h,$(shell \
                     printf '\043include <string.h>\n' | $(ARM_PREFIX)gcc -xc -M - 2>/dev/null))))
MCU_LIBCC_clang = $(CLANG) --target=thumbv7em-none-eabi -mfloat-abi=soft -fshort-enums \
                  -isystem $(MCU_NEWLIB_INC)
# The basic sample's containers, when the sample, the tool and clang are there.
MCU_SAMPLE_DIR := samples/basic/container
MCU_SAMPLE_SRCS := $(wildcard $(MCU_SAMPLE_DIR)/*.c $(MCU_SAMPLE_DIR)/*.cpp)
MCU_SAMPLE_BINS := $(foreach s,$(MCU_SAMPLE_SRCS),$(MCU_BUILD)/sample/$(basename $(notdir $(s))).bin)
MCU_TOOL := $(BUILD)/host/rbpf
MCU_HAVE_SAMPLE := $(if $(MCU_SAMPLE_SRCS),$(if $(wildcard tools/rbpf.c),$(MCU_HAVE_CLANG)))
# The core's unit tests (tests/unit), one image per test file, on the port's
# cmocka.h (cmocka/: the part of cmocka's API they use, bare-metal).
MCU_UNIT_IMAGES := $(patsubst tests/unit/test_%.c,unit-%,$(wildcard tests/unit/test_*.c))
MCU_CORE_IMAGES := test-core $(MCU_UNIT_IMAGES) $(if $(MCU_HAVE_SUITE),conformance)
MCU_IMAGES_full := hello $(MCU_CORE_IMAGES) $(if $(MCU_HAVE_SAMPLE),sample-basic) diff escape
MCU_IMAGES_minimal := $(MCU_CORE_IMAGES)
MCU_IMAGES_o2 := $(MCU_CORE_IMAGES)
MCU_IMAGES_ubsan := $(MCU_CORE_IMAGES)
MCU_IMAGES_clang := $(MCU_CORE_IMAGES)
# The unit tests' buffers do not fit the microbit's 16 KiB of RAM.
# ARMv8-M Mainline: the JIT's other architecture, with a shorter
# differential run.
MCU_IMAGES_m33 := test-core unit-interp $(if $(MCU_HAVE_SUITE),conformance) diff
MCU_IMAGES_m0plus := test-core $(if $(MCU_HAVE_SUITE),conformance)
$(foreach u,$(MCU_UNIT_IMAGES),$(eval MCU_IMAGE_OBJS_$(u) := tests/unit/test_$(u:unit-%=%).o \
    tests/unit/unit.o $(MCU_DIR)/cmocka/cmocka.o $(MCU_DIR)/newlib_io.o))
MCU_IMAGE_OBJS_hello := $(MCU_DIR)/hello.o
MCU_IMAGE_OBJS_test-core := $(MCU_DIR)/test_core.o
MCU_IMAGE_OBJS_diff := $(MCU_DIR)/diff.o tests/diff/progen.o tests/diff/observe.o \
                       $(MCU_DIR)/newlib_io.o
MCU_IMAGE_OBJS_escape := tests/escape/escape_test.o tests/escape/sandbox.o \
                         $(MCU_DIR)/cmocka/cmocka.o $(MCU_DIR)/newlib_io.o
# The cross-build digests (tests/diff/digest.c) on the Cortex-M4, compared
# with the host builds' by make test-builds.
MCU_IMAGE_OBJS_digest := tests/diff/digest.o tests/diff/progen.o tests/diff/observe.o \
                         $(MCU_DIR)/newlib_io.o
MCU_LIBC_digest := --specs=nosys.specs
# Full newlib (stdio, and long long in snprintf, which nano lacks)
MCU_LIBC_diff := --specs=nosys.specs
MCU_LIBC_escape := --specs=nosys.specs
MCU_IMAGE_OBJS_conformance := $(MCU_DIR)/conformance.o gen/conformance_data.o
MCU_IMAGE_OBJS_sample-basic := $(MCU_DIR)/sample_basic.o gen/containers.o
MCU_IMAGE_OBJS_bench-fletcher32 := $(MCU_DIR)/bench_fletcher32.o gen/fletcher32_code.o \
                                   gen/fletcher32_v2_code.o bench/fletcher32.native.o

# $(call mcu_variant,VARIANT): objects, library and images of one build.
define mcu_variant
$(MCU_BUILD)/$(1)/src/%.o: src/%.c
	@mkdir -p $$(@D)
	$$(or $$(MCU_LIBCC_$(1)),$(ARM_PREFIX)gcc) $(call mcu_arch,$(1)) $(MCU_BASE_CFLAGS) \
	    $(MCU_VFLAGS_$(1)) $(MCU_LIBFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(MCU_BUILD)/$(1)/$(MCU_DIR)/%.o: $(MCU_DIR)/%.c
	@mkdir -p $$(@D)
	$(ARM_PREFIX)gcc $(call mcu_arch,$(1)) $$(MCU_BASE_CFLAGS) $(MCU_VFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(MCU_BUILD)/$(1)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $$(@D)
	$(ARM_PREFIX)gcc $(call mcu_arch,$(1)) $(MCU_BASE_CFLAGS) -I$(MCU_DIR)/cmocka $(MCU_VFLAGS_$(1)) \
	    -MMD -MP -c $$< -o $$@

$(MCU_BUILD)/$(1)/tests/escape/%.o: tests/escape/%.c
	@mkdir -p $$(@D)
	$(ARM_PREFIX)gcc $(call mcu_arch,$(1)) $(MCU_BASE_CFLAGS) -I$(MCU_DIR)/cmocka $(MCU_VFLAGS_$(1)) \
	    -DESCAPE_ENGINE_BYTES=262144 -MMD -MP -c $$< -o $$@

$(MCU_BUILD)/$(1)/tests/diff/%.o: tests/diff/%.c
	@mkdir -p $$(@D)
	$(ARM_PREFIX)gcc $(call mcu_arch,$(1)) $(MCU_BASE_CFLAGS) $(MCU_VFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(MCU_BUILD)/$(1)/gen/%.o: $(MCU_BUILD)/gen/%.c
	@mkdir -p $$(@D)
	$(ARM_PREFIX)gcc $(call mcu_arch,$(1)) $(MCU_BASE_CFLAGS) $(MCU_VFLAGS_$(1)) -c $$< -o $$@

$(MCU_BUILD)/$(1)/librbpf.a: $(LIB_SRCS:%.c=$(MCU_BUILD)/$(1)/%.o)
	@rm -f $$@
	$(ARM_PREFIX)ar rcs $$@ $$^

endef

# $(call mcu_image,VARIANT,IMAGE): $(MCU_BUILD)/VARIANT/IMAGE.elf.
define mcu_image
$(MCU_BUILD)/$(1)/$(2).elf: $(MCU_BUILD)/$(1)/$(MCU_DIR)/startup.o \
        $(MCU_BUILD)/$(1)/$(MCU_DIR)/semihost.o $(MCU_IMAGE_OBJS_$(2):%=$(MCU_BUILD)/$(1)/%) \
        $(MCU_BUILD)/$(1)/librbpf.a $(call mcu_ld,$(1)) $(MCU_DIR)/sections.ld
	$(ARM_PREFIX)gcc $(call mcu_arch,$(1)) $(or $(MCU_LIBC_$(2)),--specs=nano.specs) $(MCU_LDFLAGS) -T $(call mcu_ld,$(1)) \
	    -Wl,-Map,$$(@:.elf=.map) $$(filter %.o %.a,$$^) -o $$@
endef
$(foreach v,$(MCU_VARIANTS),$(eval $(call mcu_variant,$(v))))
$(foreach v,$(MCU_VARIANTS),$(foreach i,$(MCU_IMAGES_$(v)),$(eval $(call mcu_image,$(v),$(i)))))
$(eval $(call mcu_image,full,bench-fletcher32))
$(eval $(call mcu_image,o2,bench-fletcher32))

# The suite, generated at build time from the shared folder (never copied).
$(MCU_BUILD)/gen/conformance_data.c: $(MCU_CONFORMANCE_JSON) $(MCU_DIR)/conformance-gen.awk
	@mkdir -p $(@D)
	@echo "awk -f $(MCU_DIR)/conformance-gen.awk $< negative/unused-*.data > $@"
	@awk -f $(MCU_DIR)/conformance-gen.awk $< \
	    $(wildcard $(RBPF_CONFORMANCE_DIR)/negative/unused-*.data) > $@.tmp
	@mv $@.tmp $@

# A binary file as a C array: $(call mcu_bin2c,FILE,SYMBOL) > out.c
mcu_bin2c = { echo '/* Generated from $(1); do not edit. */'; \
              echo '\#include <stdint.h>'; \
              echo 'const uint8_t $(2)[] __attribute__((aligned(8))) = {'; \
              od -An -v -tx1 $(1) | awk '{ s = "   "; for (i = 1; i <= NF; i++) s = s " 0x" $$i ","; print s }'; \
              echo '};'; \
              echo 'const uint32_t $(2)_len = sizeof $(2);'; }

# The sample's containers, built and embedded by the rbpf tool.
$(MCU_BUILD)/sample/%.bin: $(MCU_SAMPLE_DIR)/%.c include/container/rbpf/container.h $(MCU_TOOL)
	@mkdir -p $(@D)
	CLANG='$(CLANG)' $(MCU_TOOL) build -o $@ -I$(MCU_SAMPLE_DIR) $<
$(MCU_BUILD)/sample/%.bin: $(MCU_SAMPLE_DIR)/%.cpp include/container/rbpf/container.h $(MCU_TOOL)
	@mkdir -p $(@D)
	CLANG='$(CLANG)' $(MCU_TOOL) build -o $@ -I$(MCU_SAMPLE_DIR) $<
$(MCU_BUILD)/gen/containers%c $(MCU_BUILD)/gen/containers%h: $(MCU_SAMPLE_BINS) $(MCU_TOOL)
	@mkdir -p $(@D)
	$(MCU_TOOL) embed -o $(MCU_BUILD)/gen/containers $(MCU_SAMPLE_BINS)
$(MCU_BUILD)/full/$(MCU_DIR)/sample_basic.o: $(MCU_BUILD)/gen/containers.h
.SECONDARY: $(MCU_SAMPLE_BINS) $(MCU_BUILD)/gen/containers.c $(MCU_BUILD)/gen/containers.h
$(MCU_BUILD)/full/$(MCU_DIR)/sample_basic.o: MCU_BASE_CFLAGS += -I$(MCU_BUILD)/gen -Isamples/basic

# The differential test's seeds: new ones each run unless given
# (MCU_DIFF_SEED=N replays a run), and how many programs.
ifndef MCU_DIFF_SEED
MCU_DIFF_SEED := $(shell od -An -N3 -tu4 /dev/urandom 2>/dev/null | tr -d ' ' || echo 1)
endif
MCU_DIFF_COUNT ?= 10000
.PHONY: mcu-diff-seed
$(MCU_BUILD)/gen/diff_seed.h: mcu-diff-seed
	@mkdir -p $(@D)
	@printf '#define DIFF_SEED %su\n#define DIFF_COUNT %su\n' '$(MCU_DIFF_SEED)' '$(MCU_DIFF_COUNT)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
$(MCU_BUILD)/gen/diff_seed_m33.h: mcu-diff-seed
	@mkdir -p $(@D)
	@printf '#define DIFF_SEED %su\n#define DIFF_COUNT %su\n' '$(MCU_DIFF_SEED)' '$(MCU_DIFF_COUNT_M33)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
MCU_DIFF_COUNT_M33 ?= 2000
$(MCU_BUILD)/full/$(MCU_DIR)/diff.o: $(MCU_BUILD)/gen/diff_seed.h
$(MCU_BUILD)/full/$(MCU_DIR)/diff.o: MCU_BASE_CFLAGS += -Itests/diff -include $(MCU_BUILD)/gen/diff_seed.h
$(MCU_BUILD)/m33/$(MCU_DIR)/diff.o: $(MCU_BUILD)/gen/diff_seed_m33.h
$(MCU_BUILD)/m33/$(MCU_DIR)/diff.o: MCU_BASE_CFLAGS += -Itests/diff -include $(MCU_BUILD)/gen/diff_seed_m33.h

# ---- make bench-mcu --------------------------------------------------------
# The workload's source is the benchmarks' own (bench/workloads/); its
# bytecode is the bare .text of clang's object (entry at offset 0).
MCU_BENCH_SRC := bench/workloads/fletcher32.c
MCU_BENCH_CLANG_FLAGS := -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Wextra -Werror

$(MCU_BUILD)/bench/fletcher32.bpf.o: $(MCU_BENCH_SRC) bench/workloads/workload.h
	@mkdir -p $(@D)
	$(CLANG) $(MCU_BENCH_CLANG_FLAGS) -c $< -o $@

# The same built for cpu v2 (no 32-bit ALU or jumps), as the Femto-Container
# VM runs it.
$(MCU_BUILD)/bench/fletcher32_v2.bpf.o: $(MCU_BENCH_SRC) bench/workloads/workload.h
	@mkdir -p $(@D)
	$(CLANG) $(subst -mcpu=v3,-mcpu=v2,$(MCU_BENCH_CLANG_FLAGS)) -c $< -o $@

$(MCU_BUILD)/bench/%.bin: $(MCU_BUILD)/bench/%.bpf.o
	llvm-objcopy -O binary --only-section=.text $< $@

$(MCU_BUILD)/gen/%_code.c: $(MCU_BUILD)/bench/%.bin
	@mkdir -p $(@D)
	@$(call mcu_bin2c,$<,$*_code) > $@

# The workloads built natively, in the builds bench-mcu counts.
define mcu_bench_native
$(MCU_BUILD)/$(1)/bench/%.native.o: bench/workloads/%.c bench/workloads/workload.h
	@mkdir -p $$(@D)
	$(ARM_PREFIX)gcc $(MCU_CFLAGS) -Ibench/workloads -c $$< -o $$@
endef
$(foreach v,full o2,$(eval $(call mcu_bench_native,$(v))))

# Every workload on every engine (bench_engines.c): the containers the host
# benchmarks use, embedded, and the workloads built natively for the core.
MCU_BENCH_WORKLOADS := $(BENCH_WORKLOADS)
MCU_IMAGE_OBJS_bench-engines := $(MCU_DIR)/bench_engines.o gen/bench_containers.o \
                                $(MCU_BENCH_WORKLOADS:%=bench/%.native.o)
$(MCU_BUILD)/gen/bench_containers%c $(MCU_BUILD)/gen/bench_containers%h: \
        $(MCU_BENCH_WORKLOADS:%=$(BENCH_DIR)/containers/%.rbpf) $(MCU_TOOL)
	@mkdir -p $(@D)
	$(MCU_TOOL) embed -o $(MCU_BUILD)/gen/bench_containers $(MCU_BENCH_WORKLOADS:%=$(BENCH_DIR)/containers/%.rbpf)
$(MCU_BUILD)/full/$(MCU_DIR)/bench_engines.o: $(MCU_BUILD)/gen/bench_containers.h
$(MCU_BUILD)/full/$(MCU_DIR)/bench_engines.o: MCU_BASE_CFLAGS += -I$(MCU_BUILD)/gen
.SECONDARY: $(MCU_BUILD)/gen/bench_containers.c $(MCU_BUILD)/gen/bench_containers.h
$(eval $(call mcu_image,full,bench-engines))

# The cross-build differential on the Cortex-M4 (the full build: -Os,
# Thumb-2, every engine it has, the JIT included): digest.c's lines for
# seeds 1..300 must be the host build's.
$(eval $(call mcu_image,full,digest))
.PHONY: test-builds-mcu
test-builds-mcu: $(MCU_BUILD)/full/digest.elf $(BUILD)/host/tests/diff/digest
	@$(MCU_RUN) $< >$(MCU_BUILD)/full/digest.out 2>&1 || \
	    { cat $(MCU_BUILD)/full/digest.out; echo "test-builds-mcu: the image failed"; exit 1; }
	@grep -E '^[0-9]+ [0-9a-f]{16}$$' $(MCU_BUILD)/full/digest.out >$(MCU_BUILD)/full/digests.txt
	@$(BUILD)/host/tests/diff/digest 300 >$(MCU_BUILD)/full/digests-host.txt 2>/dev/null
	@if ! cmp -s $(MCU_BUILD)/full/digests-host.txt $(MCU_BUILD)/full/digests.txt; then \
	    seed=$$(diff $(MCU_BUILD)/full/digests-host.txt $(MCU_BUILD)/full/digests.txt | \
	            sed -n 's/^< \([0-9]*\) .*/\1/p' | head -1); \
	    echo "test-builds-mcu: the Cortex-M4 differs from the host, first at seed $$seed"; exit 1; fi
	@echo "test-builds-mcu: $$(grep -v '^[0-9]' $(MCU_BUILD)/full/digest.out | tr -d '\r')"
	@echo "test-builds-mcu: 300 cases give the host's digests on the Cortex-M4"

.PHONY: bench-mcu
# The library as firmware builds it (-Os, full); MCU_BENCH_BUILD=o2 counts
# fletcher32 in the -O2 build instead.
MCU_BENCH_BUILD ?= full
bench-mcu: $(MCU_BUILD)/$(MCU_BENCH_BUILD)/bench-fletcher32.elf $(MCU_BUILD)/full/bench-engines.elf
	@ARM_PREFIX=$(ARM_PREFIX) $(MCU_DIR)/bench-mcu.sh $<
	@$(MCU_RUN) $(MCU_BUILD)/full/bench-engines.elf -icount shift=0

MCU_HAVE_TOOLS := $(if $(shell command -v $(QEMU_ARM) 2>/dev/null),$(if $(shell command -v $(ARM_PREFIX)gcc 2>/dev/null),yes))

.PHONY: test-mcu test-mcu-if-available mcu-images
MCU_TEST_IMAGES := $(foreach v,$(MCU_VARIANTS),$(MCU_IMAGES_$(v):%=$(v)/%))
mcu-images: $(MCU_TEST_IMAGES:%=$(MCU_BUILD)/%.elf)

# Each run as MACHINE:VARIANT/IMAGE.
MCU_TEST_RUNS := $(foreach v,$(MCU_VARIANTS),$(MCU_IMAGES_$(v):%=$(call mcu_machine,$(v)):$(v)/%))
test-mcu: mcu-images
	@set -e; for run in $(MCU_TEST_RUNS); do \
	    machine=$${run%%:*}; img=$${run#*:}; \
	    echo "test-mcu: $$img ($$machine)"; \
	    RBPF_QEMU_MACHINE=$$machine $(MCU_RUN) $(MCU_BUILD)/$$img.elf || \
	        { echo "test-mcu: $$img FAILED (exit $$?)"; exit 1; }; \
	done
	$(if $(MCU_HAVE_SUITE),,@echo "test-mcu: conformance skipped ($(MCU_CONFORMANCE_JSON) not found)")
	@echo "test-mcu: passed ($(MCU_TEST_IMAGES))"

# In `make test`: the MCU stage, then the size report and the MCU benchmark,
# so that CI builds and prints them every time (figures, never pass/fail on
# their value; each fails only when it cannot build or run).
ifeq ($(MCU_HAVE_TOOLS),yes)
test-mcu-if-available: test-mcu
	@$(MAKE) --no-print-directory test-builds-mcu
	@$(MAKE) --no-print-directory size
	$(if $(MCU_HAVE_CLANG),@$(MAKE) --no-print-directory bench-mcu,@echo "bench-mcu: skipped ($(CLANG) not found)")
else
test-mcu-if-available:
	@echo "test-mcu: skipped ($(if $(shell command -v $(QEMU_ARM) 2>/dev/null),$(ARM_PREFIX)gcc,$(QEMU_ARM)) not found)"
endif
TEST_TARGETS += test-mcu-if-available
