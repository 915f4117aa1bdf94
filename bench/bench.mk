# bench/bench.mk: benchmarks, VM against native (included by the Makefile).
#
#   make bench            per workload: vm_ns native_ns ratio ebpf_insns ns_per_insn
#                         (medians, VM and native interleaved in one process);
#                         the program as loaded, then per engine (engine=NAME)
#   make bench-callgrind  per workload: x86 instructions per eBPF instruction,
#                         counted by valgrind --tool=callgrind (deterministic);
#                         as loaded, then per engine (engine=NAME)
#   make test-bench       each workload once on every engine: the VM's result
#                         equals native
#
# Each workload in bench/workloads/ is one C file, built by clang for the BPF
# target into a container and by $(CC) -O2 into the harness. Benchmarks are
# never pass/fail: only test-bench joins `make test`.

BENCH_WORKLOADS := fletcher32 crc32 bubble_sort sha256 matmul bytes recurse helpers
BENCH_DIR := $(BUILD)/bench
BENCH_CLANG_FLAGS := -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Wextra -Werror
BENCH_NATIVE_FLAGS := -std=c99 $(WARN) -O2
BENCH_HARNESS := $(BENCH_DIR)/rbpf-bench
BENCH_LIB := $(BUILD)/host/librbpf.a
# Iterations of one workload under callgrind, after one checking run.
BENCH_CALLGRIND_RUNS ?= 20

# Containers: `rbpf build` (clang for the BPF target, then gen), the way a
# firmware developer builds them. The clang object is also built on its
# own, warnings as errors, so a workload that does not compile cleanly for
# the BPF target is caught by name.
BENCH_TOOL := $(BUILD)/host/rbpf
BENCH_CONTAINERS := $(BENCH_WORKLOADS:%=$(BENCH_DIR)/containers/%.rbpf)
$(BENCH_DIR)/containers/%.rbpf: bench/workloads/%.c bench/workloads/workload.h $(BENCH_TOOL) \
                                $(BENCH_DIR)/bpf/%.o
	@mkdir -p $(@D)
	$(BENCH_TOOL) build -o $@ $<

$(BENCH_DIR)/bpf/%.o: bench/workloads/%.c bench/workloads/workload.h
	@mkdir -p $(@D)
	$(CLANG) $(BENCH_CLANG_FLAGS) -c $< -o $@

$(BENCH_DIR)/native/%.o: bench/workloads/%.c bench/workloads/workload.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_NATIVE_FLAGS) -c $< -o $@

$(BENCH_DIR)/harness.o: bench/harness.c bench/workloads/inputs.h include/rbpf.h
	@mkdir -p $(@D)
	$(CC) $(COMMON_CFLAGS) $(VFLAGS_host) -c $< -o $@

$(BENCH_HARNESS): $(BENCH_DIR)/harness.o $(BENCH_WORKLOADS:%=$(BENCH_DIR)/native/%.o) $(BENCH_LIB)
	$(CC) -o $@ $^

.PHONY: bench bench-callgrind test-bench
bench: $(BENCH_HARNESS) $(BENCH_CONTAINERS)
	@$(BENCH_HARNESS) $(BENCH_DIR)/containers

bench-callgrind: $(BENCH_HARNESS) $(BENCH_CONTAINERS)
	@sh bench/callgrind.sh $(BENCH_HARNESS) $(BENCH_DIR)/containers $(BENCH_CALLGRIND_RUNS) \
	    $(BENCH_WORKLOADS)

test-bench: $(BENCH_HARNESS) $(BENCH_CONTAINERS)
	@$(BENCH_HARNESS) $(BENCH_DIR)/containers --check

TEST_TARGETS += test-bench
