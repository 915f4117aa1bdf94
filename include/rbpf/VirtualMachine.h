/*
 * rbpf/VirtualMachine.h: Sming's rBPF interface in C++ (namespace rBPF), a
 * layer over the C API of rbpf.h. C++ code gets it from #include <rbpf.h>:
 *
 *     #include <rbpf.h>
 *     #include <container/increment.h>   // the context, shared with the container
 *
 *     rBPF::VirtualMachine vm(rBPF::Container::increment);
 *     increment_context_t ctx{41};
 *     auto res = vm.execute(ctx);         // r0, or -1 when the run failed
 *     if (vm.getLastError() == 0) ...     // Sming's error numbers (bpf.h)
 *     vm.globals[1] = 1234;               // the global store
 *     vm.locals[2] = 5678;                // this VM's local store
 *
 * A VirtualMachine owns the container's stack and its data+bss RAM, taken
 * from the heap (malloc) by load() and given back by unload(); the container blob
 * is read in place and must outlive the load. execute() runs the
 * container's first function (the first public one in source order). The
 * VM registers the standard helpers and the application's calls
 * (rbpf/AppCalls.h); bpf_printf output goes to stdout unless setPrint()
 * says otherwise. A VirtualMachine cannot be copied or moved. Not
 * thread-safe, like librbpf.
 *
 * Beyond Sming's interface (docs/sming.md): the precise rbpf error and the
 * instruction it happened at, functions by name, regions, hooks, budget.
 */
/* Included by rbpf.h's C++ part; complete whichever header comes first. */
#include "../rbpf.h"

#ifndef RBPF_VIRTUALMACHINE_H
#define RBPF_VIRTUALMACHINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "AppCalls.h"
#include "Store.h"

namespace rBPF
{
namespace detail
{
/* std::declval without <utility> (see AppCalls.h). */
template <class T> T &&declval();

/* Size of an object with size() (preferred) or length(), in elements. */
template <class T> auto elementCount(const T &object, int) -> decltype(size_t(object.size()))
{
    return object.size();
}
template <class T> auto elementCount(const T &object, long) -> decltype(size_t(object.length()))
{
    return object.length();
}

/* Sming's number for each rbpf error; a new rbpf error without one here
 * does not compile (the table is docs/sming.md's). */
enum SmingErrorOf {
    sming_OK = BPF_OK,
    sming_ARGUMENT = BPF_NO_MEMORY,
    sming_BAD_MAGIC = BPF_ILLEGAL_LEN,
    sming_BAD_VERSION = BPF_ILLEGAL_LEN,
    sming_TRUNCATED = BPF_ILLEGAL_LEN,
    sming_BAD_LENGTH = BPF_ILLEGAL_LEN,
    sming_BAD_FUNCTION = BPF_ILLEGAL_LEN,
    sming_NO_FUNCTION = BPF_ILLEGAL_CALL,
    sming_EMPTY = BPF_ILLEGAL_LEN,
    sming_ILLEGAL_INSN = BPF_ILLEGAL_INSTRUCTION,
    sming_RESERVED_FIELD = BPF_ILLEGAL_INSTRUCTION,
    sming_ILLEGAL_REGISTER = BPF_ILLEGAL_REGISTER,
    sming_ILLEGAL_JUMP = BPF_ILLEGAL_JUMP,
    sming_ILLEGAL_CALL = BPF_ILLEGAL_CALL,
    sming_INCOMPLETE_LDDW = BPF_ILLEGAL_INSTRUCTION,
    sming_NO_EXIT = BPF_NO_RETURN,
    sming_MEMORY = BPF_ILLEGAL_MEM,
    sming_BUDGET = BPF_OUT_OF_BRANCHES,
    sming_CALL_DEPTH = BPF_ILLEGAL_CALL,
    sming_STACK_OVERFLOW = BPF_ILLEGAL_MEM,
    sming_HELPER = BPF_ILLEGAL_CALL,
    sming_STORE_FULL = BPF_NO_MEMORY,
    sming_ALIGNMENT = BPF_NO_MEMORY,
    sming_TOO_SMALL = BPF_NO_MEMORY,
    sming_UNSUPPORTED = BPF_NO_MEMORY,
    sming_BAD_RELOCATION = BPF_ILLEGAL_LEN,
};

/* bpf_printf output when the host sets no hook: Sming prints it to the
 * serial port, a hosted program to stdout. */
inline void printToStdout(void *user, const char *text, size_t length)
{
    (void)user;
    fwrite(text, 1, length, stdout);
}
} // namespace detail

/* Sming's error number (bpf_error_t, bpf.h) for an rbpf_error_t. */
inline int smingError(int rbpfError)
{
    switch (rbpfError) {
#define RBPF_SMING_ERROR_CASE_(name, value, text)                                                 \
    case RBPF_ERR_##name:                                                                         \
        return detail::sming_##name;
        RBPF_ERRORS(RBPF_SMING_ERROR_CASE_)
#undef RBPF_SMING_ERROR_CASE_
    default:
        return BPF_ILLEGAL_INSTRUCTION;
    }
}

/* The name of a Sming error number ("ILLEGAL_MEM"), as Sming's
 * getErrorString() gives it; "ERROR" for any other number. */
inline const char *getErrorString(int error)
{
    switch (error) {
    case BPF_OK:
        return "OK";
    case BPF_ILLEGAL_INSTRUCTION:
        return "ILLEGAL_INSTRUCTION";
    case BPF_ILLEGAL_MEM:
        return "ILLEGAL_MEM";
    case BPF_ILLEGAL_JUMP:
        return "ILLEGAL_JUMP";
    case BPF_ILLEGAL_CALL:
        return "ILLEGAL_CALL";
    case BPF_ILLEGAL_LEN:
        return "ILLEGAL_LEN";
    case BPF_ILLEGAL_REGISTER:
        return "ILLEGAL_REGISTER";
    case BPF_NO_RETURN:
        return "NO_RETURN";
    case BPF_OUT_OF_BRANCHES:
        return "OUT_OF_BRANCHES";
    case BPF_ILLEGAL_DIV:
        return "ILLEGAL_DIV";
    case BPF_NO_MEMORY:
        return "NO_MEMORY";
    default:
        return "ERROR";
    }
}

/* A container blob: its bytes and their number, not owned. Made from a
 * pointer and a size, or from any object with data() and size() or
 * length() (an FSTR::Array<uint8_t> in a Sming build, std::vector,
 * std::string, the generated rBPF::Container::NAME). */
class Blob
{
public:
    constexpr Blob() : bytes(nullptr), count(0)
    {
    }

    constexpr Blob(const uint8_t *data, size_t size) : bytes(data), count(size)
    {
    }

    Blob(const void *data, size_t size) : bytes(static_cast<const uint8_t *>(data)), count(size)
    {
    }

    template <class T, class Data = decltype(detail::declval<const T &>().data()),
              class Count = decltype(detail::elementCount(detail::declval<const T &>(), 0))>
    Blob(const T &object)
        : bytes(reinterpret_cast<const uint8_t *>(object.data())),
          count(detail::elementCount(object, 0) * sizeof(*object.data()))
    {
    }

    constexpr const uint8_t *data() const
    {
        return bytes;
    }

    constexpr size_t size() const
    {
        return count;
    }

    constexpr size_t length() const
    {
        return count;
    }

private:
    const uint8_t *bytes;
    size_t count;
};

namespace detail
{
/* VirtualMachine::globals, defined in this header (a static member of a
 * class template may be). */
template <class Unused> struct StaticStores {
    static GlobalStore globals;
};
template <class Unused> GlobalStore StaticStores<Unused>::globals;
} // namespace detail

class VirtualMachine : public detail::StaticStores<void>
{
public:
    using Container = Blob;
    static constexpr size_t defaultStackSize = 512;

    /* A VM with nothing loaded. */
    VirtualMachine() : locals(*this)
    {
        init();
    }

    /* A VM with `container` loaded (see load(); getLastError() says whether
     * that worked). */
    VirtualMachine(const Container &container, size_t stackSize = defaultStackSize)
        : locals(*this)
    {
        init();
        load(container, stackSize);
    }

    ~VirtualMachine()
    {
        unload();
    }

    /* Loads and verifies a container (read in place; it must outlive the
     * load) with a stack of stackSize bytes (rounded up to 8), replacing
     * what was loaded. Selects the first function. False on failure; then
     * getLastError() says why. */
    bool load(const Container &container, size_t stackSize = defaultStackSize)
    {
        unload();
        int rc = allocateStack(stackSize);
        if (rc == RBPF_OK) {
            rc = rbpf_load(&program_, container.data(), container.size(), &config_);
        }
        if (rc == RBPF_OK) {
            rc = allocateRam();
        }
        if (rc == RBPF_OK) {
            rc = rbpf_vm_init(&vm_, &program_, &config_, ram_, ramSize_);
        }
        if (rc != RBPF_OK) {
            release();
            setError(rc, program_.error_at);
            return false;
        }
        loaded_ = true;
        function_ = 0;
        setError(RBPF_OK, -1);
        return true;
    }

    /* Runs the loaded program on another engine (RBPF_ENGINE_THREADED,
     * RBPF_ENGINE_JIT; rbpf_prepare_size() says how big a buffer) from now
     * on, prepared into `buffer`: RAM that outlives the load, executable for
     * the JIT (docs/jit.md). RBPF_ENGINE_INTERP goes back to the in-place
     * interpreter. False on failure, with the reason in getLastError()
     * (RBPF_ERR_UNSUPPORTED where the engine is not built). */
    bool prepare(int engine, void *buffer, size_t size)
    {
        int rc = loaded_ ? rbpf_prepare(&program_, engine, buffer, size) : RBPF_ERR_ARGUMENT;
        setError(rc, -1);
        return rc == RBPF_OK;
    }

    /* Frees the stack and RAM; this VM's local store entries go back to
     * the pool. */
    void unload()
    {
        rbpf_vm_deinit(&vm_);
        vm_.local_store.head = RBPF_STORE_NONE;
        program_.error_at = -1;
        release();
        loaded_ = false;
        function_ = 0;
        setError(RBPF_OK, -1);
    }

    /* Runs the selected function (the first, unless selectFunction() chose
     * another) with the context (read-write for the run) and returns r0,
     * or -1 when the run failed (getLastError() says why). */
    template <class Context> int64_t execute(Context &ctx)
    {
        return execute(&ctx, sizeof(ctx));
    }

    int64_t execute(void *ctx, size_t ctxLength)
    {
        if (!loaded_) {
            setError(RBPF_ERR_ARGUMENT, -1);
            return -1;
        }
        uint64_t r0 = 0;
        int rc = rbpf_vm_run(&vm_, function_, ctx, ctxLength, &r0);
        setError(rc, vm_.error_at);
        return rc == RBPF_OK ? static_cast<int64_t>(r0) : -1;
    }

    int64_t execute()
    {
        return execute(nullptr, 0);
    }

    /* The last load, execute or selectFunction in Sming's numbering
     * (bpf_error_t: 0, BPF_ILLEGAL_MEM, ...; rBPF::getErrorString()). */
    int getLastError() const
    {
        return smingError(rbpfError_);
    }

    /* The same as a precise rbpf_error_t (rbpf_strerror() names it). */
    int getRbpfError() const
    {
        return rbpfError_;
    }

    /* Where: after a failed execute the instruction index, after a failed
     * load the instruction index or blob offset; -1 when not known. */
    int32_t getErrorAt() const
    {
        return errorAt_;
    }

    bool isLoaded() const
    {
        return loaded_;
    }

    /* Selects the function execute() runs by name; false when the
     * container has none (the selection is kept). */
    bool selectFunction(const char *name)
    {
        int index = loaded_ ? rbpf_function_find(&program_, name) : RBPF_ERR_ARGUMENT;
        if (index < 0) {
            setError(index, -1);
            return false;
        }
        function_ = static_cast<uint32_t>(index);
        setError(RBPF_OK, -1);
        return true;
    }

    size_t functionCount() const
    {
        return loaded_ ? (program_.function_count > 0 ? program_.function_count : 1) : 0;
    }

    /* Name of function `index`, nullptr when out of range. */
    const char *functionName(size_t index) const
    {
        const char *name = nullptr;
        uint32_t i = static_cast<uint32_t>(index);
        if (!loaded_ || i != index || rbpf_function_info(&program_, i, &name, nullptr) != RBPF_OK) {
            return nullptr;
        }
        return name;
    }

    /* Bytes of buffer useEngine(engine, ...) needs for the loaded container
     * (0 for the in-place interpreter, or when nothing is loaded). */
    size_t preparedSize(int engine) const
    {
        size_t size = 0;
        return loaded_ && rbpf_prepare_size(&program_, engine, &size) == RBPF_OK ? size : 0;
    }

    /* Runs the loaded container on `engine` from now on: RBPF_ENGINE_THREADED
     * translates it once into `buffer` (the host's RAM, 8-aligned, at least
     * preparedSize(engine) bytes, kept until the next load or unload);
     * RBPF_ENGINE_INTERP goes back to the in-place interpreter. False on
     * failure (getLastError(): not compiled in, buffer too small or not
     * aligned); the container then keeps its engine. */
    bool useEngine(int engine, void *buffer = nullptr, size_t size = 0)
    {
        rbpf_program_t prepared = program_;
        int rc = loaded_ ? rbpf_prepare(&prepared, engine, buffer, size) : RBPF_ERR_ARGUMENT;
        if (rc == RBPF_OK) {
            program_ = prepared;
        }
        setError(rc, -1);
        return rc == RBPF_OK;
    }

    /* Where bpf_printf output goes (nullptr: dropped); `user` is passed
     * back. The default writes it to stdout. */
    void setPrint(void (*print)(void *user, const char *text, size_t length), void *user = nullptr)
    {
        config_.print = print;
        config_.user = user;
    }

    /* Hooks for bpf_printf and bpf_now_ms (nullptr: dropped, clock reads 0). */
    void setHooks(void (*print)(void *user, const char *text, size_t length),
                  uint64_t (*nowMs)(void *user), void *user)
    {
        config_.print = print;
        config_.now_ms = nowMs;
        config_.user = user;
    }

    /* The helpers the next load() registers (the table should start with
     * RBPF_STANDARD_HELPERS and must outlive the VM); the default is
     * rBPF::helperTable(). */
    void setHelpers(const rbpf_helper_t *helpers, size_t count)
    {
        config_.helpers = helpers;
        config_.helper_count = static_cast<uint32_t>(count);
    }

    /* Instructions one execute() may run (0: RBPF_DEFAULT_BUDGET). */
    void setBudget(uint32_t budget)
    {
        config_.budget = budget;
    }

    /* Grants the loaded container a host buffer beyond its own memory
     * (RBPF_READ, RBPF_WRITE); the region must outlive the load. */
    bool addRegion(rbpf_region_t &region, const void *start, size_t length, uint32_t flags)
    {
        int rc = loaded_ ? rbpf_region_add(&vm_, &region, start, length, flags) : RBPF_ERR_ARGUMENT;
        setError(rc, -1);
        return rc == RBPF_OK;
    }

    /* eBPF instructions the last execute() ran. */
    uint64_t instructions() const
    {
        return vm_.instructions;
    }

    /* The underlying C objects, for what this class does not cover. */
    rbpf_vm_t &vm()
    {
        return vm_;
    }
    const rbpf_program_t &program() const
    {
        return program_;
    }

    LocalStore locals;

private:
    VirtualMachine(const VirtualMachine &);
    VirtualMachine &operator=(const VirtualMachine &);

    void init()
    {
        memset(&config_, 0, sizeof(config_));
        memset(&program_, 0, sizeof(program_));
        memset(&vm_, 0, sizeof(vm_));
        vm_.local_store.head = RBPF_STORE_NONE;
        size_t count;
        const rbpf_helper_t *table = helperTable(count);
        setHelpers(table, count);
        setPrint(detail::printToStdout);
        stack_ = nullptr;
        ram_ = nullptr;
        ramSize_ = 0;
        loaded_ = false;
        function_ = 0;
        rbpfError_ = RBPF_OK;
        errorAt_ = -1;
    }

    int allocateStack(size_t stackSize)
    {
        size_t words = stackSize / 8 + (stackSize % 8 != 0);
        if (words == 0 || words > UINT32_MAX / 8) {
            return RBPF_ERR_ARGUMENT;
        }
        stack_ = static_cast<uint64_t *>(malloc(words * 8));
        if (stack_ == nullptr) {
            return RBPF_ERR_TOO_SMALL;
        }
        config_.stack = stack_;
        config_.stack_size = static_cast<uint32_t>(words * 8);
        return RBPF_OK;
    }

    /* The container's data and bss, 8-aligned. */
    int allocateRam()
    {
        ramSize_ = static_cast<size_t>(program_.data_len) + program_.bss_len;
        if (ramSize_ > 0) {
            ram_ = static_cast<uint64_t *>(malloc((ramSize_ / 8 + (ramSize_ % 8 != 0)) * 8));
            if (ram_ == nullptr) {
                return RBPF_ERR_TOO_SMALL;
            }
        }
        return RBPF_OK;
    }

    void release()
    {
        free(stack_);
        free(ram_);
        stack_ = nullptr;
        ram_ = nullptr;
        ramSize_ = 0;
        config_.stack = nullptr;
        config_.stack_size = 0;
    }

    void setError(int rc, int32_t at)
    {
        rbpfError_ = rc;
        errorAt_ = rc == RBPF_OK ? -1 : at;
    }

    friend class LocalStore;

    rbpf_config_t config_;
    rbpf_program_t program_;
    rbpf_vm_t vm_;
    uint64_t *stack_;
    uint64_t *ram_;
    size_t ramSize_;
    bool loaded_;
    uint32_t function_;
    int rbpfError_;
    int32_t errorAt_;
};

inline bool LocalStore::update(Key key, Value value)
{
    return vm.loaded_ && rbpf_store_update(&vm.vm_.local_store, key, value) == RBPF_OK;
}

inline bool LocalStore::fetch(Key key, Value &value)
{
    value = 0;
    if (!vm.loaded_) {
        return false;
    }
    rbpf_store_fetch(&vm.vm_.local_store, key, &value);
    return true;
}

} // namespace rBPF

/* The containers the make fragment (or `rbpf embed`) generated, as
 * rBPF::Container::NAME, when they are on the include path. */
#if defined(__has_include)
#if __has_include(<rbpf/containers.h>)
#include <rbpf/containers.h>
#endif
#endif

#endif /* RBPF_VIRTUALMACHINE_H */
