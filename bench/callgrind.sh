#!/bin/sh
# callgrind.sh: x86 instructions per eBPF instruction, per workload.
# Usage: callgrind.sh HARNESS CONTAINER_DIR RUNS WORKLOAD...
# Runs each workload RUNS times in the VM under callgrind, collecting only
# inside rbpf_vm_run (so loading, checking against native and the harness
# itself are not counted), and divides the instructions callgrind counted by
# the eBPF instructions the VM reports. Deterministic from run to run.
set -eu
harness=$1
dir=$2
runs=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for name in "$@"; do
    if ! valgrind --tool=callgrind --callgrind-out-file="$out/$name.cg" \
        --collect-atstart=no --toggle-collect=rbpf_vm_run \
        "$harness" "$dir" --vm "$name" "$runs" >"$out/$name.txt" 2>"$out/$name.err"; then
        echo "callgrind $name: FAILED" >&2
        sed -n '/^==/!p' "$out/$name.err" >&2
        status=1
        continue
    fi
    ebpf=$(sed -n 's/.*ebpf_insns=\([0-9]*\).*/\1/p' "$out/$name.txt")
    x86=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/$name.cg" | tail -n 1)
    if [ -z "$ebpf" ] || [ -z "$x86" ] || [ "$ebpf" -eq 0 ]; then
        echo "callgrind $name: no counts" >&2
        status=1
        continue
    fi
    awk -v n="$name" -v x="$x86" -v e="$ebpf" \
        'BEGIN { printf "callgrind %s: x86_insns_per_ebpf_insn=%.2f x86_insns=%d ebpf_insns=%d\n", n, x / e, x, e }'
done
exit $status
