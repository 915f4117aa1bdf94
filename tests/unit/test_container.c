/*
 * test_container.c: the container loader, every check it makes with the
 * error and byte offset it reports, and containers that run (data, bss,
 * rodata, functions), including from an unaligned copy of the blob.
 */
#include "unit.h"

#include <string.h>

/* The example of docs/format.md: data = 42 (u32), 8 bytes of bss, rodata
 * "main\0", text `lddwd r1, 0; ldxw r0, [r1]; exit`, one function "main". */
static const uint8_t tiny[] = {
    0x72, 0x42, 0x50, 0x46, 0x00, 0x00, 0x00, 0x00, /* magic "rBPF", version 0 */
    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, /* flags 0, data_len 4 */
    0x08, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, /* bss_len 8, rodata_len 5 */
    0x20, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* text_len 32, 1 function */
    0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* data: 42, padding */
    0x6d, 0x61, 0x69, 0x6e, 0x00, 0x00, 0x00, 0x00, /* rodata: "main\0", padding */
    0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* lddwd r1, 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*   (second slot) */
    0x61, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ldxw r0, [r1+0] */
    0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exit */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* "main": name 0, flags 0, offset 0 */
};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

typedef struct fn {
    uint16_t name, flags, offset;
} fn_t;

/* Writes a container into out; returns its size. */
static size_t build(uint8_t *out, const void *data, uint32_t data_len, uint32_t bss_len,
                    const void *rodata, uint32_t rodata_len, const void *text, uint32_t text_len,
                    const fn_t *fns, uint32_t count)
{
    size_t at = RBPF_HEADER_SIZE, i;
    memset(out, 0, 4096);
    put32(out, RBPF_MAGIC);
    put32(out + 12, data_len);
    put32(out + 16, bss_len);
    put32(out + 20, rodata_len);
    put32(out + 24, text_len);
    put32(out + 28, count);
    memcpy(out + at, data, data_len);
    at += (data_len + 7u) & ~7u;
    memcpy(out + at, rodata, rodata_len);
    at += (rodata_len + 7u) & ~7u;
    memcpy(out + at, text, text_len);
    at += text_len;
    for (i = 0; i < count; i++, at += 6) {
        put16(out + at, fns[i].name);
        put16(out + at + 2, fns[i].flags);
        put16(out + at + 4, fns[i].offset);
    }
    return at;
}

static const uint8_t two_fns_text[] = {
    MOV(0, 1), EXIT,          /* first: r0 = 1 */
    LDDW(0, 2), EXIT,         /* second: r0 = 2 */
};
static const char two_fns_rodata[] = "first\0second\0xyz";
static const fn_t two_fns[] = {{0, 0, 0}, {6, 0, 16}};
static uint8_t blob[4096];
static size_t blob_size;

static void build_two(void)
{
    blob_size = build(blob, "\x01\x02\x03", 3, 5, two_fns_rodata, sizeof(two_fns_rodata),
                      two_fns_text, sizeof(two_fns_text), two_fns, 2);
}

static void tiny_runs(void **state)
{
    uint64_t ram[2], r0 = 0;
    uint8_t copy[sizeof(tiny) + 1];
    const char *name = NULL;
    uint32_t offset = 99;
    (void)state;
    assert_int_equal(rbpf_load(&unit_prog, tiny, sizeof(tiny), &unit_config), RBPF_OK);
    assert_int_equal(unit_prog.data_len, 4);
    assert_int_equal(unit_prog.bss_len, 8);
    assert_int_equal(unit_prog.function_count, 1);
    assert_int_equal(rbpf_function_find(&unit_prog, "main"), 0);
    assert_int_equal(rbpf_function_find(&unit_prog, "mai"), RBPF_ERR_NO_FUNCTION);
    assert_int_equal(rbpf_function_info(&unit_prog, 0, &name, &offset), RBPF_OK);
    assert_string_equal(name, "main");
    assert_int_equal(offset, 0);
    assert_int_equal(rbpf_function_info(&unit_prog, 1, &name, &offset), RBPF_ERR_NO_FUNCTION);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, sizeof(ram)), RBPF_OK);
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 42);
    /* the same blob one byte off alignment */
    memcpy(copy + 1, tiny, sizeof(tiny));
    assert_int_equal(rbpf_load(&unit_prog, copy + 1, sizeof(tiny), &unit_config), RBPF_OK);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, sizeof(ram)), RBPF_OK);
    r0 = 0;
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 42);
}

static void functions(void **state)
{
    uint64_t ram[2], r0 = 0;
    const char *name;
    uint32_t offset;
    (void)state;
    build_two();
    assert_int_equal(rbpf_load(&unit_prog, blob, blob_size, &unit_config), RBPF_OK);
    assert_int_equal(rbpf_function_find(&unit_prog, "second"), 1);
    assert_int_equal(rbpf_function_find(&unit_prog, "xyz"), RBPF_ERR_NO_FUNCTION);
    assert_int_equal(rbpf_function_info(&unit_prog, 1, &name, &offset), RBPF_OK);
    assert_string_equal(name, "second");
    assert_int_equal(offset, 16);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, sizeof(ram)), RBPF_OK);
    assert_int_equal(rbpf_vm_run(&unit_vm, 1, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 2);
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 1);
    assert_int_equal(rbpf_vm_run(&unit_vm, 2, NULL, 0, &r0), RBPF_ERR_NO_FUNCTION);
    /* data copied, bss zeroed */
    assert_memory_equal(ram, "\x01\x02\x03\0\0\0\0\0", 8);
    /* bare bytecode: function 0 is "main" */
    assert_int_equal(rbpf_load_raw(&unit_prog, two_fns_text, 16, &unit_config), RBPF_OK);
    assert_int_equal(rbpf_function_find(&unit_prog, "main"), 0);
    assert_int_equal(rbpf_function_find(&unit_prog, "first"), RBPF_ERR_NO_FUNCTION);
    assert_int_equal(rbpf_function_info(&unit_prog, 1, NULL, NULL), RBPF_ERR_NO_FUNCTION);
    assert_int_equal(rbpf_function_find(NULL, "main"), RBPF_ERR_ARGUMENT);
}

/* Parses a modified copy of `tiny`: field at `at` set to `value`. */
static int tiny_with(size_t at, uint32_t value, size_t size)
{
    static uint8_t copy[sizeof(tiny) + 64];
    memset(copy, 0, sizeof(copy));
    memcpy(copy, tiny, sizeof(tiny));
    put32(copy + at, value);
    return rbpf_container_parse(&unit_prog, copy, size);
}

#define PARSE_FAILS(error, at, call)                  \
    do {                                              \
        assert_int_equal((call), (error));            \
        assert_int_equal(unit_prog.error_at, (at));   \
    } while (0)

static void header_checks(void **state)
{
    size_t n;
    (void)state;
    for (n = 0; n < RBPF_HEADER_SIZE; n++)
        PARSE_FAILS(RBPF_ERR_TRUNCATED, 0, rbpf_container_parse(&unit_prog, tiny, n));
    PARSE_FAILS(RBPF_ERR_BAD_MAGIC, 0, tiny_with(0, 0x46504273, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_BAD_VERSION, 4, tiny_with(4, 1, sizeof(tiny)));
    assert_int_equal(rbpf_container_parse(&unit_prog, NULL, 40), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_container_parse(NULL, tiny, sizeof(tiny)), RBPF_ERR_ARGUMENT);
    /* every prefix is refused: the size must be exact */
    for (n = RBPF_HEADER_SIZE; n < sizeof(tiny); n++)
        assert_int_equal(rbpf_container_parse(&unit_prog, tiny, n), RBPF_ERR_TRUNCATED);
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 80, rbpf_container_parse(&unit_prog, tiny, sizeof(tiny) - 1));
    /* trailing bytes */
    PARSE_FAILS(RBPF_ERR_BAD_LENGTH, 86, tiny_with(0, RBPF_MAGIC, sizeof(tiny) + 1));
}

static void lying_lengths(void **state)
{
    (void)state;
    /* each length one step too big: error_at is the section that runs past the end */
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 56, tiny_with(12, 9, sizeof(tiny)));      /* data_len */
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 56, tiny_with(20, 9, sizeof(tiny)));      /* rodata_len */
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 48, tiny_with(24, 40, sizeof(tiny)));     /* text_len */
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 80, tiny_with(28, 2, sizeof(tiny)));      /* count */
    PARSE_FAILS(RBPF_ERR_BAD_LENGTH, 24, tiny_with(24, 33, sizeof(tiny)));    /* not x8 */
    /* smaller lengths leave bytes over */
    PARSE_FAILS(RBPF_ERR_BAD_LENGTH, 78, tiny_with(24, 24, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_BAD_LENGTH, 86 - 6, tiny_with(28, 0, sizeof(tiny)));
    /* lengths whose 32-bit sums would wrap */
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 32, tiny_with(12, 0xfffffff8u, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 32, tiny_with(12, 0xffffffffu, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 40, tiny_with(20, 0xfffffff8u, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 48, tiny_with(24, 0xfffffff8u, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 80, tiny_with(28, 0xffffffffu, sizeof(tiny)));
    PARSE_FAILS(RBPF_ERR_TRUNCATED, 80, tiny_with(28, 0x2aaaaaabu, sizeof(tiny))); /* 6n wraps */
    PARSE_FAILS(RBPF_ERR_BAD_LENGTH, 16, tiny_with(16, 0xfffffffcu, sizeof(tiny))); /* data+bss */
    /* bss takes no blob space */
    assert_int_equal(tiny_with(16, 0x1000, sizeof(tiny)), RBPF_OK);
}

static void function_table(void **state)
{
    static const uint8_t text[] = {LDDW(0, 1), EXIT};
    fn_t f;
    static uint8_t b[4096];
    size_t n;
    /* name outside rodata / at its end / not terminated in it; offset
     * misaligned / past the text / at its end / inside the lddw; then good */
    static const struct {
        uint16_t name, offset;
        uint32_t rodata_len;
        int error, back; /* error_at = size - back */
    } cases[] = {
        {5, 0, 5, RBPF_ERR_BAD_FUNCTION, 6},      {0, 0, 4, RBPF_ERR_BAD_FUNCTION, 6},
        {0xffff, 0, 5, RBPF_ERR_BAD_FUNCTION, 6}, {0, 4, 5, RBPF_ERR_BAD_FUNCTION, 2},
        {0, 24, 5, RBPF_ERR_BAD_FUNCTION, 2},     {0, 0xfff8, 5, RBPF_ERR_BAD_FUNCTION, 2},
        {0, 8, 5, RBPF_ERR_BAD_FUNCTION, 2},      {0, 16, 5, RBPF_OK, 0},
        {4, 16, 5, RBPF_OK, 0}, /* the empty name "" */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.name = cases[i].name, f.flags = 0, f.offset = cases[i].offset;
        n = build(b, "", 0, 0, "main", cases[i].rodata_len, text, sizeof(text), &f, 1);
        assert_int_equal(rbpf_container_parse(&unit_prog, b, n), cases[i].error);
        assert_int_equal(unit_prog.error_at, cases[i].error ? (int)(n - cases[i].back) : -1);
    }
    /* two lddw in a row: slots 1 and 3 are second slots, 0, 2 and 4 are not */
    {
        static const uint8_t two[] = {LDDW(0, 0x18), LDDW(1, 0xb8), EXIT};
        static const int second[] = {0, 1, 0, 1, 0};
        for (i = 0; i < 5; i++) {
            f.name = 0, f.flags = 0, f.offset = (uint16_t)(8 * i);
            n = build(b, "", 0, 0, "main", 5, two, sizeof(two), &f, 1);
            assert_int_equal(rbpf_container_parse(&unit_prog, b, n),
                             second[i] ? RBPF_ERR_BAD_FUNCTION : RBPF_OK);
        }
    }
    /* a bad instruction is the verifier's: parse passes, load fails */
    {
        static const uint8_t bad[] = {MOV(0, 0), INSN(0xff, 0, 0, 0, 0)};
        f.offset = 0;
        n = build(b, "", 0, 0, "main", 5, bad, sizeof(bad), &f, 1);
        assert_int_equal(rbpf_container_parse(&unit_prog, b, n), RBPF_OK);
        PARSE_FAILS(RBPF_ERR_ILLEGAL_INSN, 1, rbpf_load(&unit_prog, b, n, &unit_config));
    }
    /* no text at all */
    n = build(b, "", 0, 0, "", 0, "", 0, NULL, 0);
    PARSE_FAILS(RBPF_ERR_EMPTY, 0, rbpf_load(&unit_prog, b, n, &unit_config));
}

/* An entry after two two-slot opcodes in a row is refused by one look at
 * the slot before it. The loader once walked back over the whole run of
 * two-slot opcodes for every entry (quadratic: a 6 MB table over a long
 * run took seconds) and accepted an entry after an even run. */
static void function_table_linear(void **state)
{
    enum { SLOTS = 8190, ENTRIES = 100000 };
    static const uint8_t pair[] = {INSN(RBPF_OPC_LDDW, 0, 0, 0, 0), INSN(RBPF_OPC_LDDW, 0, 0, 0, 0),
                                   EXIT};
    const size_t text_at = RBPF_HEADER_SIZE + 8, table_at = text_at + 8 * (SLOTS + 1);
    const size_t size = table_at + 6 * (size_t)ENTRIES;
    /* static: the test also runs bare-metal, where there is no heap */
    static uint8_t b[RBPF_HEADER_SIZE + 8 + 8 * (SLOTS + 1) + 6 * (size_t)ENTRIES];
    size_t i;
    fn_t f = {0, 0, 16};
    (void)state;

    /* the short case: lddw-opcode, lddw-opcode, exit; main at the exit */
    static uint8_t small[4096];
    size_t n = build(small, "", 0, 0, "main", 5, pair, sizeof(pair), &f, 1);
    PARSE_FAILS(RBPF_ERR_BAD_FUNCTION, (int)(n - 2), rbpf_container_parse(&unit_prog, small, n));

    /* the long case: 8190 lddw opcodes, then exit; 100000 entries at the exit */
    assert_int_equal(sizeof(b), size);
    memset(b, 0, size);
    put32(b, RBPF_MAGIC);
    put32(b + 20, 5);
    put32(b + 24, 8 * (SLOTS + 1));
    put32(b + 28, ENTRIES);
    memcpy(b + RBPF_HEADER_SIZE, "main", 5);
    for (i = 0; i < SLOTS; i++)
        b[text_at + 8 * i] = RBPF_OPC_LDDW;
    b[text_at + 8 * SLOTS] = RBPF_OPC_EXIT;
    for (i = 0; i < ENTRIES; i++)
        put16(b + table_at + 6 * i + 4, 8 * SLOTS);
    PARSE_FAILS(RBPF_ERR_BAD_FUNCTION, (int)(table_at + 4),
                rbpf_container_parse(&unit_prog, b, size));
}

static void sections_at_run_time(void **state)
{
    /* data: u64 7 at 0; bss 8 bytes; rodata 8 bytes "ROdata!\0" */
    static const uint8_t text[] = {
        LDDW_(RBPF_OPC_LDDWD, 1, 0), LDX(LDXDW, 0, 1, 0),        /* r0 = data[0] */
        LDX(LDXDW, 2, 1, 8), OPX(ADD64_X, 0, 2),                /* + bss[0] */
        ST(STDW, 1, 8, 5),                                      /* bss[0] = 5 */
        LDDW_(RBPF_OPC_LDDWR, 3, 0), LDX(LDXB, 2, 3, 7),        /* rodata[7] */
        OPX(ADD64_X, 0, 2), EXIT,
    };
    static const uint64_t data = 7;
    fn_t f = {0, 0, 0};
    uint64_t ram[2], r0 = 0;
    static uint8_t b[4096];
    size_t n = build(b, &data, 8, 8, "ROdata!", 8, text, sizeof(text), &f, 1);
    (void)state;
    assert_int_equal(rbpf_load(&unit_prog, b, n, &unit_config), RBPF_OK);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, sizeof(ram)), RBPF_OK);
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 7);
    assert_int_equal(ram[1], 5);
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 12); /* bss keeps its value between runs */
    /* edges: data+bss is [ram, ram + 16), rodata [rodata, rodata + 8) read-only */
    {
        static const uint8_t probes[][32] = {
            {LDDW_(RBPF_OPC_LDDWD, 1, 15), LDX(LDXB, 0, 1, 0)},
            {LDDW_(RBPF_OPC_LDDWD, 1, 16), LDX(LDXB, 0, 1, 0)},
            {LDDW_(RBPF_OPC_LDDWD, 1, 0), LDX(LDXB, 0, 1, -1)},
            {LDDW_(RBPF_OPC_LDDWD, 1, 9), LDX(LDXDW, 0, 1, 0)},
            {LDDW_(RBPF_OPC_LDDWD, 1, 15), ST(STB, 1, 0, 1)},
            {LDDW_(RBPF_OPC_LDDWR, 1, 7), LDX(LDXB, 0, 1, 0)},
            {LDDW_(RBPF_OPC_LDDWR, 1, 8), LDX(LDXB, 0, 1, 0)},
            {LDDW_(RBPF_OPC_LDDWR, 1, 0), LDX(LDXB, 0, 1, -1)},
            {LDDW_(RBPF_OPC_LDDWR, 1, 0), ST(STB, 1, 0, 1)},
            {LDDW_(RBPF_OPC_LDDWR, 1, 0), MOV(2, 1), STX(STXB, 1, 2, 0)},
        };
        static const int expect[] = {RBPF_OK, RBPF_ERR_MEMORY, RBPF_ERR_MEMORY, RBPF_ERR_MEMORY,
                                     RBPF_OK, RBPF_OK, RBPF_ERR_MEMORY, RBPF_ERR_MEMORY,
                                     RBPF_ERR_MEMORY, -1};
        size_t i;
        for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
            uint8_t code[48];
            size_t len = expect[i] == -1 ? 32 : 24;
            memcpy(code, probes[i], len);
            memcpy(code + len, (const uint8_t[]){EXIT}, 8);
            n = build(b, &data, 8, 8, "ROdata!", 8, code, (uint32_t)len + 8, &f, 1);
            assert_int_equal(rbpf_load(&unit_prog, b, n, &unit_config), RBPF_OK);
            assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, sizeof(ram)),
                             RBPF_OK);
            assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, NULL),
                             expect[i] == -1 ? RBPF_ERR_MEMORY : expect[i]);
            if (expect[i] != RBPF_OK)
                assert_int_equal(unit_vm.error_at, expect[i] == -1 ? 3 : 2);
        }
    }
    /* ram: too small for data + bss */
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, 15), RBPF_ERR_TOO_SMALL);
}

/* A container whose data holds pointers: data[0] = &data[16] (RAM + 16),
 * data[8] = &rodata[2], data[16] = 77, data[24] = &bss[0] (RAM + 32). The
 * text returns *(*(u64 *)(data + slot)) for slot = ctx[0]: 77 through the
 * first pointer, the byte 'c' of rodata "abcd" through the second. */
static const uint8_t reloc_text[] = {
    LDX(LDXDW, 2, 1, 0), INSN(RBPF_OPC_LDDWD, 1, 0, 0, 0), INSN(0, 0, 0, 0, 0),
    OPX(ADD64_X, 1, 2), LDX(LDXDW, 1, 1, 0), LDX(LDXDW, 0, 1, 0), EXIT,
};

/* Builds it with `count` relocation entries (pairs of u32) after the table. */
static size_t build_relocated(const uint32_t *entries, uint32_t count)
{
    static const uint8_t data[32] = {[16] = 77};
    static const char rodata[] = "abcd\0main";
    static const fn_t fn = {5, 0, 0};
    size_t at = build(blob, data, sizeof(data), 8, rodata, sizeof(rodata), reloc_text,
                      sizeof(reloc_text), &fn, 1);
    uint32_t i;
    put32(blob + 8, RBPF_FLAG_RELOCATIONS);
    put32(blob + at, count);
    for (i = 0; i < 2 * count; i++)
        put32(blob + at + 4 + 4 * i, entries[i]);
    return at + 4 + 8 * (size_t)count;
}

static void relocations(void **state)
{
    static const uint32_t good[] = {0, 16, 8, (RBPF_RELOC_RODATA << 24) | 2, 24, 32};
    uint64_t ram[5], r0 = 0, ctx = 0, table_at;
    size_t size;
    (void)state;
    unit_reset();
    size = build_relocated(good, 3);
    assert_int_equal(rbpf_load(&unit_prog, blob, size, &unit_config), RBPF_OK);
    assert_int_equal(unit_prog.relocation_count, 3);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram, sizeof(ram)), RBPF_OK);
    assert_int_equal(ram[0], (uintptr_t)&ram[2]);
    assert_int_equal(ram[1], (uintptr_t)(unit_prog.rodata + 2));
    assert_int_equal(ram[3], (uintptr_t)&ram[4]);
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, &ctx, sizeof(ctx), &r0), RBPF_OK);
    assert_int_equal(r0, 77);
    /* the rodata pointer: an 8-byte load of "cd\0main" */
    ctx = 8;
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, &ctx, sizeof(ctx), &r0), RBPF_OK);
    assert_int_equal(r0 & 0xffff, 'c' | 'd' << 8);
    /* set up again: the pointers are re-applied to the new RAM */
    {
        uint64_t ram2[5];
        assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, ram2, sizeof(ram2)),
                         RBPF_OK);
        assert_int_equal(ram2[0], (uintptr_t)&ram2[2]);
    }
    /* no flag: the table is bytes after the end */
    put32(blob + 8, 0);
    assert_int_equal(rbpf_container_parse(&unit_prog, blob, size), RBPF_ERR_BAD_LENGTH);
    /* the count or the entries cut off */
    size = build_relocated(good, 3);
    table_at = size - 4 - 24;
    assert_int_equal(rbpf_container_parse(&unit_prog, blob, (size_t)table_at + 2),
                     RBPF_ERR_TRUNCATED);
    assert_int_equal(unit_prog.error_at, table_at);
    assert_int_equal(rbpf_container_parse(&unit_prog, blob, size - 1), RBPF_ERR_TRUNCATED);
    assert_int_equal(unit_prog.error_at, table_at);
    put32(blob + table_at, 0xffffffffu);
    assert_int_equal(rbpf_container_parse(&unit_prog, blob, size), RBPF_ERR_TRUNCATED);
    /* each bad entry is named by its byte offset */
    {
        static const struct {
            uint32_t at, target;
        } bad[] = {
            {25, 0},                               /* place runs past data (32 bytes) */
            {0xfffffffcu, 0},                      /* place far outside, no wrap */
            {8, 0},                                /* overlaps the entry before (at 8) */
            {12, 0},                               /* overlaps it partly */
            {16, 41},                              /* RAM target past data + bss (40) */
            {16, (RBPF_RELOC_RODATA << 24) | 11},  /* rodata target past its 10 bytes */
            {16, 2u << 24},                        /* unknown base */
            {16, 0xff000000u},
        };
        size_t i;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            uint32_t entries[] = {8, 0, bad[i].at, bad[i].target};
            size = build_relocated(entries, 2);
            assert_int_equal(rbpf_container_parse(&unit_prog, blob, size),
                             RBPF_ERR_BAD_RELOCATION);
            assert_int_equal(unit_prog.error_at, size - 8);
        }
        /* the edges that are fine: the last 8 bytes of data, one past the end */
        {
            uint32_t entries[] = {8, 0, 24, 40};
            size = build_relocated(entries, 2);
            assert_int_equal(rbpf_container_parse(&unit_prog, blob, size), RBPF_OK);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_runs),     cmocka_unit_test(functions),
        cmocka_unit_test(header_checks), cmocka_unit_test(lying_lengths),
        cmocka_unit_test(function_table), cmocka_unit_test(function_table_linear),
        cmocka_unit_test(sections_at_run_time), cmocka_unit_test(relocations),
    };
    unit_reset();
    return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
