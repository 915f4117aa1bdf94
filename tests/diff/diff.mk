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
