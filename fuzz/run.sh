#!/bin/sh
# fuzz/run.sh: runs the libFuzzer harnesses built by fuzz/fuzz.mk.
#
#   sh fuzz/run.sh FUZZ_DIR SECONDS NAME...
#
# SECONDS > 0: fuzzes each harness for that long, growing FUZZ_DIR/corpus/NAME
# (the seeds of FUZZ_DIR/seeds/NAME are copied in under their SHA-1, the
# name libFuzzer gives inputs). A finding ends a libFuzzer run; its input is
# taken out of the corpus and the harness started again until the time is
# up, so one bug (a known one among the seeds, too) does not hide the next.
# Prints one line per harness:
#   fuzz NAME: execs=N execs_per_sec=R seconds=S findings=F
# followed, when F > 0, by each distinct failure (the first line of its
# report) with how many of the saved inputs hit it.
# SECONDS = 0: runs each harness over its seeds once, no mutation (smoke).
# Findings (crash-, leak-, timeout-, oom- files) go to FUZZ_DIR/findings/NAME;
# the exit status is 1 when the run saved any.

# The line that says what failed: the oracle's or a harness's own message,
# else the sanitizer's summary (it names the function); printable, short.
first_report() {
    tr -c '[:print:]\n' '?' | cut -c 1-160 |
        awk '/^(oracle|fuzz_[a-z]+): / { print; found = 1; exit }
             /^SUMMARY: / && !summary { summary = $0 }
             / #[0-9]+ 0x[0-9a-f]+ in [^ ]+ [^ ]*\/(src|tests|fuzz)\/[^ ]*\.c:[0-9]+/ && !frame {
                 sub(/.* in /, ""); frame = $0 }
             END { if (!found) print (summary ? summary : "(no report)") \
                                     (frame ? "; first project frame: " frame : "") }'
}

# Sum of "stat::NAME: N" lines of a log.
stat_sum() {
    sed -n "s/^stat::$1: *//p" "$2" | awk '{ s += $1 } END { print s + 0 }'
}

dir=$1 seconds=$2
shift 2
status=0
mkdir -p "$dir/logs"
for name in "$@"; do
    bin=$dir/fuzz_$name seeds=$dir/seeds/$name log=$dir/logs/$name.log
    found=$dir/findings/$name
    mkdir -p "$seeds" "$dir/corpus/$name" "$found"
    : >"$log"
    start=$(date +%s)
    if [ "$seconds" -gt 0 ]; then
        corpus=$dir/corpus/$name
        for f in "$seeds"/*; do
            [ -f "$f" ] || continue
            hash=$(sha1sum <"$f" | cut -c 1-40)
            [ -e "$corpus/$hash" ] || cp "$f" "$corpus/$hash"
        done
        left=$seconds
        while [ "$left" -gt 0 ]; do
            "$bin" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -artifact_prefix="$found/" "$corpus" >"$log.run" 2>&1
            rc=$?
            cat "$log.run" >>"$log"
            [ $rc -eq 0 ] && break
            # "Test unit written to DIR/crash-SHA1": out of the corpus with it
            new=$(sed -n 's/.*Test unit written to .*-\([0-9a-f]\{40\}\)$/\1/p' "$log.run")
            if [ -z "$new" ]; then
                echo "run.sh: $bin failed without saving an input" >>"$log"
                break
            fi
            for hash in $new; do rm -f "$corpus/$hash"; done
            left=$((seconds - ($(date +%s) - start)))
        done
        rm -f "$log.run"
    else
        "$bin" -runs=0 -timeout=10 -print_final_stats=1 -artifact_prefix="$found/" \
            "$seeds" >"$log" 2>&1 || echo "run.sh: $bin failed" >>"$log"
    fi
    elapsed=$(($(date +%s) - start))
    # the inputs this run saved (a known one is saved again under its name)
    sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | sort -u >"$log.new"
    findings=$(wc -l <"$log.new")
    if [ "$findings" -eq 0 ] && grep -q '^run.sh: ' "$log"; then
        findings=1
    fi
    execs=$(stat_sum number_of_executed_units "$log")
    if [ "$seconds" -gt 0 ]; then
        echo "fuzz $name: execs=$execs execs_per_sec=$((execs / (elapsed > 0 ? elapsed : 1))) seconds=$elapsed findings=$findings"
    else
        echo "fuzz-smoke $name: seeds=$(ls "$seeds" | wc -l) execs=$execs findings=$findings"
    fi
    if [ "$findings" -ne 0 ]; then
        status=1
        if [ -s "$log.new" ]; then
            while read -r input; do
                "$bin" -runs=1 "$input" 2>&1 | first_report
            done <"$log.new" | sort | uniq -c | sed 's/^/   /'
        else
            first_report <"$log" | sed 's/^/    /'
        fi
        echo "    log: $log; inputs: $found/"
    fi
    rm -f "$log.new"
done
exit $status
