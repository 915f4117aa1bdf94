# tests/extra.mk: unit tests of the key-value stores and the standard helpers
# (tests/store, tests/helpers) and of the C++ wrapper (cpp/), built against
# librbpf and run in the host and the asan (AddressSanitizer + UBSan) variants,
# and in the 32-bit m32 and m32-asan builds where -m32 links.
#
#   make test-store-helpers        host build (and m32)
#   make test-store-helpers-sanitize   sanitizer builds (asan, m32-asan)
#   make test-cpp                  cpp/test_rbpf.cpp with g++ -std=c++11, host and asan

STORE_HELPER_TESTS := tests/store/test_store tests/helpers/test_helpers

# $(call store_helper_rules,VARIANT)
define store_helper_rules
$(BUILD)/$(1)/tests/store/test_store: $(BUILD)/$(1)/tests/store/test_store.o $(BUILD)/$(1)/librbpf.a \
        $(call CMOCKA_OBJS,$(1))
	$$(CC) $$(VLDFLAGS_$(1)) $$^ $(call CMOCKA_LIB,$(1)) -o $$@

$(BUILD)/$(1)/tests/helpers/test_helpers: $(BUILD)/$(1)/tests/helpers/test_helpers.o $(BUILD)/$(1)/librbpf.a \
        $(call CMOCKA_OBJS,$(1))
	$$(CC) $$(VLDFLAGS_$(1)) $$^ $(call CMOCKA_LIB,$(1)) -o $$@

$(BUILD)/$(1)/cpp/test_rbpf: cpp/test_rbpf.cpp cpp/rbpf.hpp include/rbpf.h include/bpf.h \
        $(wildcard include/rbpf/*.h include/rbpf/common/*.h) $(BUILD)/$(1)/librbpf.a
	@mkdir -p $$(@D)
	$$(CXX) -std=c++11 -Wall -Wextra -Werror -Wshadow $$(VFLAGS_$(1)) -Iinclude -Icpp $$< \
		$(BUILD)/$(1)/librbpf.a -lcmocka -o $$@
endef
STORE_HELPER_VARIANTS := host asan $(if $(HAVE_M32),m32 m32-asan)
$(foreach v,$(STORE_HELPER_VARIANTS),$(eval $(call store_helper_rules,$(v))))

.PHONY: test-store-helpers test-store-helpers-sanitize test-cpp
test-store-helpers: $(STORE_HELPER_TESTS:%=$(BUILD)/host/%) \
        $(if $(HAVE_M32),$(STORE_HELPER_TESTS:%=$(BUILD)/m32/%))
	@for t in $^; do echo "run $$t"; $$t || exit 1; done
ifeq ($(HAVE_M32),)
	@echo "test-store-helpers: 32-bit build skipped ($(CC) -m32 does not link; install gcc-multilib)"
endif

test-store-helpers-sanitize: $(STORE_HELPER_TESTS:%=$(BUILD)/asan/%) \
        $(if $(HAVE_M32),$(STORE_HELPER_TESTS:%=$(BUILD)/m32-asan/%))
	@for t in $^; do echo "run $$t"; $$t || exit 1; done

# The wrapper must also compile warning-free with clang++ (C++ frameworks use both).
CLANGXX ?= clang++

test-cpp: $(BUILD)/host/cpp/test_rbpf $(BUILD)/asan/cpp/test_rbpf
	@for t in $^; do echo "run $$t"; $$t || exit 1; done
	@if command -v $(CLANGXX) >/dev/null; then \
	    echo "$(CLANGXX) -std=c++11 -fsyntax-only cpp/test_rbpf.cpp"; \
	    $(CLANGXX) -std=c++11 -Wall -Wextra -Werror -Wshadow -Wdeprecated -Iinclude -Icpp \
	        -fsyntax-only cpp/test_rbpf.cpp; \
	else echo "test-cpp: $(CLANGXX) not found, clang++ compile skipped"; fi

TEST_TARGETS += test-store-helpers test-store-helpers-sanitize test-cpp
