import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MediaAPI
import MediaServer
import MediaStore
import Testing

/// Every answer carries a request id, the log carries the same id, and a failure inside the
/// server tells the client nothing but that id (no paths, no raw error text).
@Suite struct RequestIDTests {
    static let header = HTTPField.Name("X-Request-Id")!

    @Test("a storage failure answers a generic 500 with a request id; the details are in the log under that id")
    func storageFailureLeaksNothing() async throws {
        let log = LogRecorder()
        let server = try TestServer { $0.logger = log.logger }
        let item = try await server.seed("soon gone")
        // The content file disappears from under the store.
        let content = server.folder.appendingPathComponent("content").appendingPathComponent(item.id)
        try FileManager.default.removeItem(at: content)
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: basic(TestServer.alice))
            let detail = try expectProblem(response, .internalServerError)
            let body = String(buffer: response.body)
            #expect(!body.contains(server.folder.path) && !body.contains("/content") && !body.contains("missing"), "\(body)")
            let id = try #require(response.headers[Self.header])
            #expect(try json(response)["request_id"] as? String == id)
            #expect(detail.contains(id))
            let logged = log.lines.filter { $0.contains(id) }
            #expect(logged.contains { $0.contains(content.path) }, "the log under \(id) has no details: \(log.lines)")
        }
    }

    @Test("every answer has an id; a client's plain id is kept, any other is replaced")
    func everyAnswerHasAnID() async throws {
        let server = try TestServer()
        try await server.test { client in
            let listed = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            #expect(listed.status == .ok)
            let first = try #require(listed.headers[Self.header])
            let missing = try await client.execute(uri: "/v3/media/nothing/info", method: .get, headers: basic(TestServer.alice))
            try expectProblem(missing, .notFound)
            let second = try #require(missing.headers[Self.header])
            #expect(try json(missing)["request_id"] as? String == second)
            #expect(first != second)
            let unauthenticated = try await client.execute(uri: "/v3/media", method: .get)
            #expect(try json(unauthenticated)["request_id"] as? String == unauthenticated.headers[Self.header])

            var headers = basic(TestServer.alice)
            headers[Self.header] = "client-trace.42_A"
            let kept = try await client.execute(uri: "/v3/media", method: .get, headers: headers)
            #expect(kept.headers[Self.header] == "client-trace.42_A")
            for hostile in [String(repeating: "a", count: 65), "a b", "<script>", "id\u{1b}[31m", "ünï"] {
                headers[Self.header] = hostile
                let replaced = try await client.execute(uri: "/v3/media/nothing/info", method: .get, headers: headers)
                let id = try #require(replaced.headers[Self.header])
                #expect(id != hostile && !id.isEmpty)
                #expect(try json(replaced)["request_id"] as? String == id)
            }
        }
    }
}

/// A swift-log handler that keeps every line it is given (message and metadata), for tests to read.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []

    var lines: [String] { lock.withLock { kept } }

    var logger: Logger {
        Logger(label: "media-server-test") { _ in Handler(recorder: self) }
    }

    fileprivate func keep(_ line: String) {
        lock.withLock { kept.append(line) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.keep("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
