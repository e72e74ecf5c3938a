import Foundation
import Hummingbird
import Testing
import MediaAPI
@testable import MediaHTTPClient
import MediaServer
import MediaStore

/// A real media-server on a free loopback port over a MediaStore in a fresh folder, with a
/// MediaHTTPClient pointed at it. `stop()` shuts both down and removes the folder.
final class LiveServer: Sendable {
    static let apiKey = "key-1"
    static let apiSecret = "secret-1"

    let folder: URL
    let store: MediaStore
    let port: Int
    let client: MediaHTTPClient
    private let task: Task<Void, any Error>

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)/v3/media")! }

    /// Starts a server; `configure` adjusts its configuration (faults, page cap, shape, applications).
    static func start(
        store existing: MediaStore? = nil,
        credentials: Credentials = .apiKey(key: apiKey, secret: apiSecret),
        client clientConfiguration: MediaHTTPClient.Configuration = .forTests,
        _ configure: (inout MediaServerConfiguration) -> Void = { _ in }
    ) async throws -> LiveServer {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("media-http-test-\(UUID().uuidString.lowercased())", isDirectory: true)
        let store = try existing ?? MediaStore(directory: folder.appendingPathComponent("store", isDirectory: true))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = MediaServerConfiguration(port: 0, accounts: [Account(apiKey: apiKey, apiSecret: apiSecret)])
        configure(&configuration)
        let (port, task) = try await launchMediaServer(store: store, configuration: configuration)
        let client = try MediaHTTPClient(
            endpoint: URL(string: "http://127.0.0.1:\(port)/v3/media")!, credentials: credentials,
            configuration: clientConfiguration)
        return LiveServer(folder: folder, store: store, port: port, client: client, task: task)
    }

    private init(folder: URL, store: MediaStore, port: Int, client: MediaHTTPClient, task: Task<Void, any Error>) {
        self.folder = folder
        self.store = store
        self.port = port
        self.client = client
        self.task = task
    }

    func stop() async {
        try? await client.shutdown()
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: folder)
    }

    /// The store's own view of the account, to check what the server really holds.
    var account: MediaStoreService { store.service(account: Self.apiKey) }

    /// A file of `size` bytes in the server's folder (different content per `seed`).
    func file(_ name: String, size: Int = 100, seed: UInt8 = 0) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }).write(to: url)
        return url
    }
}

/// Runs `body` against a fresh live server and always stops it.
func withLiveServer<T>(
    store: MediaStore? = nil,
    credentials: Credentials = .apiKey(key: LiveServer.apiKey, secret: LiveServer.apiSecret),
    client: MediaHTTPClient.Configuration = .forTests,
    _ configure: (inout MediaServerConfiguration) -> Void = { _ in },
    _ body: (LiveServer) async throws -> T
) async throws -> T {
    let server = try await LiveServer.start(store: store, credentials: credentials, client: client, configure)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

extension MediaHTTPClient.Configuration {
    /// Short backoffs so fault tests run in seconds.
    static var forTests: Self {
        MediaHTTPClient.Configuration(
            connectTimeout: .seconds(2), readTimeout: .seconds(5), maxAttempts: 6,
            initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(50), maxRetryAfter: .seconds(5))
    }
}

/// Runs `body` and returns the MediaError it threw, or nil when it threw nothing. Any other
/// error is a test failure of its own (recorded here), never taken for the expected one.
func mediaError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> MediaError? {
    do {
        try await body()
        return nil
    } catch let error as MediaError {
        return error
    } catch {
        Issue.record("expected a MediaError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
