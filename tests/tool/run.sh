#!/bin/sh
# tests/tool/run.sh: end-to-end tests of the rbpf tool, run through the
# binary the way users run it.
#
#   sh tests/tool/run.sh RBPF WORKDIR [CC [LIBFLAGS [PLUGIN_EVERY]]]
#
# RBPF is the tool under test (the host or the asan build), WORKDIR a scratch
# directory, CC the native compiler the C containers are checked against,
# LIBFLAGS what linking with the librbpf.a next to RBPF needs (the
# sanitizer flags for the asan build), PLUGIN_EVERY N: the plugin runs every
# Nth conformance program (and callx) instead of all (default 1: all; the
# asan build samples, see tools/tool.mk).
# Parts: every subcommand end to end with bad input (exit status and the
# one-line message); the assembler against the conformance suite (the
# `-- asm` of every test must give assembled.json's program_hex, asm ->
# disasm -> asm must be byte-identical, every invalid source refused naming
# its line); the plugin over the whole suite; C containers built with
# `rbpf build` at -O1/-O2/-Os and cpu v2/v3, run with `rbpf run` and
# compared with the same C compiled natively. Prints
# "tool tests: N passed, M failed" and exits non-zero on any failure.

RBPF=$1
WORK=$2
CC=${3:-gcc}
LIBFLAGS=$4
PLUGIN_EVERY=${5:-1}
CLANG=${CLANG:-clang}
export CLANG
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CONF=${RBPF_CONFORMANCE_DIR:-$ROOT/../shared/conformance}
LIBDIR=$(dirname "$RBPF")

if [ -z "$RBPF" ] || [ -z "$WORK" ] || [ ! -x "$RBPF" ]; then
    echo "usage: sh tests/tool/run.sh RBPF WORKDIR [CC [LIBFLAGS [PLUGIN_EVERY]]]" >&2
    exit 1
fi
case $RBPF in /*) ;; *) RBPF=$(pwd)/$RBPF ;; esac
case $LIBDIR in /*) ;; *) LIBDIR=$(pwd)/$LIBDIR ;; esac
rm -rf "$WORK"
mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
T=$(pwd)

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

# count_lines FILE: sets $lines to the number of lines of FILE, and $first
# to the first (shell built-ins only: the tests start many processes as it
# is).
count_lines() {
    lines=0
    first=
    while IFS= read -r line; do
        [ $lines -eq 0 ] && first=$line
        lines=$((lines + 1))
    done <"$1"
}

# check_error STATUS PATTERN CMD...: CMD exits with STATUS and writes exactly
# one line to stderr, "rbpf: error: ..." matching PATTERN (grep -E).
check_error() {
    want=$1
    pattern=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    status=$?
    count_lines "$T/err"
    if [ "$status" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qE "^rbpf: error: .*$pattern" "$T/err"; then
        ok
    else
        bad "$* -> exit $status (want $want), stderr: $(head -c 300 "$T/err")"
    fi
}

# check_ok CMD...: CMD exits 0.
check_ok() {
    "$@" >"$T/out" 2>"$T/err"
    status=$?
    if [ "$status" -eq 0 ]; then ok; else bad "$* -> exit $status: $(head -c 300 "$T/err")"; fi
}

# check_output EXPECTED CMD...: CMD exits 0 and its stdout is EXPECTED.
check_output() {
    want=$1
    shift
    got=$("$@" 2>"$T/err")
    status=$?
    if [ "$status" -eq 0 ] && [ "$got" = "$want" ]; then ok; else bad "$* -> exit $status, '$got' (want '$want') $(head -c 200 "$T/err")"; fi
}

# gen_refuses NAME SOURCE PATTERN: clang compiles SOURCE (printf format) to
# NAME.o; gen must refuse it with a message matching PATTERN.
gen_refuses() {
    printf "$2" >"$T/$1.c"
    "$CLANG" -target bpf -O2 -ffreestanding -c -o "$T/$1.o" "$T/$1.c"
    check_error 2 "$1.o: .*$3" "$RBPF" gen "$T/$1.o"
}

# le_number FILE SIZE OFFSET: the little-endian unsigned SIZE-byte number at
# OFFSET (the tests run on little-endian hosts).
le_number() { od -An -t u"$2" -j "$3" -N "$2" "$1" | tr -d ' '; }

hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# asm_section FILE: the `-- asm` section of a conformance test.
asm_section() { awk '/^-- /{s = ($0 == "-- asm"); next} s' "$1"; }

# patch FILE OFFSET HEXBYTES: overwrite bytes in place.
patch() {
    printf "$(echo "$3" | awk '{ for (i = 1; i < length($0); i += 2) printf "\\%03o", index("0123456789abcdef", substr($0, i, 1)) * 16 + index("0123456789abcdef", substr($0, i + 1, 1)) - 17 }')" >"$T/patch.bin"
    dd if="$T/patch.bin" of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# hexnorm 0x00ABC -> abc
hexnorm() {
    v=$(echo "$1" | sed 's/^0x//' | tr 'A-F' 'a-f' | sed 's/^0*//')
    echo "${v:-0}"
}

# ---- help and usage ---------------------------------------------------------
check_ok "$RBPF" help
grep -q "rbpf run" "$T/out" && ok || bad "rbpf help does not list run"
for c in build gen dump asm disasm verify run embed plugin help; do
    check_ok "$RBPF" "$c" --help
    grep -q "^usage: rbpf $c" "$T/out" && ok || bad "rbpf $c --help: no usage line"
    check_ok "$RBPF" help "$c"
done
check_error 1 "unknown command 'frobnicate'" "$RBPF" frobnicate
check_error 1 "unknown command" "$RBPF" help frobnicate
check_error 1 "run: unknown option" "$RBPF" run --bogus x.bin
check_error 1 "run: .*--budget needs a number" "$RBPF" run x.bin --budget lots
check_error 1 "asm: no input file" "$RBPF" asm
check_error 1 "gen: no input object" "$RBPF" gen
check_error 1 "no-such-file.bin: No such file" "$RBPF" dump no-such-file.bin

# ---- assembler against the conformance suite ------------------------------
if [ -f "$CONF/assembled.json" ]; then
    awk -F'"' '/"name":/ {n = $4} /"program_hex":/ {print n, $4}' "$CONF/assembled.json" >"$T/expected"
    # Each test's `-- asm` section to asm/NAME.s, assembled to asm/NAME.raw;
    # then one hex dump of all outputs, cut at each file's size and compared
    # with program_hex (few processes per program: they are most of the time).
    mkdir -p "$T/asm"
    awk -v conf="$CONF/tests" -v dir="$T/asm" '{
        src = conf "/" $1; out = dir "/" $1 ".s"; s = 0
        printf "" >out
        while ((getline line <src) > 0) {
            if (line ~ /^-- /) { s = (line == "-- asm"); continue }
            if (s) print line >out
        }
        close(src); close(out) }' "$T/expected"
    total=0
    : >"$T/assembled"
    while read -r name hex; do
        total=$((total + 1))
        if "$RBPF" asm --raw -o "$T/asm/$name.raw" "$T/asm/$name.s" 2>"$T/err"; then
            echo "$name $hex" >>"$T/assembled"
        else
            read -r line <"$T/err"
            bad "asm $name: $line"
        fi
    done <"$T/expected"
    : >"$T/all.raw"
    : >"$T/sizes"
    if [ -s "$T/assembled" ]; then
        (cd "$T/asm" && cat $(awk '{ print $1 ".raw" }' "$T/assembled") >"$T/all.raw" &&
            wc -c $(awk '{ print $1 ".raw" }' "$T/assembled") | awk '$2 != "total" { print $1 }') >"$T/sizes"
    fi
    hexof "$T/all.raw" >"$T/all.hex"
    # all.ends: each program's name and the byte offset where it ends in all.raw
    paste -d ' ' "$T/assembled" "$T/sizes" |
        awk -v hexfile="$T/all.hex" -v ends="$T/all.ends" -v counts="$T/counts" '
            BEGIN { getline all <hexfile; at = 1 }
            { end += $3; print $1, end >ends
              if (substr(all, at, 2 * $3) == $2) same++
              else print "asm " $1 ": bytes differ from assembled.json"
              at += 2 * $3 }
            END { print same + 0 >counts }' >"$T/differ"
    read -r same <"$T/counts"
    while read -r line; do bad "$line"; done <"$T/differ"
    pass=$((pass + same))
    echo "conformance: assembler reproduces $same of $total programs byte for byte"

    # asm -> disasm -> asm over all programs as one stream (jump offsets are
    # relative, so each program keeps its meaning); a difference names the
    # program it falls in.
    "$RBPF" disasm --raw "$T/all.raw" >"$T/all-rt.s" && "$RBPF" asm --raw -o "$T/all-rt.raw" "$T/all-rt.s"
    if cmp -s "$T/all.raw" "$T/all-rt.raw"; then
        ok
        echo "conformance: asm -> disasm -> asm byte-identical for all $same programs"
    else
        at=$(cmp "$T/all.raw" "$T/all-rt.raw" 2>/dev/null | awk '{print $5 + 0}')
        bad "asm -> disasm -> asm differs at byte $at, in $(awk -v at="${at:-0}" '$2 >= at {print $1; exit}' "$T/all.ends")"
    fi
    # ... and names every instruction the suite assembles (.insn is only for
    # words the assembler cannot write otherwise).
    if grep -q '\.insn' "$T/all-rt.s"; then bad "disasm writes .insn for suite programs: $(grep -m 3 '\.insn' "$T/all-rt.s" | tr '\n' ' ')"; else ok; fi

    # dump's C-like disassembly knows every instruction the suite uses: only
    # callx (not RFC 9669) may show as invalid, and no operator is unknown.
    "$RBPF" asm -o "$T/all.bin" "$T/all-rt.s" &&
        "$RBPF" dump "$T/all.bin" >"$T/all.dump"
    if [ $? -eq 0 ] && [ "$(grep -c 'invalid instruction\|callx' "$T/all.dump")" -eq 1 ] &&
        grep -q 'callx r2' "$T/all.dump" && ! grep -q '?' "$T/all.dump"; then ok; else bad "dump of every conformance program: $(grep 'invalid\|?' "$T/all.dump" | head -3)"; fi

    # Every invalid source refused, naming the line.
    for f in "$CONF"/negative/invalid_*.data "$CONF"/negative/error.data "$CONF"/negative/empty*.data; do
        asm_section "$f" >"$T/n.s"
        check_error 2 "n\.s: line [0-9]+: " "$RBPF" asm --raw -o "$T/n.raw" "$T/n.s"
    done
    # The messages say what is wrong.
    printf 'mov32 %%r0, 2147483648\nexit\n' >"$T/m.s"
    check_error 2 "line 1: immediate 2147483648 out of 32-bit range" "$RBPF" asm "$T/m.s"
    printf 'mov %%r0, 1\nja nowhere\nexit\n' >"$T/m.s"
    check_error 2 "line 2: undefined label 'nowhere'" "$RBPF" asm "$T/m.s"
    printf 'mov %%r0, 1\n\n or %%r0, %%r11\n' >"$T/m.s"
    check_error 2 "line 3: invalid register '%r11'" "$RBPF" asm "$T/m.s"
    printf 'x:\nx:\nexit\n' >"$T/m.s"
    check_error 2 "line 2: label 'x' defined twice" "$RBPF" asm "$T/m.s"
    printf 'mov %%r10, 1\nexit\n' >"$T/m.s"
    check_error 2 "line 1: 'mov' writes %r10" "$RBPF" asm "$T/m.s"
    printf 'lock fetch add [%%r1+0], %%r10\nexit\n' >"$T/m.s"
    check_error 2 "line 1: 'lock fetch add' writes %r10" "$RBPF" asm "$T/m.s"
    printf 'ldxw %%r0, [%%r1+4\nexit\n' >"$T/m.s"
    check_error 2 "line 1: .*not a memory operand" "$RBPF" asm "$T/m.s"

    # The plugin protocol over the whole suite (callx, opcode 0x8d, is not
    # RFC 9669 and must be refused), started exactly as the bpf_conformance
    # runner starts a plugin given --plugin_options 'plugin --ignored-option':
    # argv[1] the memory as "11  22  " (each byte and two spaces; "" when the
    # test has none), argv[2] the options as one argument. The memory is the
    # last field of each line, spaced as the runner spaces it.
    awk -F'"' '/"name":/ {n = $4} /"program_hex":/ {p = $4} /"mem_hex":/ {m = $4}
        /"expected_r0":/ { s = ""; for (i = 1; i < length(m); i += 2) s = s substr(m, i, 2) "  "
                           print n, p, $4, s }' \
        "$CONF/assembled.json" >"$T/plugin"
    # One rbpf process per test (the protocol), compared in one awk at the end.
    : >"$T/plugin.got"
    nl='
'
    k=0
    tried=0
    while read -r name prog want mem; do
        k=$((k + 1))
        [ "$name" = callx.data ] || [ $(((k - 1) % PLUGIN_EVERY)) -eq 0 ] || continue
        [ "$name" = callx.data ] || tried=$((tried + 1))
        [ -n "$mem" ] && mem="$mem  " # read drops the last byte's trailing spaces
        printf '%s\n' "$prog" >"$T/prog.hex"
        got=$("$RBPF" "$mem" "plugin --ignored-option" <"$T/prog.hex" 2>"$T/err")
        status=$?
        case $got in *"$nl"*) got="(several-lines)" ;; "") got="(none)" ;; esac
        line=
        read -r line <"$T/err"
        echo "$name $status $got $want $line" >>"$T/plugin.got"
    done <"$T/plugin"
    # callx (opcode 0x8d) is not RFC 9669: it must be refused
    awk -v counts="$T/counts" '
        function norm(v) { v = tolower(v); sub(/^0x/, "", v); sub(/^0+/, "", v); return v == "" ? "0" : v }
        $1 == "callx.data" { if ($2 != 0) callx++; else print "plugin accepted callx"; next }
        $2 == 0 && norm($3) == norm($4) { same++; next }
        { err = $0; for (i = 1; i <= 4; i++) sub(/^[^ ]* /, "", err)
          print "plugin " $1 ": exit " $2 ", r0 \047" $3 "\047, expected " $4 " " substr(err, 1, 200) }
        END { print same + 0, callx + 0 >counts }' "$T/plugin.got" >"$T/differ"
    read -r plugin_ok callx_refused <"$T/counts"
    while read -r line; do bad "$line"; done <"$T/differ"
    pass=$((pass + plugin_ok + callx_refused))
    echo "conformance: plugin passes $plugin_ok of $tried$([ "$PLUGIN_EVERY" -gt 1 ] && echo " (every ${PLUGIN_EVERY}th program)") (callx refused)"
    # Spaced hex and memory, as the upstream runner sends them.
    check_output "3" sh -c "echo 'b7 00 00 00 03 00 00 00 95 00 00 00 00 00 00 00' | '$RBPF' plugin"
    check_output "44332211" sh -c "echo '61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00' | '$RBPF' plugin '11 22 33 44'"
    # The other argument orders: `rbpf plugin MEMHEX`, no memory at all, the
    # runner's order with the options as separate arguments and with none.
    ldxw='61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00'
    check_output "44332211" sh -c "echo '$ldxw' | '$RBPF' plugin 11223344 --ignored-option"
    check_output "44332211" sh -c "echo '$ldxw' | '$RBPF' '11  22  33  44  ' plugin --ignored-option"
    check_output "44332211" sh -c "echo '$ldxw' | '$RBPF' '11  22  33  44  ' plugin"
    check_output "3" sh -c "echo 'b7 00 00 00 03 00 00 00 95 00 00 00 00 00 00 00' | '$RBPF' '' plugin"
    check_error 3 "illegal memory access" sh -c "echo '$ldxw' | '$RBPF' '' 'plugin --ignored-option'"
    # Only a hex first argument followed by the word plugin is the runner.
    check_error 1 "unknown command 'xyz'" "$RBPF" xyz plugin
    check_error 1 "unknown command '00'" "$RBPF" 00 pluginx
    echo "zz" >"$T/bad.hex"
    check_error 1 "program: .*not a hex digit" sh -c "'$RBPF' plugin <'$T/bad.hex'"
else
    echo "conformance suite not found at $CONF: assembler conformance checks skipped"
fi

# ---- asm / disasm / verify / run on hand-written programs -----------------
cat >"$T/loop.s" <<'EOF'
# sum 1..r1 (r1 from the context)
    ldxdw %r1, [%r1+0]
    mov %r0, 0
again:
    jeq %r1, 0, done
    add %r0, %r1
    sub %r1, 1
    ja again
done:
    exit
EOF
check_ok "$RBPF" asm -o "$T/loop.bin" "$T/loop.s"
check_output "ok" "$RBPF" verify "$T/loop.bin"
check_output "0x37" "$RBPF" run "$T/loop.bin" --ctx-hex 0a00000000000000
check_output "0x0" "$RBPF" run "$T/loop.bin" --ctx-hex "00 00 00 00 00 00 00 00"
printf '\144\0\0\0\0\0\0\0' >"$T/ctx100.bin"
check_output "0x13ba" "$RBPF" run "$T/loop.bin" --ctx-file "$T/ctx100.bin"
"$RBPF" run "$T/loop.bin" --ctx-hex 0300000000000000 --repeat 5 --stats >"$T/out" 2>"$T/err"
if [ "$(cat "$T/out")" = "0x6" ] && grep -qE '^stats: runs=5 insns=16 ns_per_run=[0-9]+ engine=threaded$' "$T/err"; then ok; else bad "run --stats: $(cat "$T/out" "$T/err")"; fi
# Every engine gives the same r0, and the same fault at the same place.
for e in interp threaded; do
    check_output "0x13ba" "$RBPF" run "$T/loop.bin" --ctx-file "$T/ctx100.bin" --engine $e
    check_error 3 "run time: .*budget" "$RBPF" run "$T/loop.bin" --engine $e --ctx-hex ffffffff00000000 --budget 1000
    check_output "44332211" sh -c "echo '61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00' | '$RBPF' plugin 11223344 --engine $e"
done
"$RBPF" run "$T/loop.bin" --ctx-hex 0300000000000000 --stats --engine interp >"$T/out" 2>"$T/err"
if grep -qE '^stats: runs=1 insns=16 ns_per_run=[0-9]+ engine=interp$' "$T/err"; then ok; else bad "run --stats --engine interp: $(cat "$T/err")"; fi
check_error 1 "--engine must be interp, threaded or jit, not 'fast'" "$RBPF" run "$T/loop.bin" --engine fast
check_error 1 "--engine jit: this build does not have that engine" "$RBPF" run "$T/loop.bin" --engine jit
check_error 1 "--trace runs on the interp engine only, not on threaded" "$RBPF" run "$T/loop.bin" --trace --engine threaded
check_error 1 "--engine needs a name" sh -c "echo '95 00 00 00 00 00 00 00' | '$RBPF' plugin --engine"
check_output "# function main" sh -c "'$RBPF' disasm '$T/loop.bin' | head -1"
"$RBPF" disasm "$T/loop.bin" | tail -n +2 >"$T/loop2.s"
check_ok "$RBPF" asm -o "$T/loop2.bin" "$T/loop2.s"
cmp -s "$T/loop.bin" "$T/loop2.bin" && ok || bad "container asm -> disasm -> asm differs"
check_ok "$RBPF" asm --raw -o "$T/loop.raw" "$T/loop.s"
check_output "0x37" "$RBPF" run --raw "$T/loop.raw" --ctx-hex 0a00000000000000
check_output "ok" "$RBPF" verify --raw "$T/loop.raw"
# Faults at run time: exit 3.
check_error 3 "run time: instruction 0 \(byte 0x0\): illegal memory access: .*8-byte read at 0x0: a null pointer \(\+0\)" "$RBPF" run "$T/loop.bin"
check_error 3 "run time: .*budget" "$RBPF" run "$T/loop.bin" --ctx-hex ffffffff00000000 --budget 1000
# Refused at load: exit 2 with the instruction index.
printf 'mov %%r0, 1\nja +5\nexit\n' >"$T/jump.s"
check_ok "$RBPF" asm -o "$T/jump.bin" "$T/jump.s"
check_error 2 "jump.bin: instruction 1: illegal jump" "$RBPF" verify "$T/jump.bin"
check_error 2 "jump.bin: instruction 1: illegal jump" "$RBPF" run "$T/jump.bin"
printf 'mov %%r0, 1\n.insn 0x00000000000000ff\nexit\n' >"$T/op.s"
check_ok "$RBPF" asm --raw -o "$T/op.raw" "$T/op.s"
check_output ".insn 0x00000000000000ff" sh -c "'$RBPF' disasm --raw '$T/op.raw' | sed -n 2p"
check_error 2 "instruction 1: illegal instruction" "$RBPF" verify --raw "$T/op.raw"
printf 'call 0x7777\nexit\n' >"$T/helper.s"
check_ok "$RBPF" asm -o "$T/helper.bin" "$T/helper.s"
check_error 2 "instruction 0 \(byte 0x0\): illegal call: .*helper 0x7777 is not registered \(rbpf run --helper ID=VALUE stubs one\)" "$RBPF" run "$T/helper.bin"
# Run-time faults name the access: size, direction, address, and where it
# lies against the nearest region (its offset, how far out, its size).
printf 'stb [%%r10-513], 1\nmov %%r0, 0\nexit\n' >"$T/low.s"
check_ok "$RBPF" asm -o "$T/low.bin" "$T/low.s"
check_error 3 "instruction 0 \(byte 0x0\): illegal memory access: .*1-byte write at 0x[0-9a-f]+: starts 1 byte before the stack, which has 512 bytes" \
    "$RBPF" run "$T/low.bin"
printf 'mov %%r0, 0\nldxdw %%r0, [%%r1+20]\nexit\n' >"$T/past.s"
check_ok "$RBPF" asm -o "$T/past.bin" "$T/past.s"
check_error 3 "instruction 1 \(byte 0x8\): .*8-byte read at 0x[0-9a-f]+: the context \+ 20, ends 4 bytes past the end of the context, which has 24 bytes" \
    "$RBPF" run "$T/past.bin" --ctx-hex 000000000000000000000000000000000000000000000000
printf 'lddwr %%r1, 0\nstw [%%r1+0], 1\nmov %%r0, 0\nexit\n' >"$T/rowrite.s"
check_ok "$RBPF" asm -o "$T/rowrite.bin" "$T/rowrite.s"
check_error 3 "instruction 2 \(byte 0x10\): .*4-byte write at 0x[0-9a-f]+: rodata \+ 0, inside rodata, which is read-only" \
    "$RBPF" run "$T/rowrite.bin"
# A helper's refused argument: the call is named, the access is the helper's.
printf 'mov %%r1, %%r10\nadd %%r1, -8\nmov %%r2, 16\nmov %%r3, 8\ncall 2\nexit\n' >"$T/memcpy.s"
check_ok "$RBPF" asm -o "$T/memcpy.bin" "$T/memcpy.s"
check_error 3 "instruction 4 \(byte 0x20, call bpf_memcpy\): illegal memory access: .*8-byte read at 0x10: a null pointer \(\+16\)" \
    "$RBPF" run "$T/memcpy.bin"
# The same detail through the plugin.
printf '61 10 08 00 00 00 00 00 95 00 00 00 00 00 00 00\n' >"$T/past.hex"
check_error 3 "program: run time: instruction 0 \(byte 0x0\): .*4-byte read at 0x[0-9a-f]+: the context \+ 8, ends 4 bytes past the end of the context, which has 8 bytes" \
    sh -c "'$RBPF' plugin 0011223344556677 <'$T/past.hex'"

# Helper names: standard ones everywhere, application ones from --names
# (a C header: #define and RBPF_HELPER lines; or "ID NAME" lines).
printf 'call 1\ncall 0x100\ncall 0x101\nexit\n' >"$T/calls.s"
check_ok "$RBPF" asm -o "$T/calls.bin" "$T/calls.s"
printf '#define NET_CHECKSUM 0x100\n#define NOT_A_HELPER 5\nRBPF_HELPER(long, net_checksum, NET_CHECKSUM, (const void *p, uint32_t n));\n' >"$T/app.h"
printf '# id name\n0x101 put_u16be\n' >"$T/app.names"
"$RBPF" dump --names "$T/app.h" --names "$T/app.names" "$T/calls.bin" >"$T/out" 2>"$T/err"
grep -q 'Call helper 0x1  /\* bpf_printf \*/' "$T/out" && grep -q 'Call helper 0x100  /\* net_checksum \*/' "$T/out" &&
    grep -q 'Call helper 0x101  /\* put_u16be \*/' "$T/out" && ok || bad "dump --names: $(grep Call "$T/out" | tr '\n' ' ') $(cat "$T/err")"
"$RBPF" disasm --names "$T/app.h" "$T/calls.bin" >"$T/calls-dis.s" 2>"$T/err"
[ "$(grep -c '^call' "$T/calls-dis.s")" = 3 ] && grep -q '^call 1 # bpf_printf$' "$T/calls-dis.s" &&
    grep -q '^call 256 # net_checksum$' "$T/calls-dis.s" && grep -q '^call 257$' "$T/calls-dis.s" && ok ||
    bad "disasm --names: $(cat "$T/calls-dis.s" "$T/err")"
# ... and the listing still assembles to the same bytes.
check_ok "$RBPF" asm -o "$T/calls2.bin" "$T/calls-dis.s"
cmp -s "$T/calls.bin" "$T/calls2.bin" && ok || bad "disasm with helper names does not round-trip"
# Sming's bpf_appcalls.h names its calls in X-macro rows.
printf '#define BPF_SYSCALL_APP(XX) \\\n    XX(0x0100, bpf_test_wide, uint64_t, uint64_t a) \\\n    XX(0x0101, bpf_test_sum, int64_t, const uint8_t* data, size_t len)\n' >"$T/bpf_appcalls.h"
"$RBPF" disasm --names "$T/bpf_appcalls.h" "$T/calls.bin" >"$T/out" 2>"$T/err"
grep -q '^call 256 # bpf_test_wide$' "$T/out" && grep -q '^call 257 # bpf_test_sum$' "$T/out" && ok ||
    bad "disasm --names bpf_appcalls.h: $(cat "$T/out" "$T/err")"
printf '0x100 9lives\n' >"$T/bad.names"
check_error 1 "bad.names: helper name for id 0x100 is not a C identifier" "$RBPF" dump --names "$T/bad.names" "$T/calls.bin"
check_error 2 "instruction 1 \(byte 0x8\): illegal call: .*helper 0x100 net_checksum is not registered" \
    "$RBPF" run --names "$T/app.h" "$T/calls.bin"
# --helper ID=VALUE stubs an application helper; --ctx-out writes the context
# the run left behind.
printf 'stb [%%r1+1], 7\nmov %%r6, %%r1\ncall 0x100\nldxb %%r1, [%%r6+0]\nadd %%r0, %%r1\nexit\n' >"$T/app.s"
check_ok "$RBPF" asm -o "$T/app.bin" "$T/app.s"
check_output "0x3ed" "$RBPF" run "$T/app.bin" --ctx-hex 0500 --helper 0x100=1000 --ctx-out "$T/ctx-out.bin"
[ "$(hexof "$T/ctx-out.bin")" = 0507 ] && ok || bad "--ctx-out wrote $(hexof "$T/ctx-out.bin"), want 0507"
check_output "0x4" "$RBPF" run "$T/app.bin" --ctx-hex 0500 --helper 256=-1
check_error 1 "run: --helper needs ID=VALUE" "$RBPF" run "$T/app.bin" --helper 0x100
check_error 1 "run: --helper: helper 1=5 is registered already" "$RBPF" run "$T/app.bin" --helper 1=5
# --trace: each instruction with index, byte offset, disassembly, the
# registers it changed and the memory it wrote; bounded by --trace-max.
"$RBPF" run "$T/app.bin" --ctx-hex 0500 --helper 0x100=1000 --names "$T/app.h" --trace >"$T/out" 2>"$T/err"
count_lines "$T/err"
if [ "$(cat "$T/out")" = 0x3ed ] && [ "$lines" -eq 7 ] &&
    grep -qE '^trace: +0 0x0 +\*\(uint8_t\*\)\(r1 \+ 1\) = 7 +\[0x[0-9a-f]+\]=0x7 \(1 byte\)$' "$T/err" &&
    grep -qE '^trace: +2 0x10 +Call helper 0x100  /\* net_checksum \*/ +r0=0x3e8$' "$T/err" &&
    grep -qE '^trace: +4 0x20 +r0 \+= r1 +r0=0x3ed$' "$T/err" &&
    grep -qE '^trace: returned 0x3ed after 6 instructions$' "$T/err"; then ok; else bad "run --trace: $(cat "$T/out" "$T/err")"; fi
"$RBPF" run "$T/loop.bin" --ctx-hex ff00000000000000 --trace --trace-max 5 >"$T/out" 2>"$T/err"
count_lines "$T/err"
[ "$(cat "$T/out")" = 0x7f80 ] && [ "$lines" -eq 7 ] && grep -q '^trace: stopped after 5 instructions (--trace-max)' "$T/err" &&
    grep -q '^trace: returned 0x7f80 after 1024 instructions$' "$T/err" && ok || bad "--trace-max: $(head -c 600 "$T/err")"
"$RBPF" run "$T/past.bin" --ctx-hex 0000 --trace >"$T/out" 2>"$T/err"
[ $? -eq 3 ] && grep -qE '^trace: +1 0x8 +r0 = \*\(uint64_t\*\)\(r1 \+ 20\)$' "$T/err" &&
    grep -q '^trace: stopped: illegal memory access' "$T/err" && ok || bad "--trace of a fault: $(cat "$T/err")"
head -c 5 "$T/ctx100.bin" >"$T/five.raw"
check_error 2 "five.raw: 5 bytes is not a whole number of instructions" "$RBPF" disasm --raw "$T/five.raw"
check_error 1 "--ctx-hex: .*not a hex digit" "$RBPF" run "$T/loop.bin" --ctx-hex 0g
check_error 1 "--ctx-hex: .*odd number" "$RBPF" run "$T/loop.bin" --ctx-hex 012
check_error 1 "run: give --ctx-hex or --ctx-file" "$RBPF" run "$T/loop.bin" --ctx-hex 00 --ctx-file x

# Arbitrary words (the tool's own machine code, a C source as bytes) as
# instructions: disasm writes what it cannot name as .insn, so the round
# trip holds for any input; dump and run refuse or run, never crash.
for src in "$RBPF" "$HERE/native_driver.c"; do
    head -c 8192 "$src" >"$T/words.raw"
    size=$(wc -c <"$T/words.raw")
    head -c $((size / 8 * 8)) "$T/words.raw" >"$T/words8.raw"
    "$RBPF" disasm --raw "$T/words8.raw" >"$T/words.s" && "$RBPF" asm --raw -o "$T/words2.raw" "$T/words.s" 2>"$T/err" &&
        cmp -s "$T/words8.raw" "$T/words2.raw" && ok || bad "round trip of arbitrary words from $src: $(head -c 200 "$T/err")"
    "$RBPF" run --raw "$T/words8.raw" >/dev/null 2>"$T/err"
    status=$?
    [ $status -ge 2 ] && [ $status -le 3 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "run of arbitrary words from $src: exit $status"
done

# Inputs sized to expose work that grows faster than the input: 320,000
# labels (6 MB of source) each jumped to from elsewhere. Linear scans per
# label took about 5 minutes; the hash table, well under a second. The
# timeout only keeps a regression from hanging the suite.
awk 'BEGIN { n = 320000; for (i = 0; i < n; i++) { print "L" i ":"; print "ja L" (int(i / 1000) * 1000 + (i * 7919) % 1000) }; print "exit" }' >"$T/labels.s"
if timeout 120 "$RBPF" asm --raw -o "$T/labels.raw" "$T/labels.s" 2>"$T/err" &&
    [ "$(wc -c <"$T/labels.raw")" -eq $((8 * 320001)) ]; then ok; else bad "asm of 320000 labels: $(head -c 200 "$T/err")"; fi

# A 6 MB container: 2^20 function-table entries, all at the last of 8192
# instructions. Scanning the table per instruction (disasm, dump) or
# searching each name's NUL per entry (loader and tool) was quadratic.
double() { i=0; while [ $i -lt "$2" ]; do cat "$1" "$1" >"$1.2" && mv "$1.2" "$1"; i=$((i + 1)); done; }
printf '\267\000\000\000\007\000\000\000' >"$T/many.text"; double "$T/many.text" 13
head -c $((8 * 8191)) "$T/many.text" >"$T/many.t2"
printf '\225\000\000\000\000\000\000\000' >>"$T/many.t2"
printf '\000\000\000\000\370\377' >"$T/many.table"; double "$T/many.table" 20
{ printf 'rBPF\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\005\000\000\000'
  printf '\000\000\001\000\000\000\020\000main\000\000\000\000'
  cat "$T/many.t2" "$T/many.table"; } >"$T/many.bin"
if timeout 120 "$RBPF" disasm "$T/many.bin" >"$T/many.s" && [ "$(grep -c '^# function main$' "$T/many.s")" -eq 1048576 ] &&
    timeout 120 "$RBPF" dump "$T/many.bin" >/dev/null && timeout 120 "$RBPF" run "$T/many.bin" >/dev/null; then ok
else bad "a container with 2^20 functions: not listed and run in time"; fi

# ---- bad containers: dump, disasm, verify, run -----------------------------
: >"$T/empty.bin"
mkdir -p "$T/adir"
head -c 64 "$HERE/native_driver.c" >"$T/garbage.bin"
for cmd in dump disasm verify run; do
    check_error 2 "empty.bin: .*(truncated|header)" "$RBPF" $cmd "$T/empty.bin"
    check_error 1 "adir: is a directory" "$RBPF" $cmd "$T/adir"
    check_error 2 "garbage.bin: .*(magic|truncated)" "$RBPF" $cmd "$T/garbage.bin"
done
# A container whose header lies about its lengths.
cp "$T/loop.bin" "$T/lying.bin"
patch "$T/lying.bin" 24 00010000 # text_len = 256
for cmd in dump disasm verify run; do
    check_error 2 "lying.bin: .*truncated" "$RBPF" $cmd "$T/lying.bin"
done
cp "$T/loop.bin" "$T/lying2.bin"
patch "$T/lying2.bin" 20 ffffffff # rodata_len = 4 GiB - 1
check_error 2 "lying2.bin: .*truncated" "$RBPF" dump "$T/lying2.bin"
check_error 2 "lying2.bin: " "$RBPF" run "$T/lying2.bin"
cp "$T/loop.bin" "$T/badfn.bin"
size=$(wc -c <"$T/badfn.bin")
patch "$T/badfn.bin" $((size - 2)) f000 # function offset 0xf0, past the text
check_error 2 "badfn.bin: .*function" "$RBPF" dump "$T/badfn.bin"
check_error 2 "badfn.bin: " "$RBPF" run "$T/badfn.bin"
# Every truncation of a valid container is refused by every reader.
n=0
while [ $n -lt "$size" ]; do
    head -c $n "$T/loop.bin" >"$T/cut.bin"
    check_error 2 "cut.bin: " "$RBPF" dump "$T/cut.bin"
    check_error 2 "cut.bin: " "$RBPF" run "$T/cut.bin"
    n=$((n + 7))
done

# A function name may hold any byte but NUL: listings show it escaped, so
# a name cannot pass for instructions (reassembling the listing once gave
# 666 where the container gives 7) nor send control codes to a terminal.
# tiny_named NAME_PRINTF_FORMAT NAME_LENGTH OUT: a container with one
# function of that name: mov r0, 7; exit.
tiny_named() {
    pad=$(( (8 - ($2 + 1) % 8) % 8 ))
    { printf 'rBPF\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
      printf "\\$(printf '%03o' $(($2 + 1)))\\000\\000\\000\\020\\000\\000\\000\\001\\000\\000\\000"
      printf "$1"; printf '\000'; i=0; while [ $i -lt $pad ]; do printf '\000'; i=$((i + 1)); done
      printf '\267\000\000\000\007\000\000\000\225\000\000\000\000\000\000\000'
      printf '\000\000\000\000\000\000'; } >"$3"
}
tiny_named 'main\nmov %%r0, 666\nexit\n#' 24 "$T/named.bin"
check_output "0x7" "$RBPF" run "$T/named.bin"
"$RBPF" disasm "$T/named.bin" >"$T/named.s"
if [ "$(wc -l <"$T/named.s")" -eq 3 ] && grep -q '^# function main\\x0amov\\x20%r0,\\x20666\\x0aexit\\x0a#$' "$T/named.s"; then ok; else bad "disasm shows a function name raw: $(cat "$T/named.s")"; fi
"$RBPF" asm -o "$T/named2.bin" "$T/named.s" && check_output "0x7" "$RBPF" run "$T/named2.bin"
"$RBPF" dump "$T/named.bin" >"$T/named.dump"
if ! grep -q '666' "$T/named.dump" || grep -q '^mov\|^exit' "$T/named.dump"; then bad "dump shows a function name raw"; else
    grep -q '"main\\x0amov\\x20%r0,\\x20666\\x0aexit\\x0a#": 0x0' "$T/named.dump" &&
        grep -q '^<main\\x0amov\\x20%r0,\\x20666\\x0aexit\\x0a#>$' "$T/named.dump" && ok || bad "dump: name not escaped: $(head -c 300 "$T/named.dump")"
fi
tiny_named 'x\033[2Jy' 6 "$T/esc.bin"
"$RBPF" disasm "$T/esc.bin" >"$T/esc.s"
"$RBPF" dump "$T/esc.bin" >>"$T/esc.s"
if grep -q "$(printf '\033')" "$T/esc.s" || ! grep -q 'x\\x1b\[2Jy' "$T/esc.s"; then bad "a control code in a name reaches the terminal"; else ok; fi

# A container that asks for 4 GiB of bss (62 bytes) is refused before
# anything is allocated; --ram-limit moves the limit.
tiny_named 'main' 4 "$T/bss.bin"
patch "$T/bss.bin" 16 f0ffffff
check_error 2 "bss.bin: data and bss need 4294967280 bytes of RAM, over the limit of 16777216 \(--ram-limit" \
    "$RBPF" run "$T/bss.bin"
patch "$T/bss.bin" 16 10000000
check_error 2 "over the limit of 8 " "$RBPF" run "$T/bss.bin" --ram-limit 8
check_output "0x7" "$RBPF" run "$T/bss.bin" --ram-limit 16

# ---- embed ----------------------------------------------------------------
cp "$T/loop.bin" "$T/sum-loop.bin"
printf 'mov %%r0, 42\nexit\n' >"$T/forty.s"
check_ok "$RBPF" asm -o "$T/9forty two.bin" "$T/forty.s"
check_ok "$RBPF" embed -o "$T/embedded" "$T/sum-loop.bin" "$T/9forty two.bin"
grep -q "rbpf_container_sum_loop\[$(wc -c <"$T/sum-loop.bin")\]" "$T/embedded.h" && ok || bad "embed: rbpf_container_sum_loop missing"
grep -q "constexpr Blob sum_loop{rbpf_container_sum_loop, $(wc -c <"$T/sum-loop.bin")};" "$T/embedded.h" && ok ||
    bad "embed: rBPF::Container::sum_loop missing"
grep -q "rbpf_container__9forty_two_size" "$T/embedded.h" && ok || bad "embed: name not sanitized"
if $CC -std=c99 -Wall -Wextra -Werror -I"$ROOT/include" -I"$T" -o "$T/embed_test" \
    "$HERE/embed_main.c" "$T/embedded.c" "$LIBDIR/librbpf.a" $LIBFLAGS 2>"$T/err"; then
    ok
    check_ok "$T/embed_test" sum_loop "$(wc -c <"$T/sum-loop.bin")" 0400000000000000 0xa \
        _9forty_two "$(wc -c <"$T/9forty two.bin")" 00 0x2a
else
    bad "embedded C does not compile: $(head -c 400 "$T/err")"
fi
cp "$T/loop.bin" "$T/sum_loop.bin"
check_error 1 "embed: .*both give the name 'sum_loop'" "$RBPF" embed -o "$T/dup" "$T/sum-loop.bin" "$T/sum_loop.bin"
# Nothing from a path reaches the compiler: a path that closes the comment
# it is written in, starts a line of C and opens another comment, and a
# 260-byte path (once cut at 512 bytes a line, giving C that did not
# compile while embed exited 0).
mkdir -p "$T/x*" "$T/x*/
int injected = 1;" "$T/$(printf 'd%.0s' $(seq 150))"
evil="$T/x*/
int injected = 1;/*y.bin"
long="$T/$(printf 'd%.0s' $(seq 150))/$(printf 'n%.0s' $(seq 100)).bin"
cp "$T/9forty two.bin" "$evil"
cp "$evil" "$long"
check_ok "$RBPF" embed -o "$T/odd" "$evil" "$long"
if $CC -std=c99 -Wall -Wextra -Werror -I"$ROOT/include" -c "$T/odd.c" -o "$T/odd.o" 2>"$T/err"; then
    ok
    nm "$T/odd.o" | grep -q injected && bad "embed: a path put C into the generated source" || ok
    nm "$T/odd.o" | grep -q "rbpf_container_$(printf 'n%.0s' $(seq 100))_size" && ok ||
        bad "embed: the long path's container is missing"
else
    bad "embed: C from odd paths does not compile: $(head -c 400 "$T/err")"
fi
check_error 1 "embed: -o .*the header's name must be printable ASCII" "$RBPF" embed -o "$T/a\"b" "$T/9forty two.bin"
check_error 1 "embed: -o .*a.x0ab: the header's name" "$RBPF" embed -o "$T/a
b" "$T/9forty two.bin"
# A write that fails leaves the file as it was (every output goes to
# FILE.partial, renamed over FILE once complete): here FILE.partial cannot be
# created, and no half-written embedded.c must stay for make to take as done.
cp "$T/embedded.c" "$T/embedded.c.before"
mkdir "$T/embedded.c.partial"
check_error 1 "embedded.c: cannot write" "$RBPF" embed -o "$T/embedded" "$T/sum-loop.bin"
cmp -s "$T/embedded.c" "$T/embedded.c.before" && ok || bad "a failed embed changed embedded.c"
rmdir "$T/embedded.c.partial"
check_ok "$RBPF" embed -o "$T/embedded" "$T/sum-loop.bin"
[ ! -e "$T/embedded.c.partial" ] && [ ! -e "$T/embedded.h.partial" ] && ok || bad "embed left a .partial file"

# ---- gen and build ----------------------------------------------------------
if ! "$CLANG" -target bpf -x c -c /dev/null -o /dev/null 2>/dev/null; then
    echo "FAIL: $CLANG cannot compile for the BPF target: install clang (the C container tests need it)"
    fail=$((fail + 1))
else
    cat >"$T/increment.c" <<'EOF'
#include <rbpf/container.h>

struct counter {
    uint64_t value;
};

uint64_t increment(struct counter *ctx)
{
    return ctx->value + 1;
}
EOF
    (cd "$T" && "$RBPF" build increment.c) >/dev/null 2>"$T/err" && [ -f "$T/increment.bin" ] && ok ||
        bad "build increment.c: $(cat "$T/err")"
    check_output "0x2a" "$RBPF" run "$T/increment.bin" --ctx-hex 2900000000000000
    "$RBPF" dump "$T/increment.bin" >"$T/dump.txt"
    for want in 'Magic:' 'No. functions:	1' '"increment": 0x0' 'r0 = \*(uint64_t\*)(r1 + 0)' 'r0 += 1' 'Return r0'; do
        grep -q "$want" "$T/dump.txt" && ok || bad "dump of increment lacks '$want'"
    done
    # RBPF_INCLUDE overrides the header directory.
    mkdir -p "$T/inc/rbpf"
    echo '#define FROM_OVERRIDE 77' >"$T/inc/rbpf/container.h"
    printf '#include <rbpf/container.h>\nunsigned long f(void) { return FROM_OVERRIDE; }\n' >"$T/over.c"
    RBPF_INCLUDE="$T/inc" "$RBPF" build -o "$T/over.bin" "$T/over.c" 2>"$T/err" && ok || bad "RBPF_INCLUDE: $(cat "$T/err")"
    check_output "0x4d" "$RBPF" run "$T/over.bin"
    # -D and -I reach clang; -f selects a function.
    printf '#include "extra.h"\nunsigned long first(void) { return VALUE + EXTRA; }\nunsigned long second(void) { return 2; }\n' >"$T/defs.c"
    mkdir -p "$T/extra"
    echo '#define EXTRA 100' >"$T/extra/extra.h"
    check_ok "$RBPF" build -o "$T/defs.bin" -D VALUE=5 -I "$T/extra" -O 1 --cpu v2 "$T/defs.c"
    check_output "0x69" "$RBPF" run "$T/defs.bin"
    check_output "0x2" "$RBPF" run "$T/defs.bin" -f second
    check_error 2 "no function named 'third'" "$RBPF" run "$T/defs.bin" -f third
    # bpf_printf goes to stderr, r0 alone on stdout.
    printf '#include <rbpf/container.h>\nunsigned long hello(void) { bpf_printf("hello %%d\\n", 42); return 7; }\n' >"$T/hello.c"
    check_ok "$RBPF" build -o "$T/hello.bin" "$T/hello.c"
    "$RBPF" run "$T/hello.bin" >"$T/out" 2>"$T/err"
    [ "$(cat "$T/out")" = "0x7" ] && [ "$(cat "$T/err")" = "hello 42" ] && ok || bad "printf: stdout '$(cat "$T/out")' stderr '$(cat "$T/err")'"
    # C++: a template, an extern "C" entry point.
    cat >"$T/multiply.cpp" <<'EOF'
#include <rbpf/container.h>
struct Ctx { uint64_t a, b, out; };
template <typename T> static T product(T x, T y) { return x * y; }
RBPF_EXPORT uint64_t multiply(Ctx *ctx) { ctx->out = product(ctx->a, ctx->b); return ctx->out + 1; }
EOF
    check_ok "$RBPF" build -o "$T/multiply.bin" "$T/multiply.cpp"
    check_output "0x2b" "$RBPF" run "$T/multiply.bin" --ctx-hex 060000000000000007000000000000000000000000000000
    # Build errors.
    printf 'int broken(void) { return }\n' >"$T/broken.c"
    "$RBPF" build -o "$T/broken.bin" "$T/broken.c" >/dev/null 2>"$T/err"
    [ $? -eq 2 ] && tail -1 "$T/err" | grep -q "^rbpf: error: .*broken.c: clang failed" && ok || bad "build of broken C: $(tail -1 "$T/err")"
    check_error 1 "cannot run 'no-such-clang': install clang" env CLANG=no-such-clang "$RBPF" build "$T/increment.c"
    check_error 1 "adir: is a directory" "$RBPF" build "$T/adir"
    check_error 1 "--cpu must be" "$RBPF" build --cpu v9 "$T/increment.c"
    # Extra clang flags: -X FLAG (repeatable) and everything after --.
    check_ok "$RBPF" build -o "$T/defs2.bin" -X -DVALUE=7 -X "-I$T/extra" "$T/defs.c"
    check_output "0x6b" "$RBPF" run "$T/defs2.bin"
    check_ok "$RBPF" build -o "$T/defs3.bin" "$T/defs.c" -- -DVALUE=9 -I "$T/extra"
    check_output "0x6d" "$RBPF" run "$T/defs3.bin"
    # A refusal by gen names the source, never the temporary object.
    printf 'int faraway(int);\nint use(int x) { return faraway(x); }\n' >"$T/far.c"
    # ... and the line, when the refusal names an instruction (the object is
    # built again with -g to find it), with or without -g.
    check_error 2 "far\.c:2: undefined function 'faraway' called at \.text\+0x" "$RBPF" build -o "$T/far.bin" "$T/far.c"
    grep -q "rbpf-build-" "$T/err" && bad "build names a temporary file: $(cat "$T/err")" || ok
    check_error 2 "far\.c:2: undefined function 'faraway'" "$RBPF" build -g -o "$T/far.bin" "$T/far.c"
    # Signed division below --cpu v4: the last line says which --cpu works,
    # and where (clang 18 and later give the line, clang 14 the function).
    printf 'long quotient(long *c)\n{\n    return c[0] / c[1];\n}\n' >"$T/sdiv.c"
    for cl in "$CLANG" clang-19 clang-22; do
        command -v "$cl" >/dev/null 2>&1 || continue
        CLANG=$cl "$RBPF" build -o "$T/sdiv.bin" "$T/sdiv.c" >/dev/null 2>"$T/err"
        status=$?
        last=$(tail -n 1 "$T/err")
        case $last in
        "rbpf: error: $T/sdiv.c"*"signed division or remainder needs --cpu v4 (clang 18 or later)"*)
            [ $status -eq 2 ] && ! grep -q "rbpf-build-\|Stack dump\|PLEASE" "$T/err" &&
                { echo "$last" | grep -qE "sdiv.c:[0-9]+: |function quotient: "; } && ok ||
                bad "$cl: signed division at v3: exit $status: $(head -c 300 "$T/err")" ;;
        *) bad "$cl: signed division at v3: exit $status, last line '$last'" ;;
        esac
    done
    if ! "$CLANG" -target bpf -mcpu=v4 -x c -c /dev/null -o /dev/null 2>/dev/null; then
        "$RBPF" build --cpu v4 -o "$T/sdiv.bin" "$T/sdiv.c" >/dev/null 2>"$T/err"
        status=$?
        tail -n 1 "$T/err" | grep -q "^rbpf: error: .*sdiv.c: '$CLANG' does not know --cpu v4: v4 needs clang 18 or later" &&
            [ $status -eq 2 ] && ok || bad "--cpu v4 with $CLANG: exit $status, $(tail -n 1 "$T/err")"
    fi

    # build -g: a line table beside the container (never inside it), from
    # which dump, disasm and run --trace show file:line and the source text.
    printf '#include <stdint.h>\nstruct c { uint64_t a, b; };\n\nuint64_t mix(struct c *c)\n{\n    uint64_t x = c->a * 3;\n    x ^= c->b;\n    return x + 1;\n}\n' >"$T/lined.c"
    check_ok "$RBPF" build -g -O1 -o "$T/lined.bin" "$T/lined.c"
    check_ok "$RBPF" build -O1 -o "$T/unlined.bin" "$T/lined.c"
    cmp -s "$T/lined.bin" "$T/unlined.bin" && [ -f "$T/lined.lines" ] && [ ! -f "$T/unlined.lines" ] && ok ||
        bad "build -g: the container differs from one without -g, or the line table is missing"
    head -1 "$T/lined.lines" | grep -q '^rbpf-lines 1$' && grep -q "^file 0 .*lined.c$" "$T/lined.lines" && ok ||
        bad "lined.lines: $(head -c 300 "$T/lined.lines")"
    "$RBPF" dump "$T/lined.bin" >"$T/out" 2>"$T/err"
    grep -q '^; lined.c:6: uint64_t x = c->a \* 3;$' "$T/out" && grep -q '^; lined.c:8: return x + 1;$' "$T/out" && ok ||
        bad "dump with a line table: $(sed -n '/text:/,$p' "$T/out" | head -20)"
    "$RBPF" disasm "$T/lined.bin" >"$T/lined.s" 2>"$T/err"
    grep -q '^# lined.c:7: x ^= c->b;$' "$T/lined.s" && ok || bad "disasm with a line table: $(cat "$T/lined.s")"
    "$RBPF" disasm "$T/unlined.bin" >"$T/unlined.s"
    check_ok "$RBPF" asm -o "$T/lined2.bin" "$T/lined.s"
    check_ok "$RBPF" asm -o "$T/unlined2.bin" "$T/unlined.s"
    cmp -s "$T/unlined2.bin" "$T/lined2.bin" && ok || bad "disasm with source lines does not round-trip"
    "$RBPF" run "$T/lined.bin" --ctx-hex 05000000000000000100000000000000 --trace >"$T/out" 2>"$T/err"
    [ "$(cat "$T/out")" = 0xf ] && grep -q '^trace: lined.c:6: uint64_t x = c->a \* 3;$' "$T/err" && ok ||
        bad "run --trace with a line table: $(cat "$T/out" "$T/err")"
    # The table is found beside the container, or given; a bad one is refused
    # naming its line; a source that cannot be read leaves file:line alone.
    sed 's|^file 0 .*|file 0 /nonexistent/lined.c|' "$T/lined.lines" >"$T/moved.lines"
    "$RBPF" dump --lines "$T/moved.lines" "$T/unlined.bin" >"$T/out" 2>"$T/err"
    grep -q '^; lined.c:6:$' "$T/out" && ok || bad "dump --lines with the source gone: $(grep '^;' "$T/out")"
    printf 'rbpf-lines 1\nfile 0 x.c\n0x8 0 3\n0x0 0 2\n' >"$T/bad.lines"
    check_error 1 "bad.lines: line 4: expected 'OFFSET FILE LINE'" "$RBPF" disasm --lines "$T/bad.lines" "$T/unlined.bin"
    printf 'rbpf-lines 1\n0x0 0 2\n' >"$T/bad2.lines"
    check_error 1 "bad2.lines: line 2: expected 'OFFSET FILE LINE' \(offsets ascending, a file listed above\)" "$RBPF" dump --lines "$T/bad2.lines" "$T/unlined.bin"
    check_error 1 "lined.bin: line 1: not an rbpf line table" "$RBPF" dump --lines "$T/lined.bin" "$T/unlined.bin"
    # gen refusals, each naming what is wrong.
    "$CLANG" -target bpf -mcpu=v3 -O2 -ffreestanding -fno-common -c "$T/increment.c" -I"$ROOT/include/container" -o "$T/inc.o"
    check_ok "$RBPF" gen -o "$T/inc-gen.bin" "$T/inc.o"
    cmp -s "$T/inc-gen.bin" "$T/increment.bin" && ok || bad "gen and build give different containers"
    check_error 2 "empty.bin: not an ELF file" "$RBPF" gen "$T/empty.bin"
    check_error 1 "adir: is a directory" "$RBPF" gen "$T/adir"
    check_error 2 "garbage.bin: not an ELF file" "$RBPF" gen "$T/garbage.bin"
    printf 'int native(int x) { return x + 1; }\n' >"$T/native.c"
    $CC -c -o "$T/native.o" "$T/native.c"
    check_error 2 "native.o: ELF machine [0-9]+ is not BPF" "$RBPF" gen "$T/native.o"
    gen_refuses nocode 'int only_data = 5;\n' "(missing section .text|\.text is empty)"
    gen_refuses undef 'extern int elsewhere;\nint use(void) { return elsewhere; }\n' \
        "undefined symbol 'elsewhere'"
    gen_refuses undeffn 'int faraway(int);\nint use(int x) { return faraway(x); }\n' \
        "undefined function 'faraway'"
    # Pointers in initialised data become a relocation table (the header's
    # flag 0x100); a container without them has neither.
    printf 'const char *message = "hi";\nchar get(void) { return message[1]; }\n' >"$T/ptr.c"
    check_ok "$RBPF" build -o "$T/ptr.bin" "$T/ptr.c"
    check_output "0x69" "$RBPF" run "$T/ptr.bin"
    "$RBPF" dump "$T/ptr.bin" >"$T/out"
    grep -q '^flags:	0x100$' "$T/out" && grep -q '^relocations:$' "$T/out" &&
        grep -qE '^	data\+0x0 = &rodata\+0x0$' "$T/out" && ok || bad "dump of ptr.bin: $(head -c 400 "$T/out")"
    [ "$(le_number "$T/inc-gen.bin" 4 8)" = 0 ] && ! grep -q relocations "$T/dump.txt" && ok ||
        bad "a container without pointers has the relocation flag or table"
    gen_refuses fnptrdata 'static int f(int x) { return x; }\nint (*fp)(int) = f;\nint get(void) { return fp != 0; }\n' \
        "pointer to '.*' in \.text at \.data\+0x0: function pointers are not supported"
    gen_refuses outside 'int arr[2];\nint *p = &arr[5];\nint get(void) { return *p; }\n' \
        "pointer at \.data\+0x0 to '.*' \+ 20 points outside section '\.bss' \(8 bytes\)"
    printf '\t.data\n\t.globl w\nw:\n\t.long x\n\t.text\n\t.globl get\n\t.type get,@function\nget:\n\tr0 = 0\n\texit\n\t.bss\nx:\n\t.quad 0\n' >"$T/abs32.s"
    "$CLANG" -target bpf -c -o "$T/abs32.o" "$T/abs32.s"
    check_error 2 "abs32.o: relocation type [34] against '.*' at \.data\+0x0: only 64-bit pointers \(R_BPF_64_ABS64\) can be set in data" \
        "$RBPF" gen "$T/abs32.o"
    # A corrupt relocation table: the tool's readers and the loader refuse
    # it, naming the entry by its byte offset.
    size=$(wc -c <"$T/ptr.bin")
    cp "$T/ptr.bin" "$T/badrel.bin"
    patch "$T/badrel.bin" $((size - 8)) 09000000 # place data+9: past the 8 bytes of data
    check_error 2 "badrel.bin: relocation 0 \(byte $((size - 8))\): place data\+9 is not 8 bytes inside data" "$RBPF" dump "$T/badrel.bin"
    cp "$T/ptr.bin" "$T/badrel2.bin"
    patch "$T/badrel2.bin" $((size - 1)) 07 # base 7
    check_error 2 "badrel2.bin: relocation 0 \(byte $((size - 8))\): unknown base 7" "$RBPF" verify "$T/badrel2.bin"
    cp "$T/ptr.bin" "$T/badrel3.bin"
    patch "$T/badrel3.bin" $((size - 12)) 02000000 # count 2: the table runs past the end
    check_error 2 "badrel3.bin: container truncated: 2 relocations" "$RBPF" run "$T/badrel3.bin"
    gen_refuses fnptr 'static int f(int x) { return x; }\nint (*get(void))(int) { return f; }\n' \
        "function pointers are not supported"
    # Hostile objects: section headers past the end, a bad section count,
    # and every truncation of a real object.
    cp "$T/inc.o" "$T/shoff.o"
    patch "$T/shoff.o" 40 ffffffffffffff7f
    check_error 2 "shoff.o: ELF section headers .* run past the end" "$RBPF" gen "$T/shoff.o"
    cp "$T/inc.o" "$T/shstr.o"
    patch "$T/shstr.o" 62 ff7f
    check_error 2 "shstr.o: ELF section name table index" "$RBPF" gen "$T/shstr.o"
    # An unsupported relocation type (the first entry of .rel.text made type
    # 3), and a missing symbol table (its section type made PROGBITS).
    "$CLANG" -target bpf -O2 -ffreestanding -c -o "$T/rel.o" "$HERE/containers/strings.c"
    cp "$T/rel.o" "$T/nosym.o"
    shoff=$(le_number "$T/rel.o" 8 40)
    i=0
    while [ $i -lt "$(le_number "$T/rel.o" 2 60)" ]; do
        type=$(le_number "$T/rel.o" 4 $((shoff + i * 64 + 4)))
        [ "$type" = 9 ] && patch "$T/rel.o" $(($(le_number "$T/rel.o" 8 $((shoff + i * 64 + 24))) + 8)) 03
        [ "$type" = 2 ] && patch "$T/nosym.o" $((shoff + i * 64 + 4)) 01
        i=$((i + 1))
    done
    check_error 2 "rel.o: unsupported relocation type 3 against '.*' at \.text\+0x" "$RBPF" gen "$T/rel.o"
    check_error 2 "nosym.o: missing section \.symtab" "$RBPF" gen "$T/nosym.o"
    osize=$(wc -c <"$T/inc.o")
    n=0
    while [ $n -lt "$osize" ]; do
        head -c $n "$T/inc.o" >"$T/cut.o"
        check_error 2 "cut.o: " "$RBPF" gen -o "$T/cut.bin" "$T/cut.o"
        n=$((n + 13))
    done

    # Mutated objects and containers: whatever the bytes, gen, dump and run
    # answer with success or a one-line refusal, never a crash.
    i=1
    osize=$(wc -c <"$T/inc.o")
    bsize=$(wc -c <"$T/increment.bin")
    while [ $i -le 60 ]; do
        cp "$T/inc.o" "$T/mut.o"
        cp "$T/increment.bin" "$T/mut.bin"
        patch "$T/mut.o" $(((i * 7919) % (osize - 4))) "$(printf '%08x' $(((i * 2654435761) % 4294967296)))"
        patch "$T/mut.bin" $(((i * 31) % (bsize - 2))) "$(printf '%04x' $(((i * 40503) % 65536)))"
        for cmd in "gen -o $T/mut-gen.bin $T/mut.o" "dump $T/mut.bin" "run $T/mut.bin --ctx-hex 0100000000000000"; do
            "$RBPF" $cmd >/dev/null 2>"$T/err"
            status=$?
            count_lines "$T/err"
            if { [ $status -eq 0 ] && [ "$lines" -eq 0 ]; } ||
                { [ $status -ge 2 ] && [ $status -le 3 ] && [ "$lines" -eq 1 ] &&
                    case $first in "rbpf: error: "*) true ;; *) false ;; esac; }; then
                ok
            else
                bad "mutation $i: rbpf $cmd -> exit $status: $(head -c 300 "$T/err")"
            fi
        done
        i=$((i + 1))
    done

    # ---- C containers against native gcc --------------------------------
    # native SRC: builds $T/native_NAME, the reference for container NAME.
    native() {
        name=$(basename "$1" .c)
        [ -x "$T/native_$name" ] && return 0
        $CC -std=c99 -O1 -Wall -Werror -DCONTAINER_SOURCE="\"$1\"" -o "$T/native_$name" \
            "$HERE/native_driver.c" 2>"$T/err" && return 0
        bad "native build of $name: $(head -c 300 "$T/err")"
        return 1
    }
    # build_and_compare SRC OPT CPU: rbpf build, then rbpf run against the
    # native build for every context of SRC's .ctx file.
    build_and_compare() {
        name=$(basename "$1" .c)
        out="$T/${name}$2$3-$(basename "$CLANG").bin"
        if ! "$RBPF" build -o "$out" "$2" --cpu "$3" "$1" 2>"$T/err"; then
            bad "$CLANG: rbpf build $2 --cpu $3 $name: $(head -c 300 "$T/err")"
            return
        fi
        containers=$((containers + 1))
        while read -r ctx; do
            [ -n "$ctx" ] || continue
            want=$("$T/native_$name" "$ctx")
            got=$("$RBPF" run "$out" --ctx-hex "$ctx" 2>"$T/err")
            if [ -n "$want" ] && [ "$got" = "$want" ]; then ok; else bad "$CLANG: $name $2 --cpu $3 ctx $ctx: rbpf run '$got' $(head -c 200 "$T/err"), native '$want'"; fi
        done <"${1%.c}.ctx"
    }
    containers=0
    for src in "$HERE"/containers/*.c; do
        native "$src" || continue
        for variant in "-O1 v3" "-O2 v3" "-Os v3" "-O1 v2" "-O2 v2" "-Os v2"; do
            build_and_compare "$src" $variant
        done
    done
    echo "C containers: $containers builds with $CLANG checked against $CC"
    # Newer clangs at --cpu v4 (signed division, sign-extending loads; dense
    # switches that clang 20 and later would turn into jump tables). Each
    # is optional: .ci/run installs them where Debian has them.
    saved_clang=$CLANG
    for CLANG in clang-19 clang-22; do
        if ! command -v "$CLANG" >/dev/null 2>&1; then
            echo "C containers: $CLANG not installed, its --cpu v4 builds skipped"
            continue
        fi
        containers=0
        for src in "$HERE"/containers/*.c "$HERE"/containers/v4/*.c; do
            native "$src" || continue
            for opt in -O1 -O2 -Os; do
                build_and_compare "$src" $opt v4
            done
        done
        echo "C containers: $containers builds with $CLANG --cpu v4 checked against $CC"
    done
    # A jump table, when asked for, is refused naming the way out.
    if command -v clang-22 >/dev/null 2>&1; then
        CLANG=clang-22
        check_error 2 "switch\.c: switch jump table .*compile with -fno-jump-tables" \
            "$RBPF" build -o "$T/jt.bin" --cpu v4 -X -fjump-tables "$HERE/containers/switch.c"
    fi
    CLANG=$saved_clang
fi

echo "tool tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
