/*
 * rbpf.hpp: rbpf's own C++11 conventions (namespace rbpf) over Sming's
 * rBPF interface (rbpf/VirtualMachine.h, from <rbpf.h>), which does the
 * work: one object per virtual machine, the stores as maps, errors as
 * rbpf_error_t codes (no exceptions, no RTTI).
 *
 *     rbpf::VirtualMachine vm;                   // the standard helpers
 *     if (!vm.load(blob, blobSize)) {            // or vm.load(embeddedEntry)
 *         printf("%s\n", vm.getErrorString());
 *     }
 *     struct { uint64_t value; } ctx = {41};
 *     uint64_t r0 = vm.execute(ctx);             // 42 from increment.c
 *     vm.locals[2] = 5;                          // the container's local store
 *     uint32_t hits = vm.globals[1];             // the global store
 *
 * The object owns the container's stack and its data+bss RAM, taken from
 * the heap (malloc) by load() and given back by unload(); the blob itself is read in
 * place and must outlive the load. A VirtualMachine cannot be copied or
 * moved (librbpf keeps pointers into it). Like librbpf, it is not
 * thread-safe.
 */
#ifndef RBPF_HPP
#define RBPF_HPP

#include <stddef.h>
#include <stdint.h>

#include "rbpf.h"

namespace rbpf
{
/* The text of an rbpf error code (rbpf_strerror). */
inline const char *errorString(int error)
{
    return rbpf_strerror(error);
}

/* The standard helpers (bpf_printf, bpf_memcpy, the stores, bpf_now_ms). */
inline const rbpf_helper_t *standardHelpers(size_t &count)
{
    static const rbpf_helper_t table[] = {RBPF_STANDARD_HELPERS};
    count = sizeof(table) / sizeof(table[0]);
    return table;
}

class StoreMap;

/* One key of a store, as returned by StoreMap::operator[]: reads as the
 * value (0 when absent), assigning writes it. */
class StoreValue
{
public:
    StoreValue(StoreMap &map, uint32_t key) : map_(map), key_(key)
    {
    }
    StoreValue(const StoreValue &other) : map_(other.map_), key_(other.key_)
    {
    }

    operator uint32_t() const;
    StoreValue &operator=(uint32_t value);
    StoreValue &operator=(const StoreValue &other)
    {
        return *this = static_cast<uint32_t>(other);
    }
    StoreValue &operator+=(uint32_t n)
    {
        return *this = static_cast<uint32_t>(*this) + n;
    }
    StoreValue &operator-=(uint32_t n)
    {
        return *this = static_cast<uint32_t>(*this) - n;
    }
    bool exists() const;

private:
    StoreMap &map_;
    uint32_t key_;
};

/* A key-value store (u32 to u32) seen as a map. Writing a new key into a
 * full pool changes nothing: set() returns RBPF_ERR_STORE_FULL, and an
 * assignment through operator[] records it in lastError(). */
class StoreMap
{
public:
    explicit StoreMap(rbpf_store_t *store) : store_(store), lastError_(RBPF_OK)
    {
    }

    StoreValue operator[](uint32_t key)
    {
        return StoreValue(*this, key);
    }

    /* The value of key, 0 when absent. */
    uint32_t get(uint32_t key) const
    {
        uint32_t value;
        rbpf_store_fetch(store_, key, &value);
        return value;
    }

    bool contains(uint32_t key) const
    {
        return rbpf_store_fetch(store_, key, NULL) == 1;
    }

    /* 0, or RBPF_ERR_STORE_FULL (also kept in lastError()). */
    int set(uint32_t key, uint32_t value)
    {
        lastError_ = rbpf_store_update(store_, key, value);
        return lastError_;
    }

    /* Removes every entry. */
    void clear()
    {
        rbpf_store_clear(store_);
    }

    /* Calls f(key, value) for each entry in key order. */
    template <typename F> void forEach(F f) const
    {
        rbpf_store_foreach(store_, &visit<F>, &f);
    }

    size_t size() const
    {
        size_t n = 0;
        forEach(Counter(n));
        return n;
    }

    int lastError() const
    {
        return lastError_;
    }

    rbpf_store_t *store() const
    {
        return store_;
    }

private:
    struct Counter {
        explicit Counter(size_t &n) : n_(n)
        {
        }
        void operator()(uint32_t, uint32_t)
        {
            n_++;
        }
        size_t &n_;
    };

    template <typename F> static int visit(uint32_t key, uint32_t value, void *arg)
    {
        (*static_cast<F *>(arg))(key, value);
        return 0;
    }

    rbpf_store_t *store_;
    int lastError_;
};

inline StoreValue::operator uint32_t() const
{
    return map_.get(key_);
}

inline StoreValue &StoreValue::operator=(uint32_t value)
{
    map_.set(key_, value);
    return *this;
}

inline bool StoreValue::exists() const
{
    return map_.contains(key_);
}

/* The rbpf-style VM: rBPF::VirtualMachine (rbpf/VirtualMachine.h, which
 * implements everything) with rbpf's conventions: getLastError() is the
 * rbpf_error_t, execute() returns 0 on an error, no print hook by default,
 * the stores as StoreMap. */
class VirtualMachine
{
public:
    /* A VM with the standard helpers, or with the host's own table (which
     * should start with RBPF_STANDARD_HELPERS); the table must outlive it. */
    VirtualMachine() : locals(&vm_.vm().local_store), globals(rbpf_store_global())
    {
        size_t count;
        const rbpf_helper_t *table = standardHelpers(count);
        init(table, count);
    }

    VirtualMachine(const rbpf_helper_t *helpers, size_t helperCount)
        : locals(&vm_.vm().local_store), globals(rbpf_store_global())
    {
        init(helpers, helperCount);
    }

    /* Hooks for bpf_printf and bpf_now_ms (NULL: dropped, clock reads 0). */
    void setHooks(void (*print)(void *user, const char *text, size_t length),
                  uint64_t (*nowMs)(void *user), void *user)
    {
        vm_.setHooks(print, nowMs, user);
    }

    /* Instructions one execute() may run (0: RBPF_DEFAULT_BUDGET). */
    void setBudget(uint32_t budget)
    {
        vm_.setBudget(budget);
    }

    /* Loads and verifies a container blob (read in place), with a stack of
     * stackSize bytes (rounded up to 8). Selects its first function. On
     * failure returns false; getLastError() says why. */
    bool load(const void *blob, size_t size, size_t stackSize = 512)
    {
        return vm_.load(rBPF::Blob(blob, size), stackSize);
    }

    /* Loads an entry of the table `rbpf embed` generates (any struct with
     * `data` and `size` members). */
    template <typename Entry>
    auto load(const Entry &entry, size_t stackSize = 512) -> decltype(entry.size, bool())
    {
        return load(entry.data, entry.size, stackSize);
    }

    /* Runs the loaded program on another engine, prepared into `buffer`
     * (see rBPF::VirtualMachine::prepare and docs/jit.md). */
    bool prepare(int engine, void *buffer, size_t size)
    {
        return vm_.prepare(engine, buffer, size);
    }

    /* Frees the stack and RAM and returns the local store's entries. */
    void unload()
    {
        vm_.unload();
    }

    bool isLoaded() const
    {
        return vm_.isLoaded();
    }

    /* Selects the function execute() runs, by name; false when the
     * container has none of that name (the selection is kept). */
    bool selectFunction(const char *name)
    {
        return vm_.selectFunction(name);
    }

    size_t functionCount() const
    {
        return vm_.functionCount();
    }

    /* Name of function `index`, NULL when out of range. */
    const char *functionName(size_t index) const
    {
        return vm_.functionName(index);
    }

    /* Opt-in to a faster engine: RBPF_ENGINE_THREADED translates the loaded
     * container once into `buffer` (the host's RAM, 8-aligned, at least
     * preparedSize(engine) bytes, kept until the next load or unload);
     * RBPF_ENGINE_INTERP goes back to the in-place interpreter. False on
     * failure, with getLastError(). */
    bool useEngine(int engine, void *buffer = NULL, size_t size = 0)
    {
        return vm_.useEngine(engine, buffer, size);
    }

    size_t preparedSize(int engine) const
    {
        return vm_.preparedSize(engine);
    }

    /* Runs the selected function with the context buffer (read-write for the
     * run) and returns r0; on an error returns 0 and getLastError() says
     * which, getErrorAt() where. */
    uint64_t execute(void *context, size_t length)
    {
        int64_t r0 = vm_.execute(context, length);
        return vm_.getRbpfError() == RBPF_OK ? static_cast<uint64_t>(r0) : 0;
    }

    /* Runs with a struct as the context. */
    template <typename Context> uint64_t execute(Context &context)
    {
        return execute(&context, sizeof(Context));
    }

    /* Runs without a context. */
    uint64_t execute()
    {
        return execute(NULL, 0);
    }

    /* The result of the last load, selectFunction or execute: 0 or a
     * negative rbpf_error_t. */
    int getLastError() const
    {
        return vm_.getRbpfError();
    }

    const char *getErrorString() const
    {
        return rbpf_strerror(vm_.getRbpfError());
    }

    /* After a failed execute: the instruction index; after a failed load:
     * the instruction index or blob offset; -1 when not known. */
    int32_t getErrorAt() const
    {
        return vm_.getErrorAt();
    }

    /* eBPF instructions the last execute() ran. */
    uint64_t instructions() const
    {
        return vm_.instructions();
    }

    /* Grants the container a host buffer beyond its own memory (for
     * application helpers); the region must outlive the load. */
    bool addRegion(rbpf_region_t &region, const void *start, size_t length, uint32_t flags)
    {
        return vm_.addRegion(region, start, length, flags);
    }

    /* The underlying C objects, for calls this wrapper does not cover. */
    rbpf_vm_t &vm()
    {
        return vm_.vm();
    }
    const rbpf_program_t &program() const
    {
        return vm_.program();
    }

private:
    rBPF::VirtualMachine vm_;

public:
    StoreMap locals;  /* this VM's local store; emptied by unload() */
    StoreMap globals; /* the global store, shared by every VM */

private:
    VirtualMachine(const VirtualMachine &);
    VirtualMachine &operator=(const VirtualMachine &);

    void init(const rbpf_helper_t *helpers, size_t helperCount)
    {
        vm_.setHelpers(helpers, helperCount);
        vm_.setHooks(NULL, NULL, NULL);
    }
};

} // namespace rbpf

#endif /* RBPF_HPP */
