# tests/tests.mk: the core library's tests. Unit tests (cmocka, tests/unit)
# and the conformance runner (tests/conformance), linked against the core
# objects (loader, verifier, interpreter, errors) of each variant.
#
#   make test-unit          unit tests: host, asan, switch, compact, minimal
#   make test-conformance   the bpf_conformance suite: host, asan, switch,
#                           compact, and the 32-bit m32, m32-switch and
#                           m32-compact builds where -m32 links
#   make test-sanitize      both, asan variant only
# Every test binary also runs each engine compiled in besides the
# interpreter, and requires the interpreter's results from it.

UNIT_TESTS := $(patsubst %.c,%,$(wildcard tests/unit/test_*.c))
UNIT_VARIANTS := host asan switch compact minimal $(if $(HAVE_M32),m32 m32-compact m32-asan)
CONFORMANCE_VARIANTS := host asan switch compact $(if $(HAVE_M32),m32 m32-switch m32-compact m32-asan)

CORE_OBJS = $(LIB_CORE_SRCS:%.c=$(BUILD)/$(1)/%.o)

# $(call core_test_rules,VARIANT)
define core_test_rules
$(BUILD)/$(1)/tests/unit/%: $(BUILD)/$(1)/tests/unit/%.o $(BUILD)/$(1)/tests/unit/unit.o $(call CORE_OBJS,$(1)) \
        $(call CMOCKA_OBJS,$(1))
	$$(CC) $$(VLDFLAGS_$(1)) $$^ $(call CMOCKA_LIB,$(1)) -o $$@

$(BUILD)/$(1)/tests/conformance/conformance: $(BUILD)/$(1)/tests/conformance/conformance.o $(call CORE_OBJS,$(1))
	$$(CC) $$(VLDFLAGS_$(1)) $$^ -o $$@

.PHONY: test-unit-$(1) test-conformance-$(1)
test-unit-$(1): $(UNIT_TESTS:%=$(BUILD)/$(1)/%)
	@for t in $$^; do echo "== $(1): $$$$t"; $$$$t || exit 1; done

test-conformance-$(1): $(BUILD)/$(1)/tests/conformance/conformance
	@echo "== $(1): conformance suite from $$(RBPF_CONFORMANCE_DIR)"
	@$$<
endef
$(foreach v,$(sort $(UNIT_VARIANTS) $(CONFORMANCE_VARIANTS)),$(eval $(call core_test_rules,$(v))))

.SECONDARY: $(foreach v,$(UNIT_VARIANTS),$(UNIT_TESTS:%=$(BUILD)/$(v)/%.o) \
                $(BUILD)/$(v)/tests/unit/unit.o $(BUILD)/$(v)/tests/conformance/conformance.o)

.PHONY: test-unit test-conformance test-sanitize
test-unit: $(UNIT_VARIANTS:%=test-unit-%)
ifeq ($(HAVE_M32),)
	@echo "test-unit: 32-bit builds skipped ($(CC) -m32 does not link; install gcc-multilib)"
endif
test-conformance: $(CONFORMANCE_VARIANTS:%=test-conformance-%)
ifeq ($(HAVE_M32),)
	@echo "test-conformance: 32-bit builds skipped ($(CC) -m32 does not link; install gcc-multilib)"
endif
test-sanitize: test-unit-asan test-conformance-asan $(if $(HAVE_M32),test-unit-m32-asan test-conformance-m32-asan)

TEST_TARGETS += test-unit test-conformance test-sanitize
