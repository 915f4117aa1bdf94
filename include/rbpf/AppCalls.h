/*
 * rbpf/AppCalls.h: the host side of the application's calls. Each call of
 * BPF_SYSCALL_APP (rbpf/common/appcalls.h) is declared here as
 *
 *     namespace rBPF { namespace VM { RET name(bpf_t *bpf, PARAMS...); } }
 *
 * which the application defines (a missing one is a link error), and is
 * registered under its id by rBPF::helperTable(), after the standard
 * helpers, through a generated adapter: the call's arguments r1..r5 reach
 * the typed parameters at full width (integers converted from the 64-bit
 * register, pointers as the address it holds), and the result goes back
 * to r0 (0 for void; signed results sign-extended). Parameters and results
 * must be integers, enums, bool or pointers, at most five parameters; ids
 * must be 0x100 or above and unique, which the compiler checks (a struct
 * or floating-point type does not compile).
 */
/* Included by rbpf.h's C++ part; complete whichever header comes first. */
#include "../bpf.h"

#ifndef RBPF_APPCALLS_H
#define RBPF_APPCALLS_H

#include <stddef.h>
#include <stdint.h>

#include "common/appcalls.h"

namespace rBPF
{
namespace VM
{
#define RBPF_APPCALL_DECLARE_(id, name, ret, ...) ret name(bpf_t *bpf, ##__VA_ARGS__);
BPF_SYSCALL_APP(RBPF_APPCALL_DECLARE_)
#undef RBPF_APPCALL_DECLARE_
} // namespace VM

namespace detail
{
/* No <type_traits>: toolchains without a C++ library (arm-none-eabi's
 * freestanding C++) build this header too. */
template <class T> struct IsPointer {
    static const bool value = false;
};
template <class T> struct IsPointer<T *> {
    static const bool value = true;
};
template <class T> struct IsPointer<T *const> {
    static const bool value = true;
};
template <class T> struct IsFloating {
    static const bool value = false;
};
template <> struct IsFloating<float> {
    static const bool value = true;
};
template <> struct IsFloating<double> {
    static const bool value = true;
};
template <> struct IsFloating<long double> {
    static const bool value = true;
};

/* A register as a parameter of type T: integers and enums converted
 * (structs do not convert), pointers the address the register holds. */
template <class T, bool pointer = IsPointer<T>::value> struct FromRegister {
    static_assert(!IsFloating<T>::value,
                  "an application call's parameters must be integers, enums, bool or pointers");
    static T get(uint64_t value)
    {
        return static_cast<T>(value);
    }
};
template <class T> struct FromRegister<T, true> {
    static T get(uint64_t value)
    {
        return reinterpret_cast<T>(static_cast<uintptr_t>(value));
    }
};
template <> struct FromRegister<bool, false> {
    static bool get(uint64_t value)
    {
        return value != 0;
    }
};

/* A result of type T as r0. */
template <class T, bool pointer = IsPointer<T>::value> struct ToRegister {
    static_assert(!IsFloating<T>::value,
                  "an application call's result must be void, an integer, an enum, bool or a pointer");
    static uint64_t get(T value)
    {
        return static_cast<uint64_t>(static_cast<int64_t>(value));
    }
};
template <class T> struct ToRegister<T, true> {
    static uint64_t get(T value)
    {
        return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(value));
    }
};

template <size_t...> struct Indices {
};
template <size_t N, size_t... I> struct MakeIndices : MakeIndices<N - 1, N - 1, I...> {
};
template <size_t... I> struct MakeIndices<0, I...> {
    typedef Indices<I...> type;
};

template <class R> struct Invoke {
    template <class F, class... A> static uint64_t run(F f, bpf_t *bpf, A... args)
    {
        return ToRegister<R>::get(f(bpf, args...));
    }
};
template <> struct Invoke<void> {
    template <class F, class... A> static uint64_t run(F f, bpf_t *bpf, A... args)
    {
        f(bpf, args...);
        return 0;
    }
};

/* The librbpf helper that calls `fn` with the call's registers. */
template <class F, F fn> struct AppCall;
template <class R, class... A, R (*fn)(bpf_t *, A...)> struct AppCall<R (*)(bpf_t *, A...), fn> {
    static_assert(sizeof...(A) <= 5, "an application call takes at most five parameters");

    static int helper(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
    {
        *result = call(vm, args, typename MakeIndices<sizeof...(A)>::type());
        return RBPF_OK;
    }

private:
    template <size_t... I> static uint64_t call(bpf_t *bpf, const uint64_t *args, Indices<I...>)
    {
        (void)args;
        return Invoke<R>::run(fn, bpf, FromRegister<A>::get(args[I])...);
    }
};

/* Compile-time checks: ids from RBPF_HELPER_APP_FIRST, and unique (a
 * repeated id is a duplicate case value). */
#define RBPF_APPCALL_CHECK_ID_(id, name, ...)                                                     \
    static_assert((id) >= RBPF_HELPER_APP_FIRST && (id) <= 0xffffffffu,                           \
                  "application call " #name ": ids start at 0x100 (RBPF_HELPER_APP_FIRST)");
BPF_SYSCALL_APP(RBPF_APPCALL_CHECK_ID_)
#undef RBPF_APPCALL_CHECK_ID_

inline void appCallIdsAreUnique(uint32_t id)
{
    switch (id) {
#define RBPF_APPCALL_CASE_(id, name, ...) case (id):
        BPF_SYSCALL_APP(RBPF_APPCALL_CASE_)
#undef RBPF_APPCALL_CASE_
    default:
        break;
    }
}
} // namespace detail

/* The helpers a VirtualMachine registers by default: the standard helpers
 * (RBPF_STANDARD_HELPERS), then the application's calls by id. */
inline const rbpf_helper_t *helperTable(size_t &count)
{
#define RBPF_APPCALL_ENTRY_(id, name, ...)                                                        \
    {(id), #name,                                                                                 \
     &detail::AppCall<decltype(&VM::name), &VM::name>::helper},
    static const rbpf_helper_t table[] = {RBPF_STANDARD_HELPERS,
                                          BPF_SYSCALL_APP(RBPF_APPCALL_ENTRY_)};
#undef RBPF_APPCALL_ENTRY_
    count = sizeof(table) / sizeof(table[0]);
    return table;
}

} // namespace rBPF

#endif /* RBPF_APPCALLS_H */
