# samples/samples.mk: the samples (samples/basic, samples/usercalls and the
# Sming-style samples/sming, in C++), built
# with mk/rbpf.mk against this tree's tool, each into $(BUILD)/samples/NAME.
#
#   make demo           library, tool and samples; the dump of the increment
#                       container; each sample run with its result
#   make samples        build the samples
#   make test-samples   run the samples and check their output against
#                       values computed independently (samples/check.sh),
#                       with the containers built for cpu v3 (the default)
#                       and again for cpu v2; the dump of the increment
#                       container must equal $(RBPF_SEED_DUMP) byte for byte

SAMPLES := basic usercalls sming
# The seed's dump of the increment container, which `rbpf dump` must equal.
RBPF_SEED_DUMP ?= $(abspath ../shared/seed-dump-increment.txt)
export RBPF_SEED_DUMP
SAMPLES_OUT := $(abspath $(BUILD))/samples

# $(call sample_make,NAME,OUT,EXTRA MAKE ARGUMENTS)
sample_make = $(MAKE) --no-print-directory -C samples/$(1) OUT=$(2)/$(1) \
              RBPF_BUILD=$(abspath $(BUILD)) CLANG=$(CLANG) $(3) $(2)/$(1)/$(1)

.PHONY: samples samples-cpu-v2 demo test-samples
samples: $(BUILD)/host/librbpf.a $(BUILD)/host/rbpf
	@$(foreach s,$(SAMPLES),$(call sample_make,$(s),$(SAMPLES_OUT)) &&) true

samples-cpu-v2: $(BUILD)/host/librbpf.a $(BUILD)/host/rbpf
	@$(foreach s,$(SAMPLES),$(call sample_make,$(s),$(SAMPLES_OUT)/cpu-v2,RBPF_BUILD_FLAGS='--cpu v2') &&) true

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
	@echo
	@echo "== samples/sming: a Sming application, rBPF C++ interface and application calls"
	@$(SAMPLES_OUT)/sming/sming | tr -d '\r'

# make rbpf-dump as Sming prints it: each container under `Contents of
# "NAME.bin"` and a rule of dashes, then a blank line; increment's dump is
# the seed's, byte for byte.
SAMPLES_DUMP := $(SAMPLES_OUT)/basic/rbpf-dump.txt
test-samples: samples samples-cpu-v2
	@bash samples/check.sh $(SAMPLES_OUT) $(BUILD)/host/rbpf
	@bash samples/check.sh $(SAMPLES_OUT)/cpu-v2 $(BUILD)/host/rbpf
	@$(MAKE) -s --no-print-directory -C samples/basic OUT=$(SAMPLES_OUT)/basic \
	    RBPF_BUILD=$(abspath $(BUILD)) CLANG=$(CLANG) rbpf-dump >$(SAMPLES_DUMP)
	@{ for n in increment multiply store; do \
	    printf 'Contents of "%s.bin"\n-----------------------------\n' $$n; \
	    if [ $$n = increment ]; then cat $(RBPF_SEED_DUMP); \
	    else $(BUILD)/host/rbpf dump $(SAMPLES_OUT)/basic/rbpf/$$n.bin; fi; echo; done; } | \
	    cmp -s - $(SAMPLES_DUMP) && echo "ok: make rbpf-dump prints Sming's headings and the seed's dump" || \
	    { echo "FAIL: make rbpf-dump ($(SAMPLES_DUMP)) differs"; exit 1; }

TEST_TARGETS += test-samples
