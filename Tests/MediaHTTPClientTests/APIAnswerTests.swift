import Foundation
import Hummingbird
import MediaAPI
@testable import MediaHTTPClient
import MediaServer
import NIOConcurrencyHelpers
import Testing

/// Issue 31 point 3 at the client: only the Media API's JSON 404 is "nothing"; any other 404,
/// a 200 that is not the API's, a redirect, is an error naming the request, status, content type
/// and first bytes. A real server on loopback answers as a web server, a portal or a proxy would.
@Suite struct APIAnswerTests {
    /// Answers every request with `status`, `type` and `body` (and `Location` when given); counts them.
    final class Answering: Sendable {
        let port: Int
        let task: Task<Void, any Error>
        let hits = NIOLockedValueBox(0)

        init(status: HTTPResponse.Status, type: String?, body: String, location: String? = nil) async throws {
            let router = Router()
            let hits = self.hits
            router.add(middleware: Fixed(status: status, type: type, body: body, location: location, hits: hits))
            (port, task) = try await launch(named: "answering server") { reportPort in
                Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                            onServerRunning: { await reportPort($0.localAddress?.port ?? 0) })
            }
        }

        var endpoint: URL { URL(string: "http://127.0.0.1:\(port)/v3/media")! }

        func client() throws -> MediaHTTPClient {
            try MediaHTTPClient(endpoint: endpoint, credentials: .apiKey(key: "k", secret: "s"), configuration: .forTests)
        }

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    struct Fixed: RouterMiddleware {
        typealias Context = BasicRequestContext
        let status: HTTPResponse.Status
        let type: String?
        let body: String
        let location: String?
        let hits: NIOLockedValueBox<Int>

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            hits.withLockedValue { $0 += 1 }
            var headers: HTTPFields = [:]
            if let type { headers[.contentType] = type }
            if let location { headers[.location] = location }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    static let id = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"

    /// Runs every operation against a server answering so, and returns the error of each.
    func errors(_ server: Answering) async throws -> [String: MediaError?] {
        let client = try server.client()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("api-answer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var result: [String: MediaError?] = [:]
        result["list"] = await mediaError { for try await _ in client.list(MediaQuery()) {} }
        result["info"] = await mediaError { _ = try await client.info(id: Self.id) }
        result["delete"] = await mediaError { try await client.delete(id: Self.id) }
        result["update"] = await mediaError { try await client.update(id: Self.id, MediaUpdate(title: "x")) }
        result["download"] = await mediaError {
            _ = try await client.download(id: Self.id, to: folder.appendingPathComponent("a.wav"), options: DownloadOptions())
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("a.wav").path))
        try await client.shutdown()
        return result
    }

    @Test func anHTML404IsNotNothing() async throws {
        let server = try await Answering(status: .notFound, type: "text/html", body: "<html>\u{1b}[2JNot Found</html>")
        let errors = try await errors(server)
        await server.stop()
        for (operation, error) in errors {
            let text = error.map { "\($0)" } ?? "no error"
            #expect(text.contains("not the Media API's answer"), "\(operation): \(text)")
            #expect(text.contains("HTTP 404") && text.contains("'text/html'") && text.contains(#"<html>\x1B[2JNot Found</html>"#), "\(operation): \(text)")
            #expect(text.contains("/v3/media"), "\(operation): \(text)")
        }
    }

    @Test func theAPIsOwn404StillMeansNothing() async throws {
        let server = try await Answering(status: .notFound, type: "application/json", body: #"{"title":"Not Found","detail":"gone"}"#)
        let errors = try await errors(server)
        await server.stop()
        #expect(errors["list"] == .some(nil), "an empty list: \(String(describing: errors["list"]))")
        for operation in ["info", "delete", "update", "download"] {
            #expect(errors[operation] == .some(.notFound(id: Self.id)), "\(operation): \(String(describing: errors[operation]))")
        }
    }

    /// A server answers a path it does not know with a JSON problem too (media-server does): a 404
    /// off the API's routes (`…/v3/medi`) is not "no items" whatever its body.
    @Test func aJSON404OffTheAPIsRoutesIsNotNothing() async throws {
        let server = try await Answering(status: .notFound, type: "application/json", body: #"{"title":"Not Found","detail":"no such resource"}"#)
        let typo = try MediaHTTPClient(endpoint: URL(string: "http://127.0.0.1:\(server.port)/v3/medi")!,
                                       credentials: .apiKey(key: "k", secret: "s"), configuration: .forTests)
        let list = await mediaError { for try await _ in typo.list(MediaQuery()) {} }
        let delete = await mediaError { try await typo.delete(id: Self.id) }
        try await typo.shutdown()
        await server.stop()
        for error in [list, delete] {
            let text = error.map { "\($0)" } ?? "no error"
            #expect(text.contains("not the Media API's answer") && text.contains("/v3/medi") && text.contains("the path is not one of the Media API's"), "\(text)")
        }
        #expect(APIAnswer.isAPIRoute("http://h/v3/media?page_size=1"))
        #expect(APIAnswer.isAPIRoute("https://h/proxy/v3/media/abc/info"))
        #expect(APIAnswer.isAPIRoute("http://h:1/v3/media/abc"))
        #expect(!APIAnswer.isAPIRoute("http://h/v3/medi?page_size=1"))
        #expect(!APIAnswer.isAPIRoute("http://h/v3/media/abc/other"))
        #expect(!APIAnswer.isAPIRoute("http://h/v3/media/abc/info/x"))
    }

    @Test func aLoginPageIsNotAnAnswer() async throws {
        let server = try await Answering(status: .ok, type: "text/html; charset=utf-8", body: "<!DOCTYPE html><form>Sign in</form>")
        let errors = try await errors(server)
        await server.stop()
        for (operation, error) in errors {
            let text = error.map { "\($0)" } ?? "no error"
            #expect(text.contains("not the Media API's answer") && text.contains("HTTP 200") && text.contains("<!DOCTYPE html>"), "\(operation): \(text)")
        }
    }

    @Test func aRedirectIsReportedNotFollowed() async throws {
        let target = try await Answering(status: .ok, type: "application/json", body: #"{"_embedded":{"media":[]}}"#)
        let server = try await Answering(status: .found, type: nil, body: "", location: target.endpoint.absoluteString)
        let errors = try await errors(server)
        await server.stop()
        #expect(target.hits.withLockedValue { $0 } == 0, "the redirect was not followed")
        await target.stop()
        for (operation, error) in errors {
            let text = error.map { "\($0)" } ?? "no error"
            #expect(text.contains("HTTP 302") && text.contains("redirecting to '\(target.endpoint.absoluteString)'"), "\(operation): \(text)")
        }
    }
}

/// Issue 32 point 9: a page larger than the page size asked for is a protocol error, in order and
/// in parallel windows; the reader stops at the item after the page size, never keeping them all.
@Suite(.timeLimit(.minutes(1))) struct OversizedPageTests {
    static func page(_ count: Int) -> String {
        let items = (0..<count).map { #"{"id":"i-\#($0)","time_created":"2026-01-01T00:00:00.000Z","title":"t"}"# }
        return #"{"_embedded":{"media":["# + items.joined(separator: ",") + "]}}"
    }

    @Test(arguments: [1, 4])
    func aPageLargerThanAskedIsAnError(windows: Int) async throws {
        let server = try await APIAnswerTests.Answering(status: .ok, type: "application/json", body: Self.page(20_000))
        let client = try server.client()
        var listed = 0
        let error = await mediaError {
            for try await _ in client.list(MediaQuery(pageSize: 100, windows: windows)) { listed += 1 }
        }
        try await client.shutdown()
        await server.stop()
        let text = error.map { "\($0)" } ?? "no error"
        #expect(text.contains("items for a page of page_size="), "\(text)")
        #expect(listed == 0, "none of the page's items listed: \(listed)")
    }

    @Test func theReaderStopsAtTheItemAfterTheLimit() {
        let body = Data(Self.page(5_000).utf8)
        let read = body.withUnsafeBytes { ListPageReader.items($0, atMost: 100) }
        #expect(read?.count == 101)
        let all = body.withUnsafeBytes { ListPageReader.items($0, atMost: .max) }
        #expect(all?.count == 5_000)
    }

    @Test func aPageOfExactlyThePageSizeIsTaken() async throws {
        let server = try await APIAnswerTests.Answering(status: .ok, type: "application/json", body: Self.page(100))
        let client = try server.client()
        var listed = 0
        let error = await mediaError { for try await _ in client.list(MediaQuery(pageSize: 100, limit: 100)) { listed += 1 } }
        try await client.shutdown()
        await server.stop()
        #expect(error == nil, "\(String(describing: error))")
        #expect(listed == 100)
    }
}
