/*
 * isa.h: the eBPF instruction set (RFC 9669) plus the Femto-Container
 * opcodes LDDWD and LDDWR, written once. The verifier's field rules, the
 * interpreter's dispatch table, the assembler's and the disassembler's
 * mnemonics are all generated from RBPF_ISA; nothing else lists opcodes.
 *
 * Instruction layout (8 bytes, little-endian):
 *   byte 0 opcode, byte 1 dst (low nibble) | src (high nibble),
 *   bytes 2-3 signed offset, bytes 4-7 signed immediate.
 *
 * Row: X(NAME, OPCODE, FORM, SEL, ONCE, FEATURE, MNEMONIC)
 *   NAME      unique identifier of the row (RBPF_OP_##NAME)
 *   OPCODE    the opcode byte
 *   FORM      which fields the instruction uses (RBPF_FORMS below); the
 *             verifier requires every other field to be zero
 *   SEL       for forms whose one opcode means several instructions, the
 *             value of the selecting field (see each form); 0 otherwise
 *   ONCE      FIRST for the first (or only) row of an opcode, MORE for the
 *             other rows of the same opcode: per-opcode tables (dispatch)
 *             take FIRST rows only, via RBPF_ONCE_##ONCE(...)
 *   FEATURE   the config knob that removes the row: CORE (never removed),
 *             ALU32, JMP32, ATOMIC, LOCAL_CALLS; see RBPF_IF_FEATURE
 *   MNEMONIC  the uBPF/bpf_conformance assembly mnemonic
 */
#ifndef RBPF_ISA_H
#define RBPF_ISA_H

#include "rbpf/config.h"

/* Instruction classes (low 3 bits of the opcode). */
#define RBPF_CLS_LD 0x00
#define RBPF_CLS_LDX 0x01
#define RBPF_CLS_ST 0x02
#define RBPF_CLS_STX 0x03
#define RBPF_CLS_ALU 0x04
#define RBPF_CLS_JMP 0x05
#define RBPF_CLS_JMP32 0x06
#define RBPF_CLS_ALU64 0x07

/* Atomic operation codes (the immediate of an atomic instruction). */
#define RBPF_ATOMIC_FETCH 0x01
#define RBPF_ATOMIC_ADD 0x00
#define RBPF_ATOMIC_OR 0x40
#define RBPF_ATOMIC_AND 0x50
#define RBPF_ATOMIC_XOR 0xa0
#define RBPF_ATOMIC_XCHG 0xe1
#define RBPF_ATOMIC_CMPXCHG 0xf1

/* Call sources (the src field of opcode 0x85). */
#define RBPF_CALL_HELPER 0
#define RBPF_CALL_LOCAL 1

/* Forms: X(FORM, USES, SELECTS). USES says which fields carry meaning (dst,
 * src, offset, immediate); SELECTS names the field that must equal a row's SEL
 * (a field that is selected is not also "used"; NONE: no selector).
 *   ALU_K     dst op= imm          (off = SEL: 1 for sdiv/smod, else 0)
 *   ALU_X     dst op= src          (off = SEL: 1 sdiv/smod, 8/16/32 movsx)
 *   NEG       dst = -dst
 *   END       byte swap of dst     (imm = SEL: 16, 32 or 64)
 *   LDDW      dst = imm64, two slots; the second slot is all zero but its imm
 *   LDX       dst = *(size *)(src + off)   (LDSX: sign-extending)
 *   ST        *(size *)(dst + off) = imm
 *   STX       *(size *)(dst + off) = src
 *   ATOMIC    atomic op on *(size *)(dst + off) with src   (imm = SEL)
 *   JA        pc += off
 *   JA32      pc += imm (gotol)
 *   JMP_K     if (dst cmp imm) pc += off
 *   JMP_X     if (dst cmp src) pc += off
 *   CALL      helper call, imm = helper id                 (src = SEL = 0)
 *   CALL_LOCAL local call, imm = pc-relative target        (src = SEL = 1)
 *   EXIT      return r0 */
#define RBPF_USES_D 1u
#define RBPF_USES_S 2u
#define RBPF_USES_O 4u
#define RBPF_USES_I 8u
#define RBPF_SELECTS_NONE 0
#define RBPF_SELECTS_OFF 1
#define RBPF_SELECTS_IMM 2
#define RBPF_SELECTS_SRC 3

#define RBPF_FORMS(X)                                                       \
    X(ALU_K, RBPF_USES_D | RBPF_USES_I, RBPF_SELECTS_OFF)                   \
    X(ALU_X, RBPF_USES_D | RBPF_USES_S, RBPF_SELECTS_OFF)                   \
    X(NEG, RBPF_USES_D, RBPF_SELECTS_NONE)                                  \
    X(END, RBPF_USES_D, RBPF_SELECTS_IMM)                                   \
    X(LDDW, RBPF_USES_D | RBPF_USES_I, RBPF_SELECTS_NONE)                   \
    X(LDX, RBPF_USES_D | RBPF_USES_S | RBPF_USES_O, RBPF_SELECTS_NONE)      \
    X(ST, RBPF_USES_D | RBPF_USES_O | RBPF_USES_I, RBPF_SELECTS_NONE)       \
    X(STX, RBPF_USES_D | RBPF_USES_S | RBPF_USES_O, RBPF_SELECTS_NONE)      \
    X(ATOMIC, RBPF_USES_D | RBPF_USES_S | RBPF_USES_O, RBPF_SELECTS_IMM)    \
    X(JA, RBPF_USES_O, RBPF_SELECTS_NONE)                                   \
    X(JA32, RBPF_USES_I, RBPF_SELECTS_NONE)                                 \
    X(JMP_K, RBPF_USES_D | RBPF_USES_O | RBPF_USES_I, RBPF_SELECTS_NONE)    \
    X(JMP_X, RBPF_USES_D | RBPF_USES_S | RBPF_USES_O, RBPF_SELECTS_NONE)    \
    X(CALL, RBPF_USES_I, RBPF_SELECTS_SRC)                                  \
    X(CALL_LOCAL, RBPF_USES_I, RBPF_SELECTS_SRC)                            \
    X(EXIT, 0, RBPF_SELECTS_NONE)

enum rbpf_form {
#define RBPF_FORM_ENUM_(form, uses, selects) RBPF_FORM_##form,
    RBPF_FORMS(RBPF_FORM_ENUM_)
#undef RBPF_FORM_ENUM_
    RBPF_FORM_COUNT
};

/* ALU rows for one operation, 32- and 64-bit, immediate and register. */
#define RBPF_ALU_ROWS_(X, NAME, OP, MN)                                    \
    X(NAME##32_K, 0x04 | OP, ALU_K, 0, FIRST, ALU32, #MN "32")             \
    X(NAME##32_X, 0x0c | OP, ALU_X, 0, FIRST, ALU32, #MN "32")             \
    X(NAME##64_K, 0x07 | OP, ALU_K, 0, FIRST, CORE, #MN)                   \
    X(NAME##64_X, 0x0f | OP, ALU_X, 0, FIRST, CORE, #MN)

/* Conditional jump rows for one comparison, 64- and 32-bit. */
#define RBPF_JMP_ROWS_(X, NAME, OP, MN)                                    \
    X(NAME##_K, 0x05 | OP, JMP_K, 0, FIRST, CORE, #MN)                     \
    X(NAME##_X, 0x0d | OP, JMP_X, 0, FIRST, CORE, #MN)                     \
    X(NAME##32_K, 0x06 | OP, JMP_K, 0, FIRST, JMP32, #MN "32")             \
    X(NAME##32_X, 0x0e | OP, JMP_X, 0, FIRST, JMP32, #MN "32")

/* Atomic rows for one operation, 32- and 64-bit, without and with fetch. */
#define RBPF_ATOMIC_ROWS_(X, NAME, OP, MN, ONCE)                           \
    X(NAME##32, 0xc3, ATOMIC, OP, ONCE, ATOMIC, "lock " #MN "32")          \
    X(NAME##64, 0xdb, ATOMIC, OP, ONCE, ATOMIC, "lock " #MN)               \
    X(FETCH_##NAME##32, 0xc3, ATOMIC, OP | 1, MORE, ATOMIC, "lock fetch " #MN "32") \
    X(FETCH_##NAME##64, 0xdb, ATOMIC, OP | 1, MORE, ATOMIC, "lock fetch " #MN)

#define RBPF_ISA(X)                                                        \
    /* ALU */                                                              \
    RBPF_ALU_ROWS_(X, ADD, 0x00, add)                                      \
    RBPF_ALU_ROWS_(X, SUB, 0x10, sub)                                      \
    RBPF_ALU_ROWS_(X, MUL, 0x20, mul)                                      \
    RBPF_ALU_ROWS_(X, DIV, 0x30, div)                                      \
    RBPF_ALU_ROWS_(X, OR, 0x40, or)                                        \
    RBPF_ALU_ROWS_(X, AND, 0x50, and)                                      \
    RBPF_ALU_ROWS_(X, LSH, 0x60, lsh)                                      \
    RBPF_ALU_ROWS_(X, RSH, 0x70, rsh)                                      \
    RBPF_ALU_ROWS_(X, MOD, 0x90, mod)                                      \
    RBPF_ALU_ROWS_(X, XOR, 0xa0, xor)                                      \
    RBPF_ALU_ROWS_(X, MOV, 0xb0, mov)                                      \
    RBPF_ALU_ROWS_(X, ARSH, 0xc0, arsh)                                    \
    X(NEG32, 0x84, NEG, 0, FIRST, ALU32, "neg32")                          \
    X(NEG64, 0x87, NEG, 0, FIRST, CORE, "neg")                             \
    /* signed division and modulo: same opcodes as div/mod, offset 1 */    \
    X(SDIV32_K, 0x34, ALU_K, 1, MORE, ALU32, "sdiv32")                     \
    X(SDIV32_X, 0x3c, ALU_X, 1, MORE, ALU32, "sdiv32")                     \
    X(SDIV64_K, 0x37, ALU_K, 1, MORE, CORE, "sdiv")                        \
    X(SDIV64_X, 0x3f, ALU_X, 1, MORE, CORE, "sdiv")                        \
    X(SMOD32_K, 0x94, ALU_K, 1, MORE, ALU32, "smod32")                     \
    X(SMOD32_X, 0x9c, ALU_X, 1, MORE, ALU32, "smod32")                     \
    X(SMOD64_K, 0x97, ALU_K, 1, MORE, CORE, "smod")                        \
    X(SMOD64_X, 0x9f, ALU_X, 1, MORE, CORE, "smod")                        \
    /* sign-extending moves: same opcodes as mov, offset 8/16/32 */        \
    X(MOVSX8_32, 0xbc, ALU_X, 8, MORE, ALU32, "movsx832")                  \
    X(MOVSX16_32, 0xbc, ALU_X, 16, MORE, ALU32, "movsx1632")               \
    X(MOVSX8_64, 0xbf, ALU_X, 8, MORE, CORE, "movsx864")                   \
    X(MOVSX16_64, 0xbf, ALU_X, 16, MORE, CORE, "movsx1664")                \
    X(MOVSX32_64, 0xbf, ALU_X, 32, MORE, CORE, "movsx3264")                \
    /* byte swaps: to little-endian, to big-endian, unconditional */       \
    X(LE16, 0xd4, END, 16, FIRST, CORE, "le16")                            \
    X(LE32, 0xd4, END, 32, MORE, CORE, "le32")                             \
    X(LE64, 0xd4, END, 64, MORE, CORE, "le64")                             \
    X(BE16, 0xdc, END, 16, FIRST, CORE, "be16")                            \
    X(BE32, 0xdc, END, 32, MORE, CORE, "be32")                             \
    X(BE64, 0xdc, END, 64, MORE, CORE, "be64")                             \
    X(BSWAP16, 0xd7, END, 16, FIRST, CORE, "bswap16")                      \
    X(BSWAP32, 0xd7, END, 32, MORE, CORE, "bswap32")                       \
    X(BSWAP64, 0xd7, END, 64, MORE, CORE, "bswap64")                       \
    /* 64-bit immediate loads (two slots) */                               \
    X(LDDW, 0x18, LDDW, 0, FIRST, CORE, "lddw")                            \
    X(LDDWD, 0xb8, LDDW, 0, FIRST, CORE, "lddwd")                          \
    X(LDDWR, 0xd8, LDDW, 0, FIRST, CORE, "lddwr")                          \
    /* loads, sign-extending loads, stores */                              \
    X(LDXW, 0x61, LDX, 0, FIRST, CORE, "ldxw")                             \
    X(LDXH, 0x69, LDX, 0, FIRST, CORE, "ldxh")                             \
    X(LDXB, 0x71, LDX, 0, FIRST, CORE, "ldxb")                             \
    X(LDXDW, 0x79, LDX, 0, FIRST, CORE, "ldxdw")                           \
    X(LDXSW, 0x81, LDX, 0, FIRST, CORE, "ldxsw")                           \
    X(LDXSH, 0x89, LDX, 0, FIRST, CORE, "ldxsh")                           \
    X(LDXSB, 0x91, LDX, 0, FIRST, CORE, "ldxsb")                           \
    X(STW, 0x62, ST, 0, FIRST, CORE, "stw")                                \
    X(STH, 0x6a, ST, 0, FIRST, CORE, "sth")                                \
    X(STB, 0x72, ST, 0, FIRST, CORE, "stb")                                \
    X(STDW, 0x7a, ST, 0, FIRST, CORE, "stdw")                              \
    X(STXW, 0x63, STX, 0, FIRST, CORE, "stxw")                             \
    X(STXH, 0x6b, STX, 0, FIRST, CORE, "stxh")                             \
    X(STXB, 0x73, STX, 0, FIRST, CORE, "stxb")                             \
    X(STXDW, 0x7b, STX, 0, FIRST, CORE, "stxdw")                           \
    /* atomics */                                                          \
    RBPF_ATOMIC_ROWS_(X, ADD, 0x00, add, FIRST)                            \
    RBPF_ATOMIC_ROWS_(X, OR, 0x40, or, MORE)                               \
    RBPF_ATOMIC_ROWS_(X, AND, 0x50, and, MORE)                             \
    RBPF_ATOMIC_ROWS_(X, XOR, 0xa0, xor, MORE)                             \
    X(XCHG32, 0xc3, ATOMIC, 0xe1, MORE, ATOMIC, "lock xchg32")             \
    X(XCHG64, 0xdb, ATOMIC, 0xe1, MORE, ATOMIC, "lock xchg")               \
    X(CMPXCHG32, 0xc3, ATOMIC, 0xf1, MORE, ATOMIC, "lock cmpxchg32")       \
    X(CMPXCHG64, 0xdb, ATOMIC, 0xf1, MORE, ATOMIC, "lock cmpxchg")         \
    /* jumps */                                                            \
    X(JA, 0x05, JA, 0, FIRST, CORE, "ja")                                  \
    X(JA32, 0x06, JA32, 0, FIRST, JMP32, "ja32")                           \
    RBPF_JMP_ROWS_(X, JEQ, 0x10, jeq)                                      \
    RBPF_JMP_ROWS_(X, JGT, 0x20, jgt)                                      \
    RBPF_JMP_ROWS_(X, JGE, 0x30, jge)                                      \
    RBPF_JMP_ROWS_(X, JSET, 0x40, jset)                                    \
    RBPF_JMP_ROWS_(X, JNE, 0x50, jne)                                      \
    RBPF_JMP_ROWS_(X, JSGT, 0x60, jsgt)                                    \
    RBPF_JMP_ROWS_(X, JSGE, 0x70, jsge)                                    \
    RBPF_JMP_ROWS_(X, JLT, 0xa0, jlt)                                      \
    RBPF_JMP_ROWS_(X, JLE, 0xb0, jle)                                      \
    RBPF_JMP_ROWS_(X, JSLT, 0xc0, jslt)                                    \
    RBPF_JMP_ROWS_(X, JSLE, 0xd0, jsle)                                    \
    X(CALL, 0x85, CALL, 0, FIRST, CORE, "call")                            \
    X(CALL_LOCAL, 0x85, CALL_LOCAL, 1, MORE, LOCAL_CALLS, "call local")    \
    X(EXIT, 0x95, EXIT, 0, FIRST, CORE, "exit")

/* RBPF_ONCE_##ONCE(x): x for the first row of an opcode, nothing otherwise. */
#define RBPF_ONCE_FIRST(...) __VA_ARGS__
#define RBPF_ONCE_MORE(...)

/* RBPF_IF_FEATURE(FEATURE, x): x when the feature is compiled in. */
#define RBPF_IF_FEATURE(feature, ...) RBPF_IF_FEATURE_(RBPF_FEATURE_ON_##feature, __VA_ARGS__)
#define RBPF_IF_FEATURE_(on, ...) RBPF_IF_FEATURE__(on, __VA_ARGS__)
#define RBPF_IF_FEATURE__(on, ...) RBPF_IF_ON_##on(__VA_ARGS__)
#define RBPF_IF_ON_1(...) __VA_ARGS__
#define RBPF_IF_ON_0(...)
#define RBPF_FEATURE_ON_CORE 1
#define RBPF_FEATURE_ON_ALU32 RBPF_ENABLE_ALU32
#define RBPF_FEATURE_ON_JMP32 RBPF_ENABLE_JMP32
#define RBPF_FEATURE_ON_ATOMIC RBPF_ENABLE_ATOMIC
#define RBPF_FEATURE_ON_LOCAL_CALLS RBPF_ENABLE_LOCAL_CALLS

/* Opcode numbers by row name: RBPF_OP_ADD64_K, RBPF_OP_FETCH_ADD32, ... */
enum rbpf_op {
#define RBPF_OP_ENUM_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_OPROW_##name,
    RBPF_ISA(RBPF_OP_ENUM_)
#undef RBPF_OP_ENUM_
    RBPF_OPROW_COUNT
};

/* Decoding an 8-byte instruction from memory that may be unaligned. */
#define RBPF_INSN_SIZE 8u
#define RBPF_INSN_OPCODE(p) ((p)[0])
#define RBPF_INSN_DST(p) ((p)[1] & 0x0f)
#define RBPF_INSN_SRC(p) ((p)[1] >> 4)
#define RBPF_INSN_OFF(p) ((int16_t)(uint16_t)((uint16_t)(p)[2] | ((uint16_t)(p)[3] << 8)))
#define RBPF_INSN_IMM(p)                                                  \
    ((int32_t)(uint32_t)((uint32_t)(p)[4] | ((uint32_t)(p)[5] << 8) |     \
                         ((uint32_t)(p)[6] << 16) | ((uint32_t)(p)[7] << 24)))

#endif /* RBPF_ISA_H */
