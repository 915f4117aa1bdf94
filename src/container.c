/*
 * container.c: the container format v0 (docs/format.md): checks a blob's
 * header, section lengths and function table without trusting any of them,
 * and sets a program up over bare bytecode. Instructions are the verifier's.
 */
#include <string.h>

#include "internal.h"

static uint64_t pad8(uint32_t n)
{
    return ((uint64_t)n + 7u) & ~(uint64_t)7u;
}

static int fail(rbpf_program_t *prog, int error, uint64_t at)
{
    prog->error_at = (int32_t)(at > INT32_MAX ? INT32_MAX : at);
    return error;
}

/* Clears *prog; RBPF_ERR_ARGUMENT when either pointer is NULL. */
static int begin(rbpf_program_t *prog, const void *bytes)
{
    if (prog == NULL)
        return RBPF_ERR_ARGUMENT;
    memset(prog, 0, sizeof(*prog));
    prog->error_at = -1;
    return bytes == NULL ? RBPF_ERR_ARGUMENT : RBPF_OK;
}

/* 1 when byte offset `offset` of the text is a second slot: the slot
 * before it has a two-slot opcode. This is the verifier's rule for jump and
 * call targets, exact for every text it accepts (a second slot's opcode is
 * 0, which is no two-slot opcode); a text it refuses may also be refused
 * here first. One look per entry, so the table is checked in linear time
 * (walking back over a run of two-slot opcodes per entry was quadratic). */
static int second_slot(const rbpf_program_t *prog, uint32_t offset)
{
    return offset >= RBPF_INSN_SIZE && rbpf_two_slot_(prog->text[offset - RBPF_INSN_SIZE]);
}

/* The index of the first bad relocation entry, or -1 when all are good.
 * Each sets the 8 bytes at its place, which must lie inside data, after the
 * place of the entry before (so no two overlap, in linear time); its target
 * is an offset into the VM's RAM (up to data + bss, the end included) or
 * into rodata (likewise; none when rodata is empty). */
static int check_relocations(const rbpf_program_t *prog)
{
    uint64_t next = 0; /* the first byte the next place may use */
    uint32_t i;
    for (i = 0; i < prog->relocation_count && i <= INT32_MAX / 2; i++) {
        const uint8_t *e = prog->relocations + (size_t)i * RBPF_RELOCATION_ENTRY_SIZE;
        const uint32_t at = rbpf_le32_(e), target = rbpf_le32_(e + 4);
        const uint32_t base = target >> 24, offset = target & 0xffffffu;
        if (at < next || (uint64_t)at + 8u > prog->data_len)
            return (int)i;
        if (base == RBPF_RELOC_RAM ? (uint64_t)offset > (uint64_t)prog->data_len + prog->bss_len
            : base == RBPF_RELOC_RODATA ? prog->rodata_len == 0 || offset > prog->rodata_len
                                        : 1)
            return (int)i;
        next = (uint64_t)at + 8u;
    }
    return i < prog->relocation_count ? (int)i : -1;
}

int rbpf_container_parse(rbpf_program_t *prog, const void *blob, size_t size)
{
    const uint8_t *b = blob;
    uint32_t h[8], i, last_nul;
    uint64_t rodata_at, text_at, table_at, end, relocations_at = 0;
    int rc = begin(prog, blob);

    if (rc != RBPF_OK)
        return rc;
    if (size < RBPF_HEADER_SIZE)
        return fail(prog, RBPF_ERR_TRUNCATED, 0);
    for (i = 0; i < 8; i++)
        h[i] = rbpf_le32_(b + 4 * i);
    if (h[0] != RBPF_MAGIC)
        return fail(prog, RBPF_ERR_BAD_MAGIC, 0);
    if (h[1] != RBPF_FORMAT_VERSION)
        return fail(prog, RBPF_ERR_BAD_VERSION, 4);
    prog->flags = h[2];
    prog->data_len = h[3];
    prog->bss_len = h[4];
    prog->rodata_len = h[5];
    prog->text_len = h[6];
    prog->function_count = h[7];
    if (h[6] % RBPF_INSN_SIZE != 0)
        return fail(prog, RBPF_ERR_BAD_LENGTH, 24);

    /* Every sum in 64 bits: no u32 length can wrap it. */
    rodata_at = RBPF_HEADER_SIZE + pad8(h[3]);
    text_at = rodata_at + pad8(h[5]);
    table_at = text_at + h[6];
    end = table_at + (uint64_t)h[7] * RBPF_FUNCTION_ENTRY_SIZE;
    if (rodata_at > size)
        return fail(prog, RBPF_ERR_TRUNCATED, RBPF_HEADER_SIZE);
    if (text_at > size)
        return fail(prog, RBPF_ERR_TRUNCATED, rodata_at);
    if (table_at > size)
        return fail(prog, RBPF_ERR_TRUNCATED, text_at);
    if (end > size)
        return fail(prog, RBPF_ERR_TRUNCATED, table_at);
    if (h[2] & RBPF_FLAG_RELOCATIONS) {
        /* u32 count, then count entries of 8 bytes */
        if (end + 4u > size)
            return fail(prog, RBPF_ERR_TRUNCATED, end);
        prog->relocation_count = rbpf_le32_(b + end);
        relocations_at = end + 4u;
        end = relocations_at + (uint64_t)prog->relocation_count * RBPF_RELOCATION_ENTRY_SIZE;
        if (end > size)
            return fail(prog, RBPF_ERR_TRUNCATED, relocations_at - 4u);
    }
    if (end != size)
        return fail(prog, RBPF_ERR_BAD_LENGTH, end);
    if ((uint64_t)h[3] + h[4] > UINT32_MAX)
        return fail(prog, RBPF_ERR_BAD_LENGTH, 16);

    prog->data = b + RBPF_HEADER_SIZE;
    prog->rodata = b + rodata_at;
    prog->text = b + text_at;
    prog->functions = b + table_at;

    /* A name at offset n is terminated when n is at or before rodata's last
     * NUL: found once, so each entry is checked in constant time (a memchr
     * per entry over the rest of rodata was quadratic). */
    last_nul = h[5];
    while (last_nul > 0 && prog->rodata[last_nul - 1] != 0)
        last_nul--;
    for (i = 0; i < h[7]; i++) {
        const uint8_t *e = prog->functions + (size_t)i * RBPF_FUNCTION_ENTRY_SIZE;
        uint32_t name = rbpf_le16_(e), offset = rbpf_le16_(e + 4);
        uint64_t at = table_at + (uint64_t)i * RBPF_FUNCTION_ENTRY_SIZE;

        if (name >= last_nul)
            return fail(prog, RBPF_ERR_BAD_FUNCTION, at);
        if (offset >= h[6] || offset % RBPF_INSN_SIZE != 0 || second_slot(prog, offset))
            return fail(prog, RBPF_ERR_BAD_FUNCTION, at + 4);
    }
    if (prog->relocation_count != 0) {
        prog->relocations = b + relocations_at;
        rc = check_relocations(prog);
        if (rc >= 0)
            return fail(prog, RBPF_ERR_BAD_RELOCATION,
                        relocations_at + (uint64_t)rc * RBPF_RELOCATION_ENTRY_SIZE);
    }
    return RBPF_OK;
}

int rbpf_program_raw(rbpf_program_t *prog, const void *code, size_t size)
{
    int rc = begin(prog, code);

    if (rc != RBPF_OK)
        return rc;
    if (size == 0)
        return RBPF_ERR_EMPTY;
    if (size % RBPF_INSN_SIZE != 0 || size > UINT32_MAX - 7u)
        return fail(prog, RBPF_ERR_BAD_LENGTH, size - size % RBPF_INSN_SIZE);
    prog->text = code;
    prog->text_len = (uint32_t)size;
    return RBPF_OK;
}

int rbpf_load(rbpf_program_t *prog, const void *blob, size_t size, const rbpf_config_t *config)
{
    int rc = rbpf_container_parse(prog, blob, size);
    return rc != RBPF_OK ? rc : rbpf_verify(prog, config);
}

int rbpf_load_raw(rbpf_program_t *prog, const void *code, size_t size, const rbpf_config_t *config)
{
    int rc = rbpf_program_raw(prog, code, size);
    return rc != RBPF_OK ? rc : rbpf_verify(prog, config);
}

int rbpf_function_info(const rbpf_program_t *prog, uint32_t index, const char **name,
                       uint32_t *offset)
{
    const char *n = "main";
    uint32_t o = 0;

    if (prog == NULL)
        return RBPF_ERR_ARGUMENT;
    if (prog->function_count == 0) {
        if (index != 0)
            return RBPF_ERR_NO_FUNCTION;
    } else {
        const uint8_t *e;
        if (index >= prog->function_count)
            return RBPF_ERR_NO_FUNCTION;
        e = prog->functions + (size_t)index * RBPF_FUNCTION_ENTRY_SIZE;
        n = (const char *)prog->rodata + rbpf_le16_(e);
        o = rbpf_le16_(e + 4);
    }
    if (name != NULL)
        *name = n;
    if (offset != NULL)
        *offset = o;
    return RBPF_OK;
}

int rbpf_function_find(const rbpf_program_t *prog, const char *name)
{
    uint32_t i, count;

    if (prog == NULL || name == NULL)
        return RBPF_ERR_ARGUMENT;
    count = prog->function_count ? prog->function_count : 1u;
    for (i = 0; i < count && i <= INT32_MAX; i++) {
        const char *n;
        if (rbpf_function_info(prog, i, &n, NULL) == RBPF_OK && strcmp(n, name) == 0)
            return (int)i;
    }
    return RBPF_ERR_NO_FUNCTION;
}
