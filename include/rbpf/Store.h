/*
 * rbpf/Store.h (host): the key-value stores of Sming's rBPF interface,
 * over librbpf's stores (rbpf_store_*). rBPF::VirtualMachine::globals is
 * the GlobalStore, shared by every container on the device;
 * vm.locals is the LocalStore of one VM, kept across its runs and emptied
 * when the VM is unloaded. Every entry comes from one pool of
 * BPF_STORE_NUM_VALUES (RBPF_STORE_NUM_VALUES) entries.
 *
 * Container code includes <rbpf/Store.h> too and gets the same classes over
 * the store helpers (include/container/rbpf/Store.h).
 */
/* rbpf.h's C++ part includes this file, then rbpf/VirtualMachine.h: both
 * are complete whichever the application includes first. */
#include "../rbpf.h"

#ifndef RBPF_STORE_HPP
#define RBPF_STORE_HPP

#include "common/Store.h"

namespace rBPF
{
class VirtualMachine;

/* The global store. Stateless: every GlobalStore object is the same store. */
class GlobalStore : public Store
{
public:
    bool update(Key key, Value value) override
    {
        return rbpf_store_update(rbpf_store_global(), key, value) == RBPF_OK;
    }

    bool fetch(Key key, Value &value) override
    {
        rbpf_store_fetch(rbpf_store_global(), key, &value);
        return true;
    }
};

/* The local store of one VM; refuses both calls while no container is
 * loaded (defined in rbpf/VirtualMachine.h). */
class LocalStore : public Store
{
public:
    explicit LocalStore(VirtualMachine &owner) : vm(owner)
    {
    }

    bool update(Key key, Value value) override;
    bool fetch(Key key, Value &value) override;

private:
    LocalStore(const LocalStore &);
    LocalStore &operator=(const LocalStore &);

    VirtualMachine &vm;
};

} // namespace rBPF

#endif /* RBPF_STORE_HPP */
