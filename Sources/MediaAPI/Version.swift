import BuildInfo

/// The one version of mediash and media-server (`--version` of both, scripts/package's file name,
/// CHANGELOG.md's top entry). Change it here and nowhere else.
public enum MediashVersion {
    /// The release, semantic versioning (CHANGELOG.md).
    public static let number = "0.2.0"

    /// The git commit the binary was built from (scripts/install and scripts/package pass it,
    /// with "-dirty" when the checkout had uncommitted changes), or nil for a plain `swift build`.
    public static let commit: String? = {
        let commit = String(cString: mediash_build_commit())
        return commit.isEmpty ? nil : commit
    }()

    /// What `PROGRAM --version` prints, e.g. "mediash 0.2.0 (commit 1a2b3c4d5e6f)".
    public static func line(program: String) -> String {
        "\(program) \(number)" + (commit.map { " (commit \($0))" } ?? "")
    }
}
