/*
 * diff.c: the differential test on the emulated core. DIFF_COUNT random
 * verified programs from the shared generator (tests/diff/progen.h), from
 * seed DIFF_SEED on, each run on the interpreter and on every other engine
 * the build has (each prepared from a copy of the program struct), and
 * every observable compared (tests/diff/observe.h: return code, r0,
 * instruction count, error_at, call depth, stack, context, data+bss and the
 * added region). A difference prints the case (seed, configuration, the
 * container as hex) so it replays on the host:
 *   build/host/tests/diff/test_progen --show SEED
 * Prints `mcu diff engine=E: N programs, M differ (seeds A..B)` per engine
 * and the outcomes seen; exits 1 on any difference.
 */
#include <string.h>

#include "observe.h"
#include "port.h"
#include "progen.h"
#include "rbpf.h"

#ifndef DIFF_SEED
#define DIFF_SEED 1u
#endif
#ifndef DIFF_COUNT
#define DIFF_COUNT 10000u
#endif
/* Cases printed in full before the rest are only counted. */
#define DIFF_PRINT_MAX 3u

static progen_case_t one_case;
static observe_t seen_interp, seen_engine;
static uint64_t engine_buffer[65536 / 8];

static void print_line(void *user, const char *text)
{
    (void)user;
    port_puts(text);
    port_puts("\n");
}

int main(void)
{
    static const uint32_t features = 0
#if RBPF_ENABLE_ALU32
                                     | PROGEN_ALU32
#endif
#if RBPF_ENABLE_JMP32
                                     | PROGEN_JMP32
#endif
#if RBPF_ENABLE_ATOMIC
                                     | PROGEN_ATOMIC
#endif
#if RBPF_ENABLE_LOCAL_CALLS
                                     | PROGEN_LOCAL_CALLS
#endif
        ;
    uint32_t differ[RBPF_ENGINE_COUNT] = {0}, outcomes[32] = {0};
    uint32_t programs = 0, printed = 0, refused = 0;
    uint64_t seed;
    int engine, i, ok = 1;
    char what[128];

    for (seed = DIFF_SEED; seed < (uint64_t)DIFF_SEED + DIFF_COUNT; seed++) {
        rbpf_program_t prog;
        progen_generate(&one_case, seed, features);
        if (observe_load(&prog, &one_case) != RBPF_OK) {
            refused++;
            continue;
        }
        programs++;
        observe_run(&seen_interp, &prog, &one_case, 0);
        if (seen_interp.rc <= 0 && seen_interp.rc > -32)
            outcomes[-seen_interp.rc]++;
        for (engine = 1; engine < RBPF_ENGINE_COUNT; engine++) {
            rbpf_program_t copy = prog;
            size_t need;
            int rc;
            if (!rbpf_engine_available(engine))
                continue;
            /* exactly the buffer the size query asks for: a bound below
             * what the engine writes fails here */
            rc = rbpf_prepare_size(&copy, engine, &need);
            if (rc == RBPF_OK)
                rc = rbpf_prepare(&copy, engine, engine_buffer,
                                  need < sizeof engine_buffer ? need : sizeof engine_buffer);
            if (rc != RBPF_OK) {
                seen_engine.rc = rc;
                strcpy(what, "rbpf_prepare failed: ");
                strncat(what, rbpf_error_name(rc), sizeof what - strlen(what) - 1);
            } else {
                observe_run(&seen_engine, &copy, &one_case, 0);
                if (!observe_compare(&seen_interp, &seen_engine, what, sizeof what))
                    continue;
            }
            differ[engine]++;
            if (printed++ < DIFF_PRINT_MAX) {
                port_puts("FAIL engine=");
                port_puts(rbpf_engine_name(engine));
                port_puts(" seed ");
                port_put_dec(seed);
                port_puts(": ");
                port_puts(what);
                port_puts("\nthe interpreter's run:\n");
                observe_print(&one_case, &seen_interp, NULL, print_line, NULL);
                port_puts("replay: build/host/tests/diff/test_progen --show ");
                port_put_dec(seed);
                port_puts("\n");
            }
        }
    }
    for (engine = 1; engine < RBPF_ENGINE_COUNT; engine++) {
        if (!rbpf_engine_available(engine))
            continue;
        port_puts("mcu diff engine=");
        port_puts(rbpf_engine_name(engine));
        port_puts(": ");
        port_put_dec(programs);
        port_puts(" programs, ");
        port_put_dec(differ[engine]);
        port_puts(" differ from the interpreter (seeds ");
        port_put_dec(DIFF_SEED);
        port_puts("..");
        port_put_dec((uint64_t)DIFF_SEED + DIFF_COUNT - 1);
        port_puts(")\n");
        if (differ[engine] != 0)
            ok = 0;
    }
    port_puts("mcu diff outcomes:");
    for (i = 0; i < 32; i++)
        if (outcomes[i] != 0) {
            port_puts(" ");
            port_puts(rbpf_error_name(-i));
            port_puts("=");
            port_put_dec(outcomes[i]);
        }
    port_puts("\n");
    if (refused != 0) {
        port_puts("FAIL the verifier refused ");
        port_put_dec(refused);
        port_puts(" generated cases\n");
        ok = 0;
    }
    return ok ? 0 : 1;
}
