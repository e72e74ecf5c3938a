# Sourced, not run: the release build every benchmark (and scripts/install) uses.
#   release_build PRODUCT   builds one product, release, with the Swift runtime and Foundation
#                           linked statically (--static-swift-stdlib): a mediash start-up then
#                           does not spend its first milliseconds relocating libFoundation and ICU
#                           (scripts/bench.d/startup measures it).
#   release_bin             prints the folder the release products are in.
# The commit `mediash --version` and `media-server --version` name (Package.swift reads
# MEDIASH_BUILD_COMMIT; a plain `swift build` has none): HEAD's, "-dirty" when tracked files
# differ from it. Outside a git checkout (a source tarball) the version names no commit.
if [ -z "${MEDIASH_BUILD_COMMIT:-}" ] && MEDIASH_BUILD_COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  git diff --quiet HEAD -- 2>/dev/null || MEDIASH_BUILD_COMMIT="$MEDIASH_BUILD_COMMIT-dirty"
  export MEDIASH_BUILD_COMMIT
else
  unset MEDIASH_BUILD_COMMIT
fi

# One set of flags for every release product, so that building one product never invalidates
# another's build. SWIFT_SCRATCH_PATH, when set, is the build folder (default .build).
release_flags() {
  echo -c release --static-swift-stdlib ${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"}
}

release_build() {
  # shellcheck disable=SC2046
  swift build $(release_flags) --product "$1" >&2
}

release_bin() {
  # shellcheck disable=SC2046
  swift build $(release_flags) --show-bin-path
}
