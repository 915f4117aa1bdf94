# Makefile: builds librbpf and the rbpf tool, and runs every test, sample,
# benchmark and size report. Each part of the tree adds its own targets in a
# fragment (tools/tool.mk, tests/tests.mk, samples/samples.mk, bench/bench.mk,
# port/cortex-m/port.mk, fuzz/fuzz.mk), included at the end.
#
#   make            library and tool
#   make demo       install missing packages (tools/prerequisites.sh), build
#                   everything, dump and run the samples
#   make test       every test (host, sanitizers, the tool, samples, MCU)
#   make bench      benchmarks, VM against native
#   make size       code size and stack per target and configuration
#   make install    PREFIX=/usr/local: library, headers, tool, mk/rbpf.mk,
#                   rbpf.pc and the CMake package (docs/integration.md)
#   make prerequisites  only the first step of make demo

# `make demo` is the first command on a fresh machine: before anything is
# built (or probed for), install the packages that are missing.
ifneq ($(filter demo prerequisites,$(MAKECMDGOALS)),)
RBPF_PREREQUISITES := $(shell sh tools/prerequisites.sh >&2; echo $$?)
ifneq ($(RBPF_PREREQUISITES),0)
$(error prerequisites missing (above))
endif
endif

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
#   m32-asan      m32 under the sanitizers
VARIANTS := host asan switch compact compact-asan minimal m32 m32-switch m32-compact m32-asan
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
VFLAGS_m32-asan := -O1 -g -m32 $(SANITIZE)
VLDFLAGS_asan := -fsanitize=address,undefined
VLDFLAGS_compact-asan := -fsanitize=address,undefined
VLDFLAGS_m32 := -m32
VLDFLAGS_m32-switch := -m32
VLDFLAGS_m32-compact := -m32
VLDFLAGS_m32-asan := -m32 -fsanitize=address,undefined
# cmocka for a variant's tests: the system's, but the 32-bit builds take
# the port's (port/cortex-m/cmocka, printing through tests/host/port_host.c):
# gcc-multilib brings no 32-bit libcmocka. $(call CMOCKA_OBJS,VARIANT) are
# prerequisites, $(call CMOCKA_LIB,VARIANT) goes on the link line.
M32_CMOCKA_FLAGS := -Iport/cortex-m/cmocka -Iport/cortex-m
CMOCKA_OBJS = $(if $(filter m32%,$(1)),$(BUILD)/$(1)/port/cortex-m/cmocka/cmocka.o \
                  $(BUILD)/$(1)/tests/host/port_host.o)
CMOCKA_LIB = $(if $(filter m32%,$(1)),,-lcmocka)
$(foreach v,$(filter m32%,$(VARIANTS)),$(eval $(BUILD)/$(v)/tests/%.o: CFLAGS += $(M32_CMOCKA_FLAGS)) \
    $(eval $(BUILD)/$(v)/port/%.o: CFLAGS += $(M32_CMOCKA_FLAGS) -DPORT_CMOCKA_TITLE='"$(v) unit"'))
# 1 when this compiler can build and link 32-bit host programs.
HAVE_M32 := $(shell echo 'int main(void){return 0;}' | $(CC) -m32 -x c - -o /dev/null 2>/dev/null && echo 1)

.PHONY: all lib test demo clean help prerequisites
all: lib tool

help:
	@sed -n '1,14p' Makefile | sed 's/^# \{0,1\}//'

prerequisites:
	@echo "prerequisites: all installed"

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
include $(wildcard tools/tool.mk tests/tests.mk tests/integration/integration.mk tests/extra.mk tests/escape/escape.mk \
                   tests/diff/diff.mk tests/sming/sming.mk samples/samples.mk bench/bench.mk \
                   port/cortex-m/port.mk fuzz/fuzz.mk)

# make install: the same set as cmake --install (cmake/install.cmake), the
# package files filled in from the same templates. The library is the host
# build of `make lib`: config.h's defaults, with the trace hook compiled in.
PREFIX ?= /usr/local
INSTALL_ROOT = $(DESTDIR)$(PREFIX)
RBPF_VERSION_NUMBER := $(shell sed -n 's/^\#define RBPF_VERSION "\(.*\)"/\1/p' include/rbpf.h)
install_fill = sed -e 's|@RBPF_VERSION@|$(RBPF_VERSION_NUMBER)|' -e 's|@RBPF_CONFIG_TO_PREFIX@|../../..|' \
                   -e 's|@RBPF_PC_TO_PREFIX@|../..|' -e 's|@RBPF_LIBDIR@|lib|' -e 's|@RBPF_INCLUDEDIR@|include|' \
                   -e 's|@RBPF_BINDIR@|bin|' -e 's|@RBPF_DATADIR@|share|' -e 's| *@RBPF_DEFINES_[A-Z]*@||' $(1) > $(2)

.PHONY: install
install: $(BUILD)/host/librbpf.a $(BUILD)/host/rbpf
	install -d $(INSTALL_ROOT)/include/rbpf $(INSTALL_ROOT)/include/rbpf-container \
	    $(INSTALL_ROOT)/lib/cmake/rbpf $(INSTALL_ROOT)/lib/pkgconfig $(INSTALL_ROOT)/bin $(INSTALL_ROOT)/share/rbpf/mk
	install -m 644 $(wildcard include/*.h cpp/*.hpp cpp/*.h) $(INSTALL_ROOT)/include
	cp -R include/rbpf/. $(INSTALL_ROOT)/include/rbpf
	cp -R include/container/. $(INSTALL_ROOT)/include/rbpf-container
	install -m 644 $(BUILD)/host/librbpf.a $(INSTALL_ROOT)/lib
	install -m 755 $(BUILD)/host/rbpf $(INSTALL_ROOT)/bin
	install -m 644 mk/rbpf.mk $(INSTALL_ROOT)/share/rbpf/mk
	install -m 644 cmake/rbpf.cmake $(INSTALL_ROOT)/lib/cmake/rbpf
	$(call install_fill,cmake/rbpfConfig.cmake.in,$(INSTALL_ROOT)/lib/cmake/rbpf/rbpfConfig.cmake)
	$(call install_fill,cmake/rbpfConfigVersion.cmake.in,$(INSTALL_ROOT)/lib/cmake/rbpf/rbpfConfigVersion.cmake)
	$(call install_fill,cmake/rbpf.pc.in,$(INSTALL_ROOT)/lib/pkgconfig/rbpf.pc)

test: $(TEST_TARGETS)
	@echo "make test: all stages passed ($(TEST_TARGETS))"

clean:
	rm -rf $(BUILD) out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
