/*
 * rbpf/config.h: every compile-time knob of librbpf, each with its default
 * and why. Override any of them with -D on the command line, or put them in
 * a header of your own and build with -DRBPF_USER_CONFIG='"my_rbpf_config.h"'.
 */
#ifndef RBPF_CONFIG_H
#define RBPF_CONFIG_H

#ifdef RBPF_USER_CONFIG
#include RBPF_USER_CONFIG
#endif

/* RBPF_MINIMAL=1 drops everything optional below, for the smallest parts
 * (Cortex-M0+ with 16 KiB of flash). Each knob can still be turned back on. */
#ifndef RBPF_MINIMAL
#define RBPF_MINIMAL 0
#endif
/* Feature knobs are the literal 0 or 1: isa.h pastes them into macro names. */
#if RBPF_MINIMAL
#define RBPF_DEFAULT_ON_ 0
#else
#define RBPF_DEFAULT_ON_ 1
#endif

/* 32-bit ALU instructions (class 0x04). clang emits them from cpu v3 on and
 * for 32-bit arithmetic at v2 with -mattr=+alu32. */
#ifndef RBPF_ENABLE_ALU32
#if RBPF_DEFAULT_ON_
#define RBPF_ENABLE_ALU32 1
#else
#define RBPF_ENABLE_ALU32 0
#endif
#endif

/* 32-bit conditional jumps and gotol (class 0x06), emitted by clang -mcpu=v3. */
#ifndef RBPF_ENABLE_JMP32
#if RBPF_DEFAULT_ON_
#define RBPF_ENABLE_JMP32 1
#else
#define RBPF_ENABLE_JMP32 0
#endif
#endif

/* Atomic add/or/and/xor (with and without fetch), xchg and cmpxchg. */
#ifndef RBPF_ENABLE_ATOMIC
#if RBPF_DEFAULT_ON_
#define RBPF_ENABLE_ATOMIC 1
#else
#define RBPF_ENABLE_ATOMIC 0
#endif
#endif

/* BPF-to-BPF calls (call with src=1): containers with functions that clang
 * does not inline, including recursion. */
#ifndef RBPF_ENABLE_LOCAL_CALLS
#if RBPF_DEFAULT_ON_
#define RBPF_ENABLE_LOCAL_CALLS 1
#else
#define RBPF_ENABLE_LOCAL_CALLS 0
#endif
#endif

/* Full sentences from rbpf_strerror(); off, it returns the short error name
 * ("RBPF_ERR_MEMORY"), which saves about a kilobyte of rodata. */
#ifndef RBPF_ENABLE_ERROR_TEXT
#if RBPF_DEFAULT_ON_
#define RBPF_ENABLE_ERROR_TEXT 1
#else
#define RBPF_ENABLE_ERROR_TEXT 0
#endif
#endif

/* The trace hook (rbpf_vm_t.trace): the in-place interpreter calls it
 * before every instruction when it is set, for debuggers and `rbpf run
 * --trace`. Off by default: it costs code, and a little time at every
 * budget window even when no hook is set. The tool's host builds turn it on. */
#ifndef RBPF_ENABLE_TRACE
#define RBPF_ENABLE_TRACE 0
#endif

/* Dispatch by computed goto (GCC and Clang), else by switch. Both are built
 * and tested; force the switch with -DRBPF_USE_COMPUTED_GOTO=0. */
#ifndef RBPF_USE_COMPUTED_GOTO
#if defined(__GNUC__) || defined(__clang__)
#define RBPF_USE_COMPUTED_GOTO 1
#else
#define RBPF_USE_COMPUTED_GOTO 0
#endif
#endif

/* The in-place interpreter's compact layout: handlers share bodies (all
 * loads one, all stores one, _K and _X rows one) and one dispatch point (a
 * switch), for about a third less code at some speed (docs/performance.md
 * has both). Default: compact when optimising for size (-Os), the fast
 * layout otherwise. The compact layout always dispatches by switch, so
 * RBPF_USE_COMPUTED_GOTO applies to the fast layout only. */
#ifndef RBPF_COMPACT
#if defined(__OPTIMIZE_SIZE__)
#define RBPF_COMPACT 1
#else
#define RBPF_COMPACT 0
#endif
#endif

/* The translated engine (src/threaded.c): rbpf_prepare() turns a verified
 * program into a pre-decoded RAM form (8 bytes per instruction) that runs
 * with fewer instructions than the in-place interpreter (docs/performance.md
 * has the figures per engine). It costs about 13.4 KiB of flash on a
 * Cortex-M4 at -Os (make size), so RBPF_MINIMAL leaves it out. Off,
 * rbpf_prepare() refuses it with RBPF_ERR_UNSUPPORTED. */
#ifndef RBPF_ENABLE_THREADED
#define RBPF_ENABLE_THREADED RBPF_DEFAULT_ON_
#endif

/* The Thumb-2 JIT (src/jit/thumb2.c, docs/jit.md): compiles a verified
 * program to machine code for ARMv7-M and ARMv8-M Mainline (Cortex-M3, M4,
 * M7, M33), little-endian. On by default there only (and not under
 * RBPF_MINIMAL: about 8 KiB of flash, make size); elsewhere it is not built
 * and rbpf_prepare() refuses it with RBPF_ERR_UNSUPPORTED. */
#if defined(__thumb2__) && !defined(__ARM_BIG_ENDIAN) &&                              \
    (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__))
#define RBPF_JIT_TARGET_ 1
#else
#define RBPF_JIT_TARGET_ 0
#endif
#ifndef RBPF_ENABLE_JIT
#if RBPF_JIT_TARGET_ && RBPF_DEFAULT_ON_
#define RBPF_ENABLE_JIT 1
#else
#define RBPF_ENABLE_JIT 0
#endif
#elif RBPF_ENABLE_JIT && !RBPF_JIT_TARGET_
#undef RBPF_ENABLE_JIT
#define RBPF_ENABLE_JIT 0 /* no Thumb-2 core to compile for */
#endif

/* Instructions one run may execute when the configuration gives 0. Enough
 * for real work on a microcontroller, small enough that a runaway container
 * returns within milliseconds. */
#ifndef RBPF_DEFAULT_BUDGET
#define RBPF_DEFAULT_BUDGET 1000000u
#endif

/* Nested local calls one run may make when the configuration gives 0. */
#ifndef RBPF_DEFAULT_CALL_DEPTH
#define RBPF_DEFAULT_CALL_DEPTH 8u
#endif

/* Largest stack frame of one function: clang's BPF backend refuses frames
 * over 512 bytes, so a callee's frame starts at most this far below its
 * caller's. */
#ifndef RBPF_MAX_FRAME
#define RBPF_MAX_FRAME 512u
#endif

/* Key-value store entries in the one pool shared by all stores (global and
 * every VM's local store). The make fragment passes BPF_STORE_NUM_VALUES. */
#ifndef RBPF_STORE_NUM_VALUES
#ifdef BPF_STORE_NUM_VALUES
#define RBPF_STORE_NUM_VALUES BPF_STORE_NUM_VALUES
#else
#define RBPF_STORE_NUM_VALUES 16
#endif
#endif

/* Longest text one bpf_printf call may produce; longer output is cut. */
#ifndef RBPF_PRINTF_MAX
#define RBPF_PRINTF_MAX 128
#endif

#endif /* RBPF_CONFIG_H */
