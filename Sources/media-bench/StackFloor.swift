// The bulk benchmark's second floor (scripts/bench.d/bulk): what the HTTP packages mediash and
// media-server are built on cost by themselves. The same requests as scripts/lib/latency-floor.c
// sends, between an AsyncHTTPClient client and a Hummingbird server whose one route sleeps for
// the latency and answers 204: no store, no middleware, no listing, no output. Its time over the
// C floor is the packages' (NIO, Hummingbird, AsyncHTTPClient, Swift Concurrency's threads); what
// mediash and media-server take beyond it is their own code's.
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Serves `DELETE /v3/media/{id}` on a free 127.0.0.1 port, sleeping `latency` before each 204;
/// prints "port P" once listening, and serves until killed.
func serveStackFloor(latency: Duration) async throws {
    let router = Router()
    router.delete("/v3/media/:id") { _, _ -> HTTPResponse.Status in
        try await Task.sleep(for: latency)
        return .noContent
    }
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            FileHandle.standardOutput.write(Data("port \(channel.localAddress?.port ?? 0)\n".utf8))
        })
    try await app.runService()
}

/// Sends `requests` DELETEs to the floor server on `port`, `concurrency` at a time over
/// keep-alive connections, as mediash's client sends them (Basic credentials, body read to its
/// end); prints "seconds S" (first request to last answer) and "answered N" (204s).
func runStackFloor(port: Int, requests: Int, concurrency: Int) async throws {
    // MediaHTTPClient's settings that bear on a request's cost: no decompression, no tracer.
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, concurrency)
    configuration.decompression = .disabled
    configuration.tracing.tracer = nil
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    // The bench's account (media-server --account k:s); the floor's route does not check it.
    let authorization = "Basic " + Data("k:s".utf8).base64EncodedString()
    let next = NIOLockedValueBox(0)
    let clock = ContinuousClock()
    let started = clock.now
    let answered = await withTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var answered = 0
                while let k = next.withLockedValue({ n -> Int? in
                    guard n < requests else { return nil }
                    n += 1
                    return n
                }) {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v3/media/item-\(k)")
                    request.method = .DELETE
                    request.headers.add(name: "Authorization", value: authorization)
                    guard let response = try? await client.execute(request, timeout: .seconds(30)),
                          (try? await response.body.collect(upTo: 1 << 16)) != nil else { continue }
                    if response.status == .noContent { answered += 1 }
                }
                return answered
            }
        }
        var total = 0
        for await count in group { total += count }
        return total
    }
    let elapsed = clock.now - started
    try await client.shutdown()
    print(String(format: "seconds %.3f", seconds(elapsed)))
    print("answered \(answered)")
}
