import Foundation
import Hummingbird
import MediaServer
import Synchronization

/// A Media API server that lies, on a free loopback port: it lists the raw JSON items it was
/// given (ids, names, times and titles no real server sends), answers `…/info` with them, and
/// serves the same content for every download. It answers a `Range` request with a 206 that
/// continues from the byte asked for, as a real server resuming a download does, so a planted
/// `.partial` file would be appended to. A path holding a key of `problems` gets that status
/// and a Problem whose `title` is the text given.
final class HostileServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    private let log: RequestLog

    /// Every request it was sent, as `METHOD path` with the path as it arrived, in order.
    var requests: [String] { log.all }

    var endpoint: String { "http://127.0.0.1:\(port)/v3/media" }

    /// The flags that point mediash at this server (any key and secret: it checks none).
    var flags: [String] { ["--endpoint", endpoint, "--api-key", "hostile-key", "--api-secret", "hostile-secret"] }

    private init(port: Int, task: Task<Void, any Error>, log: RequestLog) {
        self.port = port
        self.task = task
        self.log = log
    }

    static func start(items: [String], content: String = "HOSTILE CONTENT\n", problems: [String: (status: Int, title: String)] = [:]) async throws -> HostileServer {
        let router = Router()
        let log = RequestLog()
        router.add(middleware: log)
        // A page holds no more than the page_size asked for: a larger one is refused as a protocol error.
        @Sendable func page(_ size: Int) -> String { "{\"_embedded\":{\"media\":[" + items.prefix(size).joined(separator: ",") + "]}}" }
        let json: HTTPFields = [.contentType: "application/json"]
        @Sendable func problem(_ path: Substring) -> Response? {
            guard let (status, title) = problems.first(where: { path.contains($0.key) })?.value else { return nil }
            let body = try? JSONSerialization.data(withJSONObject: ["title": title, "detail": title])
            return Response(status: .init(code: status), headers: json, body: .init(byteBuffer: ByteBuffer(bytes: body ?? Data())))
        }
        router.get("v3/media") { request, _ -> Response in
            // One page: the first request of a listing (no cursor yet) gets the items, later ones none.
            let first = request.uri.queryParameters["end_time"] == nil && (request.uri.queryParameters["page_index"] ?? "0") == "0"
            let size = Int(request.uri.queryParameters["page_size"] ?? "") ?? items.count
            return Response(status: .ok, headers: json, body: .init(byteBuffer: ByteBuffer(string: first ? page(size) : "{\"_embedded\":{\"media\":[]}}")))
        }
        @Sendable func item(_ request: Request) -> Response {
            let path = request.uri.path
            if let answer = problem(Substring(path)) { return answer }
            if path.hasSuffix("/info") {
                let id = String(path.dropFirst("/v3/media/".count).dropLast("/info".count)).removingPercentEncoding ?? ""
                let item = items.first { text in
                    ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["id"] as? String == id
                }
                guard let item else { return Response(status: .notFound) }
                return Response(status: .ok, headers: json, body: .init(byteBuffer: ByteBuffer(string: item)))
            }
            let bytes = Array(content.utf8)
            if let range = request.headers[.range], let start = Int(range.dropFirst("bytes=".count).prefix { $0.isNumber }) {
                let headers: HTTPFields = [.contentRange: "bytes \(start)-\(start + bytes.count - 1)/\(start + bytes.count)"]
                return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("v3/media/:id") { request, _ in item(request) }
        router.get("v3/media/:id/info") { request, _ in item(request) }
        router.delete("v3/media/:id") { _, _ in Response(status: .noContent) }
        let (port, task) = try await launch(named: "the hostile server") { reportPort in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await reportPort($0.localAddress?.port ?? 0) })
        }
        return HostileServer(port: port, task: task, log: log)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Notes each request's method and raw path before any route sees it.
final class RequestLog: RouterMiddleware, Sendable {
    typealias Context = BasicRequestContext
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        lines.withLock { $0.append("\(request.method) \(request.uri.path)") }
        return try await next(request, context)
    }
}

/// Every file under `root` (symlinks as links, not followed) with its content, leaving out the
/// folders `excluded`: to check that a run wrote nothing where it should not.
func snapshot(of root: URL, excluding excluded: [URL] = []) -> [String: Data] {
    var files: [String: Data] = [:]
    let skipped = excluded.map { $0.standardizedFileURL.path + "/" }
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isSymbolicLinkKey, .isRegularFileKey]) else { return files }
    for case let url as URL in walker {
        let path = url.standardizedFileURL.path
        if skipped.contains(where: { (path + "/").hasPrefix($0) }) { continue }
        let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isRegularFileKey])
        if values?.isSymbolicLink == true {
            files[path] = Data(("-> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")).utf8)
        } else if values?.isRegularFile == true {
            files[path] = (try? Data(contentsOf: url)) ?? Data()
        }
    }
    return files
}

