# tests/escape/escape.mk: the sandbox escape tests and the valgrind run
# (included by the Makefile).
#
#   make test-escape     tests/escape/escape_test: host, asan, switch, compact
#                        (-Os, the interpreter's compact layout) and
#                        compact-asan; the asan ones also join make test-sanitize
#   make test-valgrind   the host builds of the unit, conformance, store,
#                        helper and escape tests under valgrind memcheck

# The compact layout has its own load and store bodies: the escape tests
# run against it too, plain and under the sanitizers.
ESCAPE_VARIANTS := host asan switch compact compact-asan \
                   $(if $(HAVE_M32),m32 m32-switch m32-compact m32-asan)
VALGRIND ?= valgrind
VALGRIND_FLAGS := --error-exitcode=1 --leak-check=full -q

# $(call escape_rules,VARIANT)
define escape_rules
$(BUILD)/$(1)/tests/escape/escape_test: $(BUILD)/$(1)/tests/escape/escape_test.o \
        $(BUILD)/$(1)/tests/escape/sandbox.o $(BUILD)/$(1)/librbpf.a $(call CMOCKA_OBJS,$(1))
	$$(CC) $$(VLDFLAGS_$(1)) $$^ $(call CMOCKA_LIB,$(1)) -o $$@

.PHONY: test-escape-$(1)
test-escape-$(1): $(BUILD)/$(1)/tests/escape/escape_test
	@echo "== $(1): $$<"
	@$$<
endef
$(foreach v,$(ESCAPE_VARIANTS),$(eval $(call escape_rules,$(v))))

VALGRIND_TESTS = $(UNIT_TESTS:%=$(BUILD)/host/%) $(BUILD)/host/tests/conformance/conformance \
                 $(STORE_HELPER_TESTS:%=$(BUILD)/host/%) $(BUILD)/host/tests/escape/escape_test

.PHONY: test-escape test-valgrind
test-escape: $(ESCAPE_VARIANTS:%=test-escape-%)
ifeq ($(HAVE_M32),)
	@echo "test-escape: 32-bit builds skipped ($(CC) -m32 does not link; install gcc-multilib)"
endif

# The sanitizer run of the whole suite (tests/tests.mk) includes these too.
test-sanitize: test-escape-asan test-escape-compact-asan $(if $(HAVE_M32),test-escape-m32-asan)

ifeq ($(shell command -v $(VALGRIND) 2>/dev/null),)
test-valgrind:
	@echo "test-valgrind: skipped ($(VALGRIND) not found: install valgrind)"
else
test-valgrind: $(VALGRIND_TESTS)
	@for t in $^; do echo "== valgrind: $$t"; \
	    $(VALGRIND) $(VALGRIND_FLAGS) $$t >$$t.valgrind.log 2>&1 || \
	    { cat $$t.valgrind.log; echo "test-valgrind: $$t failed (log: $$t.valgrind.log)"; exit 1; }; done
	@echo "test-valgrind: $(words $^) binaries clean"
endif

TEST_TARGETS += test-escape test-valgrind
