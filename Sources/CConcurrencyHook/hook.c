#include "CConcurrencyHook.h"
#include <stddef.h>

// Declared in the Swift runtime (swift/Runtime/Concurrency.h) as a pointer to a swiftcall
// function; only its address is taken here.
extern void *swift_task_enqueueGlobal_hook;

bool media_install_enqueue_global_hook(void *hook) {
    void *expected = NULL;
    return __atomic_compare_exchange_n(&swift_task_enqueueGlobal_hook, &expected, hook, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}
