# Makefile: builds librbpf and the rbpf tool, and runs every test, sample,
# benchmark and size report. Each part of the tree adds its own targets in a
# fragment (tools/tool.mk, tests/tests.mk, samples/samples.mk, bench/bench.mk,
# port/cortex-m/port.mk, fuzz/fuzz.mk), included at the end.
#
#   make            library and tool
#   make demo       build everything, dump and run the samples
#   make test       every test (host, sanitizers, the tool, samples, MCU)
#   make bench      benchmarks, VM against native
#   make size       code size and stack per target and configuration

CC ?= cc
CLANG ?= clang
BUILD ?= build
RBPF_CONFORMANCE_DIR ?= $(abspath ../shared/conformance)
export RBPF_CONFORMANCE_DIR

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD := -std=c99
COMMON_CFLAGS := $(CSTD) $(WARN) -Iinclude -Isrc
OPT ?= -O2 -g

# The library is whatever src/*.c (and src/jit/*.c) holds: the core (loader,
# verifier, the VM layer, the engines, error texts) and the stores and
# standard helpers.
LIB_SRCS := $(sort $(wildcard src/*.c src/jit/*.c))
LIB_EXTRA_SRCS := src/store.c src/helpers.c
LIB_CORE_SRCS := $(filter-out $(LIB_EXTRA_SRCS),$(LIB_SRCS))
# Shared by the tool, tests and fuzzers: ELF reader, assembler, disassembler.
TOOLLIB_SRCS := $(wildcard src/tool/*.c)

# Host build variants: this one table and the one rule below give every
# build directory under $(BUILD). The interpreter's run-loop shapes each
# have one (the table at the top of src/interp.c says which):
#   host          fast layout, computed goto, 64-bit: the normal build
#                 (with the trace hook, for rbpf run --trace)
#   asan          host under AddressSanitizer + UndefinedBehaviorSanitizer
#                 (with the trace hook)
#   switch        fast layout, switch dispatch
#   compact       the compact layout (-Os, as firmware is built)
#   compact-asan  compact under the sanitizers
#   minimal       RBPF_MINIMAL=1: no ALU32, JMP32, atomics, local calls
#   m32 m32-switch m32-compact
#                 the fast goto, fast switch and compact shapes built for a
#                 32-bit host (-m32), as every real target is 32-bit;
#                 tested where $(CC) -m32 links (gcc-multilib)
VARIANTS := host asan switch compact compact-asan minimal m32 m32-switch m32-compact
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
VFLAGS_host := $(OPT) -DRBPF_ENABLE_TRACE=1
VFLAGS_asan := -O1 -g $(SANITIZE) -DRBPF_ENABLE_TRACE=1
VFLAGS_switch := $(OPT) -DRBPF_USE_COMPUTED_GOTO=0
VFLAGS_compact := -Os -g
VFLAGS_compact-asan := -Os -g $(SANITIZE)
VFLAGS_minimal := $(OPT) -DRBPF_MINIMAL=1
VFLAGS_m32 := $(OPT) -m32
VFLAGS_m32-switch := $(OPT) -m32 -DRBPF_USE_COMPUTED_GOTO=0
VFLAGS_m32-compact := -Os -g -m32
VLDFLAGS_asan := -fsanitize=address,undefined
VLDFLAGS_compact-asan := -fsanitize=address,undefined
VLDFLAGS_m32 := -m32
VLDFLAGS_m32-switch := -m32
VLDFLAGS_m32-compact := -m32
# 1 when this compiler can build and link 32-bit host programs.
HAVE_M32 := $(shell echo 'int main(void){return 0;}' | $(CC) -m32 -x c - -o /dev/null 2>/dev/null && echo 1)

.PHONY: all lib test demo clean help
all: lib tool

help:
	@sed -n '1,12p' Makefile | sed 's/^# \{0,1\}//'

# $(call variant_rules,VARIANT): object, library and tool-library rules.
define variant_rules
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) $$(COMMON_CFLAGS) $$(VFLAGS_$(1)) $$(CFLAGS) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/librbpf.a: $$(LIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	@rm -f $$@
	$$(AR) rcs $$@ $$^

$(BUILD)/$(1)/librbpftool.a: $$(TOOLLIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach v,$(VARIANTS),$(eval $(call variant_rules,$(v))))

lib: $(BUILD)/host/librbpf.a

# Every fragment adds the targets `make test` runs to TEST_TARGETS.
TEST_TARGETS :=
include $(wildcard tools/tool.mk tests/tests.mk tests/extra.mk tests/escape/escape.mk tests/diff/diff.mk \
                   tests/sming/sming.mk \
                   samples/samples.mk bench/bench.mk \
                   port/cortex-m/port.mk fuzz/fuzz.mk)

test: $(TEST_TARGETS)
	@echo "make test: all stages passed ($(TEST_TARGETS))"

clean:
	rm -rf $(BUILD) out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
