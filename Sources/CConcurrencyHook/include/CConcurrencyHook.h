#ifndef C_CONCURRENCY_HOOK_H
#define C_CONCURRENCY_HOOK_H

#include <stdbool.h>

/// Sets Swift Concurrency's global-enqueue hook (`swift_task_enqueueGlobal_hook`, where the
/// runtime sends every job bound for the global executor) to `hook`, a Swift function of type
/// `@convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void`, if no hook
/// is set yet. Reached by the linker, not by name at run time: a build that links the Swift
/// runtime statically keeps its symbols out of the dynamic table, where dlsym looks.
/// True when it was set.
bool media_install_enqueue_global_hook(void *_Nonnull hook);

#endif
