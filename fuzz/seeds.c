/*
 * seeds.c: writes the fuzzers' seed corpora at run time (they are never
 * committed). Usage: seeds CONFORMANCE_DIR OUT_DIR [ELF...]
 *
 *   OUT_DIR/raw/        each conformance program's bytes (assembled.json)
 *   OUT_DIR/container/  each of them as a container with data, bss, rodata
 *                       and a second function, plus programs that use every
 *                       region and helper
 *   edge-*              (raw/ and container/) programs that touch the last
 *                       byte of each region the fuzzers grant
 *   OUT_DIR/asm/        each conformance test's `-- asm` section, and the
 *                       sources the assembler must refuse (negative/)
 *
 *   regress-*           inputs that once broke the tool library (in elf/ and
 *                       asm/), replayed by every smoke run
 *   OUT_DIR/container/NAME.bin  each ELF object given (compiled by fuzz/fuzz.mk
 *                       from the samples, the benchmarks and elf_seed.c; they
 *                       are the ELF corpus) turned into a container by gen,
 *                       as `rbpf build` does
 *
 * A missing conformance suite only leaves those parts out.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oracle.h"
#include "sandbox.h"
#include "tool/tool.h"

static void die(const rbpf_tool_error_t *err)
{
    fprintf(stderr, "seeds: %s\n", err->text);
    exit(1);
}

/* out = dir/name; exits when it does not fit. */
static void join_path(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "seeds: path too long: %s/%s\n", dir, name);
        exit(1);
    }
}

static void write_file(const char *dir, const char *name, const void *data, size_t length)
{
    char path[1024];
    rbpf_tool_error_t err;
    join_path(path, sizeof path, dir, name);
    if (rbpf_tool_write_file(path, data, length, &err) != 0)
        die(&err);
}

/* The whole file, NUL-terminated (buf->length excludes the NUL); 0 when it
 * cannot be read. */
static int read_text(const char *path, rbpf_tool_buf_t *buf)
{
    rbpf_tool_error_t err;
    if (rbpf_tool_read_file(path, buf, &err) != 0)
        return 0;
    rbpf_tool_buf_put(buf, "", 1);
    buf->length--;
    return 1;
}

static void make_dir(const char *base, const char *name, char *out, size_t size)
{
    join_path(out, size, base, name);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "seeds: cannot create %s: %s\n", out, strerror(errno));
        exit(1);
    }
}

/* The string value after `"key": "` at or after *at; advances *at. */
static int json_string(const char **at, const char *key, char *out, size_t size)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": \"", key);
    const char *p = strstr(*at, pattern);
    if (!p)
        return 0;
    p += strlen(pattern);
    size_t n = 0;
    while (*p && *p != '"' && n + 1 < size)
        out[n++] = *p++;
    out[n] = '\0';
    *at = p;
    return 1;
}

/* A container around `text`: data, bss and rodata the program may use, the
 * program as "main" and its last instruction (an exit) as a second function. */
static void write_container(const char *dir, const char *name, const uint8_t *text,
                            uint32_t text_len)
{
    static const uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t rodata[] = "hello %d\n";
    static uint8_t blob[SANDBOX_CODE_MAX * 2];
    sandbox_function_t functions[2] = {{"main", 0}, {"last", text_len - RBPF_INSN_SIZE}};
    sandbox_image_t image = {data, sizeof data, 24, rodata, sizeof rodata, text, text_len,
                             functions, 2};
    size_t size = sandbox_container(blob, sizeof blob, &image);
    if (size)
        write_file(dir, name, blob, size);
}

static void conformance_programs(const char *conformance, const char *raw_dir,
                                 const char *container_dir)
{
    char path[1024];
    rbpf_tool_buf_t json = {0}, code = {0};
    rbpf_tool_error_t err;
    join_path(path, sizeof path, conformance, "assembled.json");
    if (!read_text(path, &json)) {
        fprintf(stderr, "seeds: %s not found: no conformance seeds\n", path);
        return;
    }
    const char *at = (const char *)json.data;
    char name[256], hex[2 * SANDBOX_CODE_MAX + 1];
    unsigned count = 0;
    while (json_string(&at, "name", name, sizeof name) &&
           json_string(&at, "program_hex", hex, sizeof hex)) {
        code.length = 0;
        if (rbpf_tool_hex_decode(hex, strlen(hex), &code, name, &err) != 0)
            die(&err);
        if (code.length == 0 || code.length % RBPF_INSN_SIZE)
            continue;
        write_file(raw_dir, name, code.data, code.length);
        write_container(container_dir, name, code.data, (uint32_t)code.length);
        count++;
    }
    rbpf_tool_buf_free(&json);
    rbpf_tool_buf_free(&code);
    printf("seeds: %u conformance programs\n", count);
}

/* Copies the text after the line "-- asm" up to the next "-- " line. */
static void asm_sections(const char *dir_in, const char *prefix, const char *out_dir)
{
    DIR *dir = opendir(dir_in);
    if (!dir)
        return;
    struct dirent *entry;
    unsigned count = 0;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.' || strncmp(entry->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char path[1024];
        rbpf_tool_buf_t file = {0};
        join_path(path, sizeof path, dir_in, entry->d_name);
        if (!read_text(path, &file))
            continue;
        char *start = strstr((char *)file.data, "-- asm\n");
        if (start) {
            start += strlen("-- asm\n");
            char *end = strstr(start, "\n-- ");
            size_t n = end ? (size_t)(end - start) + 1 : strlen(start);
            write_file(out_dir, entry->d_name, start, n);
            count++;
        }
        rbpf_tool_buf_free(&file);
    }
    closedir(dir);
    printf("seeds: %u assembly sources from %s\n", count, dir_in);
}

/* Programs that reach every region and helper the fuzzers grant: the
 * context, the stack, data and bss, rodata, and the probes. */
static void region_programs(const char *container_dir)
{
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t rodata[] = "x=%d\n";
    static uint8_t blob[SANDBOX_CODE_MAX * 2];
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    /* main: touch the context, the stack, data, bss and rodata, call helpers */
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 6, 1, 0, 0);                 /* r6 = ctx */
    sandbox_emit(&c, RBPF_OPC_LDXDW, 0, 6, 8, 0);                   /* r0 = ctx[8] */
    sandbox_emit(&c, RBPF_OPC_STXDW, 10, 0, -8, 0);                 /* stack[-8] = r0 */
    sandbox_emit_lddw(&c, RBPF_OPC_LDDWD, 7, 0);                    /* r7 = data */
    sandbox_emit(&c, RBPF_OPC_LDXW, 1, 7, 4, 0);                    /* r1 = data[4] */
    sandbox_emit(&c, RBPF_OPC_STXW, 7, 1, 12, 0);                   /* bss[4] = r1 */
    sandbox_emit_lddw(&c, RBPF_OPC_LDDWR, 1, 0);                    /* r1 = "x=%d\n" */
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 2, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, RBPF_HELPER_PRINTF);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 1, 10, 0, 0);                /* memcpy(stack-16, ctx, 8) */
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 1, 0, 0, -16);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 2, 6, 0, 0);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 3, 0, 0, 8);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, RBPF_HELPER_MEMCPY);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 1, 0, 0, 7);                 /* store_global(7, 42) */
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 2, 0, 0, 42);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, RBPF_HELPER_STORE_GLOBAL);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 1, 0, 0, 7);                 /* fetch_global(7, stack-24) */
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 2, 10, 0, 0);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 2, 0, 0, -24);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, RBPF_HELPER_FETCH_GLOBAL);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 1, 6, 0, 0);                 /* probe_write(ctx, 16) */
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 2, 0, 0, 16);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, SANDBOX_HELPER_PROBE_WRITE);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 1, 7, 0, 0);                 /* probe_read(data, 8) */
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 2, 0, 0, 8);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, SANDBOX_HELPER_PROBE_READ);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 1, 0, 0, 3);                 /* r0 = count(3) */
    uint32_t call = sandbox_emit(&c, RBPF_OPC_CALL_LOCAL, 0, RBPF_CALL_LOCAL, 0, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    /* count(n): recursion through local calls, a frame per call */
    uint32_t count_at = sandbox_here(&c);
    sandbox_put32(c.bytes + call * RBPF_INSN_SIZE + 4, count_at - call - 1);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 0, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_JEQ_K, 1, 0, 4, 0);
    sandbox_emit(&c, RBPF_OPC_STXDW, 10, 1, -8, 0);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 1, 0, 0, -1);
    sandbox_emit(&c, RBPF_OPC_CALL_LOCAL, 0, RBPF_CALL_LOCAL, 0, -5);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 0, 0, 0, 1);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    sandbox_function_t functions[2] = {{"main", 0}, {"count", count_at * RBPF_INSN_SIZE}};
    sandbox_image_t image = {data, sizeof data, 16, rodata, sizeof rodata, c.bytes, c.length,
                             functions, 2};
    size_t size = sandbox_container(blob, sizeof blob, &image);
    write_file(container_dir, "regions", blob, size);
}

/* Programs that touch the last byte of a region the fuzzers grant (see
 * oracle.h), so that a mutation of one offset crosses the edge. */
static void edge_programs(const char *raw_dir, const char *container_dir)
{
    sandbox_code_t c;
    /* the context's first and last bytes, and a helper on its last word */
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_LDXDW, 0, 1, 0, 0);
    sandbox_emit(&c, RBPF_OPC_STXDW, 1, 0, ORACLE_CONTEXT - 8, 0);
    sandbox_emit(&c, RBPF_OPC_LDXB, 0, 1, ORACLE_CONTEXT - 1, 0);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 1, 0, 0, ORACLE_CONTEXT - 4);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 2, 0, 0, 4);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, SANDBOX_HELPER_PROBE_WRITE);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    write_file(raw_dir, "edge-context", c.bytes, c.length);
    /* the bottom of the stack at depth 0 */
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 2, 10, 0, 0);
    sandbox_emit(&c, RBPF_OPC_SUB64_K, 2, 0, 0, ORACLE_STACK);
    sandbox_emit(&c, RBPF_OPC_STB, 2, 0, 0, 1);
    sandbox_emit(&c, RBPF_OPC_LDXB, 0, 2, 0, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    write_file(raw_dir, "edge-stack", c.bytes, c.length);
    /* at depth 1 (r10 copied: a 512-byte frame), the first byte above the
     * saved call record */
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_CALL_LOCAL, 0, RBPF_CALL_LOCAL, 0, 1);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 2, 10, 0, 0);
    sandbox_emit(&c, RBPF_OPC_SUB64_K, 2, 0, 0,
                 (int32_t)(ORACLE_STACK - RBPF_MAX_FRAME - sizeof(rbpf_frame_record_t)));
    sandbox_emit(&c, RBPF_OPC_STB, 2, 0, 0, 1);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 0, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    write_file(raw_dir, "edge-call-record", c.bytes, c.length);
    /* the last bytes of data + bss and of rodata */
    static const uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t rodata[] = "edge";
    static uint8_t blob[SANDBOX_CODE_MAX];
    memset(&c, 0, sizeof c);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDWD, 2, 0);
    sandbox_emit(&c, RBPF_OPC_LDXB, 0, 2, sizeof data + 24 - 1, 0);
    sandbox_emit(&c, RBPF_OPC_STB, 2, 0, sizeof data + 24 - 1, 7);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDWR, 3, 0);
    sandbox_emit(&c, RBPF_OPC_LDXB, 0, 3, sizeof rodata + sizeof "main" - 1, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    sandbox_function_t main_fn = {"main", 0};
    sandbox_image_t image = {data, sizeof data, 24, rodata, sizeof rodata, c.bytes, c.length,
                             &main_fn, 1};
    write_file(container_dir, "edge-ram-rodata", blob,
               sandbox_container(blob, sizeof blob, &image));
}

/* In a clang object: the file offset of the st_value of the first global
 * function symbol of .text, and in *second the .text offset of the second
 * slot of its first lddw; 0 when there is no such pair. */
static size_t function_and_lddw(const rbpf_tool_buf_t *elf, uint64_t shoff, uint16_t shstrndx,
                                uint64_t *second)
{
    const uint8_t *sh_names = elf->data + shoff + 64u * shstrndx;
    const char *names = (const char *)elf->data + rbpf_tool_get_u64(sh_names + 24);
    uint16_t count = rbpf_tool_get_u16(elf->data + 0x3c);
    size_t text = 0, symtab = 0;
    for (size_t i = 1; i < count; i++) {
        const uint8_t *h = elf->data + shoff + 64u * i;
        if (strcmp(names + rbpf_tool_get_u32(h), ".text") == 0)
            text = i;
        if (rbpf_tool_get_u32(h + 4) == 2 /* SHT_SYMTAB */)
            symtab = i;
    }
    if (!text || !symtab)
        return 0;
    const uint8_t *th = elf->data + shoff + 64u * text, *sh = elf->data + shoff + 64u * symtab;
    uint64_t code = rbpf_tool_get_u64(th + 24), code_len = rbpf_tool_get_u64(th + 32);
    uint64_t lddw = 0;
    while (lddw + 16 <= code_len && elf->data[code + lddw] != RBPF_OPC_LDDW)
        lddw += 8;
    if (lddw + 16 > code_len)
        return 0;
    *second = lddw + 8;
    uint64_t syms = rbpf_tool_get_u64(sh + 24), syms_len = rbpf_tool_get_u64(sh + 32);
    for (uint64_t at = syms + 24; at + 24 <= syms + syms_len; at += 24) {
        uint8_t info = elf->data[at + 4]; /* STT_FUNC, STB_GLOBAL, in .text */
        if ((info & 0xf) == 2 && (info >> 4) == 1 && rbpf_tool_get_u16(elf->data + at + 6) == text)
            return (size_t)(at + 8);
    }
    return 0;
}

/* Inputs that once broke the tool library, kept as seeds so that every
 * smoke run replays them: derived from a real object (`elf`), and bare
 * instructions for the assembly harness's byte round trip. */
static void regression_inputs(const char *elf_dir, const char *asm_dir, const char *elf_path)
{
    /* a register above r10 must disassemble to something that assembles */
    static const uint8_t mov_r11[16] = {0xb7, 0x0b, 0, 0, 0, 0, 0, 0, 0x95};
    static const uint8_t callx_r15[16] = {0x8d, 0x0f, 0, 0, 0, 0, 0, 0, 0x95};
    write_file(asm_dir, "regress-disasm-r11", mov_r11, sizeof mov_r11);
    write_file(asm_dir, "regress-disasm-callx-r15", callx_r15, sizeof callx_r15);
    /* an instruction that writes r10 is refused by the assembler, so it
     * must not come out of the disassembler as a mnemonic either */
    static const uint8_t mov_r10[16] = {0xb7, 0x0a, 0, 0, 0, 0, 0, 0, 0x95};
    write_file(asm_dir, "regress-disasm-writes-r10", mov_r10, sizeof mov_r10);

    rbpf_tool_buf_t elf = {0};
    rbpf_tool_error_t err;
    if (rbpf_tool_read_file(elf_path, &elf, &err) != 0)
        die(&err);
    uint64_t shoff = elf.length >= 0x40 ? rbpf_tool_get_u64(elf.data + 0x28) : UINT64_MAX;
    uint16_t shstrndx = elf.length >= 0x40 ? rbpf_tool_get_u16(elf.data + 0x3e) : 0;
    if (shoff > elf.length || elf.length - shoff < 64u * (shstrndx + 1u)) {
        fprintf(stderr, "seeds: %s: not the ELF object expected\n", elf_path);
        exit(1);
    }
    /* e_shstrndx 0 names section 0, whose offset and size are not checked
     * like the others': here far outside the file */
    rbpf_tool_buf_t copy = {0};
    rbpf_tool_buf_put(&copy, elf.data, elf.length);
    sandbox_put16(copy.data + 0x3e, 0);
    sandbox_put32(copy.data + shoff + 24, 0);
    sandbox_put32(copy.data + shoff + 28, 0x7fffffffu);
    sandbox_put32(copy.data + shoff + 32, 0x100);
    write_file(elf_dir, "regress-shstrndx-0.o", copy.data, copy.length);
    /* a section name with a newline: refusals must stay one line */
    uint64_t names = rbpf_tool_get_u64(elf.data + shoff + 64u * shstrndx + 24);
    uint64_t names_len = rbpf_tool_get_u64(elf.data + shoff + 64u * shstrndx + 32);
    size_t text = 0;
    if (names < elf.length && names_len <= elf.length - names)
        for (size_t i = 0; !text && i + 6 <= names_len; i++)
            if (memcmp(elf.data + names + i, ".text", 6) == 0)
                text = (size_t)names + i;
    if (text) {
        copy.length = 0;
        rbpf_tool_buf_put(&copy, elf.data, elf.length);
        copy.data[text + 2] = '\n';
        write_file(elf_dir, "regress-newline-in-name.o", copy.data, copy.length);
    }
    /* a global function whose address is the second slot of a lddw */
    uint64_t second = 0;
    size_t value = function_and_lddw(&elf, shoff, shstrndx, &second);
    if (value) {
        copy.length = 0;
        rbpf_tool_buf_put(&copy, elf.data, elf.length);
        sandbox_put32(copy.data + value, (uint32_t)second);
        write_file(elf_dir, "regress-function-in-lddw.o", copy.data, copy.length);
    }
    rbpf_tool_buf_free(&copy);
    rbpf_tool_buf_free(&elf);
}

/* Each ELF object as a container, named after it. */
static void elf_containers(const char *container_dir, char **paths, int count)
{
    for (int i = 0; i < count; i++) {
        rbpf_tool_buf_t elf = {0}, container = {0};
        rbpf_tool_error_t err;
        char name[256];
        const char *base = strrchr(paths[i], '/');
        snprintf(name, sizeof name, "%.*s.bin", (int)strcspn(base ? base + 1 : paths[i], "."),
                 base ? base + 1 : paths[i]);
        if (rbpf_tool_read_file(paths[i], &elf, &err) != 0 ||
            rbpf_tool_gen(elf.data, elf.length, &container, &err) != 0)
            die(&err);
        write_file(container_dir, name, container.data, container.length);
        rbpf_tool_buf_free(&elf);
        rbpf_tool_buf_free(&container);
    }
    printf("seeds: %d containers from ELF objects\n", count);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seeds CONFORMANCE_DIR OUT_DIR [ELF...]\n");
        return 1;
    }
    char raw[1024], container[1024], assembly[1024], path[1024];
    make_dir(argv[2], "raw", raw, sizeof raw);
    make_dir(argv[2], "container", container, sizeof container);
    make_dir(argv[2], "asm", assembly, sizeof assembly);
    conformance_programs(argv[1], raw, container);
    join_path(path, sizeof path, argv[1], "tests");
    asm_sections(path, "", assembly);
    join_path(path, sizeof path, argv[1], "negative");
    asm_sections(path, "invalid", assembly);
    region_programs(container);
    edge_programs(raw, container);
    elf_containers(container, argv + 3, argc - 3);
    if (argc > 3) {
        char elf[1024];
        make_dir(argv[2], "elf", elf, sizeof elf);
        regression_inputs(elf, assembly, argv[3]);
    }
    return 0;
}
