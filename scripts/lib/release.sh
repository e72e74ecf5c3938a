# Sourced, not run: the release build every benchmark (and scripts/install) uses.
#   release_build PRODUCT   builds one product, release, with the Swift runtime and Foundation
#                           linked statically (--static-swift-stdlib): a mediash start-up then
#                           does not spend its first milliseconds relocating libFoundation and ICU
#                           (scripts/bench.d/startup measures it).
#   release_bin             prints the folder the release products are in.
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
