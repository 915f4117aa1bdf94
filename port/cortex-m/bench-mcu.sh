#!/bin/sh
# bench-mcu.sh IMG: runs the fletcher32 bench image (bench_fletcher32.c) on
# the emulated Cortex-M4 with every executed instruction traced
# (-singlestep -d exec,nochain: one `Trace` line per guest instruction, its
# PC the second field in brackets), counts the instructions between the
# calls of bench_mark(), and prints
#   mcu fletcher32: thumb_insns_per_ebpf_insn=X vm_insns=N native_insns=M ratio=R
# vm_insns: eBPF instructions of one VM run (vm->instructions); native_insns:
# Thumb instructions of one native run; thumb_insns_per_ebpf_insn: Thumb
# instructions of one VM run (loader and set-up excluded) per eBPF
# instruction; ratio: Thumb instructions of a VM run over a native run.
# Two more lines give the Thumb instructions of one VM run and how they
# split between the functions it runs.
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
cat "$out"
if [ "$status" -ne 0 ]; then
    echo "bench-mcu: the image failed (exit $status)" >&2
    exit 1
fi
ebpf=$(sed -n 's/.*ebpf_insns=\([0-9]*\).*/\1/p' "$out")
[ -n "$ebpf" ] || { echo "bench-mcu: no ebpf_insns in the output" >&2; exit 1; }
awk -v mark="$mark" -v ebpf="$ebpf" '
/^Trace/ {
    split($0, f, "[][/]")
    pc = f[3]
    # The mark function is entered at its address with the Thumb bit clear.
    if (pc == mark) { phase++; next }
    count[phase]++
    # Where the 11 VM runs spend their instructions, by function (QEMU
    # names the symbol of each traced instruction last on the line).
    if (phase == 2) byfn[$NF]++
}
END {
    if (phase != 5) { print "bench-mcu: found " phase " of 5 marks" > "/dev/stderr"; exit 1 }
    vm = (count[2] - count[1]) / 10
    native = (count[4] - count[3]) / 10
    if (vm <= 0 || native <= 0 || ebpf <= 0) { print "bench-mcu: bad counts" > "/dev/stderr"; exit 1 }
    printf "mcu fletcher32: thumb_insns_per_ebpf_insn=%.2f vm_insns=%d native_insns=%d ratio=%.2f\n",
        vm / ebpf, ebpf, native, vm / native
    printf "mcu fletcher32: thumb_insns_per_vm_run=%d\n", vm
    line = ""
    for (fn in byfn)
        if (byfn[fn] >= 11 * 50)
            line = line sprintf(" %s=%d", fn, byfn[fn] / 11)
    print "mcu fletcher32: per run, by function (50 or more):" line
}' "$trace"
rm -f "$trace"
