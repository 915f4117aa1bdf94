/*
 * rbpf.h: the public interface of librbpf, an eBPF virtual machine for
 * Femto-Containers on microcontrollers.
 *
 * The library allocates nothing. The host owns every object below: it
 * fills in a const rbpf_config_t, loads a container blob into an
 * rbpf_program_t (the blob stays where it is, e.g. in flash, and must
 * outlive the program), sets up an rbpf_vm_t over it with a RAM buffer for
 * the container's data and bss, and runs functions. Every call returns 0
 * (RBPF_OK) or a negative rbpf_error_t; rbpf_strerror() names it, and the
 * program or VM records where it happened.
 *
 * Address model: eBPF registers hold real host addresses. Every load,
 * store and atomic is checked against the regions the VM grants (stack,
 * context, data+bss, rodata read-only, added regions) before it happens.
 */
#ifndef RBPF_H
#define RBPF_H

#include <stddef.h>
#include <stdint.h>

#include "rbpf/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RBPF_VERSION "0.1.0"

/* Container format v0: "rBPF" read as a little-endian u32. docs/format.md. */
#define RBPF_MAGIC 0x46504272u
#define RBPF_FORMAT_VERSION 0u
#define RBPF_HEADER_SIZE 32u
#define RBPF_FUNCTION_ENTRY_SIZE 6u
/* Header flag: a relocation table follows the function table (pointers in
 * initialised data, set when a VM is set up). docs/format.md. */
#define RBPF_FLAG_RELOCATIONS 0x100u
#define RBPF_RELOCATION_ENTRY_SIZE 8u
/* A relocation's base (the top byte of its second word). */
#define RBPF_RELOC_RAM 0u    /* the VM's RAM: data, then bss */
#define RBPF_RELOC_RODATA 1u /* the container's rodata */

/* ---- Errors -------------------------------------------------------------
 * One list gives the enum, the short names and the texts of rbpf_strerror().
 * X(NAME, value, text) */
#define RBPF_ERRORS(X)                                                          \
    X(OK, 0, "ok")                                                              \
    X(ARGUMENT, -1, "invalid argument")                                         \
    X(BAD_MAGIC, -2, "bad magic: not an rBPF container")                        \
    X(BAD_VERSION, -3, "unsupported container version")                         \
    X(TRUNCATED, -4, "container truncated: a section runs past the end")        \
    X(BAD_LENGTH, -5, "bad section length or alignment")                        \
    X(BAD_FUNCTION, -6, "bad function table entry")                             \
    X(NO_FUNCTION, -7, "no such function")                                      \
    X(EMPTY, -8, "program has no instructions")                                 \
    X(ILLEGAL_INSN, -9, "illegal instruction: unknown opcode")                  \
    X(RESERVED_FIELD, -10, "illegal instruction: unused field is not zero")    \
    X(ILLEGAL_REGISTER, -11, "illegal register: above r10, or r10 written")     \
    X(ILLEGAL_JUMP, -12, "illegal jump: target outside text or inside lddw")   \
    X(ILLEGAL_CALL, -13, "illegal call: unknown helper or bad local target")   \
    X(INCOMPLETE_LDDW, -14, "incomplete lddw: second slot missing or not zero") \
    X(NO_EXIT, -15, "no exit: execution can fall off the end of the text")     \
    X(MEMORY, -16, "illegal memory access: outside every granted region")      \
    X(BUDGET, -17, "instruction budget exhausted")                              \
    X(CALL_DEPTH, -18, "call depth exceeded")                                   \
    X(STACK_OVERFLOW, -19, "stack overflow: no room for a new call frame")     \
    X(HELPER, -20, "helper call failed")                                        \
    X(STORE_FULL, -21, "key-value store pool is full")                          \
    X(ALIGNMENT, -22, "buffer not aligned to 8 bytes")                          \
    X(TOO_SMALL, -23, "buffer too small")                                      \
    X(UNSUPPORTED, -24, "engine not compiled in or not usable on this core")    \
    X(BAD_RELOCATION, -25, "bad relocation: place outside data, or target outside its base")

typedef enum rbpf_error {
#define RBPF_ERROR_ENUM_(name, value, text) RBPF_ERR_##name = (value),
    RBPF_ERRORS(RBPF_ERROR_ENUM_)
#undef RBPF_ERROR_ENUM_
} rbpf_error_t;
#define RBPF_OK RBPF_ERR_OK

/* The text of an error code (a full sentence, or its short name when
 * RBPF_ENABLE_ERROR_TEXT is 0); never NULL, "unknown error" for others. */
const char *rbpf_strerror(int error);

/* The short name of an error code ("RBPF_ERR_MEMORY"); never NULL. */
const char *rbpf_error_name(int error);

/* ---- Helpers ------------------------------------------------------------ */
struct rbpf_vm;

/* A helper gets the VM and the call's arguments r1..r5 (args[0..4]) as full
 * 64-bit values, and writes the call's result (r0) to *result. It returns 0,
 * or a negative rbpf_error_t that ends the run with that error (use
 * rbpf_vm_check() on every pointer argument and return its error). */
typedef int (*rbpf_helper_fn)(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);

typedef struct rbpf_helper {
    uint32_t id;      /* the call's immediate; 0x01..0xff standard, 0x100.. the application's */
    const char *name; /* for dumps and messages */
    rbpf_helper_fn fn;
} rbpf_helper_t;

/* ---- Configuration ------------------------------------------------------ */
typedef struct rbpf_config {
    void *stack;                  /* 8-aligned buffer for eBPF stack frames (and saved call frames) */
    uint32_t stack_size;          /* its size in bytes; 512 fits one frame */
    uint32_t budget;              /* instructions per run; 0 = RBPF_DEFAULT_BUDGET */
    uint32_t max_call_depth;      /* nested local calls; 0 = RBPF_DEFAULT_CALL_DEPTH */
    const rbpf_helper_t *helpers; /* the helpers containers may call; ids unique */
    uint32_t helper_count;
    /* Hooks for the standard helpers (may be NULL: printing is dropped, the
     * clock reads 0). `user` is passed back to them. */
    void (*print)(void *user, const char *text, size_t length);
    uint64_t (*now_ms)(void *user);
    void *user;
} rbpf_config_t;

/* ---- Programs: a loaded and verified container, or bare bytecode -------- */
typedef struct rbpf_program {
    const uint8_t *data;      /* initial .data image, data_len bytes (copied into VM RAM) */
    const uint8_t *rodata;    /* read in place */
    const uint8_t *text;      /* instructions, 8 bytes each, read in place */
    const uint8_t *functions; /* function table, function_count entries of 6 bytes */
    uint32_t flags;
    uint32_t data_len;
    uint32_t bss_len;
    uint32_t rodata_len;
    uint32_t text_len;        /* in bytes, a multiple of 8 */
    uint32_t function_count;  /* 0 for bare bytecode: function 0 is then offset 0 */
    uint32_t frame_size;      /* stack bytes each call frame takes, found by the verifier */
    int32_t error_at;         /* after an error: instruction index (verifier) or byte
                                 offset in the blob (loader); -1 when not known */
    uint8_t verified;         /* set by rbpf_verify() */
    uint8_t engine;           /* the rbpf_engine_t rbpf_vm_run() uses (rbpf_prepare()) */
    void *prepared;           /* that engine's form of the text, or NULL */
    size_t prepared_size;     /* bytes of it in use */
    const uint8_t *relocations; /* relocation table entries (RBPF_FLAG_RELOCATIONS) */
    uint32_t relocation_count;
} rbpf_program_t;

/* Checks a container blob's format (header, lengths, function table, names)
 * and fills *prog. No instruction is looked at: see rbpf_verify(). The blob
 * may be unaligned and read-only. */
int rbpf_container_parse(rbpf_program_t *prog, const void *blob, size_t size);

/* Sets *prog up over bare instructions (no data, rodata or function table;
 * function 0 starts at offset 0). Checks only that size is a non-zero
 * multiple of 8. */
int rbpf_program_raw(rbpf_program_t *prog, const void *code, size_t size);

/* The verifier: one pass over the text that proves every rule of
 * docs/verifier.md (known opcodes, unused fields zero, registers, jump and
 * call targets, complete lddw, known helpers of `config`, no falling off the
 * end). On error prog->error_at is the instruction index. */
int rbpf_verify(rbpf_program_t *prog, const rbpf_config_t *config);

/* rbpf_container_parse() then rbpf_verify(). */
int rbpf_load(rbpf_program_t *prog, const void *blob, size_t size, const rbpf_config_t *config);

/* rbpf_program_raw() then rbpf_verify(). */
int rbpf_load_raw(rbpf_program_t *prog, const void *code, size_t size, const rbpf_config_t *config);

/* Index of the function called `name`, or RBPF_ERR_NO_FUNCTION. */
int rbpf_function_find(const rbpf_program_t *prog, const char *name);

/* Name (NUL-terminated, in rodata) and text byte offset of function `index`.
 * Either output may be NULL. For bare bytecode, function 0 is "main" at 0. */
int rbpf_function_info(const rbpf_program_t *prog, uint32_t index, const char **name,
                       uint32_t *offset);

/* ---- Engines ------------------------------------------------------------
 * A verified program runs on the in-place interpreter, which reads the text
 * where it is (flash). Other engines first turn it into a form of their own
 * in a RAM buffer the host provides: rbpf_prepare_size() says how big,
 * rbpf_prepare() fills it and attaches it to the program, and rbpf_vm_run()
 * then uses it. Every engine gives the same results, error codes, error_at
 * and instruction counts. A program struct may be copied and each copy
 * prepared for another engine. */
typedef enum rbpf_engine {
    RBPF_ENGINE_INTERP = 0,   /* in place: no RAM beyond the VM's */
    RBPF_ENGINE_THREADED = 1, /* translated once into a RAM form (RBPF_ENABLE_THREADED) */
    RBPF_ENGINE_JIT = 2       /* Thumb-2 machine code (RBPF_ENABLE_JIT) */
} rbpf_engine_t;
#define RBPF_ENGINE_COUNT 3

/* "interp", "threaded", "jit"; "unknown" for others. */
const char *rbpf_engine_name(int engine);

/* The engine called `name`, or RBPF_ERR_ARGUMENT. */
int rbpf_engine_find(const char *name);

/* 1 when `engine` is compiled in and usable on this core, else 0. */
int rbpf_engine_available(int engine);

/* Bytes of buffer `engine` needs for the verified program `prog` (0 for the
 * interpreter). RBPF_ERR_UNSUPPORTED when the engine is not available. */
int rbpf_prepare_size(const rbpf_program_t *prog, int engine, size_t *size);

/* Prepares the verified program `prog` for `engine` in `buffer` (8-aligned
 * RAM that must outlive the program; for the JIT also executable) and
 * attaches it: rbpf_vm_run() then runs on that engine. RBPF_ENGINE_INTERP
 * (buffer NULL) detaches any prepared form. RBPF_ERR_UNSUPPORTED, or
 * RBPF_ERR_TOO_SMALL / RBPF_ERR_ALIGNMENT for the buffer, or
 * RBPF_ERR_ARGUMENT for a program not verified. */
int rbpf_prepare(rbpf_program_t *prog, int engine, void *buffer, size_t size);

/* ---- Memory regions ----------------------------------------------------- */
#define RBPF_READ 1u
#define RBPF_WRITE 2u
#define RBPF_RW (RBPF_READ | RBPF_WRITE)

/* A region the host grants a VM beyond its own memory. Caller-allocated;
 * it must stay alive (and unmoved) while the VM may run. */
typedef struct rbpf_region {
    uintptr_t start;
    size_t length;
    uint32_t flags; /* RBPF_READ, RBPF_WRITE */
    struct rbpf_region *next;
} rbpf_region_t;

/* ---- Virtual machines --------------------------------------------------- */
#define RBPF_STORE_NONE 0xffffu

/* A key-value store: the head of a list of entries in the shared pool. */
typedef struct rbpf_store {
    uint16_t head; /* first entry, RBPF_STORE_NONE when empty */
} rbpf_store_t;

/* The access a run was stopped for (RBPF_ERR_MEMORY): what an instruction or
 * a helper's rbpf_vm_check() asked for and no region granted. */
typedef struct rbpf_fault {
    uint64_t address; /* first byte */
    uint64_t size;    /* bytes; 0 when the run stopped for another reason */
    uint32_t access;  /* RBPF_READ or RBPF_WRITE (both for an atomic) */
} rbpf_fault_t;

typedef struct rbpf_vm {
    const rbpf_program_t *program;
    const rbpf_config_t *config;
    uint8_t *ram;             /* data then bss, data_len + bss_len bytes */
    uint8_t *context;         /* the running call's context */
    size_t context_length;
    rbpf_region_t *regions;   /* added regions */
    uint64_t instructions;    /* eBPF instructions the last run executed */
    int32_t error_at;         /* after a run-time error: instruction index, else -1 */
    rbpf_store_t local_store; /* this VM's local key-value store (store.c) */
    uint16_t reserved;
    uint32_t call_depth;      /* local calls active in the running call (their
                                 saved frames sit at the bottom of the stack) */
    rbpf_fault_t fault;       /* the last access refused (size 0: none this run) */
    /* Debugging, set by the host after rbpf_vm_init() (RBPF_ENABLE_TRACE
     * builds, the in-place interpreter only; NULL: off): called before each
     * instruction runs, with its text byte offset and r0..r10 as they are
     * then. vm->config->user reaches the host's state. */
    void (*trace)(const struct rbpf_vm *vm, uint32_t offset, const uint64_t *regs);
} rbpf_vm_t;

/* Sets a VM up over a verified program. `ram` receives the data image and
 * the zeroed bss, then the container's relocations: each sets a pointer in
 * data to the address of a place in RAM or rodata. It needs data_len +
 * bss_len bytes and 8-byte alignment, and may be NULL when both are 0. The config's stack must be 8-aligned. The
 * program, config and ram must outlive the VM. */
int rbpf_vm_init(rbpf_vm_t *vm, const rbpf_program_t *prog, const rbpf_config_t *config,
                 void *ram, size_t ram_size);

/* Grants the VM [start, start + length) with `flags`; `region` is the
 * caller's storage for it. Fails on a zero flag set, or a range that wraps. */
int rbpf_region_add(rbpf_vm_t *vm, rbpf_region_t *region, const void *start, size_t length,
                    uint32_t flags);

/* Runs function `index` with r1 = context, r2 = context_length (the context
 * is granted read-write for this run; NULL with length 0 for none), r10 = top
 * of the stack. On success writes r0 to *result (may be NULL). On a run-time
 * error, vm->error_at is the instruction index. */
int rbpf_vm_run(rbpf_vm_t *vm, uint32_t index, void *context, size_t context_length,
                uint64_t *result);

/* 0 when [address, address + length) lies inside one region the VM grants
 * with all of `access` (RBPF_READ, RBPF_WRITE), else RBPF_ERR_MEMORY, and the
 * access is recorded in vm->fault (the one field it writes). Length 0 is
 * allowed anywhere. For helpers checking their pointer arguments. */
int rbpf_vm_check(const rbpf_vm_t *vm, uint64_t address, uint64_t length, uint32_t access);

/* Tears a VM down: returns its local store entries to the pool (store.c). */
void rbpf_vm_deinit(rbpf_vm_t *vm);

/* ---- Standard helpers (helpers.c), Sming numbering ---------------------- */
#define RBPF_HELPER_PRINTF 0x01u       /* bpf_printf(fmt, ...) */
#define RBPF_HELPER_MEMCPY 0x02u       /* bpf_memcpy(dst, src, n) */
#define RBPF_HELPER_STORE_GLOBAL 0x10u /* bpf_store_global(key, value) */
#define RBPF_HELPER_STORE_LOCAL 0x11u  /* bpf_store_local(key, value) */
#define RBPF_HELPER_FETCH_GLOBAL 0x12u /* bpf_fetch_global(key, &value) */
#define RBPF_HELPER_FETCH_LOCAL 0x13u  /* bpf_fetch_local(key, &value) */
#define RBPF_HELPER_NOW_MS 0x20u       /* bpf_now_ms() */
#define RBPF_HELPER_APP_FIRST 0x100u   /* first id for application helpers */

int rbpf_helper_printf(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);
int rbpf_helper_memcpy(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);
int rbpf_helper_store_global(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);
int rbpf_helper_store_local(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);
int rbpf_helper_fetch_global(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);
int rbpf_helper_fetch_local(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);
int rbpf_helper_now_ms(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result);

/* The standard helpers as initialisers, to start a host's helper table:
 *   static const rbpf_helper_t helpers[] = { RBPF_STANDARD_HELPERS,
 *       { 0x100, "read_sensor", read_sensor } }; */
#define RBPF_STANDARD_HELPERS                                                   \
    {RBPF_HELPER_PRINTF, "bpf_printf", rbpf_helper_printf},                     \
    {RBPF_HELPER_MEMCPY, "bpf_memcpy", rbpf_helper_memcpy},                     \
    {RBPF_HELPER_STORE_GLOBAL, "bpf_store_global", rbpf_helper_store_global},   \
    {RBPF_HELPER_STORE_LOCAL, "bpf_store_local", rbpf_helper_store_local},      \
    {RBPF_HELPER_FETCH_GLOBAL, "bpf_fetch_global", rbpf_helper_fetch_global},   \
    {RBPF_HELPER_FETCH_LOCAL, "bpf_fetch_local", rbpf_helper_fetch_local},      \
    {RBPF_HELPER_NOW_MS, "bpf_now_ms", rbpf_helper_now_ms}

/* ---- Key-value stores (store.c) ----------------------------------------
 * u32 keys to u32 values. One global store shared by all VMs and one local
 * store per VM; all entries come from one pool of RBPF_STORE_NUM_VALUES. */
/* The global store. */
rbpf_store_t *rbpf_store_global(void);

/* Returns every entry of every store to the pool (host start-up, tests). */
void rbpf_store_reset(void);

/* Writes key = value, taking a pool entry for a new key; RBPF_ERR_STORE_FULL
 * when none is free (nothing is changed then). */
int rbpf_store_update(rbpf_store_t *store, uint32_t key, uint32_t value);

/* Reads key into *value. Returns 1 when the key is present, 0 when it is
 * absent (then *value is 0 and no entry is taken). */
int rbpf_store_fetch(const rbpf_store_t *store, uint32_t key, uint32_t *value);

/* Removes every entry of a store, returning them to the pool. */
void rbpf_store_clear(rbpf_store_t *store);

/* Calls fn(key, value, arg) for each entry, in key order; stops early and
 * returns fn's value when it is non-zero. */
int rbpf_store_foreach(const rbpf_store_t *store,
                       int (*fn)(uint32_t key, uint32_t value, void *arg), void *arg);

/* Entries free in the shared pool. */
uint32_t rbpf_store_free_count(void);

#ifdef __cplusplus
}
#endif

/* C++: Sming's rBPF interface (namespace rBPF) over this API, and the
 * generated rBPF::Container objects when there are any (docs/sming.md).
 * Define RBPF_NO_CXX_API to see the C API alone. */
#if defined(__cplusplus) && !defined(RBPF_NO_CXX_API)
#include "rbpf/Store.h"
#include "rbpf/AppCalls.h"
#include "rbpf/VirtualMachine.h"
#endif

#endif /* RBPF_H */
