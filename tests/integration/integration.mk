# tests/integration/integration.mk: projects outside the tree that use rbpf
# through CMake (add_subdirectory, find_package), pkg-config with the
# installed make fragment, and a Cortex-M4 cross build through the toolchain
# file (tests/integration/run.sh says what each checks).
#
#   make test-integration

.PHONY: test-integration
test-integration: $(BUILD)/host/librbpf.a $(BUILD)/host/rbpf
	@MAKE='$(MAKE)' BUILD='$(BUILD)' sh tests/integration/run.sh

TEST_TARGETS += test-integration
