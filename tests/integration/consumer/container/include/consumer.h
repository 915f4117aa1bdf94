/* consumer.h: the context of the consumer project's containers, shared by
 * the containers and the host, which must agree on every field. The test
 * changes CONSUMER_OFFSET to check that a header change rebuilds them. */
#ifndef CONSUMER_H
#define CONSUMER_H

#include <stdint.h>

#define CONSUMER_OFFSET 1000

/* scale's factor: the builds pass -DFACTOR=6 to the containers and the host
 * alike; docs/make.md's example, which passes nothing, gets 5. */
#ifndef FACTOR
#define FACTOR 5
#endif

struct consumer_ctx {
    uint64_t value;
    uint64_t result; /* written by scale */
};

#endif
