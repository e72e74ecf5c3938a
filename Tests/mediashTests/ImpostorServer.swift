import Foundation
import Hummingbird
import MediaServer

/// A web server that is not the Media API, on a free loopback port: what a mistyped
/// `--endpoint`, a proxy or a login portal answers. The first path segment picks its manner
/// (`http://127.0.0.1:PORT/MANNER/v3/media`):
///
/// - `api`: the Media API's own "nothing": the list answers a JSON problem 404.
/// - `html404`, `text404`, `empty404`: every request gets that 404.
/// - `login`: every request gets a 200 HTML login page; `jsonlogin` a 200 `{"error": …}`.
/// - `moved`: every request is redirected (302) to another host.
/// - `items-html404`, `items-login`, `items-moved`: the list is a real page with one item, and
///   every request about that item gets the manner after `items-`.
final class ImpostorServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    private let log: RequestLog

    /// Every request it was sent, as `METHOD path`.
    var requests: [String] { log.all }

    static let itemID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
    /// The HTML pages carry an ESC sequence: an error quoting them must escape it.
    static let htmlNotFound = "<html><head><title>404 Not Found</title></head><body>\u{1b}]0;pwned\u{07}<h1>Not Found</h1></body></html>\n"
    static let loginPage = "<!DOCTYPE html><html><body><form action=\"/login\">Sign in</form></body></html>\n"

    func endpoint(_ manner: String) -> String { "http://127.0.0.1:\(port)/\(manner)/v3/media" }

    func flags(_ manner: String) -> [String] {
        ["--endpoint", endpoint(manner), "--api-key", "impostor-key", "--api-secret", "impostor-secret"]
    }

    private init(port: Int, task: Task<Void, any Error>, log: RequestLog) {
        self.port = port
        self.task = task
        self.log = log
    }

    static func start() async throws -> ImpostorServer {
        let router = Router()
        let log = RequestLog()
        router.add(middleware: log)
        router.add(middleware: Impostor())
        let (port, task) = try await launch(named: "the impostor server") { reportPort in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await reportPort($0.localAddress?.port ?? 0) })
        }
        return ImpostorServer(port: port, task: task, log: log)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Answers every request itself, by the manner its path starts with.
private struct Impostor: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let parts = request.uri.path.split(separator: "/")
        guard let first = parts.first else { return Response(status: .notFound) }
        var manner = String(first)
        let isList = parts.count == 3
        if manner.hasPrefix("items-") {
            if isList { return page(request) }
            manner.removeFirst("items-".count)
        }
        switch manner {
        case "api":
            if isList {
                return answer(.notFound, "application/json", #"{"type":"https://developer.nexmo.com/api-errors/media#not-found","title":"Not Found","detail":"no media items"}"#)
            }
            return answer(.notFound, "application/problem+json", #"{"title":"Not Found","detail":"no such item"}"#)
        case "html404": return answer(.notFound, "text/html; charset=utf-8", ImpostorServer.htmlNotFound)
        case "text404": return answer(.notFound, "text/plain", "404 page not found\n")
        case "empty404": return Response(status: .notFound)
        case "login": return answer(.ok, "text/html", ImpostorServer.loginPage)
        case "jsonlogin": return answer(.ok, "application/json", #"{"error":"login required"}"#)
        case "moved":
            var headers: HTTPFields = [.location: "http://127.0.0.2:9/v3/media"]
            headers[.contentType] = "text/html"
            return Response(status: .found, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "<a href=\"http://127.0.0.2:9/v3/media\">Found</a>")))
        default: return Response(status: .notFound)
        }
    }

    /// One item on the first page of a listing, none after it.
    private func page(_ request: Request) -> Response {
        let first = request.uri.queryParameters["end_time"] == nil && (request.uri.queryParameters["page_index"] ?? "0") == "0"
        let item = #"{"id":"\#(ImpostorServer.itemID)","original_file_name":"a.wav","title":"old","time_created":"2026-01-01T00:00:00.000Z","media_size":16,"etag":"00000000000000000000000000000000"}"#
        return answer(.ok, "application/json", #"{"_embedded":{"media":["# + (first ? item : "") + "]}}")
    }

    private func answer(_ status: HTTPResponse.Status, _ type: String, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
