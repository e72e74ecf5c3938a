import Foundation
import MediaAPI
import MediaStore

/// The MediaService a run talks to, what the REPL says about it, and what to clean up.
struct Backend {
    /// The account of a local embedded store.
    static let embeddedAccount = "local"

    let service: any MediaService
    let banner: String
    private let onClose: @Sendable () async -> Void

    init(service: any MediaService, banner: String, onClose: @escaping @Sendable () async -> Void) {
        self.service = service
        self.banner = banner
        self.onClose = onClose
    }

    func close() async { await onClose() }

    static func open(_ choice: BackendChoice, quiet: Bool) async throws -> Backend {
        switch choice {
        case .store(let directory):
            let store = try MediaStore(directory: directory)
            // The user's own store on their own machine: an upload by url may come from anywhere they
            // can reach, localhost included (only a server fetching for others must keep to public addresses).
            return Backend(service: store.service(account: embeddedAccount, urlFetch: .anyAddress),
                           banner: "mediash — local store \(directory.path). Type help, or Ctrl-D to leave.",
                           onClose: {})
        case .demo:
            if !quiet { standardError.write("Filling a demo store with sample recordings…\n") }
            let demo = try await DemoStore.create()
            return Backend(
                service: demo.store.service(account: embeddedAccount),
                banner: """
                    mediash — demo store: 50 sample recordings from the last 30 days, in \(demo.directory.path)
                    (removed when you leave). Try:
                        list | first 5
                        list since 7d | where size > 1MB
                        list | group by mime
                        help
                    Ctrl-D to leave.
                    """,
                onClose: { demo.remove() })
        case .endpoint(let url, let account):
            return try await http(url, account)
        }
    }
}
