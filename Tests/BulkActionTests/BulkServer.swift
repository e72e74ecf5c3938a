import Foundation
import Hummingbird
import MediaAPI
import MediaHTTPClient
import MediaServer
import MediaShell
import MediaStore

/// A real media-server on a free loopback port over a MediaStore in a fresh folder, and a mediash
/// `Shell` over a MediaHTTPClient pointed at it. The server can be restarted with other faults
/// over the same store, the way an API has a bad hour and then recovers.
final class BulkServer: @unchecked Sendable {
    static let apiKey = "bulk-key"
    static let apiSecret = "bulk-secret"

    let folder: URL
    let store: MediaStore
    private(set) var port = 0
    private(set) var client: MediaHTTPClient?
    private var task: Task<Void, any Error>?

    /// The client's retry budget in these tests: its default attempts, with short backoffs.
    static let clientConfiguration = MediaHTTPClient.Configuration(
        connectTimeout: .seconds(2), readTimeout: .seconds(10), maxAttempts: 8,
        initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(40), maxRetryAfter: .seconds(5))

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("bulk-test-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try MediaStore(directory: folder.appendingPathComponent("store", isDirectory: true))
    }

    /// The store's own view of the account: what the server really holds.
    var account: MediaStoreService { store.service(account: Self.apiKey) }

    /// Starts the server with these faults, or restarts it on the same port with others, so the
    /// same client and shell go on talking to it (an API having a bad hour, then recovering).
    func start(_ faults: FaultPlan = .none) async throws {
        task?.cancel()
        _ = try? await task?.value
        let (port, task) = try await Self.serve(store, faults: faults, port: port)
        self.task = task
        if client == nil || port != self.port {
            try? await client?.shutdown()
            client = try Self.client(port: port, configuration: Self.clientConfiguration)
        }
        self.port = port
    }

    /// A second server over the same store, with its own faults, and a client for it.
    func extraClient(_ faults: FaultPlan, configuration: MediaHTTPClient.Configuration) async throws -> MediaHTTPClient {
        let (port, task) = try await Self.serve(store, faults: faults, port: 0)
        extraTasks.append(task)
        let client = try Self.client(port: port, configuration: configuration)
        extraClients.append(client)
        return client
    }

    private var extraTasks: [Task<Void, any Error>] = []
    private var extraClients: [MediaHTTPClient] = []

    private static func serve(_ store: MediaStore, faults: FaultPlan, port: Int) async throws -> (Int, Task<Void, any Error>) {
        var settings = MediaServerConfiguration(port: port, accounts: [Account(apiKey: apiKey, apiSecret: apiSecret)])
        settings.faults = faults
        return try await launchMediaServer(store: store, configuration: settings)
    }

    private static func client(port: Int, configuration: MediaHTTPClient.Configuration) throws -> MediaHTTPClient {
        try MediaHTTPClient(
            endpoint: URL(string: "http://127.0.0.1:\(port)/v3/media")!,
            credentials: .apiKey(key: apiKey, secret: apiSecret), configuration: configuration)
    }

    func stop() async {
        for client in extraClients + (client.map { [$0] } ?? []) { try? await client.shutdown() }
        for task in extraTasks + (task.map { [$0] } ?? []) {
            task.cancel()
            _ = try? await task.value
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// `count` items straight into the store (fast, no faults): `item-<i>.bin`, 100 + i bytes.
    @discardableResult
    func seed(_ count: Int) async throws -> [MediaItem] {
        let files = folder.appendingPathComponent("seed", isDirectory: true)
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        var items: [MediaItem] = []
        for i in 0..<count {
            let file = files.appendingPathComponent("item-\(i).bin")
            try Data((0..<(100 + i)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }).write(to: file)
            items.append(try await account.upload(MediaUpload(source: .file(file), info: MediaUpdate(title: "t\(i)"))))
            try FileManager.default.removeItem(at: file)
        }
        return items
    }

    /// Every item the store holds.
    func stored() async throws -> [MediaItem] {
        var items: [MediaItem] = []
        for try await item in account.list(MediaQuery()) { items.append(item) }
        return items
    }

    /// A shell over the HTTP client (or over `service`, a wrapper around it), answering in JSON lines.
    func shell(service: (any MediaService)? = nil, _ configure: (inout ShellEnvironment) -> Void = { _ in }) throws -> Shell {
        guard let client else { throw MediaError.transport("the server is not running") }
        var environment = ShellEnvironment(output: .jsonl, assumeYes: true, workingDirectory: folder)
        configure(&environment)
        return Shell(service: service ?? client, environment: environment)
    }

    /// Runs a program (in `shell`, or a fresh one) and collects what it wrote.
    func run(_ program: String, in shell: Shell? = nil, service: (any MediaService)? = nil,
             _ configure: (inout ShellEnvironment) -> Void = { _ in }) async throws -> Ran {
        let shell = try shell ?? self.shell(service: service, configure)
        let out = TextBuffer(), err = TextBuffer()
        let outcome = await shell.run(program, out: out, err: err)
        return Ran(outcome: outcome, out: out.text, err: err.text)
    }
}

/// Runs `body` with a fresh server (started with `faults`) and always stops it.
func withBulkServer<T>(_ faults: FaultPlan = .none, _ body: (BulkServer) async throws -> T) async throws -> T {
    let server = try BulkServer()
    do {
        try await server.start(faults)
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// What one run of a program did: its outcome, the result rows (JSON lines) and stderr.
struct Ran {
    var outcome: RunOutcome
    var out: String
    var err: String

    /// The result rows, as JSON objects.
    var rows: [[String: Any]] {
        out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func rows(status: String) -> [[String: Any]] { rows.filter { $0["status"] as? String == status } }

    func ids(status: String) -> Set<String> { Set(rows(status: status).compactMap { $0["id"] as? String }) }
}

