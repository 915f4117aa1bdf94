/*
 * rbpf/common/Store.h: rBPF::Store, a key-value store (u32 keys to u32
 * values) seen as a map, shared by the host's stores (<rbpf/Store.h> with
 * the host include path) and the container's (<rbpf/Store.h> in container
 * code, over the store helpers). Sming's interface:
 *
 *     vm.globals[1] = 1234;              // update(); the entry converts to
 *     if (!(vm.locals[2] = 5678)) ...    //   true when the update succeeded
 *     uint32_t total = vm.globals[1];    // get(): 0 for a key never stored
 *
 * Freestanding: nothing here needs more than <stdint.h>.
 */
#ifndef RBPF_COMMON_STORE_H
#define RBPF_COMMON_STORE_H

#include <stdint.h>

namespace rBPF
{
class Store
{
public:
    using Key = uint32_t;
    using Value = uint32_t;

    /* One key of a store, as operator[] returns it. Reading gives the
     * value, assigning updates the store; `bool(entry)` says whether the
     * last assignment through this entry succeeded (false before any). */
    class Entry
    {
    public:
        explicit operator bool() const
        {
            return valid;
        }

        Entry &operator=(Value value)
        {
            valid = store.update(key, value);
            return *this;
        }

        /* Copies the value of another entry (store[1] = store[2]). */
        Entry &operator=(const Entry &other)
        {
            return *this = Value(other);
        }

        operator Value() const
        {
            return store.get(key);
        }

        Entry(const Entry &other) : store(other.store), key(other.key), valid(other.valid)
        {
        }

    private:
        friend class Store;

        Entry(Store &entryStore, Key entryKey) : store(entryStore), key(entryKey), valid(false)
        {
        }

        Store &store;
        Key key;
        bool valid;
    };

    /* Writes key = value. False when the store could not take it (a new key
     * and the shared pool is full; then nothing changed). */
    virtual bool update(Key key, Value value) = 0;

    /* Reads key into value: 0 for a key never stored, which takes no
     * entry. False only when the store cannot be read at all. */
    virtual bool fetch(Key key, Value &value) = 0;

    /* The value of key (0 when absent or unreadable). */
    Value get(Key key)
    {
        Value value = 0;
        if (!fetch(key, value)) {
            value = 0;
        }
        return value;
    }

    Entry operator[](Key key)
    {
        return Entry(*this, key);
    }

protected:
    ~Store()
    {
    }
};

} // namespace rBPF

#endif /* RBPF_COMMON_STORE_H */
