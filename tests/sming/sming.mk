# tests/sming/sming.mk: Sming's rBPF interface. tests/sming/test_sming.cpp
# against containers built through mk/rbpf.mk, as an application would: the
# host build, the asan+ubsan build, a 32-bit build when g++ -m32 works (CI
# installs g++-multilib), a clang++ compile, and arm-none-eabi-g++ with no
# C++ library compiling the interface (tests/sming/freestanding.cpp); then
# `rbpf embed` refusing a container name that is a C++ keyword.
#
#   make test-sming

CLANGXX ?= clang++
SMING_TEST_OUT := $(abspath $(BUILD))/tests/sming
SMING_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# $(call sming_test_make,OUT,EXTRA FLAGS)
sming_test_make = $(MAKE) --no-print-directory -C tests/sming OUT=$(1) RBPF_BUILD=$(abspath $(BUILD)) \
                  CLANG=$(CLANG) EXTRA='$(2)' $(1)/test_sming

# Each build is its own target, so that make -j runs them side by side.
.PHONY: test-sming test-sming-host test-sming-asan test-sming-m32
test-sming-host: $(BUILD)/host/rbpf
	@$(call sming_test_make,$(SMING_TEST_OUT)/host,)
	$(SMING_TEST_OUT)/host/test_sming

test-sming-asan: $(BUILD)/host/rbpf
	@$(call sming_test_make,$(SMING_TEST_OUT)/asan,$(SMING_ASAN))
	$(SMING_TEST_OUT)/asan/test_sming

test-sming-m32: $(BUILD)/host/rbpf
	@if echo 'int main(){}' | $(CXX) -m32 -x c++ - -o /dev/null 2>/dev/null; then \
	    $(call sming_test_make,$(SMING_TEST_OUT)/m32,-m32) && $(SMING_TEST_OUT)/m32/test_sming; \
	else echo "test-sming: $(CXX) -m32 does not link (g++-multilib), 32-bit build skipped"; fi

test-sming: test-sming-host test-sming-asan test-sming-m32
	@if command -v $(CLANGXX) >/dev/null; then \
	    echo "$(CLANGXX) -std=c++11 -fsyntax-only tests/sming/test_sming.cpp"; \
	    $(CLANGXX) -std=c++11 -Wall -Wextra -Werror -Wshadow -Iinclude -Itests/sming/container/include \
	        -I$(SMING_TEST_OUT)/host/rbpf -I$(SMING_TEST_OUT)/host/rbpf/include -fsyntax-only \
	        tests/sming/test_sming.cpp; \
	else echo "test-sming: $(CLANGXX) not found, clang++ compile skipped"; fi
	@if command -v arm-none-eabi-g++ >/dev/null; then \
	    echo "arm-none-eabi-g++ -std=c++11 -fsyntax-only tests/sming/freestanding.cpp"; \
	    arm-none-eabi-g++ -std=c++11 -mcpu=cortex-m4 -mthumb -Wall -Wextra -Werror -Wshadow \
	        -Iinclude -Itests/sming/container/include -I$(SMING_TEST_OUT)/host/rbpf \
	        -I$(SMING_TEST_OUT)/host/rbpf/include -fsyntax-only tests/sming/freestanding.cpp; \
	else echo "test-sming: arm-none-eabi-g++ not found, freestanding compile skipped"; fi
	@cp $(SMING_TEST_OUT)/host/rbpf/faults.bin $(SMING_TEST_OUT)/new.bin
	@if $(BUILD)/host/rbpf embed -o $(SMING_TEST_OUT)/kw $(SMING_TEST_OUT)/new.bin 2>$(SMING_TEST_OUT)/kw.err; then \
	    echo "FAIL: rbpf embed accepted a container named 'new'"; exit 1; \
	elif grep -q "new.bin gives the name 'new', a C++ keyword" $(SMING_TEST_OUT)/kw.err; then \
	    echo "ok: rbpf embed refuses a container named after a C++ keyword"; \
	else echo "FAIL: rbpf embed's message: $$(cat $(SMING_TEST_OUT)/kw.err)"; exit 1; fi

TEST_TARGETS += test-sming
