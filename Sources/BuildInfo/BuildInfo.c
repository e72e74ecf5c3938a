#include "BuildInfo.h"

#ifndef MEDIASH_BUILD_COMMIT
#define MEDIASH_BUILD_COMMIT ""
#endif

const char *mediash_build_commit(void) { return MEDIASH_BUILD_COMMIT; }
