import Foundation

extension Backend {
    /// Waits for the HTTP binding (branch `http`) to be merged.
    static func http(_ url: URL, _ account: AccountCredentials) async throws -> Backend {
        throw UsageError("this build of mediash has no HTTP binding yet: use the local store")
    }
}
