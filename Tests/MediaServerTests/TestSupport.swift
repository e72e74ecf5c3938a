import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import MediaStore
import MediaStorePostgres
import PostgresTestSupport
import NIOCore
import Testing

/// A media-server over a fresh store in a temporary folder (removed with it), with two accounts (alice, bob).
final class TestServer: Sendable {
    static let alice = Account(apiKey: "alice", apiSecret: "alice-secret")
    static let bob = Account(apiKey: "bob", apiSecret: "bob-secret")

    let folder: URL
    let store: MediaStore
    /// The store the server runs on: `store`, or a PostgreSQL one (`onPostgres`).
    let served: any MediaServerStore
    let clock: TestClock
    let configuration: MediaServerConfiguration

    convenience init(_ adjust: (inout MediaServerConfiguration) -> Void = { _ in }) throws {
        try self.init(adjust, served: nil)
    }

    private init(_ adjust: (inout MediaServerConfiguration) -> Void, served: (any MediaServerStore)?) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("media-server-tests-\(UUID().uuidString)")
        let clock = TestClock()
        self.clock = clock
        store = try MediaStore(directory: folder, now: { clock.now })
        self.served = served ?? store
        var configuration = MediaServerConfiguration(port: 0, accounts: [Self.alice, Self.bob])
        adjust(&configuration)
        self.configuration = configuration
    }

    /// A media-server over PostgreSQL: a fresh database of the cluster in MEDIA_TEST_DATABASE_URL
    /// (tests using it are disabled without one). `close()` it at the end.
    static func onPostgres(_ adjust: (inout MediaServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let store = try await PostgresMediaStore.open(DatabaseURL(PostgresEnvironment.freshDatabase()))
        return try TestServer(adjust, served: store)
    }

    /// Stops a PostgreSQL store's pool.
    func close() async {
        await (served as? PostgresMediaStore)?.close()
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `body` against the server (`.router` unless told).
    @discardableResult
    func test<T>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = buildMediaServer(store: served, configuration: configuration)
        return try await app.test(setup) { client in try await body(client) }
    }

    /// An item uploaded straight into the store (not through HTTP), for tests of the other routes.
    func seed(_ content: String = "hello media", account: Account = alice, name: String = "a.txt", info: MediaUpdate = MediaUpdate()) async throws -> MediaItem {
        let file = folder.appendingPathComponent("seed-\(UUID().uuidString)")
        try Data(content.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await served.upload(MediaUpload(source: .file(file), fileName: name, info: info), account: account.apiKey, consumingFile: false, maxBytes: nil)
    }
}

/// A clock the tests move by hand, so "the last 7 days" can be tested.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0

    var now: Date { lock.withLock { Date().addingTimeInterval(offset) } }

    func set(daysAgo days: Double) {
        lock.withLock { offset = -days * 86_400 }
    }
}

func basic(_ account: Account) -> HTTPFields {
    [.authorization: "Basic " + Data("\(account.apiKey):\(account.apiSecret)".utf8).base64EncodedString()]
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}

func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

/// The response body as a JSON object.
func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    return try #require(object as? [String: Any], "expected a JSON object, got \(String(buffer: response.body))")
}

/// Checks an error answer: the status, a JSON content type, and `{type, title, detail}`; returns detail.
@discardableResult
func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    #expect(response.status == status, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    let body = try json(response)
    #expect(body["type"] is String, sourceLocation: sourceLocation)
    #expect(body["title"] as? String == status.reasonPhrase, sourceLocation: sourceLocation)
    let detail = try #require(body["detail"] as? String, sourceLocation: sourceLocation)
    #expect(!detail.isEmpty, sourceLocation: sourceLocation)
    return detail
}

/// A multipart/form-data body built by hand, so tests can also break it on purpose.
struct MultipartBody {
    let boundary = "test-boundary-\(UUID().uuidString.prefix(8))"
    private(set) var text = ""

    mutating func field(_ name: String, _ value: String) {
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
    }

    mutating func file(_ name: String, fileName: String, contentType: String = "application/octet-stream", _ content: String) {
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\nContent-Type: \(contentType)\r\n\r\n\(content)\r\n"
    }

    /// The whole body, closing boundary included.
    var body: ByteBuffer { ByteBuffer(string: text + "--\(boundary)--\r\n") }
    /// The body without its closing boundary: a sender that broke off.
    var truncated: ByteBuffer { ByteBuffer(string: text) }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func headers(_ account: Account) -> HTTPFields {
        var fields = basic(account)
        fields[.contentType] = contentType
        return fields
    }
}
