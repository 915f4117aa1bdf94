#!/bin/sh
# callgrind.sh: x86 instructions per eBPF instruction, per workload.
# Usage: callgrind.sh HARNESS CONTAINER_DIR RUNS WORKLOAD...
# Runs each workload RUNS times in the VM under callgrind, collecting only
# inside rbpf_vm_run (so loading, checking against native and the harness
# itself are not counted), and divides the instructions callgrind counted by
# the eBPF instructions the VM reports. Deterministic from run to run.
# First every workload as loaded (the in-place interpreter), then again on
# each engine the harness has (the program prepared for it outside the
# count): lines "callgrind NAME engine=ENGINE: ...".
set -eu
harness=$1
dir=$2
runs=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
engines=$("$harness" "$dir" --engines)
# One count: workload $1, engine $2 ("" for the program as loaded); prints
# the line, with "engine=NAME" when one is given.
count() {
    name=$1 engine=$2
    tag=$name${engine:+ engine=$engine}
    file=$out/$name${engine:+-$engine}
    if ! valgrind --tool=callgrind --callgrind-out-file="$file.cg" \
        --collect-atstart=no --toggle-collect=rbpf_vm_run \
        "$harness" "$dir" ${engine:+--engine "$engine"} --vm "$name" "$runs" \
        >"$file.txt" 2>"$file.err"; then
        echo "callgrind $tag: FAILED" >&2
        sed -n '/^==/!p' "$file.err" >&2
        status=1
        return
    fi
    ebpf=$(sed -n 's/.*ebpf_insns=\([0-9]*\).*/\1/p' "$file.txt")
    x86=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$file.cg" | tail -n 1)
    if [ -z "$ebpf" ] || [ -z "$x86" ] || [ "$ebpf" -eq 0 ]; then
        echo "callgrind $tag: no counts" >&2
        status=1
        return
    fi
    awk -v n="$tag" -v x="$x86" -v e="$ebpf" \
        'BEGIN { printf "callgrind %s: x86_insns_per_ebpf_insn=%.2f x86_insns=%d ebpf_insns=%d\n", n, x / e, x, e }'
}
for name in "$@"; do
    count "$name" ""
done
for engine in $engines; do
    for name in "$@"; do
        count "$name" "$engine"
    done
done
exit $status
