/*
 * disasm.c: the two disassemblers. rbpf_tool_disasm_insn writes the
 * assembler's own syntax (uBPF / bpf_conformance), with jump targets as
 * +N/-N, so that assembling its output gives back the same bytes (each
 * line is checked by assembling it; what does not come back is `.insn`);
 * rbpf_tool_dump_insn writes the C-like listing of `rbpf dump`. Both decode
 * through the rows of RBPF_ISA.
 */
#include <stdarg.h>
#include <string.h>

#include "isa.h"
#include "tool/tool.h"

static size_t put(char *out, size_t size, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static size_t put(char *out, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(out, size, format, ap);
    va_end(ap);
    return n < 0 ? 0 : (size_t)n;
}

/* 1 when slot index+1 exists and is a valid second lddw slot. */
static int lddw_complete(const uint8_t *code, size_t count, size_t index)
{
    if (index + 1 >= count)
        return 0;
    const uint8_t *next = code + (index + 1) * RBPF_INSN_SIZE;
    return next[0] == 0 && next[1] == 0 && next[2] == 0 && next[3] == 0;
}

static size_t raw_insn(const uint8_t *insn, char *out, size_t size)
{
    put(out, size, ".insn 0x%016llx", (unsigned long long)rbpf_tool_get_u64(insn));
    return 1;
}

/* Formats the instruction in the assembler's syntax, or as .insn when its
 * form says the assembler would refuse it. Returns the slots used. */
static size_t format_insn(const uint8_t *code, size_t count, size_t index, char *out,
                          size_t out_size)
{
    const uint8_t *insn = code + index * RBPF_INSN_SIZE;
    const rbpf_tool_insn_row_t *row = rbpf_tool_decode(insn);
    int dst = RBPF_INSN_DST(insn), src = RBPF_INSN_SRC(insn);
    int off = RBPF_INSN_OFF(insn);
    int32_t imm = RBPF_INSN_IMM(insn);

    if (!row) {
        if (insn[0] == RBPF_TOOL_OP_CALLX && dst <= 10 && src == 0 && off == 0 && imm == 0) {
            put(out, out_size, "call %%r%d", dst);
            return 1;
        }
        return raw_insn(insn, out, out_size);
    }
    /* What the assembler would not take back is written as .insn. */
    if (!rbpf_tool_fields_clean(row, insn) || dst > 10 || src > 10 ||
        !rbpf_tool_frame_pointer_ok(row, dst, src))
        return raw_insn(insn, out, out_size);
    const char *m = row->mnemonic;
    switch (row->form) {
    case RBPF_FORM_ALU_K:
        put(out, out_size, "%s %%r%d, %d", m, dst, imm);
        break;
    case RBPF_FORM_ALU_X:
        put(out, out_size, "%s %%r%d, %%r%d", m, dst, src);
        break;
    case RBPF_FORM_NEG:
    case RBPF_FORM_END:
        put(out, out_size, "%s %%r%d", m, dst);
        break;
    case RBPF_FORM_LDDW: {
        if (!lddw_complete(code, count, index))
            return raw_insn(insn, out, out_size);
        uint32_t high = rbpf_tool_get_u32(insn + RBPF_INSN_SIZE + 4);
        if (row->opcode != 0x18) {
            if (high != 0)
                return raw_insn(insn, out, out_size);
            put(out, out_size, "%s %%r%d, %d", m, dst, imm);
        } else {
            put(out, out_size, "%s %%r%d, 0x%llx", m, dst,
                (unsigned long long)((uint64_t)high << 32 | (uint32_t)imm));
        }
        return 2;
    }
    case RBPF_FORM_LDX:
        put(out, out_size, "%s %%r%d, [%%r%d%+d]", m, dst, src, off);
        break;
    case RBPF_FORM_ST:
        put(out, out_size, "%s [%%r%d%+d], %d", m, dst, off, imm);
        break;
    case RBPF_FORM_STX:
    case RBPF_FORM_ATOMIC:
        put(out, out_size, "%s [%%r%d%+d], %%r%d", m, dst, off, src);
        break;
    case RBPF_FORM_JA:
        put(out, out_size, "%s %+d", m, off);
        break;
    case RBPF_FORM_JA32:
    case RBPF_FORM_CALL_LOCAL:
        put(out, out_size, "%s %+d", m, imm);
        break;
    case RBPF_FORM_JMP_K:
        put(out, out_size, "%s %%r%d, %d, %+d", m, dst, imm, off);
        break;
    case RBPF_FORM_JMP_X:
        put(out, out_size, "%s %%r%d, %%r%d, %+d", m, dst, src, off);
        break;
    case RBPF_FORM_CALL:
        put(out, out_size, "%s %d", m, imm);
        break;
    default:
        put(out, out_size, "%s", m);
        break;
    }
    return 1;
}

/* 1 when `text` assembles to exactly the `slots` instructions at insn. */
static int assembles_to(const char *text, const uint8_t *insn, size_t slots)
{
    rbpf_tool_buf_t code = {0};
    rbpf_tool_error_t err;
    int same = rbpf_tool_assemble(text, strlen(text), &code, &err) == 0 &&
               code.length == slots * RBPF_INSN_SIZE && memcmp(code.data, insn, code.length) == 0;
    rbpf_tool_buf_free(&code);
    return same;
}

/* The round trip is the contract: a line that does not assemble back to the
 * same bytes (a field the form checks above missed, an output cut short by
 * out_size) is replaced by .insn, which always does. */
size_t rbpf_tool_disasm_insn(const uint8_t *code, size_t count, size_t index, char *out,
                             size_t out_size)
{
    const uint8_t *insn = code + index * RBPF_INSN_SIZE;
    size_t used = format_insn(code, count, index, out, out_size);
    if (strncmp(out, ".insn ", 6) != 0 && !assembles_to(out, insn, used))
        return raw_insn(insn, out, out_size);
    return used;
}

/* ---- C-like listing ----------------------------------------------------- */

/* The base operation of a mnemonic: "add32" -> "add", "lock fetch or32" ->
 * "or". */
static void base_op(const char *mnemonic, char *op, size_t size)
{
    const char *p = strrchr(mnemonic, ' ');
    p = p ? p + 1 : mnemonic;
    size_t n = strlen(p);
    if (n > 2 && strcmp(p + n - 2, "32") == 0)
        n -= 2;
    if (n >= size)
        n = size - 1;
    memcpy(op, p, n);
    op[n] = '\0';
}

static const char *alu_operator(const char *op)
{
    static const char *const table[][2] = {
        {"add", "+="}, {"sub", "-="},  {"mul", "*="},  {"div", "/="},   {"sdiv", "s/="},
        {"or", "|="},  {"and", "&="},  {"lsh", "<<="}, {"rsh", ">>="},  {"mod", "%="},
        {"smod", "s%="}, {"xor", "^="}, {"mov", "="},  {"arsh", "s>>="},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i][0], op) == 0)
            return table[i][1];
    return "?=";
}

static const char *jump_operator(const char *op)
{
    static const char *const table[][2] = {
        {"jeq", "=="}, {"jgt", ">"},  {"jge", ">="},  {"jset", "&"},  {"jne", "!="},  {"jsgt", "s>"},
        {"jsge", "s>="}, {"jlt", "<"}, {"jle", "<="}, {"jslt", "s<"}, {"jsle", "s<="},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i][0], op) == 0)
            return table[i][1];
    return "?";
}

/* Memory access size of a load, store or atomic opcode, as a C type. */
static const char *mem_type(uint8_t opcode, int is_signed)
{
    static const char *const u[] = {"uint32_t", "uint16_t", "uint8_t", "uint64_t"};
    static const char *const s[] = {"int32_t", "int16_t", "int8_t", "int64_t"};
    return (is_signed ? s : u)[(opcode >> 3) & 3];
}

/* "(r1 + 4)" / "(r10 - 8)" */
static void address(char *out, size_t size, int reg, int off)
{
    if (off < 0)
        put(out, size, "(r%d - %d)", reg, -off);
    else
        put(out, size, "(r%d + %d)", reg, off);
}

static const char *function_at(const rbpf_tool_dump_context_t *ctx, long index)
{
    if (!ctx || !ctx->functions || !ctx->rodata || index < 0 || index > 0xffff / 8)
        return NULL;
    size_t i = 0;
    if (ctx->by_offset) { /* the index: straight to the first entry at that offset */
        i = rbpf_tool_functions_at(ctx->by_offset, ctx->function_count,
                                   (uint32_t)index * RBPF_INSN_SIZE);
        if (i == ctx->function_count || ctx->by_offset[i] >> 32 != (uint64_t)index * 8)
            return NULL;
        i = (uint32_t)ctx->by_offset[i];
    }
    for (; i < ctx->function_count; i++) {
        const uint8_t *entry = ctx->functions + i * 6;
        uint16_t name = rbpf_tool_get_u16(entry);
        uint16_t offset = rbpf_tool_get_u16(entry + 4);
        if ((long)offset == index * (long)RBPF_INSN_SIZE && name < ctx->rodata_len &&
            memchr(ctx->rodata + name, 0, ctx->rodata_len - name))
            return (const char *)ctx->rodata + name;
    }
    return NULL;
}

/* A short printable rendering of the NUL-terminated string at rodata+off,
 * when there is one. */
static int rodata_string(const rbpf_tool_dump_context_t *ctx, int32_t off, char *out,
                         size_t size)
{
    if (!ctx || !ctx->rodata || off < 0 || (size_t)off >= ctx->rodata_len || size < 8)
        return 0;
    const uint8_t *p = ctx->rodata + off;
    size_t avail = ctx->rodata_len - (size_t)off, n = 0, o = 0;
    while (n < avail && p[n] != 0) {
        if ((p[n] < 0x20 || p[n] >= 0x7f) && p[n] != '\n')
            return 0;
        n++;
    }
    if (n == avail || n == 0)
        return 0;
    out[o++] = '"';
    for (size_t i = 0; i < n && o + 6 < size; i++) {
        if (p[i] == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (p[i] == '"' || p[i] == '\\') {
            out[o++] = '\\';
            out[o++] = (char)p[i];
        } else {
            out[o++] = (char)p[i];
        }
        if (i + 1 < n && o + 6 >= size) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return 1;
}

/* A jump or call target, instruction `index`, as a byte offset in the text
 * like the listing's first column ("0x1a8"; "-0x10" before the text). */
static const char *target_text(char *buf, long index)
{
    if (index < 0)
        put(buf, 32, "-0x%lx", (unsigned long)-index * 8u);
    else
        put(buf, 32, "0x%lx", (unsigned long)index * 8u);
    return buf;
}

size_t rbpf_tool_dump_insn(const uint8_t *code, size_t count, size_t index,
                           const rbpf_tool_dump_context_t *ctx, char *out, size_t out_size)
{
    const uint8_t *insn = code + index * RBPF_INSN_SIZE;
    const rbpf_tool_insn_row_t *row = rbpf_tool_decode(insn);
    int dst = RBPF_INSN_DST(insn), src = RBPF_INSN_SRC(insn);
    int off = RBPF_INSN_OFF(insn);
    int32_t imm = RBPF_INSN_IMM(insn);
    char op[32], mem[48], text[96], tt[32];

    if (!row || !rbpf_tool_fields_clean(row, insn)) {
        if (insn[0] == RBPF_TOOL_OP_CALLX && !row)
            put(out, out_size, "callx r%d (not RFC 9669; refused by the verifier)", dst);
        else
            put(out, out_size, "invalid instruction (opcode 0x%02x)", insn[0]);
        return 1;
    }
    base_op(row->mnemonic, op, sizeof op);
    int w = (row->opcode & 7) == RBPF_CLS_ALU || (row->opcode & 7) == RBPF_CLS_JMP32;
    char r = w ? 'w' : 'r';
    switch (row->form) {
    case RBPF_FORM_ALU_K:
        put(out, out_size, "%c%d %s %d", r, dst, alu_operator(op), imm);
        break;
    case RBPF_FORM_ALU_X:
        if (strncmp(op, "movsx", 5) == 0)
            put(out, out_size, "%c%d = (int%d_t)%c%d", r, dst, row->sel, r, src);
        else
            put(out, out_size, "%c%d %s %c%d", r, dst, alu_operator(op), r, src);
        break;
    case RBPF_FORM_NEG:
        put(out, out_size, "%c%d = -%c%d", r, dst, r, dst);
        break;
    case RBPF_FORM_END:
        put(out, out_size, "r%d = %s r%d", dst, row->mnemonic, dst);
        break;
    case RBPF_FORM_LDDW:
        if (!lddw_complete(code, count, index)) {
            put(out, out_size, "invalid instruction (lddw without its second slot)");
            return 1;
        }
        if (row->opcode == 0x18) {
            uint64_t v = (uint64_t)rbpf_tool_get_u32(insn + 12) << 32 | (uint32_t)imm;
            put(out, out_size, "r%d = 0x%llx ll", dst, (unsigned long long)v);
        } else if (row->opcode == 0xb8) {
            put(out, out_size, "r%d = data + %d", dst, imm);
        } else if (rodata_string(ctx, imm, text, sizeof text)) {
            put(out, out_size, "r%d = rodata + %d  /* %s */", dst, imm, text);
        } else {
            put(out, out_size, "r%d = rodata + %d", dst, imm);
        }
        return 2;
    case RBPF_FORM_LDX:
        address(mem, sizeof mem, src, off);
        put(out, out_size, "r%d = *(%s*)%s", dst, mem_type(row->opcode, (row->opcode & 0xe0) == 0x80),
            mem);
        break;
    case RBPF_FORM_ST:
        address(mem, sizeof mem, dst, off);
        put(out, out_size, "*(%s*)%s = %d", mem_type(row->opcode, 0), mem, imm);
        break;
    case RBPF_FORM_STX:
        address(mem, sizeof mem, dst, off);
        put(out, out_size, "*(%s*)%s = r%d", mem_type(row->opcode, 0), mem, src);
        break;
    case RBPF_FORM_ATOMIC: {
        const char *type = row->opcode == 0xdb ? "uint64_t" : "uint32_t";
        char reg = row->opcode == 0xdb ? 'r' : 'w';
        address(mem, sizeof mem, dst, off);
        if (row->sel == RBPF_ATOMIC_XCHG)
            put(out, out_size, "%c%d = atomic_xchg((%s*)%s, %c%d)", reg, src, type, mem, reg, src);
        else if (row->sel == RBPF_ATOMIC_CMPXCHG)
            put(out, out_size, "%c0 = atomic_cmpxchg((%s*)%s, %c0, %c%d)", reg, type, mem, reg,
                reg, src);
        else if (row->sel & RBPF_ATOMIC_FETCH)
            put(out, out_size, "%c%d = atomic_fetch_%s((%s*)%s, %c%d)", reg, src, op, type, mem,
                reg, src);
        else
            put(out, out_size, "lock *(%s*)%s %s %c%d", type, mem, alu_operator(op), reg, src);
        break;
    }
    case RBPF_FORM_JA:
        put(out, out_size, "goto %+d <%s>", off, target_text(tt, (long)index + 1 + off));
        break;
    case RBPF_FORM_JA32:
        put(out, out_size, "goto %+d <%s>", imm, target_text(tt, (long)index + 1 + imm));
        break;
    case RBPF_FORM_JMP_K:
        put(out, out_size, "if %c%d %s %d goto %+d <%s>", r, dst, jump_operator(op), imm, off,
            target_text(tt, (long)index + 1 + off));
        break;
    case RBPF_FORM_JMP_X:
        put(out, out_size, "if %c%d %s %c%d goto %+d <%s>", r, dst, jump_operator(op), r, src,
            off, target_text(tt, (long)index + 1 + off));
        break;
    case RBPF_FORM_CALL:
    {
        const char *name = rbpf_tool_helper_name(ctx ? ctx->names : NULL, (uint32_t)imm);
        if (name)
            put(out, out_size, "Call helper 0x%x  /* %s */", (unsigned)imm, name);
        else
            put(out, out_size, "Call helper 0x%x", (unsigned)imm);
        break;
    }
    case RBPF_FORM_CALL_LOCAL: {
        long target = (long)index + 1 + imm;
        const char *name = function_at(ctx, target);
        char shown[64];
        if (name)
            put(out, out_size, "Call %s <%s>", rbpf_tool_escape(name, shown, sizeof shown),
                target_text(tt, target));
        else
            put(out, out_size, "Call local %+d <%s>", imm, target_text(tt, target));
        break;
    }
    default:
        put(out, out_size, "Return r0");
        break;
    }
    return 1;
}
