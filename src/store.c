/*
 * store.c: the key-value stores behind bpf_store_* and bpf_fetch_*.
 *
 * Every entry of every store (the one global store and each VM's local
 * store) comes from one static pool of RBPF_STORE_NUM_VALUES entries: no
 * heap, and the memory the stores can take is fixed at compile time. A store
 * is a singly linked list of pool indices kept in ascending key order, so
 * iteration is in key order and a lookup stops early. Freed entries go on a
 * free list; entries never used yet are handed out from a high-water mark,
 * so the zero-initialised pool needs no set-up call.
 *
 * Not thread-safe: the pool is shared by all VMs without locking. A host
 * that runs VMs from several threads or interrupt handlers must serialise
 * the calls that touch stores (runs that call the store helpers included).
 */
#include <string.h>

#include "vm.h"

#if RBPF_STORE_NUM_VALUES < 1 || RBPF_STORE_NUM_VALUES >= RBPF_STORE_NONE
#error "RBPF_STORE_NUM_VALUES must be between 1 and 65534"
#endif

typedef struct store_entry {
    uint32_t key;
    uint32_t value;
    const rbpf_store_t *owner; /* the store whose list holds it; NULL when free */
    uint16_t next; /* next entry of the same list (store or free list) */
} store_entry_t;

static store_entry_t pool[RBPF_STORE_NUM_VALUES];
static uint16_t free_head = RBPF_STORE_NONE; /* entries given back */
static uint16_t fresh;                       /* entries [fresh, N) never used */
static uint16_t used;                        /* entries in some store */
static rbpf_store_t global_store = {RBPF_STORE_NONE};

/* An index read from a list is trusted only when it is inside the pool; a
 * store that was never initialised (head garbage) then reads as cut short
 * instead of running off the pool. */
static int valid_index(uint16_t index)
{
    return index < RBPF_STORE_NUM_VALUES;
}

static uint16_t entry_take(void)
{
    uint16_t index;
    if (free_head != RBPF_STORE_NONE) {
        index = free_head;
        free_head = pool[index].next;
    } else if (fresh < RBPF_STORE_NUM_VALUES) {
        index = fresh++;
    } else {
        return RBPF_STORE_NONE;
    }
    used++;
    return index;
}

static void entry_give(uint16_t index)
{
    pool[index].owner = NULL;
    pool[index].next = free_head;
    free_head = index;
    used--;
}

/* Gives back every entry `store` holds, found by owner, not through its
 * head (which may be stale): rbpf_vm_init() calls it for a VM object that
 * is set up again without rbpf_vm_deinit(). The pool is small, so the scan
 * is cheap; entries of other stores are untouched, as no list mixes
 * owners. */
static void release_owned(const rbpf_store_t *store)
{
    uint16_t index;
    for (index = 0; index < fresh; index++)
        if (pool[index].owner == store)
            entry_give(index);
}

rbpf_store_t *rbpf_store_global(void)
{
    return &global_store;
}

void rbpf_store_reset(void)
{
    memset(pool, 0, sizeof(pool));
    free_head = RBPF_STORE_NONE;
    fresh = 0;
    used = 0;
    global_store.head = RBPF_STORE_NONE;
}

int rbpf_store_update(rbpf_store_t *store, uint32_t key, uint32_t value)
{
    uint16_t *link;
    uint16_t index;
    if (store == NULL) {
        return RBPF_ERR_ARGUMENT;
    }
    /* Find the first entry with a key >= key; link points at its index. */
    link = &store->head;
    while (valid_index(*link) && pool[*link].key < key) {
        link = &pool[*link].next;
    }
    if (valid_index(*link) && pool[*link].key == key) {
        pool[*link].value = value;
        return RBPF_OK;
    }
    index = entry_take();
    if (index == RBPF_STORE_NONE) {
        return RBPF_ERR_STORE_FULL;
    }
    rbpf_store_release_ = release_owned;
    pool[index].owner = store;
    pool[index].key = key;
    pool[index].value = value;
    pool[index].next = valid_index(*link) ? *link : RBPF_STORE_NONE;
    *link = index;
    return RBPF_OK;
}

int rbpf_store_fetch(const rbpf_store_t *store, uint32_t key, uint32_t *value)
{
    uint16_t index = store != NULL ? store->head : RBPF_STORE_NONE;
    while (valid_index(index) && pool[index].key < key) {
        index = pool[index].next;
    }
    if (valid_index(index) && pool[index].key == key) {
        if (value != NULL) {
            *value = pool[index].value;
        }
        return 1;
    }
    if (value != NULL) {
        *value = 0;
    }
    return 0;
}

void rbpf_store_clear(rbpf_store_t *store)
{
    uint16_t index;
    if (store == NULL) {
        return;
    }
    index = store->head;
    while (valid_index(index)) {
        uint16_t next = pool[index].next;
        entry_give(index);
        index = next;
    }
    store->head = RBPF_STORE_NONE;
}

int rbpf_store_foreach(const rbpf_store_t *store,
                       int (*fn)(uint32_t key, uint32_t value, void *arg), void *arg)
{
    uint16_t index;
    if (store == NULL || fn == NULL) {
        return RBPF_ERR_ARGUMENT;
    }
    index = store->head;
    while (valid_index(index)) {
        /* fn must not add or remove entries of this store (docs/stores.md). */
        uint16_t next = pool[index].next;
        int rc = fn(pool[index].key, pool[index].value, arg);
        if (rc != 0) {
            return rc;
        }
        index = next;
    }
    return 0;
}

uint32_t rbpf_store_free_count(void)
{
    return (uint32_t)RBPF_STORE_NUM_VALUES - used;
}

void rbpf_vm_deinit(rbpf_vm_t *vm)
{
    if (vm != NULL) {
        rbpf_store_clear(&vm->local_store);
    }
}
