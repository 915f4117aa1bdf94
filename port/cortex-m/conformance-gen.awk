# conformance-gen.awk: turns the conformance suite into a C file for the MCU
# image (conformance.c). From assembled.json, per test: its name, instruction
# bytes, memory bytes, expected r0, and whether it is skipped (callx, opcode
# 0x8d, is not part of RFC 9669). From each negative/unused-*.data: its name
# and the `-- raw` instructions, which a verifier must refuse. Run at build
# time; the output is not kept.
#   awk -f conformance-gen.awk assembled.json negative/unused-*.data > out.c
# assembled.json is pretty-printed with one key per line; anything else is
# refused rather than misread.
function str(line,    v) {
    v = line
    sub(/^[^:]*: *"/, "", v)
    sub(/",? *$/, "", v)
    return v
}
function bytes(hex, name,    i, out, n) {
    if (length(hex) % 2 != 0 || hex ~ /[^0-9a-fA-F]/) {
        print "conformance-gen: " name ": bad hex" > "/dev/stderr"
        bad = 1
        exit 1
    }
    out = ""
    n = 0
    for (i = 1; i <= length(hex); i += 2) {
        out = out (n % 16 == 0 ? "\n    " : " ") "0x" substr(hex, i, 2) ","
        n++
    }
    return out
}
BEGIN {
    count = 0
    print "/* Generated from assembled.json by conformance-gen.awk; do not edit. */"
    print "#include \"conformance.h\""
    print ""
}
FILENAME ~ /\.data$/ {
    if (FNR == 1) {
        nneg++
        negname[nneg] = FILENAME
        sub(/.*\//, "", negname[nneg])
        neghex[nneg] = ""
        inraw = 0
    }
    if ($0 ~ /^-- /) { inraw = ($0 ~ /^-- raw/); next }
    if (inraw && $0 !~ /^#/) { line = $0; gsub(/[ \t\r]/, "", line); neghex[nneg] = neghex[nneg] line }
    next
}
/^ *\{ *$/ { name = ""; prog = ""; mem = ""; expected = ""; skip = 0; next }
/^ *"name":/ { name = str($0); next }
/^ *"program_hex":/ { prog = str($0); next }
/^ *"mem_hex":/ { mem = str($0); next }
/^ *"expected_r0":/ { expected = str($0); next }
/^ *"callx",? *$/ { skip = 1; next }
/^ *\},? *$/ {
    if (name == "" || prog == "" || expected !~ /^0x[0-9a-fA-F]+$/) {
        print "conformance-gen: record " count + 1 " incomplete" > "/dev/stderr"
        bad = 1
        exit 1
    }
    count++
    printf "static const uint8_t prog_%d[] = {%s\n};\n", count, bytes(prog, name)
    if (mem != "")
        printf "static const uint8_t mem_%d[] = {%s\n};\n", count, bytes(mem, name)
    names[count] = name
    lens[count] = length(prog) / 2
    mems[count] = mem == "" ? "NULL" : "mem_" count
    memlens[count] = length(mem) / 2
    exps[count] = expected
    skips[count] = skip
    next
}
END {
    if (bad) exit 1
    if (count == 0) {
        print "conformance-gen: no test found" > "/dev/stderr"
        exit 1
    }
    print ""
    print "const struct conformance_test conformance_tests[] = {"
    for (i = 1; i <= count; i++)
        printf "    {\"%s\", prog_%d, %d, %s, %d, UINT64_C(%s), %d},\n", names[i], i, lens[i],
               mems[i], memlens[i], exps[i], skips[i]
    print "};"
    printf "const unsigned conformance_test_count = %d;\n", count
    print ""
    for (i = 1; i <= nneg; i++) {
        if (neghex[i] == "" || length(neghex[i]) % 16 != 0) {
            print "conformance-gen: " negname[i] ": no whole raw instructions" > "/dev/stderr"
            exit 1
        }
        printf "static const uint8_t neg_%d[] = {%s\n};\n", i, bytes(neghex[i], negname[i])
    }
    print "const struct conformance_negative conformance_negatives[] = {"
    for (i = 1; i <= nneg; i++)
        printf "    {\"%s\", neg_%d, %d},\n", negname[i], i, length(neghex[i]) / 2
    if (nneg == 0)
        print "    {NULL, NULL, 0},"
    print "};"
    printf "const unsigned conformance_negative_count = %d;\n", nneg
}
