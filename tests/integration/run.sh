#!/bin/sh
# tests/integration/run.sh: projects that use rbpf from outside its tree,
# made in a temporary directory from tests/integration/{consumer,firmware}.
# The application (consumer/main.c) checks its containers' results, their
# generated names (more/negate.cpp is more_negate) and, from C++,
# rBPF::Container::scale (consumer/cxx_check.cpp).
#   (a) CMake, add_subdirectory, with a knob set (RBPF_STORE_NUM_VALUES, which
#       the application must see too): build, run, check the results; a change to
#       a shared header rebuilds the containers; a container that does not
#       compile stops the build, naming it, and again on the next build
#   (b) CMake, find_package(rbpf) against `cmake --install` into a prefix
#       (moved after the install), the knob carried by the package and
#       rbpf.pc; a version the install does not meet fails
#   (c) make, pkg-config and the installed mk/rbpf.mk against `make install`
#       into a prefix (moved after the install), the same files as (b);
#       plain `make` builds the application; a missing clang
#       stops the build and leaves nothing that a later build takes as done
#   (d) a Cortex-M4 firmware through cmake/arm-none-eabi-cortex-m4.cmake,
#       the rbpf tool built for the build machine: it links (newlib nano),
#       and runs on QEMU's MPS2-AN386 when qemu-system-arm is installed; and
#       the application cross-built with make as docs/make.md says (links)
#   (e) docs/make.md's first Makefile, taken from the doc as written, builds
#       the application with plain `make` against the source tree
# Run from the repository root: sh tests/integration/run.sh [STAGES], STAGES
# a subset of "a b c d e" (default all). MAKE and BUILD (the make build tree
# whose host library and tool `make install` installs) come from make.
set -eu
root=$(pwd)
stages=${1:-a b c d e}
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/rbpf-integration-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R tests/integration/consumer tests/integration/firmware "$work"
log=$work/log
: > "$log"

fail() {
    echo "integration: FAILED: $*" >&2
    tail -n 25 "$log" | sed 's/^/    /' >&2
    exit 1
}
# quiet COMMAND...: runs it with its output in the log.
quiet() { "$@" >> "$log" 2>&1; }
# expect FILE LINE: FILE holds exactly LINE as one of its lines.
expect() {
    grep -qxF "$2" "$1" || fail "expected \"$2\", got: $(cat "$1")"
}
ok_line() { echo "consumer: scale(7) = $1, negate(5) = -5: ok"; }
header=$work/consumer/container/include/consumer.h
set_offset() { sed -i "s/define CONSUMER_OFFSET .*/define CONSUMER_OFFSET $1/" "$header"; }
cmake_configure() { quiet cmake -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release "$@" || fail "cmake $*"; }
cmake_build() { quiet cmake --build "$1" -j2 || fail "cmake --build $1"; }
stage() { case " $stages " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

if stage a; then
    echo "== integration (a): add_subdirectory"
    cmake_configure -S "$work/consumer" -B "$work/a" -DRBPF_SOURCE="$root" \
        -DRBPF_STORE_NUM_VALUES=24 -DEXPECTED_STORE_NUM_VALUES=24
    cmake_build "$work/a"
    "$work/a/app" > "$work/out" || fail "app: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 1042)"
    set_offset 2000
    cmake_build "$work/a"
    "$work/a/app" > "$work/out" || fail "app after the header change: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 2042)"
    set_offset 1000
    printf 'int broken(void) { return undeclared; }\n' > "$work/consumer/container/broken.c"
    for attempt in 1 2; do
        if quiet cmake --build "$work/a" -j2; then fail "a container that does not compile was accepted"; fi
        grep -q "broken.c.*undeclared" "$log" || fail "the failed build does not name broken.c"
        : > "$log"
    done
    rm "$work/consumer/container/broken.c"
    cmake_build "$work/a"
    "$work/a/app" > "$work/out" || fail "app after removing broken.c: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 1042)"
fi

if stage b; then
    echo "== integration (b): find_package(rbpf) after cmake --install"
    cmake_configure -S "$root" -B "$work/rbpf" -DRBPF_STORE_NUM_VALUES=20
    cmake_build "$work/rbpf"
    quiet cmake --install "$work/rbpf" --prefix "$work/cmake-staging" || fail "cmake --install"
    # Installed trees can be moved: nothing in them names the prefix.
    mv "$work/cmake-staging" "$work/cmake-prefix"
    cmake_configure -S "$work/consumer" -B "$work/b" -DCMAKE_PREFIX_PATH="$work/cmake-prefix" \
        -DEXPECTED_STORE_NUM_VALUES=20
    PKG_CONFIG_PATH="$work/cmake-prefix/lib/pkgconfig" pkg-config --cflags rbpf | grep -q -- "-DRBPF_STORE_NUM_VALUES=20" ||
        fail "rbpf.pc does not carry the knob the install was built with"
    cmake_build "$work/b"
    "$work/b/app" > "$work/out" || fail "app: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 1042)"
    # A version the install does not meet is refused.
    mkdir "$work/version"
    printf 'cmake_minimum_required(VERSION 3.16)\nproject(v C)\nfind_package(rbpf 99.0 REQUIRED)\n' \
        > "$work/version/CMakeLists.txt"
    if quiet cmake -S "$work/version" -B "$work/version/build" -DCMAKE_PREFIX_PATH="$work/cmake-prefix"; then
        fail "find_package(rbpf 99.0) accepted version $(sed -n 's/^#define RBPF_VERSION //p' include/rbpf.h)"
    fi
fi

if stage c; then
    echo "== integration (c): pkg-config and the installed mk/rbpf.mk after make install"
    quiet $MAKE --no-print-directory install BUILD="$BUILD" PREFIX="$work/make-staging" || fail "make install"
    mv "$work/make-staging" "$work/make-prefix"
    export PKG_CONFIG_PATH="$work/make-prefix/lib/pkgconfig"
    [ "$(pkg-config --modversion rbpf)" = "$(sed -n 's/^#define RBPF_VERSION "\(.*\)"/\1/p' include/rbpf.h)" ] ||
        fail "pkg-config --modversion rbpf: $(pkg-config --modversion rbpf 2>&1)"
    (cd "$work/consumer" && quiet env -u MAKEFLAGS -u MFLAGS $MAKE) || fail "make in the consumer project"
    "$work/consumer/app" > "$work/out" || fail "app: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 1042)"
    # Without clang: a clear message, and the next build tries again.
    set_offset 3000
    for attempt in 1 2; do
        if (cd "$work/consumer" && quiet env -u MAKEFLAGS -u MFLAGS $MAKE CLANG=no-such-clang); then
            fail "a build without clang succeeded"
        fi
        grep -q "cannot run 'no-such-clang'" "$log" || fail "no message about the missing clang"
        : > "$log"
    done
    (cd "$work/consumer" && quiet env -u MAKEFLAGS -u MFLAGS $MAKE) || fail "make after the failed builds"
    "$work/consumer/app" > "$work/out" || fail "app: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 3042)"
    set_offset 1000
    unset PKG_CONFIG_PATH
    # make install and cmake --install put the same files.
    if stage b; then
        (cd "$work/make-prefix" && find . -type f | sort) > "$work/make-files"
        (cd "$work/cmake-prefix" && find . -type f | sort) > "$work/cmake-files"
        cmp -s "$work/make-files" "$work/cmake-files" ||
            fail "make install and cmake --install differ: $(diff "$work/make-files" "$work/cmake-files" | tr '\n' ' ')"
    fi
fi

if stage d; then
    if ! command -v arm-none-eabi-gcc > /dev/null; then
        echo "== integration (d): skipped (arm-none-eabi-gcc not found)"
    else
        echo "== integration (d): Cortex-M4 firmware through cmake/arm-none-eabi-cortex-m4.cmake"
        cmake_configure -S "$work/firmware" -B "$work/d" -DRBPF_SOURCE="$root" \
            -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi-cortex-m4.cmake"
        cmake_build "$work/d"
        arm-none-eabi-readelf -h "$work/d/firmware.elf" | grep -q "Machine: *ARM" ||
            fail "firmware.elf is not an ARM image"
        grep -q -- "--specs=nano.specs" "$work/d/CMakeFiles/firmware.dir/link.txt" ||
            fail "firmware.elf was not linked with newlib nano"
        # The same application with make, as docs/make.md says.
        (cd "$work/consumer" && quiet env -u MAKEFLAGS -u MFLAGS $MAKE -f cross.mk RBPF="$root" \
            RBPF_BUILD="$BUILD") || fail "make -f cross.mk (docs/make.md's cross build)"
        arm-none-eabi-readelf -h "$work/consumer/out-cross/app.elf" | grep -q "Machine: *ARM" ||
            fail "the make cross build's app.elf is not an ARM image"
        if command -v qemu-system-arm > /dev/null; then
            RBPF_QEMU_TIMEOUT=30 sh port/cortex-m/run-qemu.sh "$work/d/firmware.elf" > "$work/out" 2>&1 ||
                fail "firmware on QEMU: $(cat "$work/out")"
            expect "$work/out" "$(ok_line 1042)"
        else
            echo "   (not run: qemu-system-arm not found)"
        fi
    fi
fi
if stage e; then
    echo "== integration (e): docs/make.md's example Makefile"
    cp -R "$work/consumer" "$work/docs-example"
    awk '/^# myapp\/Makefile$/ { take = 1 } take && /^```/ { exit } take' docs/make.md |
        sed "s|/path/to/rbpf|$root|" > "$work/docs-example/Makefile"
    grep -q "^include $root/mk/rbpf.mk" "$work/docs-example/Makefile" ||
        fail "no example Makefile in docs/make.md: $(cat "$work/docs-example/Makefile")"
    (cd "$work/docs-example" && quiet env -u MAKEFLAGS -u MFLAGS $MAKE RBPF_BUILD="$BUILD") ||
        fail "plain make with docs/make.md's Makefile"
    "$work/docs-example/app" > "$work/out" || fail "app: $(cat "$work/out")"
    expect "$work/out" "$(ok_line 1035)"
fi
echo "integration: passed ($stages)"
