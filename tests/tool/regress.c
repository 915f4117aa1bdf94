/*
 * regress.c: unit tests of the tool library (cmocka) for inputs that once
 * broke it, each found by a fuzzer, plus the properties behind them:
 *   - an ELF object whose section name table is section 0 (e_shstrndx 0),
 *     whose header is never checked against the file: string_at read there;
 *   - a section name with a newline: every refusal must stay one line;
 *   - a global function at the second slot of a lddw: gen wrote a container
 *     the loader refuses;
 *   - callx with a register above r10: the disassembler wrote `call %r15`,
 *     which the assembler refuses; more generally every 8-byte word must
 *     survive disassembly and reassembly byte for byte.
 * The ELF objects are built here, byte by byte, so that each test says
 * exactly what it changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rbpf.h"
#include "tool/tool.h"

/* ---- A minimal BPF relocatable object ------------------------------------
 *   [0] null  [1] .text  [2] .shstrtab  [3] .symtab  [4] .strtab
 * .text: lddw r0, 0x1122334455667788; exit. Symbols: main (0), tail (16). */
enum { SEC_TEXT = 1, SEC_SHSTRTAB, SEC_SYMTAB, SEC_STRTAB, SEC_COUNT };

typedef struct object {
    uint8_t bytes[1024];
    size_t size;
    size_t shoff;       /* section headers */
    size_t text_name;   /* ".text" in .shstrtab, file offset */
    size_t tail_value;  /* st_value of the symbol `tail`, file offset */
} object_t;

static void put_le(uint8_t *p, uint64_t value, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

/* Appends n bytes at 8-aligned offset, returns it. */
static size_t append(object_t *o, const void *data, size_t n)
{
    o->size = (o->size + 7) & ~(size_t)7;
    size_t at = o->size;
    assert_true(at + n <= sizeof o->bytes);
    memcpy(o->bytes + at, data, n);
    o->size += n;
    return at;
}

static void section(object_t *o, int index, uint32_t name, uint32_t type, uint64_t flags,
                    size_t offset, size_t size, uint32_t link, uint32_t info, uint64_t entsize)
{
    uint8_t *sh = o->bytes + o->shoff + 64 * (size_t)index;
    put_le(sh, name, 4);
    put_le(sh + 4, type, 4);
    put_le(sh + 8, flags, 8);
    put_le(sh + 24, offset, 8);
    put_le(sh + 32, size, 8);
    put_le(sh + 40, link, 4);
    put_le(sh + 44, info, 4);
    put_le(sh + 48, 8, 8);
    put_le(sh + 56, entsize, 8);
}

static void make_object(object_t *o)
{
    static const uint8_t text[] = {
        0x18, 0x00, 0, 0, 0x88, 0x77, 0x66, 0x55, /* lddw r0, ... */
        0x00, 0x00, 0, 0, 0x44, 0x33, 0x22, 0x11,
        0x95, 0x00, 0, 0, 0, 0, 0, 0, /* exit */
    };
    static const char shstrtab[] = "\0.text\0.shstrtab\0.symtab\0.strtab";
    static const char strtab[] = "\0main\0tail";
    uint8_t symtab[3 * 24] = {0};
    memset(o, 0, sizeof *o);
    o->size = 64;
    symtab[24 + 0] = 1; /* "main" */
    symtab[24 + 4] = 0x12; /* STB_GLOBAL, STT_FUNC */
    symtab[24 + 6] = SEC_TEXT;
    symtab[48 + 0] = 6; /* "tail" */
    symtab[48 + 4] = 0x12;
    symtab[48 + 6] = SEC_TEXT;
    symtab[48 + 8] = 16;
    size_t text_at = append(o, text, sizeof text);
    size_t shstr_at = append(o, shstrtab, sizeof shstrtab);
    size_t sym_at = append(o, symtab, sizeof symtab);
    size_t str_at = append(o, strtab, sizeof strtab);
    o->size = (o->size + 7) & ~(size_t)7;
    o->shoff = o->size;
    o->size += 64 * SEC_COUNT;
    assert_true(o->size <= sizeof o->bytes);
    o->text_name = shstr_at + 1;
    o->tail_value = sym_at + 48 + 8;

    uint8_t *h = o->bytes;
    memcpy(h, "\177ELF\2\1\1", 7);
    put_le(h + 16, 1, 2);   /* ET_REL */
    put_le(h + 18, 247, 2); /* EM_BPF */
    put_le(h + 20, 1, 4);
    put_le(h + 40, o->shoff, 8);
    put_le(h + 52, 64, 2);
    put_le(h + 58, 64, 2);
    put_le(h + 60, SEC_COUNT, 2);
    put_le(h + 62, SEC_SHSTRTAB, 2);
    section(o, SEC_TEXT, 1, 1, 0x6, text_at, sizeof text, 0, 0, 0);
    section(o, SEC_SHSTRTAB, 7, 3, 0, shstr_at, sizeof shstrtab, 0, 0, 0);
    section(o, SEC_SYMTAB, 17, 2, 0, sym_at, sizeof symtab, SEC_STRTAB, 1, 24);
    section(o, SEC_STRTAB, 25, 3, 0, str_at, sizeof strtab, 0, 0, 0);
}

/* gen refuses the object with a one-line message containing `want`. */
static void gen_refuses(const object_t *o, const char *want)
{
    rbpf_tool_buf_t out = {0};
    rbpf_tool_error_t err;
    memset(err.text, 'x', sizeof err.text);
    assert_int_equal(rbpf_tool_gen(o->bytes, o->size, &out, &err), -1);
    assert_non_null(memchr(err.text, 0, sizeof err.text));
    for (const char *p = err.text; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    if (!strstr(err.text, want))
        fail_msg("message '%s' lacks '%s'", err.text, want);
    rbpf_tool_buf_free(&out);
}

/* The unchanged object converts, and the loader takes the container. */
static void object_converts(void **state)
{
    object_t o;
    rbpf_tool_buf_t out = {0};
    rbpf_tool_error_t err;
    rbpf_program_t prog;
    (void)state;
    make_object(&o);
    if (rbpf_tool_gen(o.bytes, o.size, &out, &err) != 0)
        fail_msg("gen: %s", err.text);
    assert_int_equal(rbpf_container_parse(&prog, out.data, out.length), RBPF_OK);
    assert_int_equal(prog.function_count, 2);
    assert_int_equal(prog.text_len, 24);
    rbpf_tool_buf_free(&out);
}

/* Section 0's header is never checked against the file: here it claims 256
 * bytes at offset 0x7fffffff. A string table index naming it (e_shstrndx 0,
 * which string_at read; a symbol table's sh_link 0) is refused. */
static void strings_in_section_zero(void **state)
{
    static const struct {
        int in_headers; /* 0: field of the ELF header, 1: of the section headers */
        size_t field, width;
        const char *want;
    } cases[] = {
        {0, 62, 2, "no section name table"},
        {1, 64 * SEC_SYMTAB + 40, 4, "string table index 0 out of range"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        object_t o;
        make_object(&o);
        put_le(o.bytes + o.shoff + 24, 0x7fffffff, 8);
        put_le(o.bytes + o.shoff + 32, 0x100, 8);
        put_le(o.bytes + (cases[i].in_headers ? o.shoff : 0) + cases[i].field, 0,
               (int)cases[i].width);
        gen_refuses(&o, cases[i].want);
    }
}

/* A name with a newline (".t\nxt", executable): the refusal names it
 * escaped, on one line. */
static void newline_in_section_name(void **state)
{
    object_t o;
    (void)state;
    make_object(&o);
    o.bytes[o.text_name + 2] = '\n';
    gen_refuses(&o, "section '.t\\x0axt': code outside .text");
}

static void messages_are_one_line(void **state)
{
    rbpf_tool_error_t err;
    (void)state;
    assert_int_equal(rbpf_tool_fail(&err, "a%sb%c", "\r\n\t", 0x7f), -1);
    assert_string_equal(err.text, "a\\x0d\\x0a\\x09b\\x7f");
    /* cut at the end of the buffer, never in the middle of an escape */
    char name[600];
    memset(name, '\n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    rbpf_tool_fail(&err, "%s", name);
    assert_true(strlen(err.text) < sizeof err.text);
    assert_int_equal(strlen(err.text) % 4, 0);
    assert_string_equal(err.text + strlen(err.text) - 4, "\\x0a");
}

/* A global function at the second slot of the lddw: the loader refuses such
 * a container, so gen (and any writer) must refuse to write it. */
static void function_in_lddw_second_slot(void **state)
{
    object_t o;
    (void)state;
    make_object(&o);
    put_le(o.bytes + o.tail_value, 8, 8);
    gen_refuses(&o, "function 'tail' at offset 8 starts in the second slot of the lddw at offset 0");

    rbpf_tool_image_t image = {0};
    rbpf_tool_buf_t out = {0};
    rbpf_tool_error_t err;
    static const uint8_t text[] = {
        0x95, 0, 0, 0, 0, 0, 0, 0,    /* exit */
        0xd8, 0, 0, 0, 0, 0, 0, 0,    /* lddwr r0, 0 */
        0,    0, 0, 0, 0, 0, 0, 0,
        0x18, 0, 0, 0, 0, 0, 0, 0,    /* lddw at 24: offset 32 is a second slot... */
        0x18, 0, 0, 0, 0, 0, 0, 0,    /* ...and so is 40, after another lddw opcode */
        0x95, 0, 0, 0, 0, 0, 0, 0,
    };
    /* The loader's rule: a slot is a second slot when the slot before it
     * has a two-slot opcode (so 16, 32 and 40 here). */
    static const struct { uint32_t offset; int refused; } cases[] = {
        {0, 0}, {8, 0}, {16, 1}, {24, 0}, {32, 1}, {40, 1},
    };
    rbpf_tool_buf_put(&image.text, text, sizeof text);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expect[96];
        rbpf_program_t prog;
        rbpf_tool_image_free(&image);
        rbpf_tool_buf_put(&image.text, text, sizeof text);
        rbpf_tool_image_add_function(&image, "f", cases[i].offset);
        assert_int_equal(rbpf_tool_image_write(&image, &out, &err), cases[i].refused ? -1 : 0);
        snprintf(expect, sizeof expect, "function 'f' at offset %u starts in the second slot",
                 (unsigned)cases[i].offset);
        if (cases[i].refused)
            assert_non_null(strstr(err.text, expect));
        else
            assert_int_equal(rbpf_load(&prog, out.data, out.length, NULL),
                             RBPF_ERR_INCOMPLETE_LDDW); /* the loader agrees; the verifier refuses */
        rbpf_tool_buf_free(&out);
    }
    rbpf_tool_image_free(&image);
    rbpf_tool_buf_free(&out);
}

/* Disassembles count words and assembles the text again: same bytes. */
static void round_trip(const uint8_t *code, size_t count)
{
    rbpf_tool_buf_t text = {0}, again = {0};
    rbpf_tool_error_t err;
    char line[128];
    for (size_t i = 0; i < count;) {
        size_t used = rbpf_tool_disasm_insn(code, count, i, line, sizeof line);
        assert_true(used == 1 || used == 2);
        rbpf_tool_buf_put(&text, line, strlen(line));
        rbpf_tool_buf_put(&text, "\n", 1);
        i += used;
    }
    rbpf_tool_buf_put(&text, "", 1);
    if (rbpf_tool_assemble((const char *)text.data, text.length - 1, &again, &err) != 0)
        fail_msg("%s does not assemble: %s", (const char *)text.data, err.text);
    if (again.length != count * 8 || memcmp(again.data, code, again.length) != 0)
        fail_msg("%s assembles to other bytes", (const char *)text.data);
    rbpf_tool_buf_free(&text);
    rbpf_tool_buf_free(&again);
}

static void word(uint8_t *p, int opcode, int regs, int16_t off, int32_t imm)
{
    p[0] = (uint8_t)opcode;
    p[1] = (uint8_t)regs;
    put_le(p + 2, (uint16_t)off, 2);
    put_le(p + 4, (uint32_t)imm, 4);
}

/* The finding: callx r15 came out as `call %r15`. */
static void callx_high_register(void **state)
{
    uint8_t code[16] = {0};
    char line[64];
    (void)state;
    word(code, RBPF_TOOL_OP_CALLX, 0x0f, 0, 0);
    word(code + 8, 0x95, 0, 0, 0);
    assert_int_equal(rbpf_tool_disasm_insn(code, 2, 0, line, sizeof line), 1);
    assert_string_equal(line, ".insn 0x0000000000000f8d");
    round_trip(code, 2);
    word(code, RBPF_TOOL_OP_CALLX, 0x02, 0, 0);
    rbpf_tool_disasm_insn(code, 2, 0, line, sizeof line);
    assert_string_equal(line, "call %r2");
}

/* Every opcode with every pair of register nibbles, and with field values
 * at their edges: each word (and each lddw pair) survives the round trip. */
static void every_word_round_trips(void **state)
{
    static const int16_t offs[] = {0, 1, -1, 0x7fff, -0x8000, 8, 16, 32, 64};
    static const int32_t imms[] = {0,  1,  -1, 0x7fffffff, INT32_MIN, 8,  16, 32,
                                   64, 0x9, 0x1, 0x2,        0x3,       0xa, 0xe1, 0xf0};
    uint8_t code[16 * 16 * 2 * 8];
    (void)state;
    for (int op = 0; op < 256; op++) {
        /* registers: each word followed by a zero word (a lddw's second slot) */
        for (int regs = 0; regs < 256; regs += 16) {
            memset(code, 0, sizeof code);
            for (int k = 0; k < 16; k++)
                word(code + 16 * k, op, regs + k, 0, 0);
            round_trip(code, 32);
        }
        /* offsets and immediates, with a valid register pair */
        size_t n = 0;
        for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
            for (size_t k = 0; k < sizeof imms / sizeof imms[0]; k++) {
                word(code + 16 * n, op, 0x21, offs[i], imms[k]);
                word(code + 16 * n + 8, 0, 0, 0, imms[(k + 1) % 16]);
                n++;
            }
        round_trip(code, 2 * n);
    }
}

/* Well-formed instructions keep their names (not .insn). */
static void names_kept(void **state)
{
    static const char *const lines[] = {
        "mov %r0, 1",          "add32 %r3, %r4",        "neg %r5",
        "be16 %r1",            "ldxw %r0, [%r1+4]",     "stxdw [%r10-8], %r1",
        "stb [%r2+0], -1",     "lock fetch add [%r1+0], %r2",
        "jeq %r1, 5, +3",      "jslt32 %r1, %r2, -1",   "ja +0",
        "call 7",              "call local +2",         "exit",
        "lddw %r9, 0x1122334455667788",
    };
    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        rbpf_tool_buf_t code = {0};
        rbpf_tool_error_t err;
        char line[128];
        if (rbpf_tool_assemble(lines[i], strlen(lines[i]), &code, &err) != 0)
            fail_msg("%s: %s", lines[i], err.text);
        rbpf_tool_disasm_insn(code.data, code.length / 8, 0, line, sizeof line);
        assert_string_equal(line, lines[i]);
        rbpf_tool_buf_free(&code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_converts),
        cmocka_unit_test(strings_in_section_zero),
        cmocka_unit_test(newline_in_section_name),
        cmocka_unit_test(messages_are_one_line),
        cmocka_unit_test(function_in_lddw_second_slot),
        cmocka_unit_test(callx_high_register),
        cmocka_unit_test(every_word_round_trips),
        cmocka_unit_test(names_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
