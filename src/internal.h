/*
 * internal.h: what the loader, verifier and interpreter share and the public
 * header does not promise: opcode numbers by row name, the two-slot test,
 * little-endian field decoding.
 */
#ifndef RBPF_INTERNAL_H
#define RBPF_INTERNAL_H

#include <stdint.h>

#include "isa.h"
#include "rbpf.h"

/* Opcode byte of every row by its name: RBPF_OPC_ADD64_K == 0x07. */
enum rbpf_opcode {
#define RBPF_OPC_ENUM_(name, opcode, form, sel, once, feature, mnemonic) RBPF_OPC_##name = (opcode),
    RBPF_ISA(RBPF_OPC_ENUM_)
#undef RBPF_OPC_ENUM_
    RBPF_OPC_NONE_ = 0x100
};

/* 1 when `op` starts a two-slot instruction (form LDDW: lddw, lddwd, lddwr). */
static inline int rbpf_two_slot_(unsigned op)
{
    return 0
#define RBPF_TWO_SLOT_(name, opcode, form, sel, once, feature, mnemonic) \
    || (RBPF_FORM_##form == RBPF_FORM_LDDW && op == (opcode))
        RBPF_ISA(RBPF_TWO_SLOT_)
#undef RBPF_TWO_SLOT_
        ;
}

static inline uint32_t rbpf_le16_(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static inline uint32_t rbpf_le32_(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* A saved caller frame of a local call, at the bottom of the stack buffer. */
typedef struct rbpf_frame_record_ {
    uint64_t saved[5]; /* r6..r9, r10 */
    uint64_t return_at; /* byte offset of the call instruction in the text */
} rbpf_frame_record_t;

#endif /* RBPF_INTERNAL_H */
