#!/bin/sh
# bench-mcu.sh IMG: runs the fletcher32 bench image (bench_fletcher32.c) on
# the emulated Cortex-M4 with every executed instruction traced
# (-singlestep -d exec,nochain: one `Trace` line per guest instruction, its
# PC the second field in brackets), counts the instructions between the
# calls of bench_mark() (three per measurement: before the operation done
# once, between, and after it done 11 times), and prints per workload
# (fletcher32 built for cpu v3, fletcher32-v2 for v2):
#   mcu WORKLOAD: thumb_insns_per_ebpf_insn=X vm_insns=N native_insns=M ratio=R
#   mcu WORKLOAD engine=E: thumb_insns_per_ebpf_insn=X vm_insns=N native_insns=M ratio=R
#   mcu WORKLOAD engine=E: prepare_thumb_insns_per_ebpf_insn=P ram_bytes_per_ebpf_insn=B ...
# The first line is the program as loaded (the in-place interpreter), then
# one per engine the build has. vm_insns: eBPF instructions of one VM run
# (vm->instructions); native_insns: Thumb instructions of one native run;
# thumb_insns_per_ebpf_insn: Thumb instructions of one VM run (loader and
# set-up excluded) per eBPF instruction; ratio: Thumb instructions of a VM
# run over a native run. The prepare line: Thumb instructions of one
# rbpf_prepare() per eBPF instruction it translates or compiles, and the
# bytes of RAM its form takes per instruction. For the v3 program as loaded
# and on each engine, one more line splits a run's instructions by function.
set -eu
img=$1
here=$(cd "$(dirname "$0")" && pwd)
prefix=${ARM_PREFIX:-arm-none-eabi-}
trace=${img%.elf}.trace
out=${img%.elf}.out
mark=$(${prefix}nm "$img" | awk '$3 == "bench_mark" { print $1 }')
[ -n "$mark" ] || { echo "bench-mcu: no bench_mark in $img" >&2; exit 1; }
mark=$(printf '%08x' $((0x$mark & ~1)))
# One instruction per translation block: -singlestep until QEMU 8.0, the
# TCG property one-insn-per-tb from 8.1 on (where -singlestep is deprecated).
one_insn=-singlestep
version=$(qemu-system-arm --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p;q')
set -- $version
if [ "${1:-0}" -gt 8 ] || { [ "${1:-0}" -eq 8 ] && [ "${2:-0}" -ge 1 ]; }; then
    one_insn="-accel tcg,one-insn-per-tb=on"
fi
status=0
# shellcheck disable=SC2086
"$here/run-qemu.sh" "$img" $one_insn -d exec,nochain -D "$trace" > "$out" || status=$?
if [ "$status" -ne 0 ] || grep -q FAILED "$out"; then
    cat "$out"
    echo "bench-mcu: the image failed (exit $status)" >&2
    exit 1
fi
grep -q '^bench measure ' "$out" || { echo "bench-mcu: no measurements in the output" >&2; exit 1; }
# The measurements (in mark order), then the trace.
awk -v mark="$mark" '
FNR == NR {
    # bench measure I: KIND WORKLOAD engine=E ebpf_insns=N bytes=B ok
    if ($1 == "bench" && $2 == "measure") {
        i = $3 + 0; kind[i] = $4; work[i] = $5
        sub(/^engine=/, "", $6); eng[i] = $6
        sub(/^ebpf_insns=/, "", $7); ebpf[i] = $7 + 0
        sub(/^bytes=/, "", $8); bytes[i] = $8 + 0
        n = i + 1
    }
    next
}
/^Trace/ {
    split($0, f, "[][/]")
    pc = f[3]
    # The mark function is entered at its address with the Thumb bit clear.
    if (pc == mark) { phase++; next }
    count[phase]++
    # Where the 11 runs of a v3 VM measurement go, by function (QEMU names
    # the symbol of each traced instruction last on the line).
    m = int((phase - 1) / 3)
    fn = $NF ~ /^\[/ ? "generated_code" : $NF  # code with no symbol: compiled by the JIT
    if (phase % 3 == 2 && kind[m] == "vm" && work[m] == "fletcher32") byfn[m, fn]++
    fns[fn] = 1
}
function one(m) { return (count[3 * m + 2] - count[3 * m + 1]) / 10 }
END {
    if (phase < 3 * n) { print "bench-mcu: found " phase " of " 3 * n " marks" > "/dev/stderr"; exit 1 }
    native = one(0)
    if (kind[0] != "native" || native <= 0) { print "bench-mcu: bad native count" > "/dev/stderr"; exit 1 }
    for (m = 1; m < n; m++) {
        c = one(m)
        tag = work[m] (eng[m] == "-" ? "" : " engine=" eng[m])
        if (c <= 0 || ebpf[m] <= 0) { print "bench-mcu: bad count for " tag > "/dev/stderr"; exit 1 }
        if (kind[m] == "vm") {
            printf "mcu %s: thumb_insns_per_ebpf_insn=%.2f vm_insns=%d native_insns=%d ratio=%.2f\n",
                tag, c / ebpf[m], ebpf[m], native, c / native
            if (work[m] == "fletcher32") {
                printf "mcu %s: thumb_insns_per_vm_run=%d\n", tag, c
                line = ""
                for (fn in fns)
                    if (byfn[m, fn] >= 11 * 50)
                        line = line sprintf(" %s=%d", fn, byfn[m, fn] / 11)
                print "mcu " tag ": per run, by function (50 or more):" line
            }
        } else {
            printf "mcu %s: prepare_thumb_insns_per_ebpf_insn=%.2f ram_bytes_per_ebpf_insn=%.2f prepare_thumb_insns=%d ebpf_insns_prepared=%d ram_bytes=%d\n",
                tag, c / ebpf[m], bytes[m] / ebpf[m], c, ebpf[m], bytes[m]
        }
    }
}' "$out" "$trace"
rm -f "$trace"
