/*
 * unit.h: what the core's unit tests share: instruction encoders (bytes of
 * an 8-byte instruction from its fields, opcodes by ISA row name), and a
 * runner over one test configuration whose program and VM stay inspectable.
 */
#ifndef RBPF_TEST_UNIT_H
#define RBPF_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

/* One instruction as 8 initialisers of a uint8_t array. */
#define INSN(op, dst, src, off, imm)                                           \
    (uint8_t)(op), (uint8_t)((dst) | ((src) << 4)), (uint8_t)(uint16_t)(off), \
        (uint8_t)((uint16_t)(off) >> 8), (uint8_t)(uint32_t)(imm),              \
        (uint8_t)((uint32_t)(imm) >> 8), (uint8_t)((uint32_t)(imm) >> 16),     \
        (uint8_t)((uint32_t)(imm) >> 24)
#define OPK(name, dst, imm) INSN(RBPF_OPC_##name, dst, 0, 0, imm)
#define OPX(name, dst, src) INSN(RBPF_OPC_##name, dst, src, 0, 0)
#define MOV(dst, imm) OPK(MOV64_K, dst, imm)
#define MOVR(dst, src) OPX(MOV64_X, dst, src)
#define EXIT INSN(RBPF_OPC_EXIT, 0, 0, 0, 0)
#define LDDW_(op, dst, v) \
    INSN(op, dst, 0, 0, (uint32_t)(uint64_t)(v)), INSN(0, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))
#define LDDW(dst, v) LDDW_(RBPF_OPC_LDDW, dst, v)
#define JMP(name, dst, imm, off) INSN(RBPF_OPC_##name, dst, 0, off, imm)
#define LDX(name, dst, src, off) INSN(RBPF_OPC_##name, dst, src, off, 0)
#define STX(name, dst, src, off) INSN(RBPF_OPC_##name, dst, src, off, 0)
#define ST(name, dst, off, imm) INSN(RBPF_OPC_##name, dst, 0, off, imm)
#define CALL(id) INSN(RBPF_OPC_CALL, 0, 0, 0, id)
#define CALL_LOCAL(rel) INSN(RBPF_OPC_CALL, 0, RBPF_CALL_LOCAL, 0, rel)

/* The test configuration: 4 KiB stack, helpers 1 (r1 + r2), 2 (fails with
 * the error in r1), 3 (rbpf_vm_check(r1, r2, r3)). */
#define UNIT_STACK 4096
extern uint64_t unit_stack[UNIT_STACK / 8];
extern rbpf_config_t unit_config;
extern rbpf_program_t unit_prog;
extern rbpf_vm_t unit_vm;
void unit_reset(void);

/* Loads raw code with unit_config and runs function 0; RBPF_OK or the first
 * error (of loading or of running). */
int unit_run(const uint8_t *code, size_t size, void *context, size_t length, uint64_t *r0);

/* Runs the instructions and requires RBPF_OK with r0 == expected. */
#define EXPECT_R0(expected, ...)                                                    \
    do {                                                                            \
        static const uint8_t code_[] = {__VA_ARGS__};                               \
        uint64_t r0_ = 0xdeadbeef;                                                  \
        assert_int_equal(unit_run(code_, sizeof(code_), NULL, 0, &r0_), RBPF_OK);   \
        assert_int_equal(r0_, (uint64_t)(expected));                               \
    } while (0)

/* Runs the instructions and requires `error` at instruction `at`. */
#define EXPECT_ERROR(error, at, ...)                                                \
    do {                                                                            \
        static const uint8_t code_[] = {__VA_ARGS__};                               \
        assert_int_equal(unit_run(code_, sizeof(code_), NULL, 0, NULL), (error));   \
        assert_int_equal(unit_error_at(), (at));                                    \
    } while (0)

/* error_at of the last unit_run: the VM's after a run, else the program's. */
int unit_error_at(void);

#endif
