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

    @Test("an unusable upload folder answers a 500 without its path or OS error; the log has both under the request id")
    func unusableUploadFolderLeaksNothing() async throws {
        let log = LogRecorder()
        let server = try TestServer { $0.logger = log.logger }
        // The staging folder becomes a file: no upload file can be created in it.
        let staging = server.store.temporaryDirectory
        try FileManager.default.removeItem(at: staging)
        try Data("not a folder".utf8).write(to: staging)
        var building = MultipartBody()
        building.file("filedata", fileName: "a.txt", "hello")
        let form = building
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.alice), body: form.body)
            let detail = try expectProblem(response, .internalServerError)
            let body = String(buffer: response.body)
            for leak in [server.folder.path, "/tmp", "Not a directory", "errno", "Swift."] {
                #expect(!body.contains(leak), "the answer shows '\(leak)': \(body)")
            }
            #expect(!detail.contains("tmp") && !detail.contains("Error") && !detail.contains("create"), "\(detail)")
            let id = try #require(response.headers[Self.header])
            #expect(detail.contains(id))
            #expect(log.lines.contains { $0.contains(id) && $0.contains(staging.path) }, "the log under \(id) has no details: \(log.lines)")
        }
    }

    @Test("a body that is not JSON is a 400 in the server's words, not the decoder's (no Swift type names)")
    func notJSONInOwnWords() async throws {
        let server = try TestServer()
        let item = try await server.seed("x")
        try await server.test { client in
            for text in ["{", "{\"title\": }", "[1, 2", "\u{0}"] {
                var headers = basic(TestServer.alice)
                headers[.contentType] = "application/json"
                let response = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .put, headers: headers, body: buffer(text))
                let detail = try expectProblem(response, .badRequest)
                for leak in ["Error", "Swift", "error ", "couldn", "The data", "Dictionary", "JSON text"] {
                    #expect(!detail.contains(leak), "\(text): \(detail)")
                }
            }
        }
    }

    @Test("every answer has an id of its own; a client's plain id is kept in front of it, any other is replaced")
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

            // A client's id is kept, with the server's after it: the same client id twice gives two ids.
            var headers = basic(TestServer.alice)
            headers[Self.header] = "client-trace.42_A"
            let kept = try await client.execute(uri: "/v3/media", method: .get, headers: headers)
            let keptID = try #require(kept.headers[Self.header])
            #expect(keptID.hasPrefix("client-trace.42_A+") && keptID.count > "client-trace.42_A+".count, "\(keptID)")
            let again = try await client.execute(uri: "/v3/media/nothing/info", method: .get, headers: headers)
            let againID = try #require(again.headers[Self.header])
            #expect(againID.hasPrefix("client-trace.42_A+") && againID != keptID, "\(againID) and \(keptID)")
            #expect(try json(again)["request_id"] as? String == againID)
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

    /// Tests waiting for lines: how many lines containing the text each waits for.
    private var waiters: [(text: String, count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    fileprivate func keep(_ line: String) {
        let ready = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            kept.append(line)
            let (done, waiting) = waiters.reduce(into: ([CheckedContinuation<Void, Never>](), [(text: String, count: Int, continuation: CheckedContinuation<Void, Never>)]())) { acc, w in
                if kept.filter({ $0.contains(w.text) }).count >= w.count { acc.0.append(w.continuation) } else { acc.1.append(w) }
            }
            waiters = waiting
            return done
        }
        for c in ready { c.resume() }
    }

    /// Returns once `count` lines containing `text` were kept: an event to wait for, not a time.
    func wait(forLines count: Int, containing text: String) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if kept.filter({ $0.contains(text) }).count >= count { return true }
                waiters.append((text, count, c))
                return false
            }
            if now { c.resume() }
        }
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
