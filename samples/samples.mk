# samples/samples.mk: the samples (samples/basic, samples/usercalls), built
# with mk/rbpf.mk against this tree's tool, each into $(BUILD)/samples/NAME.
#
#   make demo           library, tool and samples; the dump of the increment
#                       container; each sample run with its result
#   make samples        build the samples
#   make test-samples   run the samples and check their output against
#                       values computed independently (samples/check.sh)

SAMPLES := basic usercalls
SAMPLES_OUT := $(abspath $(BUILD))/samples

# $(call sample_make,NAME,TARGET)
sample_make = $(MAKE) --no-print-directory -C samples/$(1) OUT=$(SAMPLES_OUT)/$(1) \
              RBPF_BUILD=$(abspath $(BUILD)) CLANG=$(CLANG) $(2)

.PHONY: samples demo test-samples
samples: $(BUILD)/host/librbpf.a $(BUILD)/host/rbpf
	@$(foreach s,$(SAMPLES),$(call sample_make,$(s),$(SAMPLES_OUT)/$(s)/$(s)) &&) true

demo: samples
	@echo
	@echo "== rbpf dump of samples/basic/container/increment.c"
	@$(BUILD)/host/rbpf dump $(SAMPLES_OUT)/basic/rbpf/increment.bin
	@echo
	@echo "== samples/basic: increment.c, multiply.cpp and store.c run by a C host"
	@$(SAMPLES_OUT)/basic/basic
	@echo
	@echo "== samples/usercalls: application helpers on granted packet buffers"
	@$(SAMPLES_OUT)/usercalls/usercalls

test-samples: samples
	@bash samples/check.sh $(SAMPLES_OUT) $(BUILD)/host/rbpf

TEST_TARGETS += test-samples
