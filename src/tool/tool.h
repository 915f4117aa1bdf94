/*
 * tool.h: the host-side library behind the rbpf command-line tool, its
 * tests and the fuzzers: byte buffers, files and hex, the instruction table
 * as data, the assembler and the two disassemblers, the container writer and
 * reader (for dumps), and the ELF reader that turns a clang object into a
 * container ("gen").
 *
 * Every input here is treated as hostile: each function checks every
 * offset, length and index before it uses it, and reports a refusal as one
 * line of text in an rbpf_tool_error_t instead of crashing. Functions return
 * 0 on success and -1 on a refusal (the message is then in err->text).
 * Unlike librbpf this code uses the C library and the heap.
 */
#ifndef RBPF_TOOL_H
#define RBPF_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- Errors ------------------------------------------------------------ */
typedef struct rbpf_tool_error {
    char text[512]; /* one line, no trailing newline */
} rbpf_tool_error_t;

/* Formats err->text (printf-style) and returns -1, for `return fail(...)`. */
int rbpf_tool_fail(rbpf_tool_error_t *err, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- Growing byte buffers ---------------------------------------------- */
typedef struct rbpf_tool_buf {
    uint8_t *data;
    size_t length;
    size_t capacity;
} rbpf_tool_buf_t;

/* Appends n bytes (data may be NULL: appends zeros). Aborts the process with
 * a message when memory runs out; the tool cannot go on then anyway. */
void rbpf_tool_buf_put(rbpf_tool_buf_t *buf, const void *data, size_t n);
void rbpf_tool_buf_put_u16(rbpf_tool_buf_t *buf, uint16_t value);
void rbpf_tool_buf_put_u32(rbpf_tool_buf_t *buf, uint32_t value);
/* Appends zeros until the length is a multiple of `align`. */
void rbpf_tool_buf_pad(rbpf_tool_buf_t *buf, size_t align);
/* Appends printf-style text, however long (never cut). */
void rbpf_tool_buf_printf(rbpf_tool_buf_t *buf, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- Text from containers and command lines ------------------------------
 * A function name may hold any byte but NUL, a path any byte but NUL: both
 * are shown escaped, so that they can neither break a line nor pass for
 * something else. Bytes 0x21..0x7e but '\' stand for themselves; every
 * other byte, space and '\' included, is written as \xNN. */
/* Writes text escaped into out (out_size > 4), cut with "..." when it does
 * not fit; returns out. */
char *rbpf_tool_escape(const char *text, char *out, size_t out_size);
/* Writes text escaped to a stream, whole. */
void rbpf_tool_put_escaped(FILE *out, const char *text);
void rbpf_tool_buf_free(rbpf_tool_buf_t *buf);

/* Little-endian reads from memory that may be unaligned. */
uint16_t rbpf_tool_get_u16(const uint8_t *p);
uint32_t rbpf_tool_get_u32(const uint8_t *p);
uint64_t rbpf_tool_get_u64(const uint8_t *p);
void rbpf_tool_set_u32(uint8_t *p, uint32_t value);

/* ---- Files and hex ------------------------------------------------------ */
/* Reads a whole regular file ("-" is stdin) into buf (which it clears first).
 * Refuses a directory or an unreadable file, naming the path. */
int rbpf_tool_read_file(const char *path, rbpf_tool_buf_t *buf, rbpf_tool_error_t *err);

/* Writes a whole file ("-" is stdout): into PATH.partial, renamed to PATH once
 * complete, so PATH is either what it was or all of the new contents. */
int rbpf_tool_write_file(const char *path, const void *data, size_t length,
                         rbpf_tool_error_t *err);

/* Decodes hex bytes: pairs of hex digits, with or without whitespace between
 * bytes, an optional "0x" before each byte group is not accepted. Appends the
 * bytes to out. `what` names the input in messages ("--ctx-hex"). */
int rbpf_tool_hex_decode(const char *text, size_t length, rbpf_tool_buf_t *out,
                         const char *what, rbpf_tool_error_t *err);

/* ---- The instruction table as data (generated from RBPF_ISA) ------------ */
typedef struct rbpf_tool_insn_row {
    const char *name;     /* row name: "ADD64_K" */
    const char *mnemonic; /* "add", "lock fetch add32", "call local" */
    uint8_t opcode;
    uint8_t form;         /* enum rbpf_form */
    int32_t sel;          /* value of the selecting field, see isa.h */
} rbpf_tool_insn_row_t;

extern const rbpf_tool_insn_row_t rbpf_tool_insn_rows[];
extern const size_t rbpf_tool_insn_row_count;

/* The opcode of callx (call through a register, dst = register). It is not
 * part of RFC 9669 nor of RBPF_ISA: the assembler and disassembler know it
 * only so that the conformance suite's callx test can be reproduced; the
 * verifier refuses it. */
#define RBPF_TOOL_OP_CALLX 0x8d

/* The row an 8-byte instruction is, or NULL when the opcode (with its
 * selecting field) is unknown. Unused fields are not checked here. */
const rbpf_tool_insn_row_t *rbpf_tool_decode(const uint8_t *insn);

/* 1 when `opcode` starts a two-slot instruction (the lddw forms). */
int rbpf_tool_two_slot(uint8_t opcode);

/* 1 when every field the row's form does not use is zero. */
int rbpf_tool_fields_clean(const rbpf_tool_insn_row_t *row, const uint8_t *insn);

/* ---- Assembler (uBPF / bpf_conformance syntax) ------------------------- */
/* The assembler's rule for the frame pointer: %r10 is never written (as a
 * destination, or as the source of a fetching atomic), and only mov, add and
 * sub (64-bit) read it as a source register (anything else would turn the
 * stack address into a number). 1 when dst and src obey it. */
int rbpf_tool_frame_pointer_ok(const rbpf_tool_insn_row_t *row, int dst, int src);

/* Assembles source text into instructions (appended to code). Labels
 * ("name:"), "#" comments, jump targets as labels or +N/-N, `call local
 * LABEL`, lddw, the suite's aliases. A refusal names the line and what is
 * wrong: "line 3: unknown mnemonic 'ldxq'". */
int rbpf_tool_assemble(const char *source, size_t length, rbpf_tool_buf_t *code,
                       rbpf_tool_error_t *err);

/* ---- Disassemblers ------------------------------------------------------ */
/* Formats instruction `index` of code (count instructions) in the assembler's
 * syntax into out, so that assembling the output gives the same bytes. An
 * instruction that has no such form (unknown opcode, unused field not zero,
 * lddw without its second slot) is written as `.insn 0x<16 hex digits>`
 * (the 8 bytes as a little-endian u64), which the assembler also accepts.
 * Returns the number of slots used (1, or 2 for a complete lddw). */
size_t rbpf_tool_disasm_insn(const uint8_t *code, size_t count, size_t index, char *out,
                             size_t out_size);

/* What the C-like disassembler may use to name things; any field may be 0. */
typedef struct rbpf_tool_dump_context {
    const uint8_t *rodata;
    size_t rodata_len;
    const uint8_t *functions; /* container function table (6-byte entries) */
    size_t function_count;
    const struct rbpf_tool_names *names; /* application helper names, or NULL */
    const uint64_t *by_offset; /* the container's function index, or NULL (a scan) */
} rbpf_tool_dump_context_t;

/* Formats instruction `index` in the C-like syntax of `rbpf dump`
 * ("r0 = *(uint64_t*)(r1 + 0)", "w0 += 1", "Return r0"). Returns the number
 * of slots used. */
size_t rbpf_tool_dump_insn(const uint8_t *code, size_t count, size_t index,
                           const rbpf_tool_dump_context_t *ctx, char *out, size_t out_size);

/* ---- Helper names (names.c) --------------------------------------------- */
typedef struct rbpf_tool_name {
    uint32_t id;
    char name[64]; /* a C identifier */
} rbpf_tool_name_t;

/* Application helper names the tool was given; {0} is none. */
typedef struct rbpf_tool_names {
    rbpf_tool_name_t *items;
    size_t count;
} rbpf_tool_names_t;

/* The name of helper `id`: from `names` (may be NULL), else the standard
 * helpers' own; NULL when unknown. */
const char *rbpf_tool_helper_name(const rbpf_tool_names_t *names, uint32_t id);

/* Adds (or renames) helper `id`; the name must be a C identifier of at most
 * 63 characters (`length` bytes of `name`). */
int rbpf_tool_names_add(rbpf_tool_names_t *names, uint32_t id, const char *name, size_t length,
                        rbpf_tool_error_t *err);

/* Reads helper names from text: C lines `#define NAME ID` (ids 0x100 and
 * up: application helpers), `RBPF_HELPER(type, NAME, ID, (...))`, X-macro
 * rows `XX(ID, NAME, ...)` (Sming's bpf_appcalls.h, ids 0x100 and up), and
 * lines `ID NAME`; other lines are skipped. */
int rbpf_tool_names_parse(rbpf_tool_names_t *names, const char *text, size_t length,
                          rbpf_tool_error_t *err);
void rbpf_tool_names_free(rbpf_tool_names_t *names);

/* ---- Containers (format v0, docs/format.md) ---------------------------- */
typedef struct rbpf_tool_function {
    char *name;      /* heap copy */
    uint32_t offset; /* byte offset in text */
} rbpf_tool_function_t;

/* A relocation: the u64 at data offset `at` is set, at VM set-up, to the
 * address of `target` (its top byte the base, RBPF_RELOC_RAM or
 * RBPF_RELOC_RODATA, the low 24 bits the offset in it). */
typedef struct rbpf_tool_reloc {
    uint32_t at;
    uint32_t target;
} rbpf_tool_reloc_t;

/* A container being built, or one read back for a dump. */
typedef struct rbpf_tool_image {
    uint32_t flags;
    rbpf_tool_reloc_t *relocs; /* any order; written sorted by place */
    size_t reloc_count;
    rbpf_tool_buf_t data;
    uint32_t bss_len;
    rbpf_tool_buf_t rodata; /* function names are appended by rbpf_tool_image_write */
    rbpf_tool_buf_t text;
    rbpf_tool_function_t *functions;
    size_t function_count;
} rbpf_tool_image_t;

/* Adds a function (name copied). */
void rbpf_tool_image_add_function(rbpf_tool_image_t *image, const char *name, uint32_t offset);

/* Serialises the image: header, data, rodata (with the function names
 * appended, NUL-terminated), text, function table, and when there are
 * relocations the RBPF_FLAG_RELOCATIONS table (docs/format.md). Refuses what the format
 * cannot hold (a text past 64 KiB, names past 64 KiB of rodata) and what the
 * loader would refuse (a function starting outside the text or in the
 * second slot of a lddw). */
int rbpf_tool_image_write(const rbpf_tool_image_t *image, rbpf_tool_buf_t *out,
                          rbpf_tool_error_t *err);

/* A container read in place (no copies). */
typedef struct rbpf_tool_container {
    uint32_t magic, version, flags;
    uint32_t data_len, bss_len, rodata_len, text_len, function_count;
    const uint8_t *data, *rodata, *text, *functions;
    /* The functions by text offset: (offset << 32 | index), sorted, so that a
     * listing finds the functions starting at an instruction in log time
     * (a scan of the table per instruction hung on a 6 MB table). Owned:
     * rbpf_tool_container_free(). */
    uint64_t *by_offset;
    const uint8_t *relocations; /* entries of 8 bytes, with RBPF_FLAG_RELOCATIONS */
    uint32_t relocation_count;
} rbpf_tool_container_t;

/* Parses a container blob with every length and offset checked, without
 * overflow; refusals name the field and its value. Function names must lie
 * in rodata, NUL-terminated; function offsets inside text, 8-aligned. */
int rbpf_tool_container_read(const uint8_t *blob, size_t size, rbpf_tool_container_t *c,
                             rbpf_tool_error_t *err);

/* Frees what rbpf_tool_container_read allocated (the blob is the caller's). */
void rbpf_tool_container_free(rbpf_tool_container_t *c);

/* The first position in by_offset (count keys) of a function starting at
 * text byte `offset`; == count or a key of another offset when none. */
size_t rbpf_tool_functions_at(const uint64_t *by_offset, size_t count, uint32_t offset);

/* Name of function i of a container read by rbpf_tool_container_read. */
const char *rbpf_tool_container_function(const rbpf_tool_container_t *c, size_t i,
                                         uint32_t *offset);

/* Writes before, name, after for every function that starts at text byte
 * offset `offset` (several names may share one offset). */
void rbpf_tool_function_labels(FILE *out, const rbpf_tool_container_t *c, uint32_t offset,
                               const char *before, const char *after);

struct rbpf_tool_lines;

/* Writes the `rbpf dump` listing of a container; helper calls show the
 * helper's name when it is known (names may be NULL: standard ones only),
 * and with a line table (may be NULL) each new source line is shown as
 * "; file.c:12: text" above its first instruction. */
int rbpf_tool_dump(FILE *out, const uint8_t *blob, size_t size, const rbpf_tool_names_t *names,
                   struct rbpf_tool_lines *lines,
                   rbpf_tool_error_t *err);

void rbpf_tool_image_free(rbpf_tool_image_t *image);

/* ---- ELF objects to containers ----------------------------------------- */
/* Converts an ELF64 little-endian BPF relocatable object (clang -target bpf
 * -c) into a container: global functions of .text in the order they are
 * defined (the first is the entry), .data, .bss, .rodata and every
 * .rodata.* merged, lddw relocations rewritten to LDDWD/LDDWR, calls
 * between functions resolved as local calls. Anything else is refused with
 * a message naming the symbol and section. */
int rbpf_tool_gen(const uint8_t *elf, size_t size, rbpf_tool_buf_t *container,
                  rbpf_tool_error_t *err);

/* ---- Runs: error descriptions and the trace (inspect.c) ----------------- */
struct rbpf_vm;
struct rbpf_program;

/* What the tool knows of a run beyond the VM: the regions it granted (for
 * naming the one nearest a refused access), helper names, and the trace's
 * state. The trace hook finds it as vm->config->user. */
typedef struct rbpf_tool_run_view {
    const struct rbpf_program *prog;
    const rbpf_tool_names_t *names; /* may be NULL */
    const void *context;
    size_t context_len;
    const void *stack;
    size_t stack_len;
    /* trace */
    FILE *out;
    uint64_t trace_max; /* instructions shown at most */
    uint64_t traced;    /* instructions seen */
    int pending;        /* an instruction waits for its effects */
    uint32_t offset;    /* its text byte offset */
    uint64_t regs[11];  /* the registers before it */
    uint64_t store_addr;
    uint32_t store_size; /* bytes it writes (0: none) */
    struct rbpf_tool_lines *lines; /* may be NULL */
    char shown[256];     /* the source line shown last */
} rbpf_tool_run_view_t;

/* One line for a run-time error: "instruction 9 (byte 0x48): illegal memory
 * access: 8-byte read at 0x...: the context + 16: 8 bytes past the end of the
 * context (16 bytes)"; a helper call is named ("call bpf_memcpy"). */
void rbpf_tool_describe_error(const rbpf_tool_run_view_t *v, const struct rbpf_vm *vm, int rc,
                              char *out, size_t size);

/* The VM trace hook (vm->trace, with vm->config->user the view): prints
 * each instruction, once its effects are known, as "trace: INDEX 0xOFFSET
 * DISASSEMBLY r0=0x.. [0xADDR]=0x.. (N bytes)", up to trace_max of them;
 * with a line table, "trace: file.c:12: text" before each new source line. */
void rbpf_tool_trace_hook(const struct rbpf_vm *vm, uint32_t offset, const uint64_t *regs);

/* Ends a traced run: the last instruction, then how the run ended. */
void rbpf_tool_trace_end(rbpf_tool_run_view_t *v, int rc, uint64_t r0);

/* The bytes of section `name` of an ELF object (out->length 0 when it has
 * none) with its REL relocations applied as absolute values (symbol value
 * plus the addend in place), as a debugger reads a relocatable object. */
int rbpf_tool_elf_section(const uint8_t *elf, size_t size, const char *name,
                          rbpf_tool_buf_t *out, rbpf_tool_error_t *err);

/* ---- Line tables (lines.c) ----------------------------------------------- */
/* Source lines of a container's text, from the object's DWARF .debug_line
 * (rbpf build -g), kept in a text file beside the container. */
typedef struct rbpf_tool_line_row {
    uint32_t offset; /* text byte offset where the row starts */
    uint32_t file;   /* index into files */
    uint32_t line;   /* 0: no source line (compiler-made code) */
} rbpf_tool_line_row_t;

typedef struct rbpf_tool_lines {
    char **files;
    size_t file_count;
    rbpf_tool_line_row_t *rows; /* sorted by offset */
    size_t row_count;
    rbpf_tool_buf_t *sources;   /* each file's text once read; length 0: unreadable */
    uint8_t *source_tried;
    int no_sources;             /* 1: never read source files (fuzzing) */
} rbpf_tool_lines_t;

/* Reads the line table of .text from an ELF object's .debug_line (DWARF 2
 * to 5, 32-bit format). An object without one gives an empty table. */
int rbpf_tool_lines_from_elf(const uint8_t *elf, size_t size, rbpf_tool_lines_t *lines,
                             rbpf_tool_error_t *err);

/* The table as text ("rbpf-lines 1", "file N PATH", "OFFSET FILE LINE"), and
 * back; a file that is not such a table is refused naming the line. */
void rbpf_tool_lines_write(const rbpf_tool_lines_t *lines, rbpf_tool_buf_t *out);
int rbpf_tool_lines_parse(const char *text, size_t length, rbpf_tool_lines_t *lines,
                          rbpf_tool_error_t *err);

/* The row for text byte `offset`: the last at or before it; NULL when there
 * is none or it has no source line (line 0). */
const rbpf_tool_line_row_t *rbpf_tool_lines_find(const rbpf_tool_lines_t *lines, uint32_t offset);

/* "file.c:12: source text" for the instruction at text byte `offset` (the
 * source text when the file can be read); 0 when the table has no line for
 * it, else 1. Control bytes of the path and text are written as '?'. */
int rbpf_tool_lines_describe(rbpf_tool_lines_t *lines, uint32_t offset, char *out, size_t size);
void rbpf_tool_lines_free(rbpf_tool_lines_t *lines);

#endif /* RBPF_TOOL_H */
