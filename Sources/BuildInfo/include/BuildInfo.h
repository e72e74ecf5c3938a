#ifndef MEDIASH_BUILD_INFO_H
#define MEDIASH_BUILD_INFO_H

/// The git commit the binary was built from ("" when the build was not given one).
/// scripts/lib/release.sh passes it as MEDIASH_BUILD_COMMIT (Package.swift); a plain
/// `swift build` passes none, and the version line then names no commit.
const char *mediash_build_commit(void);

#endif
