/* Self-check helpers shared by process and system guest programs: count checks,
   print "FAIL: what" for each failed one, and a one-line summary at the end.
   Define VM_PRINTF (printf-like) before including. */
#ifndef VMSCOPE_CHECK_H
#define VMSCOPE_CHECK_H

#include <stdint.h>

#ifndef VM_PRINTF
#error "define VM_PRINTF before including vmscope_check.h"
#endif

extern int vm_checks;
extern int vm_failures;

#define CHECK(cond, what)                                                    \
    do {                                                                     \
        vm_checks++;                                                         \
        if (!(cond)) {                                                       \
            vm_failures++;                                                   \
            VM_PRINTF("FAIL: %s\n", (what));                                 \
        }                                                                    \
    } while (0)

#define CHECK_EQ(got, want, what)                                            \
    do {                                                                     \
        uint32_t got_ = (uint32_t)(got), want_ = (uint32_t)(want);           \
        vm_checks++;                                                         \
        if (got_ != want_) {                                                 \
            vm_failures++;                                                   \
            VM_PRINTF("FAIL: %s: got 0x%08lx, want 0x%08lx\n", (what),       \
                      (unsigned long)got_, (unsigned long)want_);            \
        }                                                                    \
    } while (0)

/* Define the counters once per program: put VM_CHECK_STORAGE at file scope. */
#define VM_CHECK_STORAGE                                                     \
    int vm_checks;                                                           \
    int vm_failures

/* Prints the summary line and returns the exit status (0 = all passed). */
#define VM_FINISH(name)                                                      \
    (vm_failures ? (VM_PRINTF("%s: %d of %d checks FAILED\n", (name),        \
                              vm_failures, vm_checks),                       \
                    1)                                                       \
                 : (VM_PRINTF("%s: all %d checks passed\n", (name),          \
                              vm_checks),                                    \
                    0))

#endif
