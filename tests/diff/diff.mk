# tests/diff/diff.mk: the random-program generator and observer that the
# differential tests share (tests/diff/progen.c, observe.c), and their test
# (included by the Makefile).
#
#   make test-progen   tests/diff/test_progen: host, asan, minimal and (where
#                      -m32 links) m32 builds; with arm-none-eabi-gcc,
#                      progen.c and observe.c are also compiled for the
#                      Cortex-M4 (-Werror)

DIFF_SRCS := tests/diff/progen.c tests/diff/observe.c
PROGEN_VARIANTS := host asan minimal $(if $(HAVE_M32),m32)
PROGEN_SEEDS ?= 4000

# $(call progen_rules,VARIANT)
define progen_rules
$(BUILD)/$(1)/tests/diff/test_progen: $(BUILD)/$(1)/tests/diff/test_progen.o \
        $(DIFF_SRCS:%.c=$(BUILD)/$(1)/%.o) $(LIB_SRCS:%.c=$(BUILD)/$(1)/%.o) \
        $(TOOLLIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(CC) $$(VLDFLAGS_$(1)) $$^ -o $$@

.PHONY: test-progen-$(1)
test-progen-$(1): $(BUILD)/$(1)/tests/diff/test_progen
	@echo "== $(1): $$< $(PROGEN_SEEDS)"
	@$$< $(PROGEN_SEEDS)
endef
$(foreach v,$(PROGEN_VARIANTS),$(eval $(call progen_rules,$(v))))

DIFF_ARM_CC = $(ARM_PREFIX)gcc
DIFF_ARM_FLAGS = -mcpu=cortex-m4 -mthumb -Os $(COMMON_CFLAGS) -ffreestanding

.PHONY: test-progen test-progen-arm
test-progen: $(PROGEN_VARIANTS:%=test-progen-%) test-progen-arm

test-progen-arm:
	@if command -v $(DIFF_ARM_CC) >/dev/null; then \
	    mkdir -p $(BUILD)/mcu/diff && for f in $(DIFF_SRCS); do \
	        echo "$(DIFF_ARM_CC) -c $$f"; \
	        $(DIFF_ARM_CC) $(DIFF_ARM_FLAGS) -c $$f -o $(BUILD)/mcu/diff/$$(basename $$f .c).o || exit 1; \
	    done; \
	else echo "test-progen-arm: skipped ($(DIFF_ARM_CC) not found)"; fi

TEST_TARGETS += test-progen

# The differential test of the engines (tests/diff/test_engines.c): every
# engine compiled in against the in-place interpreter on random programs,
# with budgets that stop each run at many points.
#   make test-engines   host, asan, switch, compact and (where -m32 links) m32 builds
ENGINES_VARIANTS := host asan switch compact $(if $(HAVE_M32),m32 m32-switch)
ENGINES_SEEDS ?= 3000

# $(call engines_rules,VARIANT)
define engines_rules
$(BUILD)/$(1)/tests/diff/test_engines: $(BUILD)/$(1)/tests/diff/test_engines.o \
        $(DIFF_SRCS:%.c=$(BUILD)/$(1)/%.o) $(LIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(CC) $$(VLDFLAGS_$(1)) $$^ -o $$@

.PHONY: test-engines-$(1)
test-engines-$(1): $(BUILD)/$(1)/tests/diff/test_engines
	@echo "== $(1): $$< $(ENGINES_SEEDS)"
	@$$< $(ENGINES_SEEDS)
endef
$(foreach v,$(ENGINES_VARIANTS),$(eval $(call engines_rules,$(v))))

.PHONY: test-engines
test-engines: $(ENGINES_VARIANTS:%=test-engines-%)

TEST_TARGETS += test-engines

# The cross-build differential (tests/diff/digest.c): the same seeds through
# the 64- and 32-bit, -O2 and -Os, computed-goto and switch builds, each
# printing one digest per case (its run and runs with budgets stopping it
# early, every engine of the build agreeing) and checking that budgets are
# self-consistent; every build's lines must equal the host build's.
#   make test-builds [BUILDS_SEEDS=N]
BUILDS_VARIANTS := host switch compact $(if $(HAVE_M32),m32 m32-switch m32-compact)
BUILDS_SEEDS ?= 1500

# $(call builds_rules,VARIANT)
define builds_rules
$(BUILD)/$(1)/tests/diff/digest: $(BUILD)/$(1)/tests/diff/digest.o \
        $(DIFF_SRCS:%.c=$(BUILD)/$(1)/%.o) $(LIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(CC) $$(VLDFLAGS_$(1)) $$^ -o $$@

$(BUILD)/$(1)/tests/diff/digests.txt: $(BUILD)/$(1)/tests/diff/digest FORCE
	@$$< $(BUILDS_SEEDS) >$$@ 2>$$@.log || { cat $$@.log; exit 1; }
	@echo "== $(1): $$$$(cat $$@.log)"
endef
$(foreach v,$(BUILDS_VARIANTS),$(eval $(call builds_rules,$(v))))

.PHONY: test-builds FORCE
FORCE:
test-builds: $(BUILDS_VARIANTS:%=$(BUILD)/%/tests/diff/digests.txt)
	@for v in $(BUILDS_VARIANTS); do \
	    if ! cmp -s $(BUILD)/host/tests/diff/digests.txt $(BUILD)/$$v/tests/diff/digests.txt; then \
	        seed=$$(diff $(BUILD)/host/tests/diff/digests.txt $(BUILD)/$$v/tests/diff/digests.txt | \
	                sed -n 's/^< \([0-9]*\) .*/\1/p' | head -1); \
	        echo "test-builds: $$v differs from host, first at seed $$seed (replay: build/<variant>/tests/diff/test_progen --show $$seed)"; \
	        exit 1; \
	    fi; \
	done
	@echo "test-builds: $(BUILDS_SEEDS) cases give the same digests in $(BUILDS_VARIANTS)"
ifeq ($(HAVE_M32),)
	@echo "test-builds: 32-bit builds skipped ($(CC) -m32 does not link; install gcc-multilib)"
endif

TEST_TARGETS += test-builds
