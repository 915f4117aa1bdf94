/*
 * test_sming.cpp: Sming's rBPF interface (namespace rBPF from <rbpf.h>)
 * against real containers built by mk/rbpf.mk from tests/sming/container:
 * rBPF::Container::NAME from paths, the first function as the entry point,
 * results and Sming's error numbers with the precise rbpf error and place,
 * the stores from host and container, the application's calls at full
 * width with checked pointers, and a stand-in FSTR::Array as the container.
 */
#include <rbpf.h>
#include <bpf.h>
#include <test_context.h>

#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

namespace
{
int failures;
int checks;

/* Evaluates each side once. */
#define CHECK_EQ(actual, expected) check(static_cast<long long>(actual), static_cast<long long>(expected), __LINE__, #actual)

void check(long long actual, long long expected, int line, const char *what)
{
    checks++;
    if (actual != expected) {
        failures++;
        printf("FAIL line %d: %s is %lld (0x%llx), expected %lld (0x%llx)\n", line, what, actual,
               static_cast<unsigned long long>(actual), expected,
               static_cast<unsigned long long>(expected));
    }
}

/* What the application's calls saw. */
struct Seen {
    uint64_t a, e;
    int32_t b;
    int8_t c;
    bool d;
    int none;
    int refusedLoads;
} seen;

std::string printed;

void capturePrint(void *user, const char *text, size_t length)
{
    static_cast<std::string *>(user)->append(text, length);
}
} // namespace

/* The application's calls (container/include/bpf_appcalls.h). */
namespace rBPF
{
namespace VM
{
uint64_t bpf_test_wide(bpf_t *bpf, uint64_t a, int32_t b, int8_t c, bool d, uint64_t e)
{
    (void)bpf;
    seen.a = a;
    seen.b = b;
    seen.c = c;
    seen.d = d;
    seen.e = e;
    return a ^ e;
}

int64_t bpf_test_sum(bpf_t *bpf, const uint8_t *data, size_t len)
{
    if (bpf_load_allowed(bpf, const_cast<uint8_t *>(data), len) < 0) {
        seen.refusedLoads++;
        return -1000;
    }
    int64_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += data[i];
    }
    return sum;
}

void *bpf_test_fill(bpf_t *bpf, uint8_t *buffer, size_t len, uint8_t value)
{
    if (bpf_store_allowed(bpf, buffer, len) < 0) {
        return nullptr;
    }
    memset(buffer, value, len);
    return buffer;
}

void bpf_test_none(bpf_t *bpf)
{
    (void)bpf;
    seen.none++;
}
} // namespace VM
} // namespace rBPF

/* A stand-in for Sming's FSTR::Array<uint8_t> (flash data with length()). */
namespace FSTR
{
template <class T> class Array
{
public:
    Array(const T *bytes, size_t count) : bytes_(bytes), count_(count)
    {
    }
    const T *data() const
    {
        return bytes_;
    }
    size_t length() const
    {
        return count_;
    }

private:
    const T *bytes_;
    size_t count_;
};
} // namespace FSTR

namespace
{
void testEntryPointAndNames()
{
    /* net/filter.c is rBPF::Container::net_filter; execute runs pass(). */
    rBPF::VirtualMachine vm(rBPF::Container::net_filter);
    test_context_t ctx{20, 0};
    CHECK_EQ(vm.execute(ctx), 7);
    CHECK_EQ(ctx.output, 41);
    CHECK_EQ(vm.getLastError(), 0);
    CHECK_EQ(vm.functionCount(), 2);
    CHECK_EQ(strcmp(vm.functionName(0), "pass"), 0);
    CHECK_EQ(vm.selectFunction("drop"), true);
    CHECK_EQ(vm.execute(ctx), 99);
    CHECK_EQ(ctx.output, 0);
    /* Loading again selects the first function again. */
    CHECK_EQ(vm.load(rBPF::Container::net_filter), true);
    CHECK_EQ(vm.execute(ctx), 7);
}

void testContainerViews()
{
    const rBPF::Blob &blob = rBPF::Container::net_filter;
    /* The generated object holds the whole container: the same bytes as
     * the C table rbpf embed writes. */
    bool found = false;
    for (size_t i = 0; i < rbpf_container_count; i++) {
        if (strcmp(rbpf_containers[i].name, "net_filter") == 0) {
            found = true;
            CHECK_EQ(rbpf_containers[i].data == blob.data(), true);
            CHECK_EQ(rbpf_containers[i].size, blob.size());
        }
    }
    CHECK_EQ(found, true);

    test_context_t ctx{5, 0};
    FSTR::Array<uint8_t> flash(blob.data(), blob.size());
    rBPF::VirtualMachine fromFlash(flash);
    CHECK_EQ(fromFlash.execute(ctx), 7);
    CHECK_EQ(ctx.output, 11);

    std::vector<uint8_t> copy(blob.data(), blob.data() + blob.size());
    rBPF::VirtualMachine fromVector;
    CHECK_EQ(fromVector.load(copy), true);
    CHECK_EQ(fromVector.execute(ctx), 7);
    rBPF::VirtualMachine fromPointer(rBPF::Blob(static_cast<const void *>(&copy[0]), copy.size()));
    CHECK_EQ(fromPointer.execute(ctx), 7);

    /* A cut container fails to load: ILLEGAL_LEN, the precise error, where. */
    rBPF::VirtualMachine cut(rBPF::Blob(&copy[0], copy.size() - 1));
    CHECK_EQ(cut.isLoaded(), false);
    CHECK_EQ(cut.getLastError(), BPF_ILLEGAL_LEN);
    CHECK_EQ(cut.getRbpfError(), RBPF_ERR_TRUNCATED);
    CHECK_EQ(cut.execute(ctx), -1);
    CHECK_EQ(cut.getLastError(), BPF_NO_MEMORY);
    CHECK_EQ(strcmp(rBPF::getErrorString(cut.getLastError()), "NO_MEMORY"), 0);

    /* An unknown opcode in the first instruction: refused by the verifier. */
    rbpf_program_t program;
    CHECK_EQ(rbpf_container_parse(&program, &copy[0], copy.size()), RBPF_OK);
    copy[program.text - &copy[0]] = 0xff;
    rBPF::VirtualMachine bad;
    CHECK_EQ(bad.load(copy), false);
    CHECK_EQ(bad.getLastError(), BPF_ILLEGAL_INSTRUCTION);
    CHECK_EQ(bad.getRbpfError(), RBPF_ERR_ILLEGAL_INSN);
    CHECK_EQ(bad.getErrorAt(), 0);
    CHECK_EQ(strcmp(rBPF::getErrorString(bad.getLastError()), "ILLEGAL_INSTRUCTION"), 0);

    /* A stack size of 0 cannot be allocated. */
    rBPF::VirtualMachine noStack(rBPF::Container::net_filter, 0);
    CHECK_EQ(noStack.getLastError(), BPF_NO_MEMORY);
}

void testFaults()
{
    rBPF::VirtualMachine vm(rBPF::Container::faults);
    uint64_t secret = 0x1122334455667788ull;
    test_context_t ctx{reinterpret_cast<uintptr_t>(&secret), 0};
    CHECK_EQ(vm.execute(ctx), -1);
    CHECK_EQ(vm.getLastError(), BPF_ILLEGAL_MEM);
    CHECK_EQ(vm.getRbpfError(), RBPF_ERR_MEMORY);
    CHECK_EQ(vm.getErrorAt() >= 0, true);
    CHECK_EQ(strcmp(rBPF::getErrorString(vm.getLastError()), "ILLEGAL_MEM"), 0);
    /* Granted, the same read works. */
    rbpf_region_t region;
    CHECK_EQ(vm.addRegion(region, &secret, sizeof(secret), RBPF_READ), true);
    CHECK_EQ(vm.execute(ctx), 0x1122334455667788ll);
    CHECK_EQ(vm.getLastError(), 0);
    CHECK_EQ(vm.getErrorAt(), -1);
    /* The budget: Sming's OUT_OF_BRANCHES. */
    CHECK_EQ(vm.selectFunction("spin"), true);
    vm.setBudget(1000);
    ctx.value = 2;
    CHECK_EQ(vm.execute(ctx), -1);
    CHECK_EQ(vm.getLastError(), BPF_OUT_OF_BRANCHES);
    CHECK_EQ(vm.getRbpfError(), RBPF_ERR_BUDGET);
    CHECK_EQ(vm.instructions(), 1000);
    CHECK_EQ(vm.selectFunction("nope"), false);
    CHECK_EQ(vm.getRbpfError(), RBPF_ERR_NO_FUNCTION);
    CHECK_EQ(vm.getLastError(), BPF_ILLEGAL_CALL);
    /* Not loaded. */
    vm.unload();
    CHECK_EQ(vm.execute(ctx), -1);
    CHECK_EQ(vm.getLastError(), BPF_NO_MEMORY);
}

void testErrorTable()
{
    /* Every rbpf error has a Sming number, and the ones Sming names map to
     * their own. */
    static const struct {
        int rbpf, sming;
    } table[] = {
        {RBPF_OK, 0},
        {RBPF_ERR_ARGUMENT, -100},
        {RBPF_ERR_BAD_MAGIC, -5},
        {RBPF_ERR_BAD_VERSION, -5},
        {RBPF_ERR_TRUNCATED, -5},
        {RBPF_ERR_BAD_LENGTH, -5},
        {RBPF_ERR_BAD_FUNCTION, -5},
        {RBPF_ERR_NO_FUNCTION, -4},
        {RBPF_ERR_EMPTY, -5},
        {RBPF_ERR_ILLEGAL_INSN, -1},
        {RBPF_ERR_RESERVED_FIELD, -1},
        {RBPF_ERR_ILLEGAL_REGISTER, -6},
        {RBPF_ERR_ILLEGAL_JUMP, -3},
        {RBPF_ERR_ILLEGAL_CALL, -4},
        {RBPF_ERR_INCOMPLETE_LDDW, -1},
        {RBPF_ERR_NO_EXIT, -7},
        {RBPF_ERR_MEMORY, -2},
        {RBPF_ERR_BUDGET, -8},
        {RBPF_ERR_CALL_DEPTH, -4},
        {RBPF_ERR_STACK_OVERFLOW, -2},
        {RBPF_ERR_HELPER, -4},
        {RBPF_ERR_STORE_FULL, -100},
        {RBPF_ERR_ALIGNMENT, -100},
        {RBPF_ERR_TOO_SMALL, -100},
        {RBPF_ERR_UNSUPPORTED, -100},
        {RBPF_ERR_BAD_RELOCATION, -5},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        CHECK_EQ(rBPF::smingError(table[i].rbpf), table[i].sming);
    }
    CHECK_EQ(strcmp(rBPF::getErrorString(-9), "ILLEGAL_DIV"), 0);
    CHECK_EQ(strcmp(rBPF::getErrorString(12345), "ERROR"), 0);
}

void testStores()
{
    rbpf_store_reset();
    uint32_t pool = rbpf_store_free_count();
    rBPF::VirtualMachine vm(rBPF::Container::stores);
    rBPF::Store::Entry entry = vm.globals[5];
    CHECK_EQ(bool(entry), false); /* nothing assigned through it yet */
    CHECK_EQ(uint32_t(entry), 0);
    CHECK_EQ(rbpf_store_free_count(), pool); /* reading a missing key takes nothing */
    CHECK_EQ(bool(entry = 100), true);
    CHECK_EQ(rBPF::VirtualMachine::globals.get(5), 100);

    test_context_t ctx{23, 0};
    for (uint32_t run = 1; run <= 3; run++) {
        int64_t r = vm.execute(ctx);
        CHECK_EQ(vm.getLastError(), 0);
        CHECK_EQ(r, (int64_t(run) << 32) | (100 + 23 * run));
        CHECK_EQ(vm.locals[1], run);
    }
    CHECK_EQ(vm.globals[5], 100 + 3 * 23);
    CHECK_EQ(bool(vm.globals[6] = vm.globals[5]), true); /* entry to entry copies the value */
    CHECK_EQ(vm.globals[6], 100 + 3 * 23);
    CHECK_EQ(rbpf_store_free_count(), pool - 3); /* global 5 and 6, local 1 */

    /* Fill the pool from the host: the update that finds it full fails and
     * changes nothing, on both sides. */
    uint32_t key = 1000;
    while (rbpf_store_free_count() > 0) {
        CHECK_EQ(bool(vm.globals[key++] = 1), true);
    }
    CHECK_EQ(bool(vm.globals[key] = 1), false);
    CHECK_EQ(vm.globals.update(key, 1), false);
    CHECK_EQ(bool(vm.locals[77] = 1), false);
    CHECK_EQ(vm.locals[77], 0);
    int64_t r = vm.execute(ctx); /* existing keys update fine */
    CHECK_EQ(r, (int64_t(4) << 32) | (100 + 23 * 4));
    rBPF::VirtualMachine other(rBPF::Container::stores);
    r = other.execute(ctx); /* its first local key finds the pool full */
    CHECK_EQ(static_cast<uint64_t>(r) >> 63, 1);
    CHECK_EQ(vm.getLastError(), 0);

    /* Unloading gives the VM's local entries back; an unloaded VM's local
     * store refuses. */
    uint32_t before = rbpf_store_free_count();
    vm.unload();
    CHECK_EQ(rbpf_store_free_count(), before + 1);
    CHECK_EQ(vm.locals.update(1, 5), false);
    uint32_t value = 7;
    CHECK_EQ(vm.locals.fetch(1, value), false);
    CHECK_EQ(value, 0);
    rbpf_store_reset();
}

void testApplicationCalls()
{
    rBPF::VirtualMachine vm(rBPF::Container::calls);
    std::string text;
    vm.setPrint(capturePrint, &text);
    uint64_t notGranted = 0;
    test_context_t ctx{reinterpret_cast<uintptr_t>(&notGranted), 0};
    memset(&seen, 0, sizeof(seen));
    int64_t r = vm.execute(ctx);
    CHECK_EQ(vm.getLastError(), 0);
    CHECK_EQ(r, 16 * 0x5a - 1000);
    CHECK_EQ(seen.refusedLoads, 1);
    CHECK_EQ(seen.none, 1);
    /* Full width: 64-bit values arrive whole, small types converted. */
    CHECK_EQ(seen.a, 0x123456789abcdef0ull);
    CHECK_EQ(seen.b, -2);
    CHECK_EQ(seen.c, -3);
    CHECK_EQ(seen.d, true);
    CHECK_EQ(seen.e, reinterpret_cast<uintptr_t>(&notGranted));
    CHECK_EQ(ctx.output, 0x123456789abcdef0ull ^ reinterpret_cast<uintptr_t>(&notGranted));
    CHECK_EQ(text == "calls: sum 1440, refused -1000\n", true);
    /* The calls are registered by id after the standard helpers. */
    size_t count;
    const rbpf_helper_t *table = rBPF::helperTable(count);
    CHECK_EQ(count, 7 + 4);
    CHECK_EQ(table[7].id, 0x100);
    CHECK_EQ(strcmp(table[10].name, "bpf_test_none"), 0);
}
} // namespace

int main()
{
    testEntryPointAndNames();
    testContainerViews();
    testFaults();
    testErrorTable();
    testStores();
    testApplicationCalls();
    printf("test_sming: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
