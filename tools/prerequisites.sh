#!/bin/sh
# prerequisites.sh: installs the Debian/Ubuntu packages that the build, the
# demo and every stage of `make test` need, when some are missing. `make demo`
# runs it first, and so does .ci/run on a fresh machine.
#
# As root it runs apt-get itself; otherwise through sudo when sudo needs no
# password; otherwise it prints the one command to run and exits 1. Optional
# packages are added when something is being installed anyway (or with
# --optional) and the distribution has them. Without dpkg (not Debian or
# Ubuntu) it lists the packages and exits 0: the build then says what it
# misses.
#
#   sh tools/prerequisites.sh             check, install what is missing
#   sh tools/prerequisites.sh --optional  the same, and try the optional ones
#   sh tools/prerequisites.sh --list      print the required packages
set -u

# Required: compilers (host, 32-bit host, C++, BPF via clang, Cortex-M, RISC-V),
# llvm-objdump, cmocka, valgrind, QEMU, libFuzzer's runtime (clang 14, the
# default clang of Debian 12), cmake and pkg-config for the integration tests.
REQUIRED="make build-essential g++ clang llvm libcmocka-dev valgrind qemu-system-arm
gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf libclang-rt-14-dev
cmake pkg-config"
# gcc-multilib and g++-multilib (the 32-bit host builds, C and C++) exist
# for amd64 only.
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then
    REQUIRED="$REQUIRED gcc-multilib g++-multilib"
fi
# Optional: newer clangs for the tool tests' --cpu v4 builds (the tests skip
# a missing one with a message).
OPTIONAL="clang-19 clang-22"

case ${1:-} in
    --list) echo $REQUIRED; exit 0 ;;
    --optional) try_optional=yes ;;
    "") try_optional= ;;
    *) echo "usage: $0 [--optional | --list]" >&2; exit 1 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "prerequisites: no dpkg-query (not Debian or Ubuntu): make sure these are installed:" >&2
    echo "  " $REQUIRED >&2
    exit 0
fi

missing() {
    for p in "$@"; do
        case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
            *" ok installed") ;;
            *) echo "$p" ;;
        esac
    done
}
need=$(echo $(missing $REQUIRED))
optional=
if [ -n "$need" ] || [ -n "$try_optional" ]; then
    optional=$(echo $(missing $OPTIONAL))
fi
[ -z "$need$optional" ] && exit 0
[ -n "$need" ] && echo "prerequisites: missing $need" >&2

if [ "$(id -u)" = 0 ]; then
    sudo=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=sudo
else
    if [ -z "$need" ]; then
        echo "prerequisites: optional $optional not installed (not root, no sudo): skipped" >&2
        exit 0
    fi
    echo "prerequisites: install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $need" >&2
    echo "then run the same make command again." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || exit 1
# Optional packages, when this distribution has them.
for p in $optional; do
    case $(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: *//p') in
        "" | "(none)") echo "prerequisites: $p is not available here: skipped" >&2 ;;
        *) need="$need $p" ;;
    esac
done
need=$(echo $need)
[ -z "$need" ] && exit 0
echo "prerequisites: ${sudo:+sudo }apt-get install -y $need" >&2
$sudo apt-get install -y -qq $need >&2 || exit 1
left=$(missing $REQUIRED)
if [ -n "$left" ]; then
    echo "prerequisites: still missing after apt-get: " $left >&2
    exit 1
fi
