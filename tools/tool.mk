# tools/tool.mk: the rbpf command-line tool, per build variant, and its tests.
#
#   make tool                   $(BUILD)/host/rbpf
#   make test-tool              the tool library's unit tests (tests/tool/regress.c,
#                               fuzzer findings among them), then every subcommand
#                               end to end, the conformance assembler checks and
#                               the C containers against gcc
#   make test-tool-sanitize     the same through the asan/ubsan-built tool

# Where `rbpf build` finds the container header directory unless
# $RBPF_INCLUDE says otherwise (it also looks next to the executable).
RBPF_CONTAINER_INCLUDE_DIR := $(abspath include/container)
TOOL_SRCS := $(wildcard tools/*.c)

define tool_rules
$(BUILD)/$(1)/tools/%.o: CFLAGS += -DRBPF_CONTAINER_INCLUDE='"$(RBPF_CONTAINER_INCLUDE_DIR)"'

$(BUILD)/$(1)/rbpf: $$(TOOL_SRCS:%.c=$(BUILD)/$(1)/%.o) $(BUILD)/$(1)/librbpftool.a $(BUILD)/$(1)/librbpf.a
	$$(CC) $$(VFLAGS_$(1)) -o $$@ $$^ $$(VLDFLAGS_$(1))

$(BUILD)/$(1)/tests/tool/regress: $(BUILD)/$(1)/tests/tool/regress.o $(BUILD)/$(1)/librbpftool.a $(BUILD)/$(1)/librbpf.a
	$$(CC) $$(VLDFLAGS_$(1)) $$^ -lcmocka -o $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call tool_rules,$(v))))

.PHONY: tool test-tool test-tool-sanitize
tool: $(BUILD)/host/rbpf

# The native compiler the container results are checked against.
TOOL_TEST_CC ?= gcc

test-tool: $(BUILD)/host/rbpf $(BUILD)/host/tests/tool/regress
	@$(BUILD)/host/tests/tool/regress
	@sh tests/tool/run.sh $(BUILD)/host/rbpf $(BUILD)/host/tool-tests $(TOOL_TEST_CC)

# The asan build sends every 8th conformance program through the plugin (the
# host build sends all): the plugin's own code is the same for each, and
# test-conformance-asan runs the whole suite in the sanitized VM.
TOOL_SANITIZE_PLUGIN_EVERY ?= 8

test-tool-sanitize: $(BUILD)/asan/rbpf $(BUILD)/asan/tests/tool/regress
	@$(BUILD)/asan/tests/tool/regress
	@sh tests/tool/run.sh $(BUILD)/asan/rbpf $(BUILD)/asan/tool-tests $(TOOL_TEST_CC) \
	    "$(VLDFLAGS_asan)" $(TOOL_SANITIZE_PLUGIN_EVERY)

TEST_TARGETS += test-tool test-tool-sanitize
