/*
 * sandbox.h: the test bench shared by the escape tests and the fuzzers.
 *
 * - Fenced memory: blocks carved from one static arena, each surrounded by
 *   canary bytes that must be unchanged after every run; under
 *   AddressSanitizer the canaries are also poisoned, so even a read of them
 *   stops the process.
 * - Probe helpers: application helpers that check their pointer arguments
 *   with rbpf_vm_check() and then really read or write the memory, so a
 *   wrong check harms a canary instead of passing unnoticed.
 * - Builders for instruction streams and container blobs, written from the
 *   format (docs/format.md) and the one opcode table (src/isa.h), so the
 *   tests need neither the assembler nor the ELF tool.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h" /* opcodes by row name: RBPF_OPC_LDXB, ... */
#include "rbpf.h"

/* ---- Fenced memory ------------------------------------------------------ */
#define SANDBOX_FENCE 64u         /* canary bytes on each side of a block */
#define SANDBOX_ARENA (1u << 20)  /* bytes for all blocks of one test or input */
#define SANDBOX_MAX_BLOCKS 32u

/* Forgets every block (their memory becomes inaccessible under ASan). */
void sandbox_reset(void);

/* A new 8-aligned block of `length` bytes (0 allowed), zero-filled, with
 * fences on both sides. Aborts when the arena is exhausted: that is a bug of
 * the test, not of the library. */
void *sandbox_alloc(size_t length);

/* 1 when the fences of every block are as written, else 0 (and names the
 * block and byte on stderr). */
int sandbox_fences_intact(void);

/* ---- Probe helpers ------------------------------------------------------ */
#define SANDBOX_HELPER_IDENTITY 0x05u /* returns r1 (the conformance suite's helper) */
#define SANDBOX_HELPER_PROBE_WRITE 0x100u /* probe_write(address, length): fills it with 0x5a */
#define SANDBOX_HELPER_PROBE_READ 0x101u  /* probe_read(address, length): sum of the bytes */

/* The standard helpers and the probes above. */
extern const rbpf_helper_t sandbox_helpers[];
extern const uint32_t sandbox_helper_count;

/* ---- Instruction streams ------------------------------------------------ */
#define SANDBOX_CODE_MAX 4096u

typedef struct sandbox_code {
    uint8_t bytes[SANDBOX_CODE_MAX];
    uint32_t length; /* in bytes */
} sandbox_code_t;

/* Appends one instruction; returns its index. */
uint32_t sandbox_emit(sandbox_code_t *code, uint8_t opcode, unsigned dst, unsigned src,
                      int16_t offset, int32_t imm);

/* Appends a two-slot load of a 64-bit immediate (RBPF_OPC_LDDW,
 * RBPF_OPC_LDDWD or RBPF_OPC_LDDWR); returns the index of its first slot. */
uint32_t sandbox_emit_lddw(sandbox_code_t *code, uint8_t opcode, unsigned dst, uint64_t imm);

/* Instruction index of the next instruction. */
uint32_t sandbox_here(const sandbox_code_t *code);

/* ---- Container blobs ---------------------------------------------------- */
typedef struct sandbox_function {
    const char *name;
    uint32_t offset; /* byte offset into text */
} sandbox_function_t;

typedef struct sandbox_image {
    const uint8_t *data;
    uint32_t data_len;
    uint32_t bss_len;
    const uint8_t *rodata; /* the function names are appended after it */
    uint32_t rodata_len;
    const uint8_t *text;
    uint32_t text_len;
    const sandbox_function_t *functions;
    uint32_t function_count;
} sandbox_image_t;

/* Writes the container of docs/format.md to out (at most `capacity` bytes);
 * returns its size, or 0 when it does not fit. */
size_t sandbox_container(uint8_t *out, size_t capacity, const sandbox_image_t *image);

/* Writes a little-endian u32 or u16. */
void sandbox_put32(uint8_t *at, uint32_t value);
void sandbox_put16(uint8_t *at, uint16_t value);

/* 1 when `error` is RBPF_OK or one of the codes of RBPF_ERRORS, else 0. */
int sandbox_error_defined(int error);

#endif /* SANDBOX_H */
