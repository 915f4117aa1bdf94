#!/bin/sh
# run-qemu.sh IMG [QEMU-ARGS...]: boots a Cortex-M4 image on QEMU's MPS2-AN386
# board (or the board RBPF_QEMU_MACHINE names, e.g. microbit for the
# Cortex-M0+ images) with semihosting, and exits with the image's exit status
# (124 on a timeout of RBPF_QEMU_TIMEOUT seconds, default 300). This is
#   qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel IMG
# with the semihosting console on stdout (plain -semihosting writes it to
# stderr) and no serial port or monitor.
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 IMG [QEMU-ARGS...]" >&2
    exit 2
fi
img=$1
shift
if [ ! -f "$img" ]; then
    echo "run-qemu: $img: no such image" >&2
    exit 2
fi
exec timeout "${RBPF_QEMU_TIMEOUT:-300}" qemu-system-arm -M "${RBPF_QEMU_MACHINE:-mps2-an386}" -nographic \
    -monitor none -serial none -chardev stdio,id=semihost \
    -semihosting-config enable=on,target=native,chardev=semihost -kernel "$img" "$@"
