/*
 * test_rbpf.cpp: the C++ wrapper (cpp/rbpf.hpp) over hand-assembled
 * containers: load and refusal, function selection, execute with a struct
 * and with a buffer, per-VM data, the stores as maps, run-time errors, the
 * hooks and an application helper. Built with g++ -std=c++11 -Werror.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

extern "C" {
#include <cmocka.h>
}

#include "rbpf.hpp"

namespace
{
typedef std::vector<uint8_t> Bytes;

void put32(Bytes &b, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
}

void put16(Bytes &b, uint32_t v)
{
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
}

void insn(Bytes &b, uint8_t op, int dst, int src, int16_t off, int32_t imm)
{
    b.push_back(op);
    b.push_back(static_cast<uint8_t>(dst | (src << 4)));
    put16(b, static_cast<uint16_t>(off));
    put32(b, static_cast<uint32_t>(imm));
}

struct Function {
    const char *name;
    Bytes code;
};

/* A container blob (format v0) with 8 bytes of data (the u64 100), 8 of
 * bss, and the given functions. */
Bytes container(const std::vector<Function> &functions)
{
    Bytes rodata, text, table, blob;
    for (size_t i = 0; i < functions.size(); i++) {
        put16(table, static_cast<uint32_t>(rodata.size()));
        put16(table, 0);
        put16(table, static_cast<uint32_t>(text.size()));
        rodata.insert(rodata.end(), functions[i].name, functions[i].name + strlen(functions[i].name) + 1);
        text.insert(text.end(), functions[i].code.begin(), functions[i].code.end());
    }
    while (rodata.size() % 8 != 0) {
        rodata.push_back(0);
    }
    put32(blob, RBPF_MAGIC);
    put32(blob, RBPF_FORMAT_VERSION);
    put32(blob, 0);
    put32(blob, 8);
    put32(blob, 8);
    put32(blob, static_cast<uint32_t>(rodata.size()));
    put32(blob, static_cast<uint32_t>(text.size()));
    put32(blob, static_cast<uint32_t>(functions.size()));
    put32(blob, 100);
    put32(blob, 0);
    blob.insert(blob.end(), rodata.begin(), rodata.end());
    blob.insert(blob.end(), text.begin(), text.end());
    blob.insert(blob.end(), table.begin(), table.end());
    return blob;
}

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

struct Insn {
    uint8_t op;
    int dst;
    int src;
    int16_t off;
    int32_t imm;
};

template <size_t N> Function fn(const char *name, const Insn (&code)[N])
{
    Function f;
    f.name = name;
    for (size_t i = 0; i < N; i++) {
        insn(f.code, code[i].op, code[i].dst, code[i].src, code[i].off, code[i].imm);
    }
    return f;
}

const Insn EXIT = {0x95, 0, 0, 0, 0};

/* inc(ctx): return ctx->value + 1 */
const Insn incCode[] = {{0x79, R0, R1, 0, 0}, {0x07, R0, 0, 0, 1}, EXIT};

/* bump(): return ++data_u64 (the .data word, 100 at load) */
const Insn bumpCode[] = {
    {0xb8, R1, 0, 0, 0}, {0x00, 0, 0, 0, 0},  {0x79, R0, R1, 0, 0},
    {0x07, R0, 0, 0, 1}, {0x7b, R1, R0, 0, 0}, EXIT,
};

/* count(): v = local[1] + 1; local[1] = v; return v */
const Insn countCode[] = {
    {0xb7, R1, 0, 0, 1},
    {0xbf, R2, R10, 0, 0},
    {0x07, R2, 0, 0, -8},
    {0x85, 0, 0, 0, RBPF_HELPER_FETCH_LOCAL},
    {0x61, R6, R10, -8, 0},
    {0x07, R6, 0, 0, 1},
    {0xb7, R1, 0, 0, 1},
    {0xbf, R2, R6, 0, 0},
    {0x85, 0, 0, 0, RBPF_HELPER_STORE_LOCAL},
    {0xbf, R0, R6, 0, 0},
    EXIT,
};

/* bad(): return *(u64 *)8 */
const Insn badCode[] = {{0xb7, R1, 0, 0, 8}, {0x79, R0, R1, 0, 0}, EXIT};

/* multiply(ctx): ctx->product = ctx->a * ctx->b; return 0 */
const Insn multiplyCode[] = {
    {0x79, R2, R1, 0, 0},  {0x79, R3, R1, 8, 0}, {0x2f, R2, R3, 0, 0},
    {0x7b, R1, R2, 16, 0}, {0xb7, R0, 0, 0, 0},  EXIT,
};

/* peek(ctx): return *(u64 *)ctx->address */
const Insn peekCode[] = {{0x79, R2, R1, 0, 0}, {0x79, R0, R2, 0, 0}, EXIT};

/* name(): return helper_id(21) */
Function caller(const char *name, int32_t id)
{
    const Insn code[] = {{0xb7, R1, 0, 0, 21}, {0x85, 0, 0, 0, id}, EXIT};
    return fn(name, code);
}

Bytes standardBlob()
{
    std::vector<Function> f;
    f.push_back(fn("inc", incCode));
    f.push_back(fn("bump", bumpCode));
    f.push_back(fn("count", countCode));
    f.push_back(fn("bad", badCode));
    f.push_back(fn("multiply", multiplyCode));
    f.push_back(caller("now", RBPF_HELPER_NOW_MS));
    f.push_back(fn("peek", peekCode));
    return container(f);
}

struct Counter {
    uint64_t value;
};

struct Product {
    uint64_t a;
    uint64_t b;
    uint64_t product;
};

int resetStores(void **)
{
    rbpf_store_reset();
    return 0;
}

void testLoadAndExecute(void **)
{
    Bytes blob = standardBlob();
    rbpf::VirtualMachine vm;
    Counter c = {41};
    assert_false(vm.isLoaded());
    assert_int_equal(vm.execute(c), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_ARGUMENT);
    assert_true(vm.load(&blob[0], blob.size()));
    assert_true(vm.isLoaded());
    assert_int_equal(vm.getLastError(), RBPF_OK);
    assert_int_equal(vm.functionCount(), 7);
    assert_string_equal(vm.functionName(0), "inc");
    assert_string_equal(vm.functionName(4), "multiply");
    assert_null(vm.functionName(7));
    /* The first function is selected. */
    assert_int_equal(vm.execute(c), 42);
    c.value = 0xffffffffffffffffull;
    assert_int_equal(vm.execute(&c, sizeof(c)), 0);
    assert_int_equal(vm.getLastError(), RBPF_OK);
    assert_true(vm.selectFunction("multiply"));
    Product p = {0x100000001ull, 0x300000007ull, 0};
    assert_int_equal(vm.execute(p), 0);
    assert_int_equal(p.product, 0x100000001ull * 0x300000007ull);
    /* A missing name keeps the selection. */
    assert_false(vm.selectFunction("nope"));
    assert_int_equal(vm.getLastError(), RBPF_ERR_NO_FUNCTION);
    p.product = 0;
    assert_int_equal(vm.execute(p), 0);
    assert_int_equal(p.product, 0x100000001ull * 0x300000007ull);
    /* A context too short for what the function reads. */
    assert_int_equal(vm.execute(&p, 8), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_MEMORY);
}

void testEmbeddedEntry(void **)
{
    struct Entry {
        const char *name;
        const uint8_t *data;
        size_t size;
    };
    Bytes blob = standardBlob();
    Entry entry = {"standard", &blob[0], blob.size()};
    rbpf::VirtualMachine vm;
    Counter c = {1};
    assert_true(vm.load(entry));
    assert_int_equal(vm.execute(c), 2);
}

void testDataIsPerVm(void **)
{
    Bytes blob = standardBlob();
    rbpf::VirtualMachine a, b;
    assert_true(a.load(&blob[0], blob.size()));
    assert_true(b.load(&blob[0], blob.size()));
    assert_true(a.selectFunction("bump"));
    assert_true(b.selectFunction("bump"));
    assert_int_equal(a.execute(), 101);
    assert_int_equal(a.execute(), 102);
    assert_int_equal(b.execute(), 101);
    /* Loading again starts from the data image, and from function 0. */
    assert_true(a.load(&blob[0], blob.size()));
    assert_true(a.selectFunction("bump"));
    assert_int_equal(a.execute(), 101);
}

void testStores(void **)
{
    Bytes blob = standardBlob();
    uint32_t pool = rbpf_store_free_count();
    {
        rbpf::VirtualMachine a, b;
        assert_true(a.load(&blob[0], blob.size()));
        assert_true(b.load(&blob[0], blob.size()));
        assert_true(a.selectFunction("count"));
        assert_true(b.selectFunction("count"));
        a.locals[1] = 5;
        assert_int_equal(a.execute(), 6);
        assert_int_equal(a.execute(), 7);
        assert_int_equal(static_cast<uint32_t>(a.locals[1]), 7);
        assert_int_equal(b.execute(), 1); /* b's local store is its own */
        assert_int_equal(static_cast<uint32_t>(b.locals[1]), 1);
        assert_false(b.locals[2].exists());
        assert_int_equal(static_cast<uint32_t>(b.locals[2]), 0);
        assert_false(b.locals.contains(2)); /* reading took no entry */
        /* globals are one store seen from every VM. */
        a.globals[9] = 3;
        b.globals[9] += 4;
        assert_int_equal(a.globals.get(9), 7);
        assert_int_equal(rbpf_store_free_count(), pool - 3);
        /* Key order and size. */
        a.locals[0] = 10;
        a.locals[50] = 500;
        std::vector<uint32_t> keys;
        struct Collect {
            std::vector<uint32_t> *keys;
            void operator()(uint32_t key, uint32_t) { keys->push_back(key); }
        } collect = {&keys};
        a.locals.forEach(collect);
        assert_int_equal(keys.size(), 3);
        assert_int_equal(keys[0], 0);
        assert_int_equal(keys[1], 1);
        assert_int_equal(keys[2], 50);
        assert_int_equal(a.locals.size(), 3);
        /* unload returns a VM's locals; the globals stay. */
        a.unload();
        assert_int_equal(a.locals.size(), 0);
        assert_int_equal(rbpf_store_free_count(), pool - 2);
        assert_int_equal(b.globals.get(9), 7);
        /* A full pool: the assignment changes nothing and says so. */
        uint32_t key = 1000;
        while (rbpf_store_free_count() > 0) {
            assert_int_equal(b.globals.set(key++, 1), RBPF_OK);
        }
        b.locals[77] = 1;
        assert_int_equal(b.locals.lastError(), RBPF_ERR_STORE_FULL);
        assert_false(b.locals.contains(77));
        b.locals[1] = 40; /* an existing key still updates */
        assert_int_equal(b.locals.lastError(), RBPF_OK);
        assert_int_equal(b.execute(), 41);
        b.globals.clear();
        assert_int_equal(rbpf_store_free_count(), pool - 1);
    }
    /* Destroying a VM returns its entries too. */
    assert_int_equal(rbpf_store_free_count(), pool);
}

void testErrors(void **)
{
    Bytes blob = standardBlob();
    rbpf::VirtualMachine vm;
    assert_true(vm.load(&blob[0], blob.size()));
    assert_true(vm.selectFunction("bad"));
    assert_int_equal(vm.execute(), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_MEMORY);
    assert_string_equal(vm.getErrorString(), rbpf_strerror(RBPF_ERR_MEMORY));
    assert_string_equal(rbpf::errorString(RBPF_ERR_BUDGET), rbpf_strerror(RBPF_ERR_BUDGET));
    /* The faulting load is the second instruction of "bad". */
    uint32_t offset = 0;
    assert_int_equal(rbpf_function_info(&vm.program(), 3, NULL, &offset), RBPF_OK);
    assert_int_equal(vm.getErrorAt(), offset / 8 + 1);
    /* A refused blob leaves the VM unloaded. */
    Bytes garbage(blob);
    garbage[0] ^= 0xff;
    assert_false(vm.load(&garbage[0], garbage.size()));
    assert_int_equal(vm.getLastError(), RBPF_ERR_BAD_MAGIC);
    assert_false(vm.isLoaded());
    assert_false(vm.load(&blob[0], blob.size() - 1));
    assert_int_equal(vm.getLastError(), RBPF_ERR_TRUNCATED);
    assert_false(vm.load(&blob[0], blob.size(), 0));
    assert_int_equal(vm.getLastError(), RBPF_ERR_ARGUMENT);
    /* A call to a helper the VM does not have is refused at load. */
    std::vector<Function> f;
    f.push_back(caller("app", RBPF_HELPER_APP_FIRST));
    Bytes app = container(f);
    assert_false(vm.load(&app[0], app.size()));
    assert_int_equal(vm.getLastError(), RBPF_ERR_ILLEGAL_CALL);
    assert_int_equal(vm.getErrorAt(), 1);
}

void testRegions(void **)
{
    Bytes blob = standardBlob();
    rbpf::VirtualMachine vm;
    rbpf_region_t region;
    uint64_t secret[2] = {0x1122334455667788ull, 0};
    uint64_t address = reinterpret_cast<uintptr_t>(&secret[0]);
    assert_false(vm.addRegion(region, secret, sizeof(secret), RBPF_READ));
    assert_int_equal(vm.getLastError(), RBPF_ERR_ARGUMENT);
    assert_true(vm.load(&blob[0], blob.size()));
    assert_true(vm.selectFunction("peek"));
    /* Not granted yet: refused. */
    assert_int_equal(vm.execute(address), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_MEMORY);
    assert_true(vm.addRegion(region, secret, sizeof(secret), RBPF_READ));
    assert_int_equal(vm.execute(address), 0x1122334455667788ull);
    assert_int_equal(vm.getLastError(), RBPF_OK);
    /* One byte past the grant is still refused. */
    address += 9;
    assert_int_equal(vm.execute(address), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_MEMORY);
}

int twice(rbpf_vm_t *, const uint64_t *args, uint64_t *result)
{
    *result = args[0] * 2;
    return RBPF_OK;
}

uint64_t clockHook(void *user)
{
    return *static_cast<uint64_t *>(user);
}

void testApplicationHelperAndHooks(void **)
{
    static const rbpf_helper_t table[] = {RBPF_STANDARD_HELPERS, {RBPF_HELPER_APP_FIRST, "twice", twice}};
    std::vector<Function> f;
    f.push_back(caller("app", RBPF_HELPER_APP_FIRST));
    f.push_back(caller("now", RBPF_HELPER_NOW_MS));
    Bytes blob = container(f);
    uint64_t now = 987654321;
    rbpf::VirtualMachine vm(table, sizeof(table) / sizeof(table[0]));
    vm.setHooks(NULL, clockHook, &now);
    assert_true(vm.load(&blob[0], blob.size()));
    assert_int_equal(vm.execute(), 42);
    assert_true(vm.selectFunction("now"));
    assert_int_equal(vm.execute(), 987654321);
    vm.setHooks(NULL, NULL, NULL);
    assert_int_equal(vm.execute(), 0);
    assert_int_equal(vm.getLastError(), RBPF_OK);
    /* Another engine, where this build has it; the JIT only on Thumb-2. */
    static uint64_t buffer[4096];
    for (int e = 0, current = RBPF_ENGINE_INTERP; e < RBPF_ENGINE_COUNT; e++) {
        assert_true(vm.selectFunction("app"));
        assert_int_equal(vm.prepare(e, buffer, sizeof(buffer)), rbpf_engine_available(e) != 0);
        assert_int_equal(vm.getLastError(), rbpf_engine_available(e) ? RBPF_OK : RBPF_ERR_UNSUPPORTED);
        current = rbpf_engine_available(e) ? e : current;
        assert_int_equal(vm.program().engine, current);
        assert_int_equal(vm.execute(), 42);
    }
#if !defined(__thumb2__)
    assert_false(vm.prepare(RBPF_ENGINE_JIT, buffer, sizeof(buffer)));
    assert_int_equal(vm.getLastError(), RBPF_ERR_UNSUPPORTED);
#endif
    assert_true(vm.selectFunction("now"));
    /* A budget too small for three instructions ends the run. */
    vm.setBudget(2);
    assert_int_equal(vm.execute(), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_BUDGET);
}
} // namespace

/* The translated engine by opt-in: same results and errors as the
 * interpreter; a short or missing buffer is refused and changes nothing. */
void testEngineOptIn(void **)
{
    Bytes blob = standardBlob();
    rbpf::VirtualMachine vm;
    static uint64_t buffer[256];
    Counter c = {41};
    assert_true(vm.load(&blob[0], blob.size()));
    assert_int_equal(vm.preparedSize(RBPF_ENGINE_INTERP), 0);
    if (!rbpf_engine_available(RBPF_ENGINE_THREADED)) {
        assert_false(vm.useEngine(RBPF_ENGINE_THREADED, buffer, sizeof(buffer)));
        assert_int_equal(vm.getLastError(), RBPF_ERR_UNSUPPORTED);
        return;
    }
    size_t need = vm.preparedSize(RBPF_ENGINE_THREADED);
    assert_true(need > 0 && need <= sizeof(buffer));
    assert_false(vm.useEngine(RBPF_ENGINE_THREADED));
    assert_int_equal(vm.getLastError(), RBPF_ERR_TOO_SMALL);
    assert_false(vm.useEngine(RBPF_ENGINE_THREADED, buffer, need - 8));
    assert_int_equal(vm.getLastError(), RBPF_ERR_TOO_SMALL);
    assert_int_equal(vm.execute(c), 42);
    assert_true(vm.useEngine(RBPF_ENGINE_THREADED, buffer, sizeof(buffer)));
    assert_int_equal(vm.getLastError(), RBPF_OK);
    c.value = 99;
    assert_int_equal(vm.execute(c), 100);
    assert_true(vm.selectFunction("bump"));
    assert_int_equal(vm.execute(), 101);
    assert_int_equal(vm.execute(), 102);
    assert_true(vm.selectFunction("bad"));
    assert_int_equal(vm.execute(), 0);
    assert_int_equal(vm.getLastError(), RBPF_ERR_MEMORY);
    assert_int_equal(vm.getErrorAt(), 21); /* bad() starts at instruction 20 of the text */
    assert_true(vm.useEngine(RBPF_ENGINE_INTERP));
    assert_true(vm.selectFunction("bump"));
    assert_int_equal(vm.execute(), 103);
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(testLoadAndExecute, resetStores),
        cmocka_unit_test_setup(testEngineOptIn, resetStores),
        cmocka_unit_test_setup(testEmbeddedEntry, resetStores),
        cmocka_unit_test_setup(testDataIsPerVm, resetStores),
        cmocka_unit_test_setup(testStores, resetStores),
        cmocka_unit_test_setup(testErrors, resetStores),
        cmocka_unit_test_setup(testRegions, resetStores),
        cmocka_unit_test_setup(testApplicationHelperAndHooks, resetStores),
    };
    return cmocka_run_group_tests_name("cpp", tests, NULL, NULL);
}
