/*
 * asm.c: the assembler for the uBPF / bpf_conformance syntax.
 *
 *   label:                       # comment
 *   mov %r0, 1                   ALU: mnemonic %rD, %rS | imm
 *   ldxw %r0, [%r1+4]            loads, stores, atomics take [%rN+off]
 *   jne %r0, 15, label           jumps take a label or +N / -N
 *   call 5 | call local label    helper call, local call
 *   lddw %r0, 0x1122334455667788
 *   lock fetch add32 [%r10-4], %r1
 *
 * Mnemonics and instruction shapes come from RBPF_ISA (via
 * rbpf_tool_insn_rows); the only additions are the suite's aliases
 * (swap16/32/64 for bswap, `call %rN` for callx) and `.insn 0x<u64>` for an
 * arbitrary instruction word, which the disassembler writes for anything
 * that is not a valid instruction. The label `exit`, unless defined, is the
 * first exit instruction (as in the upstream assembler).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "tool/tool.h"

#define MAX_LINE 1024
#define MAX_OPERANDS 4
#define MAX_NAME 128

typedef struct label {
    char name[MAX_NAME];
    size_t index;
} label_t;

typedef struct fixup {
    char name[MAX_NAME];
    size_t index; /* instruction to patch */
    size_t line;
    int wide;     /* 1: 32-bit immediate, 0: 16-bit offset */
} fixup_t;

typedef struct assembler {
    rbpf_tool_buf_t *code;
    size_t base;  /* code->length when assembly started */
    size_t line;
    label_t *labels;
    size_t label_count;
    size_t *table;      /* open addressing over labels: index + 1, 0 empty */
    size_t table_size;  /* a power of two, at least twice label_count */
    fixup_t *fixups;
    size_t fixup_count;
    long first_exit;
    rbpf_tool_error_t *err;
} assembler_t;

static void *grow(void *array, size_t count, size_t size)
{
    if ((count & (count - 1)) != 0 && count != 0)
        return array; /* capacity is the next power of two */
    size_t capacity = count ? count * 2 : 8;
    void *grown = realloc(array, capacity * size);
    if (!grown) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    return grown;
}

static size_t insn_count(const assembler_t *as)
{
    return (as->code->length - as->base) / RBPF_INSN_SIZE;
}

static void emit(assembler_t *as, uint8_t opcode, int dst, int src, int32_t off, int32_t imm)
{
    uint8_t insn[8];
    insn[0] = opcode;
    insn[1] = (uint8_t)((src << 4) | dst);
    insn[2] = (uint8_t)((uint16_t)off);
    insn[3] = (uint8_t)((uint16_t)off >> 8);
    rbpf_tool_set_u32(insn + 4, (uint32_t)imm);
    rbpf_tool_buf_put(as->code, insn, sizeof insn);
}

static int is_name_start(int c)
{
    return isalpha(c) || c == '_' || c == '.';
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '_' || c == '.';
}

/* Parses a number: optional sign, then decimal or 0x hex. *negative and
 * *magnitude receive it; *hex says which base. Returns 0, or -1 when the
 * text is not a number or does not fit 64 bits. */
static int parse_number(const char *s, int *negative, uint64_t *magnitude, int *hex)
{
    *negative = 0;
    if (*s == '+' || *s == '-') {
        *negative = *s == '-';
        s++;
    }
    *hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (*hex)
        s += 2;
    if (!(*hex ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
        return -1;
    uint64_t value = 0;
    for (; *s; s++) {
        int digit;
        if (isdigit((unsigned char)*s))
            digit = *s - '0';
        else if (*hex && isxdigit((unsigned char)*s))
            digit = tolower((unsigned char)*s) - 'a' + 10;
        else
            return -1;
        unsigned base = *hex ? 16u : 10u;
        if (value > (UINT64_MAX - (uint64_t)digit) / base)
            return -1;
        value = value * base + (uint64_t)digit;
    }
    *magnitude = value;
    return 0;
}

/* A signed value of `bits` bits: decimal in [-2^(bits-1), 2^(bits-1)),
 * hex also up to 2^bits - 1 (the bit pattern). */
static int parse_signed(assembler_t *as, const char *s, int bits, const char *what,
                        int64_t *out)
{
    int negative, hex;
    uint64_t m;
    if (parse_number(s, &negative, &m, &hex) != 0)
        return rbpf_tool_fail(as->err, "line %zu: %s '%s' is not a number", as->line, what, s);
    uint64_t half = (uint64_t)1 << (bits - 1);
    uint64_t limit = negative ? half : (hex ? half * 2 - 1 : half - 1);
    if (m > limit)
        return rbpf_tool_fail(as->err, "line %zu: %s %s out of %d-bit range", as->line, what, s,
                              bits);
    if (negative)
        *out = m == half ? (int64_t)(0 - half) : -(int64_t)m;
    else if (m >= half)
        *out = (int64_t)(m - half * 2); /* hex bit pattern: wraps to negative */
    else
        *out = (int64_t)m;
    return 0;
}

static int parse_register(assembler_t *as, const char *s, int *reg)
{
    if (s[0] == '%' && s[1] == 'r' && isdigit((unsigned char)s[2])) {
        char *end;
        errno = 0;
        long n = strtol(s + 2, &end, 10);
        if (*end == '\0' && errno == 0 && n >= 0 && n <= 10 && (s[2] != '0' || s[3] == '\0')) {
            *reg = (int)n;
            return 0;
        }
    }
    return rbpf_tool_fail(as->err, "line %zu: invalid register '%s' (expected %%r0 to %%r10)",
                          as->line, s);
}

/* [%rN], [%rN+off], [%rN-off] */
static int parse_memory(assembler_t *as, const char *s, int *reg, int32_t *off)
{
    char text[MAX_LINE];
    size_t n = 0;
    for (const char *p = s; *p && n + 1 < sizeof text; p++)
        if (!isspace((unsigned char)*p))
            text[n++] = *p;
    text[n] = '\0';
    if (n < 3 || text[0] != '[' || text[n - 1] != ']')
        return rbpf_tool_fail(as->err,
                              "line %zu: '%s' is not a memory operand [%%rN+offset]", as->line, s);
    text[n - 1] = '\0';
    char *sign = strpbrk(text + 1, "+-");
    char regtext[MAX_LINE];
    size_t reglen = sign ? (size_t)(sign - (text + 1)) : strlen(text + 1);
    memcpy(regtext, text + 1, reglen);
    regtext[reglen] = '\0';
    if (parse_register(as, regtext, reg) != 0)
        return -1;
    *off = 0;
    if (sign) {
        int64_t v;
        if (parse_signed(as, sign, 16, "offset", &v) != 0)
            return -1;
        *off = (int32_t)v;
    }
    return 0;
}

/* ---- Labels: a hash table, so that n labels cost O(n), not O(n^2) ---- */
static size_t name_hash(const char *name)
{
    size_t h = 2166136261u;
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h;
}

/* The table slot that holds `name`, or the empty slot where it would go. */
static size_t *label_slot(const assembler_t *as, const char *name)
{
    size_t mask = as->table_size - 1, i = name_hash(name) & mask;
    while (as->table[i] != 0 && strcmp(as->labels[as->table[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return &as->table[i];
}

/* The label called `name`, or NULL. */
static const label_t *label_find(const assembler_t *as, const char *name)
{
    size_t *slot;
    if (as->table_size == 0)
        return NULL;
    slot = label_slot(as, name);
    return *slot ? &as->labels[*slot - 1] : NULL;
}

/* Rebuilds the table with room for twice the labels. */
static void label_table_grow(assembler_t *as)
{
    size_t size = as->table_size ? as->table_size * 2 : 64;
    free(as->table);
    as->table = calloc(size, sizeof *as->table);
    if (!as->table) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    as->table_size = size;
    for (size_t i = 0; i < as->label_count; i++)
        *label_slot(as, as->labels[i].name) = i + 1;
}

static int add_label(assembler_t *as, const char *name)
{
    if (!is_name_start((unsigned char)name[0]))
        return rbpf_tool_fail(as->err, "line %zu: invalid label name '%s'", as->line, name);
    for (const char *p = name; *p; p++)
        if (!is_name_char((unsigned char)*p))
            return rbpf_tool_fail(as->err, "line %zu: invalid label name '%s'", as->line, name);
    if (strlen(name) >= MAX_NAME)
        return rbpf_tool_fail(as->err, "line %zu: label name too long", as->line);
    if (label_find(as, name) != NULL)
        return rbpf_tool_fail(as->err, "line %zu: label '%s' defined twice", as->line, name);
    if (2 * (as->label_count + 1) > as->table_size)
        label_table_grow(as);
    as->labels = grow(as->labels, as->label_count, sizeof *as->labels);
    strcpy(as->labels[as->label_count].name, name);
    as->labels[as->label_count].index = insn_count(as);
    *label_slot(as, name) = ++as->label_count;
    return 0;
}

/* A jump target: +N / -N now, or a label patched at the end. */
static int parse_target(assembler_t *as, const char *s, int wide, int32_t *value)
{
    if (s[0] == '+' || s[0] == '-') {
        int64_t v;
        if (parse_signed(as, s, wide ? 32 : 16, "jump offset", &v) != 0)
            return -1;
        *value = (int32_t)v;
        return 0;
    }
    if (!is_name_start((unsigned char)s[0]) || strlen(s) >= MAX_NAME)
        return rbpf_tool_fail(as->err, "line %zu: jump target '%s' is neither a label nor +N/-N",
                              as->line, s);
    for (const char *p = s; *p; p++)
        if (!is_name_char((unsigned char)*p))
            return rbpf_tool_fail(as->err, "line %zu: invalid label name '%s'", as->line, s);
    as->fixups = grow(as->fixups, as->fixup_count, sizeof *as->fixups);
    fixup_t *f = &as->fixups[as->fixup_count++];
    strcpy(f->name, s);
    f->index = insn_count(as);
    f->line = as->line;
    f->wide = wide;
    *value = 0;
    return 0;
}

/* Operand classes: 'r' register, 'm' memory, 'v' value (number or label). */
static char operand_class(const char *s)
{
    return s[0] == '%' ? 'r' : s[0] == '[' ? 'm' : 'v';
}

/* The operand shape of a row, and its syntax for messages. */
static const char *row_shape(const rbpf_tool_insn_row_t *row, const char **syntax)
{
    static const struct {
        const char *shape, *syntax;
    } shapes[RBPF_FORM_COUNT] = {
        [RBPF_FORM_ALU_K] = {"rv", "%rD, imm"},
        [RBPF_FORM_ALU_X] = {"rr", "%rD, %rS"},
        [RBPF_FORM_NEG] = {"r", "%rD"},
        [RBPF_FORM_END] = {"r", "%rD"},
        [RBPF_FORM_LDDW] = {"rv", "%rD, imm64"},
        [RBPF_FORM_LDX] = {"rm", "%rD, [%rS+off]"},
        [RBPF_FORM_ST] = {"mv", "[%rD+off], imm"},
        [RBPF_FORM_STX] = {"mr", "[%rD+off], %rS"},
        [RBPF_FORM_ATOMIC] = {"mr", "[%rD+off], %rS"},
        [RBPF_FORM_JA] = {"v", "label|+off"},
        [RBPF_FORM_JA32] = {"v", "label|+off"},
        [RBPF_FORM_JMP_K] = {"rvv", "%rD, imm, label|+off"},
        [RBPF_FORM_JMP_X] = {"rrv", "%rD, %rS, label|+off"},
        [RBPF_FORM_CALL] = {"v", "helper-id"},
        [RBPF_FORM_CALL_LOCAL] = {"v", "label|+off"},
        [RBPF_FORM_EXIT] = {"", ""},
    };
    *syntax = shapes[row->form].syntax;
    return shapes[row->form].shape;
}

int rbpf_tool_frame_pointer_ok(const rbpf_tool_insn_row_t *row, int dst, int src)
{
    int writes_dst = row->form == RBPF_FORM_ALU_K || row->form == RBPF_FORM_ALU_X ||
                     row->form == RBPF_FORM_NEG || row->form == RBPF_FORM_END ||
                     row->form == RBPF_FORM_LDDW || row->form == RBPF_FORM_LDX;
    if (writes_dst && dst == 10)
        return 0;
    if (row->form == RBPF_FORM_ATOMIC && (row->sel & RBPF_ATOMIC_FETCH) && src == 10)
        return 0; /* a fetching atomic writes its source register */
    if (row->form == RBPF_FORM_ALU_X && src == 10 && strcmp(row->mnemonic, "mov") != 0 &&
        strcmp(row->mnemonic, "add") != 0 && strcmp(row->mnemonic, "sub") != 0)
        return 0;
    return 1;
}

static int check_frame_pointer(assembler_t *as, const rbpf_tool_insn_row_t *row, int dst,
                               int src)
{
    if (!rbpf_tool_frame_pointer_ok(row, dst, 0) ||
        (row->form == RBPF_FORM_ATOMIC && !rbpf_tool_frame_pointer_ok(row, dst, src)))
        return rbpf_tool_fail(as->err, "line %zu: '%s' writes %%r10, the read-only frame pointer",
                              as->line, row->mnemonic);
    if (!rbpf_tool_frame_pointer_ok(row, dst, src))
        return rbpf_tool_fail(as->err,
                              "line %zu: '%s' reads %%r10, the frame pointer: only mov, add and "
                              "sub may use it as a source",
                              as->line, row->mnemonic);
    return 0;
}

static int encode(assembler_t *as, const rbpf_tool_insn_row_t *row, char **ops)
{
    int dst = 0, src = 0;
    int32_t off = 0, imm = 0;
    int64_t v;
    switch (row->form) {
    case RBPF_FORM_ALU_K:
        if (parse_register(as, ops[0], &dst) || parse_signed(as, ops[1], 32, "immediate", &v))
            return -1;
        off = row->sel;
        imm = (int32_t)v;
        break;
    case RBPF_FORM_ALU_X:
        if (parse_register(as, ops[0], &dst) || parse_register(as, ops[1], &src))
            return -1;
        off = row->sel;
        break;
    case RBPF_FORM_NEG:
        if (parse_register(as, ops[0], &dst))
            return -1;
        break;
    case RBPF_FORM_END:
        if (parse_register(as, ops[0], &dst))
            return -1;
        imm = row->sel;
        break;
    case RBPF_FORM_LDDW:
        if (parse_register(as, ops[0], &dst))
            return -1;
        if (row->opcode == 0x18) {
            if (parse_signed(as, ops[1], 64, "immediate", &v))
                return -1;
        } else if (parse_signed(as, ops[1], 32, "offset", &v)) {
            return -1;
        }
        if (check_frame_pointer(as, row, dst, src))
            return -1;
        emit(as, row->opcode, dst, 0, 0, (int32_t)(uint32_t)(uint64_t)v);
        emit(as, 0, 0, 0, 0, row->opcode == 0x18 ? (int32_t)(uint32_t)((uint64_t)v >> 32) : 0);
        return 0;
    case RBPF_FORM_LDX:
        if (parse_register(as, ops[0], &dst) || parse_memory(as, ops[1], &src, &off))
            return -1;
        break;
    case RBPF_FORM_ST:
        if (parse_memory(as, ops[0], &dst, &off) ||
            parse_signed(as, ops[1], 32, "immediate", &v))
            return -1;
        imm = (int32_t)v;
        break;
    case RBPF_FORM_STX:
        if (parse_memory(as, ops[0], &dst, &off) || parse_register(as, ops[1], &src))
            return -1;
        break;
    case RBPF_FORM_ATOMIC:
        if (parse_memory(as, ops[0], &dst, &off) || parse_register(as, ops[1], &src))
            return -1;
        imm = row->sel;
        break;
    case RBPF_FORM_JA:
        if (parse_target(as, ops[0], 0, &off))
            return -1;
        break;
    case RBPF_FORM_JA32:
    case RBPF_FORM_CALL_LOCAL:
        if (parse_target(as, ops[0], 1, &imm))
            return -1;
        src = row->form == RBPF_FORM_CALL_LOCAL ? row->sel : 0;
        break;
    case RBPF_FORM_JMP_K:
        if (parse_register(as, ops[0], &dst) || parse_signed(as, ops[1], 32, "immediate", &v) ||
            parse_target(as, ops[2], 0, &off))
            return -1;
        imm = (int32_t)v;
        break;
    case RBPF_FORM_JMP_X:
        if (parse_register(as, ops[0], &dst) || parse_register(as, ops[1], &src) ||
            parse_target(as, ops[2], 0, &off))
            return -1;
        break;
    case RBPF_FORM_CALL:
        if (parse_signed(as, ops[0], 32, "helper id", &v))
            return -1;
        imm = (int32_t)v;
        src = row->sel;
        break;
    case RBPF_FORM_EXIT:
        if (as->first_exit < 0)
            as->first_exit = (long)insn_count(as);
        break;
    default:
        return rbpf_tool_fail(as->err, "line %zu: internal error: unknown form", as->line);
    }
    if (check_frame_pointer(as, row, dst, src))
        return -1;
    emit(as, row->opcode, dst, src, off, imm);
    return 0;
}

/* Splits s (modified in place) at commas into trimmed operands. */
static int split_operands(assembler_t *as, char *s, char **ops, size_t *count)
{
    *count = 0;
    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    for (;;) {
        if (*count == MAX_OPERANDS)
            return rbpf_tool_fail(as->err, "line %zu: too many operands", as->line);
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        char *end = s + strlen(s);
        while (end > s && isspace((unsigned char)end[-1]))
            *--end = '\0';
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            return rbpf_tool_fail(as->err, "line %zu: empty operand", as->line);
        ops[(*count)++] = s;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

/* Takes the next whitespace-delimited word from *s into word (size is
 * MAX_NAME). Returns its length; a word too long for the buffer fails the
 * whole line, so that no name is silently cut. */
static size_t next_word(assembler_t *as, char **s, char *word, int *failed)
{
    char *p = *s;
    while (*p && isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]))
        n++;
    if (n >= MAX_NAME) {
        *failed = rbpf_tool_fail(as->err, "line %zu: word longer than %d characters", as->line,
                                 MAX_NAME - 1);
        n = 0;
    }
    memcpy(word, p, n);
    word[n] = '\0';
    *s = p + n;
    return n;
}

static int assemble_line(assembler_t *as, char *text)
{
    char *s = text;
    char word[MAX_NAME];
    int failed = 0;

    /* Labels: "name:" words at the start of the line. */
    for (;;) {
        char *save = s;
        size_t n = next_word(as, &s, word, &failed);
        if (failed)
            return -1;
        if (n == 0)
            return 0;
        if (word[n - 1] == ':') {
            word[n - 1] = '\0';
            if (add_label(as, word))
                return -1;
            continue;
        }
        s = save;
        break;
    }

    char mnemonic[3 * MAX_NAME + 8];
    next_word(as, &s, mnemonic, &failed);
    if (strcmp(mnemonic, "lock") == 0) {
        next_word(as, &s, word, &failed);
        if (strcmp(word, "fetch") == 0) {
            strcat(mnemonic, " fetch");
            next_word(as, &s, word, &failed);
        }
        if (failed)
            return -1;
        if (word[0] == '\0' || word[0] == '[')
            return rbpf_tool_fail(as->err,
                                  "line %zu: invalid number of operands for lock: expected lock "
                                  "[fetch] OP [%%rD+off], %%rS",
                                  as->line);
        strcat(mnemonic, " ");
        strcat(mnemonic, word);
        /* xchg and cmpxchg always fetch; accept the redundant spelling. */
        if (strcmp(mnemonic, "lock fetch xchg") == 0 || strcmp(mnemonic, "lock fetch xchg32") == 0 ||
            strcmp(mnemonic, "lock fetch cmpxchg") == 0 ||
            strcmp(mnemonic, "lock fetch cmpxchg32") == 0)
            memmove(mnemonic + 5, mnemonic + 11, strlen(mnemonic + 11) + 1);
    } else if (strcmp(mnemonic, "call") == 0) {
        char *save = s;
        next_word(as, &s, word, &failed);
        if (strcmp(word, "local") == 0)
            strcat(mnemonic, " local");
        else
            s = save;
    } else if (strncmp(mnemonic, "swap", 4) == 0) {
        memmove(mnemonic + 1, mnemonic, strlen(mnemonic) + 1);
        mnemonic[0] = 'b';
    }

    if (failed)
        return -1;
    char *ops[MAX_OPERANDS];
    size_t count;
    if (split_operands(as, s, ops, &count))
        return -1;

    if (strcmp(mnemonic, ".insn") == 0) {
        int negative, hex;
        uint64_t raw;
        if (count != 1 || parse_number(ops[0], &negative, &raw, &hex) || negative || !hex)
            return rbpf_tool_fail(as->err, "line %zu: .insn takes one operand, 0x<16 hex digits>",
                                  as->line);
        uint8_t insn[8];
        rbpf_tool_set_u32(insn, (uint32_t)raw);
        rbpf_tool_set_u32(insn + 4, (uint32_t)(raw >> 32));
        rbpf_tool_buf_put(as->code, insn, sizeof insn);
        return 0;
    }
    if (strcmp(mnemonic, "call") == 0 && count == 1 && operand_class(ops[0]) == 'r') {
        int reg;
        if (parse_register(as, ops[0], &reg))
            return -1;
        emit(as, RBPF_TOOL_OP_CALLX, reg, 0, 0, 0);
        return 0;
    }

    const rbpf_tool_insn_row_t *known = NULL;
    const char *syntax = "";
    for (size_t i = 0; i < rbpf_tool_insn_row_count; i++) {
        const rbpf_tool_insn_row_t *row = &rbpf_tool_insn_rows[i];
        if (strcmp(row->mnemonic, mnemonic) != 0)
            continue;
        const char *shape = row_shape(row, &syntax);
        known = row;
        if (strlen(shape) != count)
            continue;
        size_t k = 0;
        while (k < count && operand_class(ops[k]) == shape[k])
            k++;
        if (k == count)
            return encode(as, row, ops);
    }
    if (!known)
        return rbpf_tool_fail(as->err, "line %zu: unknown mnemonic '%s'", as->line, mnemonic);
    /* Say what was expected: for the mnemonic's rows, their syntaxes. */
    char expected[256] = "";
    size_t rows_seen = 0;
    for (size_t i = 0; i < rbpf_tool_insn_row_count; i++) {
        const rbpf_tool_insn_row_t *row = &rbpf_tool_insn_rows[i];
        if (strcmp(row->mnemonic, mnemonic) != 0)
            continue;
        row_shape(row, &syntax);
        if (strstr(expected, syntax) && syntax[0])
            continue;
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s'%.40s%s%s'", rows_seen ? " or " : "",
                 mnemonic, syntax[0] ? " " : "", syntax);
        rows_seen++;
    }
    for (size_t k = 0; k < count; k++) {
        char c = operand_class(ops[k]);
        if (c == 'r' && parse_register(as, ops[k], &(int){0}) != 0)
            return -1;
    }
    return rbpf_tool_fail(as->err, "line %zu: invalid operands for '%s': expected %s", as->line,
                          mnemonic, expected);
}

static int resolve(assembler_t *as)
{
    for (size_t i = 0; i < as->fixup_count; i++) {
        const fixup_t *f = &as->fixups[i];
        const label_t *label = label_find(as, f->name);
        long target = label ? (long)label->index : -1;
        if (target < 0 && strcmp(f->name, "exit") == 0)
            target = as->first_exit;
        if (target < 0)
            return rbpf_tool_fail(as->err, "line %zu: undefined label '%s'", f->line, f->name);
        long delta = target - (long)f->index - 1;
        if (!f->wide && (delta < INT16_MIN || delta > INT16_MAX))
            return rbpf_tool_fail(as->err,
                                  "line %zu: label '%s' is %ld instructions away, beyond the "
                                  "16-bit jump offset (use ja32)",
                                  f->line, f->name, delta);
        uint8_t *insn = as->code->data + as->base + f->index * RBPF_INSN_SIZE;
        if (f->wide) {
            rbpf_tool_set_u32(insn + 4, (uint32_t)(int32_t)delta);
        } else {
            insn[2] = (uint8_t)(uint16_t)delta;
            insn[3] = (uint8_t)((uint16_t)delta >> 8);
        }
    }
    return 0;
}

int rbpf_tool_assemble(const char *source, size_t length, rbpf_tool_buf_t *code,
                       rbpf_tool_error_t *err)
{
    assembler_t as = {code, code->length, 0, NULL, 0, NULL, 0, NULL, 0, -1, err};
    size_t pos = 0;
    int result = 0;
    while (pos < length && result == 0) {
        const char *nl = memchr(source + pos, '\n', length - pos);
        size_t n = nl ? (size_t)(nl - (source + pos)) : length - pos;
        as.line++;
        if (n >= MAX_LINE) {
            result = rbpf_tool_fail(err, "line %zu: longer than %d characters", as.line,
                                    MAX_LINE - 1);
            break;
        }
        char text[MAX_LINE];
        memcpy(text, source + pos, n);
        text[n] = '\0';
        if (n && text[n - 1] == '\r')
            text[--n] = '\0';
        char *hash = memchr(text, '#', n); /* comments may hold any byte */
        if (hash) {
            *hash = '\0';
            n = (size_t)(hash - text);
        }
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)text[i];
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                result = rbpf_tool_fail(err, "line %zu: unexpected byte 0x%02x", as.line, c);
                break;
            }
        }
        if (result == 0)
            result = assemble_line(&as, text);
        pos = nl ? (size_t)(nl - source) + 1 : length;
    }
    if (result == 0 && insn_count(&as) == 0)
        result = rbpf_tool_fail(err, "line %zu: end of input: no instructions",
                                as.line ? as.line : 1);
    if (result == 0)
        result = resolve(&as);
    if (result != 0)
        code->length = as.base;
    free(as.labels);
    free(as.table);
    free(as.fixups);
    return result;
}
