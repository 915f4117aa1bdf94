/*
 * rbpf/Store.h (container): rBPF::GlobalStore and rBPF::LocalStore for C++
 * containers, over the store helpers; the same rBPF::Store interface as the
 * host's (rbpf/common/Store.h):
 *
 *     #include <rbpf/Store.h>
 *
 *     RBPF_EXPORT int64_t count()
 *     {
 *         rBPF::GlobalStore globals;
 *         globals[1] = globals[1] + 1;     // bpf_fetch_global, bpf_store_global
 *         return globals[1];
 *     }
 */
#ifndef RBPF_CONTAINER_STORE_H
#define RBPF_CONTAINER_STORE_H

#include <rbpf/container.h>

#include "../../rbpf/common/Store.h"

namespace rBPF
{
/* A store over its pair of helpers: the local ones when `local`. */
template <bool local> class HelperStore : public Store
{
public:
    bool update(Key key, Value value) override
    {
        return (local ? bpf_store_local(key, value) : bpf_store_global(key, value)) == 0;
    }

    bool fetch(Key key, Value &value) override
    {
        return (local ? bpf_fetch_local(key, &value) : bpf_fetch_global(key, &value)) == 0;
    }
};

class GlobalStore : public HelperStore<false>
{
};

class LocalStore : public HelperStore<true>
{
};

} // namespace rBPF

#endif /* RBPF_CONTAINER_STORE_H */
