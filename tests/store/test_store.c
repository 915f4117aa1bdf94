/*
 * test_store.c: the key-value stores (src/store.c): the shared pool, its
 * exhaustion, the global store shared by VMs, isolated local stores,
 * entries coming back when a VM is torn down, key order, clearing, and a
 * long random run checked against a plain array model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rbpf.h"

/* mov r0, 0; exit */
static const uint8_t return_zero[16] = {0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};

static uint64_t stack[64];
static const rbpf_helper_t helpers[] = {RBPF_STANDARD_HELPERS};
static const rbpf_config_t config = {stack, sizeof(stack), 0, 0, helpers,
                                     sizeof(helpers) / sizeof(helpers[0]), NULL, NULL, NULL};
static rbpf_program_t program;

static uint32_t pool_size;

/* A VM set up the way a host does it, so its local store starts empty. */
static void vm_setup(rbpf_vm_t *vm)
{
    assert_int_equal(rbpf_vm_init(vm, &program, &config, NULL, 0), RBPF_OK);
}

static int setup(void **state)
{
    (void)state;
    rbpf_store_reset();
    pool_size = rbpf_store_free_count();
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    return rbpf_load_raw(&program, return_zero, sizeof(return_zero), &config);
}

static void test_pool_size_is_the_knob(void **state)
{
    (void)state;
    assert_int_equal(pool_size, RBPF_STORE_NUM_VALUES);
    assert_true(pool_size >= 4);
}

static void test_update_fetch_overwrite(void **state)
{
    rbpf_store_t *g = rbpf_store_global();
    uint32_t v = 99;
    (void)state;
    assert_int_equal(rbpf_store_fetch(g, 7, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(rbpf_store_free_count(), pool_size); /* a miss takes nothing */
    assert_int_equal(rbpf_store_update(g, 7, 70), RBPF_OK);
    assert_int_equal(rbpf_store_free_count(), pool_size - 1);
    assert_int_equal(rbpf_store_fetch(g, 7, &v), 1);
    assert_int_equal(v, 70);
    assert_int_equal(rbpf_store_update(g, 7, 71), RBPF_OK);
    assert_int_equal(rbpf_store_free_count(), pool_size - 1); /* same key, same entry */
    assert_int_equal(rbpf_store_fetch(g, 7, &v), 1);
    assert_int_equal(v, 71);
    /* Extreme keys and values. */
    assert_int_equal(rbpf_store_update(g, 0, UINT32_MAX), RBPF_OK);
    assert_int_equal(rbpf_store_update(g, UINT32_MAX, 0), RBPF_OK);
    assert_int_equal(rbpf_store_fetch(g, 0, &v), 1);
    assert_int_equal(v, UINT32_MAX);
    assert_int_equal(rbpf_store_fetch(g, UINT32_MAX, &v), 1);
    assert_int_equal(v, 0);
    assert_int_equal(rbpf_store_fetch(g, 6, &v), 0);
    assert_int_equal(rbpf_store_fetch(g, 8, &v), 0);
    assert_int_equal(rbpf_store_update(NULL, 1, 1), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_store_fetch(NULL, 1, &v), 0);
}

static void test_pool_exhaustion_loses_nothing(void **state)
{
    rbpf_vm_t vm;
    rbpf_store_t *g = rbpf_store_global();
    uint32_t i;
    uint32_t v;
    (void)state;
    vm_setup(&vm);
    /* Half the pool to the global store, the rest to the local one. */
    for (i = 0; i < pool_size; i++) {
        rbpf_store_t *s = (i % 2) ? g : &vm.local_store;
        assert_int_equal(rbpf_store_update(s, 1000 - i, i * 3 + 1), RBPF_OK);
    }
    assert_int_equal(rbpf_store_free_count(), 0);
    assert_int_equal(rbpf_store_update(g, 5, 5), RBPF_ERR_STORE_FULL);
    assert_int_equal(rbpf_store_update(&vm.local_store, 2000, 5), RBPF_ERR_STORE_FULL);
    assert_int_equal(rbpf_store_fetch(g, 5, &v), 0);
    assert_int_equal(rbpf_store_fetch(&vm.local_store, 2000, &v), 0);
    /* Updating an existing key needs no entry and still works. */
    assert_int_equal(rbpf_store_update(g, 1000 - 1, 777), RBPF_OK);
    for (i = 0; i < pool_size; i++) {
        rbpf_store_t *s = (i % 2) ? g : &vm.local_store;
        rbpf_store_t *other = (i % 2) ? &vm.local_store : g;
        assert_int_equal(rbpf_store_fetch(s, 1000 - i, &v), 1);
        assert_int_equal(v, i == 1 ? 777 : i * 3 + 1);
        assert_int_equal(rbpf_store_fetch(other, 1000 - i, &v), 0);
    }
    assert_int_equal(rbpf_store_free_count(), 0);
    rbpf_vm_deinit(&vm);
}

static void test_global_is_shared_locals_are_not(void **state)
{
    rbpf_vm_t a;
    rbpf_vm_t b;
    uint64_t args[5] = {3, 30, 0, 0, 0};
    uint64_t r0 = 1;
    uint32_t v;
    (void)state;
    vm_setup(&a);
    vm_setup(&b);
    /* A global written through one VM's helper is seen by the other VM. */
    assert_int_equal(rbpf_helper_store_global(&a, args, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
    assert_int_equal(rbpf_store_fetch(rbpf_store_global(), 3, &v), 1);
    assert_int_equal(v, 30);
    /* Same local key in both VMs: two entries, two values. */
    assert_int_equal(rbpf_store_update(&a.local_store, 3, 31), RBPF_OK);
    assert_int_equal(rbpf_store_update(&b.local_store, 3, 32), RBPF_OK);
    assert_int_equal(rbpf_store_free_count(), pool_size - 3);
    assert_int_equal(rbpf_store_fetch(&a.local_store, 3, &v), 1);
    assert_int_equal(v, 31);
    assert_int_equal(rbpf_store_fetch(&b.local_store, 3, &v), 1);
    assert_int_equal(v, 32);
    assert_int_equal(rbpf_store_fetch(rbpf_store_global(), 3, &v), 1);
    assert_int_equal(v, 30);
    rbpf_vm_deinit(&a);
    assert_int_equal(rbpf_store_fetch(&b.local_store, 3, &v), 1);
    assert_int_equal(v, 32);
    assert_int_equal(rbpf_store_fetch(rbpf_store_global(), 3, &v), 1);
    rbpf_vm_deinit(&b);
    assert_int_equal(rbpf_store_free_count(), pool_size - 1);
}

static void test_teardown_returns_entries(void **state)
{
    rbpf_vm_t a;
    rbpf_vm_t b;
    uint32_t i;
    uint32_t v;
    (void)state;
    vm_setup(&a);
    vm_setup(&b);
    for (i = 0; i < pool_size; i++) {
        assert_int_equal(rbpf_store_update(&a.local_store, i, i), RBPF_OK);
    }
    assert_int_equal(rbpf_store_update(&b.local_store, 0, 1), RBPF_ERR_STORE_FULL);
    rbpf_vm_deinit(&a);
    assert_int_equal(rbpf_store_free_count(), pool_size);
    assert_int_equal(rbpf_store_fetch(&a.local_store, 0, &v), 0);
    for (i = 0; i < pool_size; i++) {
        assert_int_equal(rbpf_store_update(&b.local_store, i + 100, i + 7), RBPF_OK);
    }
    for (i = 0; i < pool_size; i++) {
        assert_int_equal(rbpf_store_fetch(&b.local_store, i + 100, &v), 1);
        assert_int_equal(v, i + 7);
    }
    rbpf_vm_deinit(&b);
    rbpf_vm_deinit(&b); /* twice is harmless */
    rbpf_vm_deinit(NULL);
    assert_int_equal(rbpf_store_free_count(), pool_size);
}

typedef struct walk {
    uint32_t keys[64];
    uint32_t values[64];
    uint32_t count;
    uint32_t stop_after;
} walk_t;

static int record(uint32_t key, uint32_t value, void *arg)
{
    walk_t *w = (walk_t *)arg;
    if (w->count == sizeof(w->keys) / sizeof(w->keys[0])) {
        return -1;
    }
    w->keys[w->count] = key;
    w->values[w->count] = value;
    w->count++;
    return w->count == w->stop_after ? 42 : 0;
}

/* A VM object set up again without rbpf_vm_deinit() gives its entries
 * back, and only its own: another VM's and the global store's stay. */
static void test_reinit_returns_entries(void **state)
{
    rbpf_vm_t a, b;
    uint32_t v = 0, i;
    (void)state;
    vm_setup(&a);
    vm_setup(&b);
    assert_int_equal(rbpf_store_update(rbpf_store_global(), 1, 11), RBPF_OK);
    assert_int_equal(rbpf_store_update(&b.local_store, 7, 77), RBPF_OK);
    for (i = 0; i < 3; i++)
        assert_int_equal(rbpf_store_update(&a.local_store, 100 + i, i), RBPF_OK);
    assert_int_equal(rbpf_store_free_count(), pool_size - 5);
    /* again and again, as a host that re-initialises a VM per request */
    for (i = 0; i < 3 * RBPF_STORE_NUM_VALUES; i++) {
        vm_setup(&a);
        assert_int_equal(rbpf_store_fetch(&a.local_store, 100, &v), 0);
        assert_int_equal(rbpf_store_update(&a.local_store, 100 + i, i), RBPF_OK);
    }
    vm_setup(&a);
    assert_int_equal(rbpf_store_free_count(), pool_size - 2);
    assert_int_equal(rbpf_store_fetch(&b.local_store, 7, &v), 1);
    assert_int_equal(v, 77);
    assert_int_equal(rbpf_store_fetch(rbpf_store_global(), 1, &v), 1);
    assert_int_equal(v, 11);
    /* a cleared store's entries are not given back twice */
    rbpf_vm_deinit(&b);
    vm_setup(&b);
    assert_int_equal(rbpf_store_free_count(), pool_size - 1);
    rbpf_vm_deinit(&a);
    rbpf_vm_deinit(&b);
}

static void test_foreach_key_order(void **state)
{
    static const uint32_t keys[] = {5, 1, 0xffffffffu, 9, 3, 0};
    rbpf_store_t *g = rbpf_store_global();
    walk_t w;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        assert_int_equal(rbpf_store_update(g, keys[i], keys[i] ^ 0x55u), RBPF_OK);
    }
    memset(&w, 0, sizeof(w));
    assert_int_equal(rbpf_store_foreach(g, record, &w), 0);
    assert_int_equal(w.count, 6);
    assert_int_equal(w.keys[0], 0);
    assert_int_equal(w.keys[1], 1);
    assert_int_equal(w.keys[2], 3);
    assert_int_equal(w.keys[3], 5);
    assert_int_equal(w.keys[4], 9);
    assert_int_equal(w.keys[5], 0xffffffffu);
    for (i = 0; i < 6; i++) {
        assert_int_equal(w.values[i], w.keys[i] ^ 0x55u);
    }
    memset(&w, 0, sizeof(w));
    w.stop_after = 2;
    assert_int_equal(rbpf_store_foreach(g, record, &w), 42);
    assert_int_equal(w.count, 2);
    assert_int_equal(rbpf_store_foreach(g, NULL, &w), RBPF_ERR_ARGUMENT);
}

static void test_clear(void **state)
{
    rbpf_vm_t vm;
    rbpf_store_t *g = rbpf_store_global();
    walk_t w;
    uint32_t v;
    (void)state;
    vm_setup(&vm);
    assert_int_equal(rbpf_store_update(g, 1, 10), RBPF_OK);
    assert_int_equal(rbpf_store_update(g, 2, 20), RBPF_OK);
    assert_int_equal(rbpf_store_update(&vm.local_store, 1, 11), RBPF_OK);
    rbpf_store_clear(g);
    assert_int_equal(rbpf_store_free_count(), pool_size - 1);
    assert_int_equal(rbpf_store_fetch(g, 1, &v), 0);
    assert_int_equal(rbpf_store_fetch(&vm.local_store, 1, &v), 1);
    assert_int_equal(v, 11);
    memset(&w, 0, sizeof(w));
    assert_int_equal(rbpf_store_foreach(g, record, &w), 0);
    assert_int_equal(w.count, 0);
    rbpf_store_clear(NULL);
    /* A cleared store fills again. */
    assert_int_equal(rbpf_store_update(g, 2, 22), RBPF_OK);
    assert_int_equal(rbpf_store_fetch(g, 2, &v), 1);
    assert_int_equal(v, 22);
    /* Reset empties everything, the global store included. */
    rbpf_store_reset();
    assert_int_equal(rbpf_store_free_count(), pool_size);
    assert_int_equal(rbpf_store_fetch(g, 2, &v), 0);
}

/* Random updates, fetches, clears and teardowns on three stores, checked
 * against arrays after every step: contents, key order, free count. */
#define MODEL_KEYS 12u
typedef struct model {
    int present[MODEL_KEYS];
    uint32_t value[MODEL_KEYS];
} model_t;

static uint32_t model_used(const model_t *m, size_t count)
{
    uint32_t n = 0;
    size_t s;
    uint32_t k;
    for (s = 0; s < count; s++) {
        for (k = 0; k < MODEL_KEYS; k++) {
            n += (uint32_t)m[s].present[k];
        }
    }
    return n;
}

static void model_check(rbpf_store_t *store, const model_t *m)
{
    walk_t w;
    uint32_t k;
    uint32_t n = 0;
    memset(&w, 0, sizeof(w));
    assert_int_equal(rbpf_store_foreach(store, record, &w), 0);
    for (k = 0; k < MODEL_KEYS; k++) {
        uint32_t v = 1;
        assert_int_equal(rbpf_store_fetch(store, k * 7, &v), m->present[k]);
        assert_int_equal(v, m->present[k] ? m->value[k] : 0);
        if (m->present[k]) {
            assert_true(n < w.count);
            assert_int_equal(w.keys[n], k * 7); /* keys k*7 ascend with k */
            assert_int_equal(w.values[n], m->value[k]);
            n++;
        }
    }
    assert_int_equal(n, w.count);
}

static void test_random_against_model(void **state)
{
    rbpf_vm_t vms[2];
    rbpf_store_t *stores[3];
    model_t m[3];
    unsigned seed = 12345;
    int step;
    (void)state;
    vm_setup(&vms[0]);
    vm_setup(&vms[1]);
    stores[0] = rbpf_store_global();
    stores[1] = &vms[0].local_store;
    stores[2] = &vms[1].local_store;
    memset(m, 0, sizeof(m));
    for (step = 0; step < 20000; step++) {
        unsigned r;
        size_t s;
        uint32_t k;
        seed = seed * 1103515245u + 12345u;
        r = seed >> 8;
        s = r % 3;
        k = (r / 3) % MODEL_KEYS;
        if ((r >> 16) % 50 == 0) {
            if (s == 0) {
                rbpf_store_clear(stores[0]);
            } else {
                rbpf_vm_deinit(&vms[s - 1]);
            }
            memset(&m[s], 0, sizeof(m[s]));
        } else {
            uint32_t value = seed ^ 0xa5a5a5a5u;
            int full = !m[s].present[k] && model_used(m, 3) == pool_size;
            int rc = rbpf_store_update(stores[s], k * 7, value);
            assert_int_equal(rc, full ? RBPF_ERR_STORE_FULL : RBPF_OK);
            if (!full) {
                m[s].present[k] = 1;
                m[s].value[k] = value;
            }
        }
        assert_int_equal(rbpf_store_free_count(), pool_size - model_used(m, 3));
        model_check(stores[s], &m[s]);
    }
    model_check(stores[0], &m[0]);
    model_check(stores[1], &m[1]);
    model_check(stores[2], &m[2]);
    rbpf_vm_deinit(&vms[0]);
    rbpf_vm_deinit(&vms[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pool_size_is_the_knob, setup),
        cmocka_unit_test_setup(test_update_fetch_overwrite, setup),
        cmocka_unit_test_setup(test_pool_exhaustion_loses_nothing, setup),
        cmocka_unit_test_setup(test_global_is_shared_locals_are_not, setup),
        cmocka_unit_test_setup(test_teardown_returns_entries, setup),
        cmocka_unit_test_setup(test_reinit_returns_entries, setup),
        cmocka_unit_test_setup(test_foreach_key_order, setup),
        cmocka_unit_test_setup(test_clear, setup),
        cmocka_unit_test_setup(test_random_against_model, setup),
    };
    return cmocka_run_group_tests_name("store", tests, group_setup, NULL);
}
