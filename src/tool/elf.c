/*
 * elf.c: a bounds-checked reader of ELF64 little-endian BPF relocatable
 * objects (what `clang -target bpf -c` writes), and `gen`, which turns one
 * into a container.
 *
 * What gen does with the object:
 *   - .text is the code; its global functions, in the order they are defined
 *     (by address), form the function table; the first is the entry.
 *   - .data and .data.*, .rodata and .rodata.* (string literals in
 *     .rodata.str1.1, switch tables, ...) and .bss / .bss.* are each merged
 *     once, in section order, aligned as the object asks (up to 8).
 *   - R_BPF_64_64 on a lddw against a data, bss or rodata symbol becomes
 *     LDDWD (data address + imm; bss follows data, so its imm is the data
 *     length plus its offset) or LDDWR (rodata address + imm). The target is
 *     the symbol's value plus the addend: for REL sections the addend is the
 *     immediate already in the instruction, for RELA the r_addend.
 *   - R_BPF_64_32 on a call to a function of .text becomes a local call
 *     (src 1, imm = target - pc - 1); for REL the target is
 *     value / 8 + imm + 1, as LLVM encodes it, for RELA (value + addend) / 8.
 *   - R_BPF_64_ABS64 in .data* or .rodata* (a pointer in initialised data)
 *     becomes an entry of the container's relocation table, applied when a
 *     VM is set up; a .rodata* section holding pointers goes into data (as
 *     ELF's .data.rel.ro) so that the VM can write them.
 *   - Relocations of debug and BTF sections are ignored; anything else that
 *     cannot be represented is refused with the symbol and section named.
 * Every offset, size and index read from the file is checked before use.
 */
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "rbpf.h"
#include "tool/tool.h"

#define EM_BPF 247
#define ET_REL 1
#define SHT_SYMTAB 2
#define SHT_RELA 4
#define SHT_NOBITS 8
#define SHT_REL 9
#define SHF_WRITE 0x1
#define SHF_ALLOC 0x2
#define SHF_EXECINSTR 0x4
#define SHN_UNDEF 0
#define SHN_LORESERVE 0xff00
#define SHN_COMMON 0xfff2
#define STT_OBJECT 1
#define STT_FUNC 2
#define STT_SECTION 3
#define STB_GLOBAL 1
#define STB_WEAK 2
#define R_BPF_NONE 0
#define R_BPF_64_64 1
#define R_BPF_64_ABS64 2
#define R_BPF_64_32 10

enum kind { KIND_OTHER, KIND_TEXT, KIND_DATA, KIND_RODATA, KIND_BSS };

typedef struct section {
    const char *name;
    uint32_t type;
    uint64_t flags, offset, size, align;
    uint32_t link, info;
    uint64_t entsize;
    enum kind kind;
    int relro;     /* read-only data holding pointers: placed in data */
    uint64_t base; /* where it starts in the merged data, rodata or bss */
} section_t;

typedef struct symbol {
    const char *name;
    uint8_t type, bind;
    uint16_t shndx;
    uint64_t value, size;
} symbol_t;

typedef struct elf {
    const uint8_t *p;
    size_t size;
    section_t *sections;
    size_t section_count;
    const uint8_t *symtab;
    size_t symbol_count;
    size_t strtab; /* section index of the symbol names */
    size_t text;   /* section index of .text */
    rbpf_tool_error_t *err;
} elf_t;

/* [offset, offset + length) inside the file, without overflow. */
static int in_file(const elf_t *e, uint64_t offset, uint64_t length)
{
    return offset <= e->size && length <= e->size - offset;
}

/* A NUL-terminated string at `offset` of string-table section `index`,
 * which must itself lie in the file (section 0, the null section, is never
 * a string table: its header is not checked against the file). */
static const char *string_at(const elf_t *e, size_t index, uint64_t offset)
{
    if (index == 0 || index >= e->section_count)
        return NULL;
    const section_t *s = &e->sections[index];
    if (s->type == SHT_NOBITS || !in_file(e, s->offset, s->size) || offset >= s->size)
        return NULL;
    const char *p = (const char *)e->p + s->offset + offset;
    if (!memchr(p, 0, (size_t)(s->size - offset)))
        return NULL;
    return p;
}

static int starts(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strcmp(name, prefix) == 0 || (strncmp(name, prefix, n) == 0 && name[n] == '.');
}

static int read_sections(elf_t *e)
{
    const uint8_t *h = e->p;
    if (e->size < 4 || memcmp(h, "\177ELF", 4) != 0)
        return rbpf_tool_fail(e->err, "not an ELF file (no \\177ELF magic)");
    if (e->size < 64)
        return rbpf_tool_fail(e->err, "ELF header truncated: %zu bytes", e->size);
    if (h[4] != 2)
        return rbpf_tool_fail(e->err, "not a 64-bit ELF file (class %u)", h[4]);
    if (h[5] != 1)
        return rbpf_tool_fail(e->err, "not a little-endian ELF file: use -target bpf (bpfel)");
    uint16_t type = rbpf_tool_get_u16(h + 16), machine = rbpf_tool_get_u16(h + 18);
    if (machine != EM_BPF)
        return rbpf_tool_fail(e->err, "ELF machine %u is not BPF (%u): compile with clang -target bpf",
                              machine, EM_BPF);
    if (type != ET_REL)
        return rbpf_tool_fail(e->err, "ELF type %u is not a relocatable object: compile with -c",
                              type);
    uint64_t shoff = rbpf_tool_get_u64(h + 40);
    uint16_t shentsize = rbpf_tool_get_u16(h + 58), shnum = rbpf_tool_get_u16(h + 60);
    uint16_t shstrndx = rbpf_tool_get_u16(h + 62);
    if (shnum == 0)
        return rbpf_tool_fail(e->err, "ELF file has no section headers");
    if (shentsize != 64)
        return rbpf_tool_fail(e->err, "ELF section header size %u, expected 64", shentsize);
    if (!in_file(e, shoff, (uint64_t)shnum * 64))
        return rbpf_tool_fail(e->err,
                              "ELF section headers (%u at offset %llu) run past the end of the "
                              "file (%zu bytes)",
                              shnum, (unsigned long long)shoff, e->size);
    if (shstrndx == 0)
        return rbpf_tool_fail(e->err, "ELF file has no section name table (e_shstrndx 0)");
    if (shstrndx >= shnum)
        return rbpf_tool_fail(e->err, "ELF section name table index %u out of range (%u sections)",
                              shstrndx, shnum);
    e->sections = calloc(shnum, sizeof *e->sections);
    if (!e->sections) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    e->section_count = shnum;
    for (size_t i = 0; i < shnum; i++) {
        const uint8_t *sh = e->p + shoff + i * 64;
        section_t *s = &e->sections[i];
        s->type = rbpf_tool_get_u32(sh + 4);
        s->flags = rbpf_tool_get_u64(sh + 8);
        s->offset = rbpf_tool_get_u64(sh + 24);
        s->size = rbpf_tool_get_u64(sh + 32);
        s->link = rbpf_tool_get_u32(sh + 40);
        s->info = rbpf_tool_get_u32(sh + 44);
        s->align = rbpf_tool_get_u64(sh + 48);
        s->entsize = rbpf_tool_get_u64(sh + 56);
        if (i != 0 && s->type != SHT_NOBITS && !in_file(e, s->offset, s->size))
            return rbpf_tool_fail(e->err,
                                  "ELF section %zu (offset %llu, size %llu) runs past the end of "
                                  "the file (%zu bytes)",
                                  i, (unsigned long long)s->offset, (unsigned long long)s->size,
                                  e->size);
    }
    for (size_t i = 0; i < shnum; i++) {
        const uint8_t *sh = e->p + shoff + i * 64;
        const char *name = string_at(e, shstrndx, rbpf_tool_get_u32(sh));
        if (!name)
            return rbpf_tool_fail(e->err, "ELF section %zu: name offset outside the name table", i);
        e->sections[i].name = name;
    }
    return 0;
}

static int classify_sections(elf_t *e)
{
    e->text = 0;
    for (size_t i = 1; i < e->section_count; i++) {
        section_t *s = &e->sections[i];
        if (strcmp(s->name, ".text") == 0 && s->type != SHT_NOBITS) {
            s->kind = KIND_TEXT;
            e->text = i;
        } else if ((s->flags & SHF_EXECINSTR) && s->size > 0) {
            return rbpf_tool_fail(e->err,
                                  "section '%s': code outside .text is not supported (no section "
                                  "attributes or -ffunction-sections)",
                                  s->name);
        } else if (starts(s->name, ".data") && s->type != SHT_NOBITS) {
            s->kind = KIND_DATA;
        } else if (starts(s->name, ".rodata") && s->type != SHT_NOBITS) {
            s->kind = KIND_RODATA;
        } else if (starts(s->name, ".bss") || (s->type == SHT_NOBITS && (s->flags & SHF_ALLOC))) {
            s->kind = KIND_BSS;
        }
        if (s->kind != KIND_OTHER && s->kind != KIND_TEXT && s->size > 0xffffffu)
            return rbpf_tool_fail(e->err, "section '%s' is too large (%llu bytes)", s->name,
                                  (unsigned long long)s->size);
    }
    if (e->text == 0)
        return rbpf_tool_fail(e->err, "missing section .text: the object has no code");
    const section_t *t = &e->sections[e->text];
    if (t->size == 0)
        return rbpf_tool_fail(e->err, "section .text is empty: the object has no code");
    if (t->size % RBPF_INSN_SIZE)
        return rbpf_tool_fail(e->err, "section .text size %llu is not a multiple of 8",
                              (unsigned long long)t->size);
    return 0;
}

static int read_symbols(elf_t *e)
{
    size_t found = 0;
    for (size_t i = 1; i < e->section_count; i++) {
        const section_t *s = &e->sections[i];
        if (s->type != SHT_SYMTAB)
            continue;
        if (found)
            return rbpf_tool_fail(e->err, "more than one symbol table");
        found = i;
        if (s->entsize != 24 || s->size % 24)
            return rbpf_tool_fail(e->err, "symbol table '%s': entry size %llu, expected 24", s->name,
                                  (unsigned long long)s->entsize);
        if (s->link == 0 || s->link >= e->section_count)
            return rbpf_tool_fail(e->err, "symbol table '%s': string table index %u out of range",
                                  s->name, s->link);
        e->symtab = e->p + s->offset;
        e->symbol_count = (size_t)(s->size / 24);
        e->strtab = s->link;
    }
    if (!found)
        return rbpf_tool_fail(e->err, "missing section .symtab: the object has no symbol table");
    return 0;
}

static int get_symbol(const elf_t *e, size_t index, symbol_t *sym)
{
    /* Filled on every path: gcc -O3 cannot see that a failure returns -1. */
    memset(sym, 0, sizeof *sym);
    if (index >= e->symbol_count)
        return rbpf_tool_fail(e->err, "symbol index %zu out of range (%zu symbols)", index,
                              e->symbol_count);
    const uint8_t *p = e->symtab + index * 24;
    sym->name = string_at(e, e->strtab, rbpf_tool_get_u32(p));
    if (!sym->name)
        return rbpf_tool_fail(e->err, "symbol %zu: name offset outside the string table", index);
    sym->type = p[4] & 0xf;
    sym->bind = p[4] >> 4;
    sym->shndx = rbpf_tool_get_u16(p + 6);
    sym->value = rbpf_tool_get_u64(p + 8);
    sym->size = rbpf_tool_get_u64(p + 16);
    if (sym->type == STT_SECTION && sym->name[0] == '\0' && sym->shndx < e->section_count)
        sym->name = e->sections[sym->shndx].name;
    return 0;
}

/* Read-only data that holds pointers (a relocation section applies to it)
 * goes into data, like ELF's .data.rel.ro: the VM sets the pointers in its
 * RAM when it is set up. */
static void promote_relro(elf_t *e)
{
    for (size_t i = 1; i < e->section_count; i++) {
        const section_t *rs = &e->sections[i];
        if ((rs->type != SHT_REL && rs->type != SHT_RELA) || rs->size == 0 || rs->info == 0 ||
            rs->info >= e->section_count)
            continue;
        section_t *target = &e->sections[rs->info];
        if (target->kind == KIND_RODATA) {
            target->kind = KIND_DATA;
            target->relro = 1;
        }
    }
}

typedef struct function_entry {
    const char *name;
    uint64_t value;
    size_t order;
} function_entry_t;

static int compare_functions(const void *a, const void *b)
{
    const function_entry_t *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int collect_functions(elf_t *e, rbpf_tool_image_t *image)
{
    function_entry_t *list = calloc(e->symbol_count + 1, sizeof *list);
    size_t n = 0;
    if (!list) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    for (size_t i = 1; i < e->symbol_count; i++) {
        symbol_t sym;
        if (get_symbol(e, i, &sym)) {
            free(list);
            return -1;
        }
        if (sym.type != STT_FUNC || (sym.bind != STB_GLOBAL && sym.bind != STB_WEAK) ||
            sym.shndx != e->text)
            continue;
        if (sym.value % RBPF_INSN_SIZE || sym.value >= e->sections[e->text].size) {
            free(list);
            return rbpf_tool_fail(e->err, "function '%s': address 0x%llx is not an instruction of .text",
                                  sym.name, (unsigned long long)sym.value);
        }
        if (sym.name[0] == '\0') {
            free(list);
            return rbpf_tool_fail(e->err, "function symbol %zu in .text has no name", i);
        }
        list[n].name = sym.name;
        list[n].value = sym.value;
        list[n].order = i;
        n++;
    }
    if (n == 0) {
        free(list);
        return rbpf_tool_fail(e->err,
                              "no global function in .text: a container needs at least one "
                              "non-static function");
    }
    qsort(list, n, sizeof *list, compare_functions);
    for (size_t i = 0; i < n; i++)
        rbpf_tool_image_add_function(image, list[i].name, (uint32_t)list[i].value);
    free(list);
    return 0;
}

/* Lays out data, rodata and bss, section by section. */
static int merge_sections(elf_t *e, rbpf_tool_image_t *image)
{
    uint64_t bss = 0;
    for (size_t i = 1; i < e->section_count; i++) {
        section_t *s = &e->sections[i];
        uint64_t align = s->align > 8 ? 8 : s->align ? s->align : 1;
        if (s->kind == KIND_DATA || s->kind == KIND_RODATA) {
            rbpf_tool_buf_t *b = s->kind == KIND_DATA ? &image->data : &image->rodata;
            rbpf_tool_buf_pad(b, (size_t)align);
            s->base = b->length;
            rbpf_tool_buf_put(b, e->p + s->offset, (size_t)s->size);
        } else if (s->kind == KIND_BSS) {
            bss = (bss + align - 1) / align * align;
            s->base = bss;
            bss += s->size;
            if (bss > INT32_MAX)
                return rbpf_tool_fail(e->err, "bss sections total %llu bytes, too large",
                                      (unsigned long long)bss);
        }
    }
    rbpf_tool_buf_pad(&image->data, 8);
    if (image->data.length + bss > INT32_MAX || image->rodata.length > INT32_MAX)
        return rbpf_tool_fail(e->err, "data, bss or rodata too large");
    image->bss_len = (uint32_t)bss;
    return 0;
}

static const char *describe(const elf_t *e, const symbol_t *sym)
{
    (void)e;
    return sym->name[0] ? sym->name : "(unnamed)";
}

/* 1 when value + addend lies outside section s (one past its end is
 * inside: a valid C pointer), computed without overflow. */
static int outside(const section_t *s, uint64_t value, int64_t addend)
{
    return value > s->size || (addend < 0 && (uint64_t)(-(addend + 1)) + 1 > value) ||
           (addend > 0 && (uint64_t)addend > s->size - value);
}

static int relocate_lddw(elf_t *e, rbpf_tool_image_t *image, uint8_t *insn, uint64_t at,
                         const symbol_t *sym, int rela, int64_t addend)
{
    const char *name = describe(e, sym);
    if (insn[0] != 0x18)
        return rbpf_tool_fail(e->err,
                              "relocation R_BPF_64_64 against '%s' at .text+0x%llx is not on a "
                              "lddw instruction (opcode 0x%02x)",
                              name, (unsigned long long)at, insn[0]);
    if (sym->shndx == SHN_UNDEF)
        return rbpf_tool_fail(e->err, "undefined symbol '%s' (used at .text+0x%llx)", name,
                              (unsigned long long)at);
    if (sym->shndx == SHN_COMMON)
        return rbpf_tool_fail(e->err, "symbol '%s' is a common symbol: compile with -fno-common",
                              name);
    if (sym->shndx >= e->section_count)
        return rbpf_tool_fail(e->err, "symbol '%s' has section index 0x%x, which is not supported",
                              name, sym->shndx);
    const section_t *s = &e->sections[sym->shndx];
    if (s->kind == KIND_TEXT)
        return rbpf_tool_fail(e->err,
                              "symbol '%s' in section .text used as data at .text+0x%llx: "
                              "function pointers are not supported",
                              name, (unsigned long long)at);
    if (s->kind == KIND_OTHER && strcmp(s->name, ".jumptables") == 0)
        return rbpf_tool_fail(e->err,
                              "switch jump table '%s' (section .jumptables, used at "
                              ".text+0x%llx): containers have no indirect jump (gotox); compile "
                              "with -fno-jump-tables (rbpf build does)",
                              name, (unsigned long long)at);
    if (s->kind == KIND_OTHER)
        return rbpf_tool_fail(e->err,
                              "symbol '%s' in section '%s' (used at .text+0x%llx): only .data, "
                              ".bss and .rodata sections can be referenced",
                              name, s->name, (unsigned long long)at);
    if (!rela)
        addend = RBPF_INSN_IMM(insn);
    uint64_t value = sym->type == STT_SECTION ? 0 : sym->value;
    if (outside(s, value, addend))
        return rbpf_tool_fail(e->err,
                              "relocation against '%s' + %lld at .text+0x%llx points outside "
                              "section '%s' (%llu bytes)",
                              name, (long long)addend, (unsigned long long)at, s->name,
                              (unsigned long long)s->size);
    uint64_t target = s->base + (uint64_t)((int64_t)value + addend);
    uint8_t opcode = 0xd8;
    if (s->kind == KIND_DATA) {
        opcode = 0xb8;
    } else if (s->kind == KIND_BSS) {
        opcode = 0xb8;
        target += image->data.length;
    }
    if (target > INT32_MAX)
        return rbpf_tool_fail(e->err, "relocation against '%s': offset %llu too large", name,
                              (unsigned long long)target);
    insn[0] = opcode;
    insn[1] &= 0x0f;
    rbpf_tool_set_u32(insn + 4, (uint32_t)target);
    rbpf_tool_set_u32(insn + 12, 0);
    return 0;
}

static int relocate_call(elf_t *e, uint8_t *insn, uint64_t at, const symbol_t *sym, int rela,
                         int64_t addend)
{
    const char *name = describe(e, sym);
    uint64_t text_size = e->sections[e->text].size;
    if (insn[0] != 0x85)
        return rbpf_tool_fail(e->err,
                              "relocation R_BPF_64_32 against '%s' at .text+0x%llx is not on a "
                              "call instruction (opcode 0x%02x)",
                              name, (unsigned long long)at, insn[0]);
    if (sym->shndx == SHN_UNDEF)
        return rbpf_tool_fail(e->err,
                              "undefined function '%s' called at .text+0x%llx: a container can "
                              "call its own functions and helpers (by number) only",
                              name, (unsigned long long)at);
    if (sym->shndx != e->text)
        return rbpf_tool_fail(e->err, "call at .text+0x%llx to '%s', which is not in .text",
                              (unsigned long long)at, name);
    uint64_t value = sym->type == STT_SECTION ? 0 : sym->value;
    int64_t target; /* instruction index */
    if (value > text_size || value % RBPF_INSN_SIZE)
        return rbpf_tool_fail(e->err, "call target '%s' at 0x%llx is not an instruction of .text",
                              name, (unsigned long long)value);
    if (rela) {
        if (addend % RBPF_INSN_SIZE || addend < -(int64_t)text_size ||
            addend > (int64_t)text_size)
            return rbpf_tool_fail(e->err, "call to '%s' at .text+0x%llx: bad addend %lld", name,
                                  (unsigned long long)at, (long long)addend);
        target = ((int64_t)value + addend) / RBPF_INSN_SIZE;
    } else {
        target = (int64_t)(value / RBPF_INSN_SIZE) + RBPF_INSN_IMM(insn) + 1;
    }
    if (target < 0 || (uint64_t)target >= text_size / RBPF_INSN_SIZE)
        return rbpf_tool_fail(e->err, "call to '%s' at .text+0x%llx lands outside .text", name,
                              (unsigned long long)at);
    int64_t pc = (int64_t)(at / RBPF_INSN_SIZE);
    insn[1] = (uint8_t)(RBPF_CALL_LOCAL << 4);
    rbpf_tool_set_u32(insn + 4, (uint32_t)(int32_t)(target - pc - 1));
    return 0;
}

/* A pointer in data (or in read-only data moved there): R_BPF_64_ABS64 at
 * `off` of section `ps` against `sym` + addend becomes a relocation entry,
 * and the 8 bytes of the place are cleared (the entry holds the offset). */
static int relocate_data(elf_t *e, rbpf_tool_image_t *image, const section_t *ps, uint64_t off,
                         uint32_t type, const symbol_t *sym, int rela, int64_t addend)
{
    const char *name = describe(e, sym);
    if (type != R_BPF_64_ABS64)
        return rbpf_tool_fail(e->err,
                              "relocation type %u against '%s' at %s+0x%llx: only 64-bit "
                              "pointers (R_BPF_64_ABS64) can be set in data",
                              type, name, ps->name, (unsigned long long)off);
    if (off > ps->size || ps->size - off < 8)
        return rbpf_tool_fail(e->err, "relocation against '%s' at %s+0x%llx runs past the "
                                      "section (%llu bytes)",
                              name, ps->name, (unsigned long long)off,
                              (unsigned long long)ps->size);
    if (sym->shndx == SHN_UNDEF)
        return rbpf_tool_fail(e->err, "undefined symbol '%s' (pointed to at %s+0x%llx)", name,
                              ps->name, (unsigned long long)off);
    if (sym->shndx == SHN_COMMON)
        return rbpf_tool_fail(e->err, "symbol '%s' is a common symbol: compile with -fno-common",
                              name);
    if (sym->shndx >= e->section_count)
        return rbpf_tool_fail(e->err, "symbol '%s' (pointed to at %s+0x%llx) has section index "
                                      "0x%x, which is not supported",
                              name, ps->name, (unsigned long long)off, sym->shndx);
    const section_t *s = &e->sections[sym->shndx];
    if (s->kind == KIND_TEXT)
        return rbpf_tool_fail(e->err,
                              "pointer to '%s' in .text at %s+0x%llx: function pointers are not "
                              "supported",
                              name, ps->name, (unsigned long long)off);
    if (s->kind == KIND_OTHER)
        return rbpf_tool_fail(e->err,
                              "pointer at %s+0x%llx to '%s' in section '%s': only .data, .bss "
                              "and .rodata can be pointed to",
                              ps->name, (unsigned long long)off, name, s->name);
    uint8_t *place = image->data.data + ps->base + off;
    if (!rela)
        addend = (int64_t)rbpf_tool_get_u64(place);
    uint64_t value = sym->type == STT_SECTION ? 0 : sym->value;
    if (outside(s, value, addend))
        return rbpf_tool_fail(e->err,
                              "pointer at %s+0x%llx to '%s' + %lld points outside section "
                              "'%s' (%llu bytes)",
                              ps->name, (unsigned long long)off, name, (long long)addend,
                              s->name, (unsigned long long)s->size);
    uint64_t target = s->base + (uint64_t)((int64_t)value + addend);
    uint32_t base = s->kind == KIND_RODATA ? RBPF_RELOC_RODATA : RBPF_RELOC_RAM;
    if (s->kind == KIND_BSS)
        target += image->data.length;
    if (target > 0xffffff)
        return rbpf_tool_fail(e->err, "pointer at %s+0x%llx to '%s': offset %llu is beyond the "
                                      "16 MiB a relocation can reach",
                              ps->name, (unsigned long long)off, name,
                              (unsigned long long)target);
    memset(place, 0, 8);
    rbpf_tool_reloc_t *relocs = realloc(image->relocs, (image->reloc_count + 1) * sizeof *relocs);
    if (!relocs) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    image->relocs = relocs;
    relocs[image->reloc_count].at = (uint32_t)(ps->base + off);
    relocs[image->reloc_count].target = base << 24 | (uint32_t)target;
    image->reloc_count++;
    return 0;
}

static int relocate(elf_t *e, rbpf_tool_image_t *image)
{
    for (size_t i = 1; i < e->section_count; i++) {
        const section_t *rs = &e->sections[i];
        if (rs->type != SHT_REL && rs->type != SHT_RELA)
            continue;
        int rela = rs->type == SHT_RELA;
        size_t entsize = rela ? 24 : 16;
        if (rs->info == 0 || rs->info >= e->section_count)
            return rbpf_tool_fail(e->err, "relocation section '%s': target section %u out of range",
                                  rs->name, rs->info);
        const section_t *target = &e->sections[rs->info];
        if (target->kind == KIND_OTHER)
            continue; /* debug info, BTF: not part of the container */
        if (rs->entsize != entsize || rs->size % entsize)
            return rbpf_tool_fail(e->err, "relocation section '%s': entry size %llu, expected %zu",
                                  rs->name, (unsigned long long)rs->entsize, entsize);
        for (uint64_t off = 0; off < rs->size; off += entsize) {
            const uint8_t *r = e->p + rs->offset + off;
            uint64_t at = rbpf_tool_get_u64(r), info = rbpf_tool_get_u64(r + 8);
            int64_t addend = rela ? (int64_t)rbpf_tool_get_u64(r + 16) : 0;
            uint32_t type = (uint32_t)info;
            symbol_t sym;
            if (type == R_BPF_NONE)
                continue;
            if (get_symbol(e, (size_t)(info >> 32), &sym))
                return -1;
            if (target->kind == KIND_DATA) {
                if (relocate_data(e, image, target, at, type, &sym, rela, addend))
                    return -1;
                continue;
            }
            if (target->kind != KIND_TEXT)
                return rbpf_tool_fail(e->err,
                                      "relocation in section '%s' against symbol '%s': only "
                                      ".text, .data and .rodata can be relocated",
                                      target->name, describe(e, &sym));
            if (at % RBPF_INSN_SIZE || at >= image->text.length)
                return rbpf_tool_fail(e->err,
                                      "relocation against '%s' at .text+0x%llx is not on an "
                                      "instruction",
                                      describe(e, &sym), (unsigned long long)at);
            uint8_t *insn = image->text.data + at;
            if (type == R_BPF_64_64) {
                if (at + 2 * RBPF_INSN_SIZE > image->text.length)
                    return rbpf_tool_fail(e->err, "lddw at .text+0x%llx is cut off by the end of .text",
                                          (unsigned long long)at);
                if (relocate_lddw(e, image, insn, at, &sym, rela, addend))
                    return -1;
            } else if (type == R_BPF_64_32) {
                if (relocate_call(e, insn, at, &sym, rela, addend))
                    return -1;
            } else {
                return rbpf_tool_fail(e->err,
                                      "unsupported relocation type %u against '%s' at .text+0x%llx",
                                      type, describe(e, &sym), (unsigned long long)at);
            }
        }
    }
    return 0;
}

int rbpf_tool_gen(const uint8_t *data, size_t size, rbpf_tool_buf_t *container,
                  rbpf_tool_error_t *err)
{
    elf_t e = {0};
    rbpf_tool_image_t image = {0};
    int result = -1;
    e.p = data;
    e.size = size;
    e.err = err;
    if (read_sections(&e) || classify_sections(&e) || read_symbols(&e) ||
        collect_functions(&e, &image))
        goto done;
    promote_relro(&e);
    if (merge_sections(&e, &image))
        goto done;
    const section_t *t = &e.sections[e.text];
    rbpf_tool_buf_put(&image.text, e.p + t->offset, (size_t)t->size);
    if (relocate(&e, &image))
        goto done;
    result = rbpf_tool_image_write(&image, container, err);
done:
    rbpf_tool_image_free(&image);
    free(e.sections);
    return result;
}

int rbpf_tool_elf_section(const uint8_t *data, size_t size, const char *name,
                          rbpf_tool_buf_t *out, rbpf_tool_error_t *err)
{
    elf_t e = {0};
    int result = -1;
    size_t index = 0;
    e.p = data;
    e.size = size;
    e.err = err;
    out->length = 0;
    if (read_sections(&e) || read_symbols(&e))
        goto done;
    for (size_t i = 1; i < e.section_count && !index; i++)
        if (strcmp(e.sections[i].name, name) == 0 && e.sections[i].type != SHT_NOBITS)
            index = i;
    result = 0;
    if (!index)
        goto done;
    const section_t *s = &e.sections[index];
    rbpf_tool_buf_put(out, e.p + s->offset, (size_t)s->size);
    /* its REL relocations: absolute values, symbol + the addend in place */
    for (size_t i = 1; i < e.section_count && result == 0; i++) {
        const section_t *rs = &e.sections[i];
        if (rs->type != SHT_REL || rs->info != index)
            continue;
        if (rs->entsize != 16 || rs->size % 16) {
            result = rbpf_tool_fail(err, "relocation section '%s': entry size %llu, expected 16",
                                    rs->name, (unsigned long long)rs->entsize);
            break;
        }
        for (uint64_t off = 0; off < rs->size && result == 0; off += 16) {
            const uint8_t *r = e.p + rs->offset + off;
            uint64_t at = rbpf_tool_get_u64(r), info = rbpf_tool_get_u64(r + 8);
            uint32_t type = (uint32_t)info;
            unsigned width = type == R_BPF_64_ABS64 ? 8 : type == 3 || type == 4 ? 4 : 0;
            symbol_t sym;
            if (type == R_BPF_NONE)
                continue;
            if (!width || at > s->size || s->size - at < width) {
                result = rbpf_tool_fail(err, "relocation type %u at %s+0x%llx is not one gen can "
                                             "apply",
                                        type, name, (unsigned long long)at);
                break;
            }
            if (get_symbol(&e, (size_t)(info >> 32), &sym)) {
                result = -1;
                break;
            }
            uint64_t value = (sym.type == STT_SECTION ? 0 : sym.value) +
                             (width == 8 ? rbpf_tool_get_u64(out->data + at)
                                         : rbpf_tool_get_u32(out->data + at));
            for (unsigned b = 0; b < width; b++)
                out->data[at + b] = (uint8_t)(value >> (8 * b));
        }
    }
done:
    free(e.sections);
    return result;
}
