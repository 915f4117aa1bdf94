#!/bin/sh
# fuzz/coverage.sh: source coverage the fuzz corpora reach, per harness and
# file. Called by `make fuzz-coverage` with the coverage builds of the
# harnesses (FUZZ_DIR/cov/fuzz_NAME).
#
#   sh fuzz/coverage.sh FUZZ_DIR NAME...
#
# Runs each harness once over its seeds and grown corpus, then prints per
# project source file it reaches:
#   fuzz-coverage NAME: FILE lines=L% branches=B%
dir=$1
shift
for name in "$@"; do
    bin=$dir/cov/fuzz_$name
    rm -f "$dir/cov/$name.profraw"
    mkdir -p "$dir/corpus/$name" "$dir/seeds/$name"
    LLVM_PROFILE_FILE=$dir/cov/$name.profraw "$bin" -runs=0 "$dir/corpus/$name" \
        "$dir/seeds/$name" >"$dir/cov/$name.log" 2>&1 || {
        echo "fuzz-coverage $name: the harness failed (log: $dir/cov/$name.log)"
        continue
    }
    llvm-profdata merge -o "$dir/cov/$name.profdata" "$dir/cov/$name.profraw" || exit 1
    # llvm-cov report columns: file, regions, missed, cover, functions,
    # missed, executed, lines, missed, cover, branches, missed, cover
    llvm-cov report "$bin" -instr-profile="$dir/cov/$name.profdata" -show-branch-summary \
        src/*.c src/tool/*.c | awk -v name="$name" '
        $1 ~ /\.c$/ && $11 > 0 && $10 != "0.00%" {
            printf "fuzz-coverage %s: %s lines=%s branches=%s\n", name, $1, $10, $13 }'
done
