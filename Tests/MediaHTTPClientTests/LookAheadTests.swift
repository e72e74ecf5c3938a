import Foundation
import Hummingbird
import MediaAPI
@testable import MediaHTTPClient
import MediaServer
import Testing

/// The request for the next page, sent before a page is read (`Listing.lookAhead`), is a guess
/// from the page's last `"time_created"`; only the page as read may decide whether it is used.
@Suite("listing: the next page asked for ahead")
struct LookAheadTests {
    /// A server of 25 items one second apart, newest first, in pages of at most 5, honouring
    /// `end_time` and `page_index` as the API does. Each answer ends with a member the client
    /// does not know, whose `time_created` is an hour older than every item: a client that
    /// paged from it would list 5 items and stop.
    static func misleadingServer() async throws -> (endpoint: URL, task: Task<Void, any Error>) {
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        let items = (0..<25).map { (id: "item-\($0)", time: base.addingTimeInterval(Double(-$0))) }
        let router = Router()
        router.get("v3/media") { request, _ -> Response in
            let query = request.uri.queryParameters
            let end = query["end_time"].flatMap { MediaTime.parse(String($0)) } ?? .distantFuture
            let size = min(5, Int(query["page_size"] ?? "") ?? 5)
            let index = Int(query["page_index"] ?? "") ?? 0
            let page = items.filter { $0.time <= end }.dropFirst(index * size).prefix(size)
            let media = page.map { #"{"id":"\#($0.id)","media_size":1,"time_created":"\#(MediaTime.format($0.time))"}"# }
            let body = #"{"_embedded":{"media":["# + media.joined(separator: ",")
                + #"]},"decoy":{"time_created":"\#(MediaTime.format(base.addingTimeInterval(-3600)))"}}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (port, task) = try await launch(named: "the test server") { reportPort in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await reportPort($0.localAddress?.port ?? 0) })
        }
        guard let endpoint = URL(string: "http://127.0.0.1:\(port)/v3/media") else {
            task.cancel()
            throw MediaError.transport("no endpoint for port \(port)")
        }
        return (endpoint, task)
    }

    @Test("a page whose bytes point elsewhere than its items: the request sent ahead is dropped, every item is listed once")
    func misleadingPage() async throws {
        let (endpoint, server) = try await Self.misleadingServer()
        defer { server.cancel() }
        let client = try MediaHTTPClient(endpoint: endpoint, credentials: .apiKey(key: "k", secret: "s"))
        var ids: [String] = []
        do {
            for try await item in client.list(MediaQuery(pageSize: 5)) { ids.append(item.id) }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(ids == (0..<25).map { "item-\($0)" })
        // Pages were asked for ahead (each from the decoy's hour-old time) and all were dropped.
        #expect(client.pagesAskedAhead.withLockedValue { $0 } > 0, "nothing was asked for ahead, so dropping it was not tested")
    }
}
