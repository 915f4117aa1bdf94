#!/bin/sh
# size.sh TARGET CONFIG DIR SRC...: builds SRC for one microcontroller target
# and configuration under DIR and prints its footprint as one line:
#   size TARGET CONFIG: text=N data=N bss=N vm_state=N stack_max=N
# TARGET: cortex-m4, cortex-m0plus (arm-none-eabi-gcc -mthumb) or rv32imac
# (riscv64-unknown-elf-gcc, freestanding). CONFIG: full, interp (full
# without the translated engine and the JIT: the in-place interpreter only), minimal
# (-DRBPF_MINIMAL=1) or full+helpers (the caller adds the helper and store
# sources). How each figure is taken is written up in docs/port.md:
#   text/data/bss  Berkeley `size` of a final link of SRC alone (size.ld),
#                  with --gc-sections, every external function of SRC as a
#                  root, and nothing else linked (libc and libgcc left
#                  unresolved); text includes read-only data
#   vm_state       sizeof(rbpf_vm_t), read back from a probe symbol
#   stack_max      tools/stack_usage over the -fcallgraph-info=su graphs,
#                  from rbpf_vm_run (plus the deepest standard helper, as an
#                  indirect call, in full+helpers)
# Extra compiler flags may come in SIZE_CFLAGS. SIZE_DETAIL=N also prints the
# N largest symbols of the image and its code/read-only data split.
set -eu
if [ $# -lt 4 ]; then
    echo "usage: $0 TARGET CONFIG DIR SRC..." >&2
    exit 2
fi
target=$1 config=$2 dir=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

case $target in
cortex-m4 | cortex-m0plus)
    tc=${ARM_PREFIX:-arm-none-eabi-}
    arch="-mcpu=$target -mthumb"
    ;;
rv32imac)
    tc=${RISCV_PREFIX:-riscv64-unknown-elf-}
    arch="-march=rv32imac -mabi=ilp32 -ffreestanding -isystem $root/port/riscv/include"
    ;;
*)
    echo "size: unknown target $target" >&2
    exit 2
    ;;
esac
case $config in
full | full+helpers) cfg= ;;
interp) cfg="-DRBPF_ENABLE_THREADED=0 -DRBPF_ENABLE_JIT=0" ;;
minimal) cfg=-DRBPF_MINIMAL=1 ;;
*)
    echo "size: unknown configuration $config" >&2
    exit 2
    ;;
esac

cc=${tc}gcc
cflags="$arch -Os -ffunction-sections -fdata-sections -std=c99 -Wall -Wextra -Werror -Wshadow
        -Wstrict-prototypes -Wmissing-prototypes -I$root/include -I$root/src $cfg ${SIZE_CFLAGS:-}"
rm -rf "$dir"
mkdir -p "$dir"
objs=
for src in "$@"; do
    obj=$dir/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    $cc $cflags -fstack-usage -fcallgraph-info=su -c "$root/$src" -o "$obj"
    objs="$objs $obj"
done

# Every external function and object of SRC is a root of the link.
# shellcheck disable=SC2086
roots=$(${tc}nm -g --defined-only $objs | awk 'NF == 3 && $2 ~ /[TDRB]/ { print $3 }' | sort -u)
[ -n "$roots" ] || { echo "size: no external symbol in $*" >&2; exit 1; }
uflags=
for r in $roots; do uflags="$uflags -Wl,-u,$r"; done
# shellcheck disable=SC2086
$cc $arch -nostdlib -T "$here/size.ld" -Wl,--no-warn-rwx-segments -Wl,--gc-sections -Wl,--entry=rbpf_vm_run \
    -Wl,--unresolved-symbols=ignore-all $uflags $objs -o "$dir/image.elf"
set -- $(${tc}size "$dir/image.elf" | awk 'NR == 2 { print $1, $2, $3 }')
text=$1 data=$2 bss=$3

printf '#include "rbpf.h"\nrbpf_vm_t rbpf_port_vm_probe;\n' > "$dir/probe.c"
# shellcheck disable=SC2086
$cc $cflags -c "$dir/probe.c" -o "$dir/probe.o"
vm_state=$(${tc}nm -S "$dir/probe.o" | awk '$4 == "rbpf_port_vm_probe" { print $2 }')
[ -n "$vm_state" ] || { echo "size: no vm_state probe" >&2; exit 1; }
vm_state=$(printf '%d' "0x$vm_state")

helpers=
if [ "$config" = "full+helpers" ]; then
    for r in $roots; do
        case $r in rbpf_helper_*) helpers="$helpers -i $r" ;; esac
    done
fi
# shellcheck disable=SC2086
stack_max=$("$root/tools/stack_usage" $helpers rbpf_vm_run "$dir"/*.ci)

echo "size $target $config: text=$text data=$data bss=$bss vm_state=$vm_state stack_max=$stack_max"
if [ "${SIZE_DETAIL:-0}" -gt 0 ]; then
    ${tc}size -A "$dir/image.elf" | awk '$1 == ".text" || $1 == ".rodata" { printf "  %s %d", $1, $2 } END { print "" }'
    ${tc}nm --size-sort -S -t d "$dir/image.elf" | sort -k2,2nr | head -n "$SIZE_DETAIL" |
        awk '{ printf "  %6d %s\n", $2, $4 }'
fi
