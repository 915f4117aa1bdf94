#!/usr/bin/env bash
# check.sh OUT RBPF: runs the samples built under OUT (OUT/basic/basic,
# OUT/usercalls/usercalls, OUT/sming/sming) with inputs of its own and compares their whole
# output with what it computes here, in shell arithmetic, from those inputs.
set -u
out=$1
rbpf=$2
failures=0
declare -A refusals
echo "== samples built in $out"

check() { # NAME EXPECTED ACTUAL
    if [ "$2" == "$3" ]; then
        echo "ok: $1"
    else
        echo "FAIL: $1"
        diff <(echo "$2") <(echo "$3") | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

# ---- basic: increment, multiply (64-bit wrap-around), store over RUNS runs
value=9223372036854775807
a=4294967311
b=4294967357
runs=5
pool=16
expect="increment($value) = $(printf '%u' $((value + 1)))"
expect+=$'\n'"multiply($a, $b) = $(printf '%u' $((a * b)))"
total=0
for ((i = 1; i <= runs; i++)); do
    weight=$((3 + 2 * (i - 1))) # 3 in .data at load, 2 more per run
    total=$((total + i * weight))
    expect+=$'\n'"store: run $i, id $i, total $total"
done
expect+=$'\n'"store: returned $total, global[1] = $total, local[2] = $runs, free store entries $((pool - 2)) of $pool"
expect+=$'\n'"store: after teardown, free store entries $((pool - 1)) of $pool"
for engine in interp threaded; do
    actual=$(RBPF_ENGINE=$engine "$out/basic/basic" $value $a $b $runs 2>&1)
    status=$?
    check "samples/basic output (engine $engine)" "$expect" "$actual"
    check "samples/basic exit status (engine $engine)" 0 "$status"
done

# ---- usercalls: upper-cased reply with its RFC 1071 checksum; two refusals
payload='Femto-Containers: eBPF on a 16 KiB MCU!'
upper=$(printf '%s' "$payload" | tr 'a-z' 'A-Z')
bytes=($(printf "%s" "$upper" | od -An -v -tu1))
sum=0
for ((i = 0; i < ${#bytes[@]}; i += 2)); do
    sum=$((sum + bytes[i] * 256 + ${bytes[i + 1]:-0}))
done
while ((sum >> 16)); do sum=$(((sum & 0xffff) + (sum >> 16))); done
csum=$((~sum & 0xffff))
for engine in interp threaded; do
    actual=$(RBPF_ENGINE=$engine "$out/usercalls/usercalls" "$payload" 2>&1)
    status=$?
    check "samples/usercalls reply (engine $engine)" \
        "$(printf 'reply: checksum 0x%04x, %d bytes, header %04x, text "%s"' $csum $((${#payload} + 2)) $csum "$upper")" \
        "$(echo "$actual" | sed -n 1p)"
    for name in overrun forge; do
        line=$(echo "$actual" | grep "^$name: ")
        if [[ $line =~ ^$name:\ refused\ \(RBPF_ERR_MEMORY\)\ at\ instruction\ [0-9]+$ ]]; then
            echo "ok: samples/usercalls $name refused (engine $engine)"
        else
            echo "FAIL: samples/usercalls $name (engine $engine): '$line'"
            failures=$((failures + 1))
        fi
    done
    check "samples/usercalls exit status (engine $engine)" 0 "$status"
    refusals[$engine]=$(echo "$actual" | grep -E "^(overrun|forge): ")
done
check "samples/usercalls refusals at the same instructions on both engines" \
    "${refusals[interp]}" "${refusals[threaded]}"

# ---- sming: the Sming-style application (rBPF C++ interface, application
# calls, bpf_printf through the default print hook); lines end in \r\n there
magic=1234
packet='This is my packet'
reply='Some test packet content to return'
a=120000005
b=120000023
expect='All up, running the Femto-Container application now'
expect+=$'\n'"Calling 'increment()' in VM"$'\n'"input 41, result $((41 + 1)), expected $((41 + 1))"
expect+=$'\n'"Calling 'multiply()' in VM"
expect+=$'\n'"input ($a, $b), output $((a * b)), expected $((a * b)), result 0"
expect+=$'\n'"Calling 'store()' in VM"
g=1234 l=5678 last1=0 last2=3
for run in 1 2 3; do
    expect+=$'\n''>> Now in VM running store() <<'$'\n'"lastValue ($last1, $last2)"
    expect+=$'\n''>> Now leaving store() <<'
    expect+=$'\n'"output ($((g + 1000000)), $((l + 2000000))), result ($g, $l)"
    last1=$g last2=$l g=$((g + 1000000)) l=$((l + 2000000))
done
expect+=$'\n'"Calling 'appcall()' in VM"
for run in 1 2; do
    expect+=$'\n'"bpf_user_get_magic() returned $magic"$'\n'"bpf_user_set_magic($((magic + 5000)))"
    expect+=$'\n'"SEND ${#packet} bytes: $packet"$'\n'"Read ${#reply} bytes: $reply"
    expect+=$'\n''Sending memory not granted returned 0'
    expect+=$'\n'"appcall() returned $((${#packet} + ${#reply})), error OK"
    magic=$((magic + 5000))
done
actual=$("$out/sming/sming" 2>&1)
status=$?
check "samples/sming output" "$expect" "$(echo "$actual" | tr -d '\r')"
check "samples/sming exit status" 0 "$status"

# ---- the increment container's dump, byte for byte as the seed prints it
# (Sming's `make rbpf-dump`): RBPF_SEED_DUMP, by default ../shared/seed-dump-increment.txt
seed=${RBPF_SEED_DUMP:-../shared/seed-dump-increment.txt}
if [ ! -f "$seed" ]; then
    echo "FAIL: the seed's dump $seed is missing (set RBPF_SEED_DUMP)"
    failures=$((failures + 1))
elif "$rbpf" dump "$out/basic/rbpf/increment.bin" | cmp -s - "$seed"; then
    echo "ok: increment dump equals $seed byte for byte"
else
    echo "FAIL: increment dump differs from $seed:"
    "$rbpf" dump "$out/basic/rbpf/increment.bin" | diff "$seed" - | sed 's/^/    /'
    failures=$((failures + 1))
fi

if [ $failures -ne 0 ]; then
    echo "test-samples: $failures failure(s)"
    exit 1
fi
echo "test-samples: all passed"
