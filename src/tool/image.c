/*
 * image.c: containers on the tool side: writing one from its parts (gen,
 * asm), reading one back with every field checked (dump), and the listing
 * of `rbpf dump`. The format (v0) is specified in docs/format.md:
 *
 *   header   8 little-endian u32: magic, version, flags, data_len, bss_len,
 *            rodata_len, text_len, function count
 *   data     data_len bytes, padded to 8
 *   rodata   rodata_len bytes, padded to 8 (function names live here)
 *   text     text_len bytes (8 per instruction)
 *   table    per function: u16 name offset in rodata, u16 flags,
 *            u16 byte offset in text
 *
 * The writer pads data and rodata itself, so the lengths it records are
 * already multiples of 8.
 */
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "rbpf.h"
#include "tool/tool.h"

void rbpf_tool_image_add_function(rbpf_tool_image_t *image, const char *name, uint32_t offset)
{
    rbpf_tool_function_t *grown =
        realloc(image->functions, (image->function_count + 1) * sizeof *image->functions);
    size_t n = strlen(name);
    char *copy = malloc(n + 1);
    if (!grown || !copy) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    memcpy(copy, name, n + 1);
    image->functions = grown;
    image->functions[image->function_count].name = copy;
    image->functions[image->function_count].offset = offset;
    image->function_count++;
}

void rbpf_tool_image_free(rbpf_tool_image_t *image)
{
    for (size_t i = 0; i < image->function_count; i++)
        free(image->functions[i].name);
    free(image->functions);
    free(image->relocs);
    rbpf_tool_buf_free(&image->data);
    rbpf_tool_buf_free(&image->rodata);
    rbpf_tool_buf_free(&image->text);
    memset(image, 0, sizeof *image);
}

/* Marks, for each slot of the text, 1 when it is a second slot by the
 * loader's rule: the slot before it has a two-slot opcode. */
static uint8_t *second_slots(const rbpf_tool_buf_t *text)
{
    size_t count = text->length / RBPF_INSN_SIZE;
    uint8_t *second = calloc(count + 1, 1);
    if (!second) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++)
        if (rbpf_tool_two_slot(text->data[i * RBPF_INSN_SIZE]))
            second[i + 1] = 1;
    return second;
}

static int compare_relocs(const void *a, const void *b)
{
    const rbpf_tool_reloc_t *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

int rbpf_tool_image_write(const rbpf_tool_image_t *image, rbpf_tool_buf_t *out,
                          rbpf_tool_error_t *err)
{
    rbpf_tool_buf_t rodata = {0};
    uint16_t *name_offsets = NULL;
    uint8_t *second = NULL;
    int result = -1;

    if (image->text.length % RBPF_INSN_SIZE)
        return rbpf_tool_fail(err, "text length %zu is not a multiple of 8", image->text.length);
    if (image->text.length > 0xffff)
        return rbpf_tool_fail(err,
                              "text is %zu bytes; container format v0 holds at most 65535 "
                              "(function offsets are 16-bit)",
                              image->text.length);
    if (image->function_count > 0xffff)
        return rbpf_tool_fail(err, "too many functions (%zu)", image->function_count);
    if (image->data.length > UINT32_MAX - 8 || image->rodata.length > UINT32_MAX - 8)
        return rbpf_tool_fail(err, "section too large");

    rbpf_tool_buf_put(&rodata, image->rodata.data, image->rodata.length);
    name_offsets = calloc(image->function_count + 1, sizeof *name_offsets);
    if (!name_offsets) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    second = second_slots(&image->text);
    for (size_t i = 0; i < image->function_count; i++) {
        if (rodata.length > 0xffff) {
            rbpf_tool_fail(err,
                           "function name '%s' would start at rodata offset %zu; names must "
                           "start below 65536",
                           image->functions[i].name, rodata.length);
            goto done;
        }
        if (image->functions[i].offset % RBPF_INSN_SIZE ||
            image->functions[i].offset >= image->text.length) {
            rbpf_tool_fail(err, "function '%s' at offset %u is outside the text",
                           image->functions[i].name, (unsigned)image->functions[i].offset);
            goto done;
        }
        if (second[image->functions[i].offset / RBPF_INSN_SIZE]) {
            rbpf_tool_fail(err,
                           "function '%s' at offset %u starts in the second slot of the lddw "
                           "at offset %u",
                           image->functions[i].name, (unsigned)image->functions[i].offset,
                           (unsigned)image->functions[i].offset - RBPF_INSN_SIZE);
            goto done;
        }
        name_offsets[i] = (uint16_t)rodata.length;
        rbpf_tool_buf_put(&rodata, image->functions[i].name, strlen(image->functions[i].name) + 1);
    }
    rbpf_tool_buf_pad(&rodata, 8);

    out->length = 0;
    size_t data_len = (image->data.length + 7) & ~(size_t)7;
    rbpf_tool_buf_put_u32(out, RBPF_MAGIC);
    rbpf_tool_buf_put_u32(out, RBPF_FORMAT_VERSION);
    rbpf_tool_buf_put_u32(out, image->flags);
    rbpf_tool_buf_put_u32(out, (uint32_t)data_len);
    rbpf_tool_buf_put_u32(out, image->bss_len);
    rbpf_tool_buf_put_u32(out, (uint32_t)rodata.length);
    rbpf_tool_buf_put_u32(out, (uint32_t)image->text.length);
    rbpf_tool_buf_put_u32(out, (uint32_t)image->function_count);
    rbpf_tool_buf_put(out, image->data.data, image->data.length);
    rbpf_tool_buf_pad(out, 8);
    rbpf_tool_buf_put(out, rodata.data, rodata.length);
    rbpf_tool_buf_put(out, image->text.data, image->text.length);
    for (size_t i = 0; i < image->function_count; i++) {
        rbpf_tool_buf_put_u16(out, name_offsets[i]);
        rbpf_tool_buf_put_u16(out, 0);
        rbpf_tool_buf_put_u16(out, (uint16_t)image->functions[i].offset);
    }
    if (image->reloc_count) {
        rbpf_tool_reloc_t *sorted = malloc(image->reloc_count * sizeof *sorted);
        if (!sorted) {
            fprintf(stderr, "rbpf: error: out of memory\n");
            exit(1);
        }
        memcpy(sorted, image->relocs, image->reloc_count * sizeof *sorted);
        qsort(sorted, image->reloc_count, sizeof *sorted, compare_relocs);
        for (size_t i = 0; i < image->reloc_count; i++)
            if ((uint64_t)sorted[i].at + 8 > image->data.length ||
                (i > 0 && sorted[i].at < sorted[i - 1].at + 8)) {
                rbpf_tool_fail(err, "relocation at data offset %u overlaps another or runs past "
                                    "data (%zu bytes)",
                               (unsigned)sorted[i].at, image->data.length);
                free(sorted);
                goto done;
            }
        rbpf_tool_set_u32(out->data + 8, image->flags | RBPF_FLAG_RELOCATIONS);
        rbpf_tool_buf_put_u32(out, (uint32_t)image->reloc_count);
        for (size_t i = 0; i < image->reloc_count; i++) {
            rbpf_tool_buf_put_u32(out, sorted[i].at);
            rbpf_tool_buf_put_u32(out, sorted[i].target);
        }
        free(sorted);
    }
    result = 0;
done:
    free(second);
    free(name_offsets);
    rbpf_tool_buf_free(&rodata);
    return result;
}

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static int compare_keys(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The relocation table at byte `at` (the end of the function table), with
 * the loader's checks and their reasons. */
static int read_relocations(const uint8_t *blob, size_t size, uint64_t at,
                            rbpf_tool_container_t *c, rbpf_tool_error_t *err)
{
    if (at + 4 > size)
        return rbpf_tool_fail(err, "container truncated: the relocation count at byte %llu "
                                   "runs past the end (%zu bytes)",
                              (unsigned long long)at, size);
    c->relocation_count = rbpf_tool_get_u32(blob + at);
    c->relocations = blob + at + 4;
    if (at + 4 + (uint64_t)c->relocation_count * RBPF_RELOCATION_ENTRY_SIZE > size)
        return rbpf_tool_fail(err,
                              "container truncated: %u relocations at byte %llu need %llu bytes, "
                              "the file has %zu",
                              c->relocation_count, (unsigned long long)at + 4,
                              (unsigned long long)at + 4 +
                                  (uint64_t)c->relocation_count * RBPF_RELOCATION_ENTRY_SIZE,
                              size);
    uint64_t next = 0;
    for (uint32_t i = 0; i < c->relocation_count; i++) {
        const uint8_t *e = c->relocations + (size_t)i * RBPF_RELOCATION_ENTRY_SIZE;
        uint32_t place = rbpf_tool_get_u32(e), target = rbpf_tool_get_u32(e + 4);
        uint32_t base = target >> 24, offset = target & 0xffffff;
        unsigned long long byte = (unsigned long long)at + 4 + (unsigned long long)i * 8;
        if ((uint64_t)place + 8 > c->data_len)
            return rbpf_tool_fail(err, "relocation %u (byte %llu): place data+%u is not 8 bytes "
                                       "inside data (%u bytes)",
                                  i, byte, place, c->data_len);
        if (place < next)
            return rbpf_tool_fail(err, "relocation %u (byte %llu): place data+%u overlaps the "
                                       "one before, or comes before it",
                                  i, byte, place);
        if (base != RBPF_RELOC_RAM && base != RBPF_RELOC_RODATA)
            return rbpf_tool_fail(err, "relocation %u (byte %llu): unknown base %u", i, byte,
                                  base);
        uint64_t limit = base == RBPF_RELOC_RAM ? (uint64_t)c->data_len + c->bss_len : c->rodata_len;
        if (offset > limit || (base == RBPF_RELOC_RODATA && limit == 0))
            return rbpf_tool_fail(err, "relocation %u (byte %llu): target %s+%u is outside it "
                                       "(%llu bytes)",
                                  i, byte, base == RBPF_RELOC_RAM ? "data" : "rodata", offset,
                                  (unsigned long long)limit);
        next = (uint64_t)place + 8;
    }
    return 0;
}

int rbpf_tool_container_read(const uint8_t *blob, size_t size, rbpf_tool_container_t *c,
                             rbpf_tool_error_t *err)
{
    memset(c, 0, sizeof *c);
    if (size < RBPF_HEADER_SIZE)
        return rbpf_tool_fail(err, "container truncated: %zu bytes, the header alone is %u", size,
                              RBPF_HEADER_SIZE);
    uint32_t h[8];
    for (int i = 0; i < 8; i++)
        h[i] = rbpf_tool_get_u32(blob + 4 * i);
    c->magic = h[0];
    c->version = h[1];
    c->flags = h[2];
    c->data_len = h[3];
    c->bss_len = h[4];
    c->rodata_len = h[5];
    c->text_len = h[6];
    c->function_count = h[7];
    if (c->magic != RBPF_MAGIC)
        return rbpf_tool_fail(err, "bad magic 0x%08x: not an rBPF container (expected 0x%08x)",
                              c->magic, RBPF_MAGIC);
    if (c->version != RBPF_FORMAT_VERSION)
        return rbpf_tool_fail(err, "unsupported container version %u", c->version);
    /* All sums in 64 bits: four u32 lengths cannot overflow them. */
    uint64_t pos = RBPF_HEADER_SIZE;
    uint64_t data_at = pos;
    pos += pad8(c->data_len);
    uint64_t rodata_at = pos;
    pos += pad8(c->rodata_len);
    uint64_t text_at = pos;
    pos += c->text_len;
    uint64_t table_at = pos;
    pos += (uint64_t)c->function_count * RBPF_FUNCTION_ENTRY_SIZE;
    if (c->text_len % RBPF_INSN_SIZE)
        return rbpf_tool_fail(err, "text length %u is not a multiple of 8", c->text_len);
    if (pos > size)
        return rbpf_tool_fail(err,
                              "container truncated: header lengths (data %u, rodata %u, text "
                              "%u, %u functions) need %llu bytes, the file has %zu",
                              c->data_len, c->rodata_len, c->text_len, c->function_count,
                              (unsigned long long)pos, size);
    c->data = blob + data_at;
    c->rodata = blob + rodata_at;
    c->text = blob + text_at;
    c->functions = blob + table_at;
    /* A name at n is terminated when n is at or before rodata's last NUL
     * (found once: a memchr per entry was quadratic). */
    uint32_t last_nul = c->rodata_len;
    while (last_nul > 0 && c->rodata[last_nul - 1] != 0)
        last_nul--;
    for (uint32_t i = 0; i < c->function_count; i++) {
        const uint8_t *e = c->functions + (size_t)i * RBPF_FUNCTION_ENTRY_SIZE;
        uint16_t name = rbpf_tool_get_u16(e), offset = rbpf_tool_get_u16(e + 4);
        if (name >= last_nul)
            return rbpf_tool_fail(err,
                                  "function %u: name offset %u is not a NUL-terminated string "
                                  "inside rodata (%u bytes)",
                                  i, name, c->rodata_len);
        if (offset % RBPF_INSN_SIZE || offset >= c->text_len)
            return rbpf_tool_fail(err,
                                  "function %u: text offset %u is not an instruction inside the "
                                  "text (%u bytes)",
                                  i, offset, c->text_len);
    }
    if ((c->flags & RBPF_FLAG_RELOCATIONS) && read_relocations(blob, size, pos, c, err))
        return -1;
    if (c->function_count) {
        c->by_offset = malloc((size_t)c->function_count * sizeof *c->by_offset);
        if (!c->by_offset) {
            fprintf(stderr, "rbpf: error: out of memory\n");
            exit(1);
        }
        for (uint32_t i = 0; i < c->function_count; i++)
            c->by_offset[i] = (uint64_t)rbpf_tool_get_u16(c->functions + (size_t)i * 6 + 4) << 32 | i;
        qsort(c->by_offset, c->function_count, sizeof *c->by_offset, compare_keys);
    }
    return 0;
}

void rbpf_tool_container_free(rbpf_tool_container_t *c)
{
    free(c->by_offset);
    c->by_offset = NULL;
}

size_t rbpf_tool_functions_at(const uint64_t *by_offset, size_t count, uint32_t offset)
{
    const uint64_t key = (uint64_t)offset << 32;
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_offset[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *rbpf_tool_container_function(const rbpf_tool_container_t *c, size_t i,
                                         uint32_t *offset)
{
    const uint8_t *e = c->functions + i * RBPF_FUNCTION_ENTRY_SIZE;
    if (offset)
        *offset = rbpf_tool_get_u16(e + 4);
    return (const char *)c->rodata + rbpf_tool_get_u16(e);
}

/* Rows of 8 bytes: the offset in hex right-aligned in 5 columns, then each
 * byte as 0x.. (the layout of Sming's `make rbpf-dump`). */
static void hex_rows(FILE *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        fprintf(out, "%5zx:", i);
        for (size_t k = i; k < i + 8 && k < n; k++)
            fprintf(out, " 0x%02x", p[k]);
        fputc('\n', out);
    }
}

void rbpf_tool_function_labels(FILE *out, const rbpf_tool_container_t *c, uint32_t offset,
                               const char *before, const char *after)
{
    if (!c->by_offset)
        return;
    for (size_t k = rbpf_tool_functions_at(c->by_offset, c->function_count, offset);
         k < c->function_count && c->by_offset[k] >> 32 == offset; k++) {
        fputs(before, out);
        rbpf_tool_put_escaped(out, rbpf_tool_container_function(c, (uint32_t)c->by_offset[k], NULL));
        fputs(after, out);
    }
}

int rbpf_tool_dump(FILE *out, const uint8_t *blob, size_t size, const rbpf_tool_names_t *names,
                   rbpf_tool_lines_t *lines,
                   rbpf_tool_error_t *err)
{
    rbpf_tool_container_t c;
    if (rbpf_tool_container_read(blob, size, &c, err) != 0)
        return -1;
    fprintf(out, "Magic:\t\t0x%08x\n", c.magic);
    fprintf(out, "Version:\t%u\n", c.version);
    fprintf(out, "flags:\t0x%x\n", c.flags);
    fprintf(out, "Data length:\t%u B\n", c.data_len);
    if (c.bss_len)
        fprintf(out, "BSS length:\t%u B\n", c.bss_len);
    fprintf(out, "RoData length:\t%u B\n", c.rodata_len);
    fprintf(out, "Text length:\t%u B\n", c.text_len);
    fprintf(out, "No. functions:\t%u\n", c.function_count);
    fprintf(out, "\nfunctions:\n");
    for (uint32_t i = 0; i < c.function_count; i++) {
        uint32_t offset;
        const char *name = rbpf_tool_container_function(&c, i, &offset);
        fputs("\t\"", out);
        rbpf_tool_put_escaped(out, name);
        fprintf(out, "\": 0x%x\n", offset);
    }
    fprintf(out, "\ndata:\n");
    hex_rows(out, c.data, c.data_len);
    fprintf(out, "\nrodata:\n");
    hex_rows(out, c.rodata, c.rodata_len);
    if (c.flags & RBPF_FLAG_RELOCATIONS) {
        /* only containers with pointers in data have this (Sming's have not) */
        fprintf(out, "\nrelocations:\n");
        for (uint32_t i = 0; i < c.relocation_count; i++) {
            const uint8_t *e = c.relocations + (size_t)i * RBPF_RELOCATION_ENTRY_SIZE;
            uint32_t target = rbpf_tool_get_u32(e + 4);
            fprintf(out, "\tdata+0x%x = &%s+0x%x\n", rbpf_tool_get_u32(e),
                    target >> 24 == RBPF_RELOC_RAM ? "data" : "rodata", target & 0xffffff);
        }
    }
    fprintf(out, "\ntext:\n");

    rbpf_tool_dump_context_t ctx = {c.rodata, c.rodata_len, c.functions, c.function_count, names,
                                    c.by_offset};
    size_t count = c.text_len / RBPF_INSN_SIZE;
    char line[256], source[256], shown[256] = "";
    for (size_t i = 0; i < count;) {
        rbpf_tool_function_labels(out, &c, (uint32_t)(i * RBPF_INSN_SIZE), "<", ">\n");
        if (lines && rbpf_tool_lines_describe(lines, (uint32_t)(i * RBPF_INSN_SIZE), source,
                                              sizeof source) &&
            strcmp(source, shown) != 0) {
            fprintf(out, "; %s\n", source);
            strcpy(shown, source);
        }
        size_t used = rbpf_tool_dump_insn(c.text, count, i, &ctx, line, sizeof line);
        for (size_t k = 0; k < used; k++) {
            const uint8_t *p = c.text + (i + k) * RBPF_INSN_SIZE;
            char offset[24];
            snprintf(offset, sizeof offset, "0x%zx", (i + k) * 8);
            fprintf(out, "%7s:\t%02x %02x %02x %02x %02x %02x %02x %02x", offset, p[0], p[1], p[2],
                    p[3], p[4], p[5], p[6], p[7]);
            if (k == 0)
                fprintf(out, " %s", line);
            fputc('\n', out);
        }
        i += used;
    }
    rbpf_tool_container_free(&c);
    return 0;
}
