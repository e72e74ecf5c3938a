import Foundation
import MediaAPI
@testable import MediaHTTPClient
import MediaServer
import Testing

/// The client against a server that misbehaves on purpose (media-server's FaultPlan): results
/// stay right, or fail with the right MediaError, and the requests spent are what they should be.
@Suite("faults")
struct FaultTests {
    @Test("429 with Retry-After: waits as told, retries, and every call succeeds")
    func rateLimited() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(rateLimitEvery: 3, retryAfterSeconds: 0.2) }) { server in
            let item = try await ListingTests.seed(1, into: server)[0]
            let clock = ContinuousClock()
            let started = clock.now
            for _ in 0..<10 { #expect(try await server.client.info(id: item.id) == item) }
            // Requests 3, 6, 9 and 12 were refused; 10 answers needed 14 requests and 4 waits.
            #expect(server.client.requestsSent == 14)
            #expect(clock.now - started >= .milliseconds(780))
        }
    }

    @Test("uploads are retried after a 429: the service did not act on the request")
    func rateLimitedUpload() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(rateLimitEvery: 2, retryAfterSeconds: 0.05) }) { server in
            let first = try await server.client.upload(MediaUpload(source: .file(try server.file("a.bin", size: 5000))))
            let second = try await server.client.upload(MediaUpload(source: .file(try server.file("b.bin", size: 7000))))
            #expect(first.size == 5000 && second.size == 7000)
            #expect(server.client.requestsSent == 3)
            var stored = 0
            for try await _ in server.account.list(MediaQuery()) { stored += 1 }
            #expect(stored == 2)
        }
    }

    @Test("a Retry-After longer than the client will wait fails at once with .rateLimited")
    func rateLimitTooLong() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(rateLimitEvery: 1, retryAfterSeconds: 30) }) { server in
            let error = await mediaError { _ = try await server.client.info(id: "anything") }
            #expect(error == .rateLimited(retryAfter: 30))
            #expect(server.client.requestsSent == 1)
        }
    }

    @Test("500 and 503 answers are retried: 250 items list and download correctly")
    func serverErrors() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(serverErrorRate: 0.3, seed: 7) }) { server in
            let seeded = try await ListingTests.seed(250, into: server)
            var listed: [String] = []
            for try await item in server.client.list(MediaQuery(pageSize: 50)) { listed.append(item.id) }
            #expect(Set(listed) == Set(seeded.map(\.id)) && listed.count == 250)
            // 6 pages at least (5 full, one empty); the injected errors cost more.
            #expect(server.client.requestsSent > 6)
        }
    }

    @Test("when retries run out, the error carries the status and the server's own message")
    func serverErrorsExhausted() async throws {
        var configuration = MediaHTTPClient.Configuration.forTests
        configuration.maxAttempts = 3
        try await withLiveServer(client: configuration, { $0.faults = FaultPlan(serverErrorRate: 1) }) { server in
            let error = await mediaError { _ = try await server.client.info(id: "anything") }
            guard case .server(let status, let message)? = error else {
                Issue.record("expected MediaError.server, got \(String(describing: error))")
                return
            }
            #expect(status == 500 || status == 503)
            #expect(message.contains("injected"), "message: \(message)")
            #expect(server.client.requestsSent == 3)
        }
    }

    @Test("dropped connections: reads and downloads are retried and come out whole")
    func droppedConnections() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(dropRate: 0.3, seed: 3) }) { server in
            let seeded = try await ListingTests.seed(60, into: server)
            var listed: [String] = []
            for try await item in server.client.list(MediaQuery(pageSize: 10)) { listed.append(item.id) }
            #expect(Set(listed) == Set(seeded.map(\.id)))
            let content = try server.file("big.bin", size: 300_000, seed: 5)
            let big = try await server.account.upload(MediaUpload(source: .file(content)))
            let destination = server.folder.appendingPathComponent("big.out")
            _ = try await server.client.download(id: big.id, to: destination)
            #expect(try Data(contentsOf: destination) == Data(contentsOf: content))
            #expect(server.client.requestsSent > 8)
        }
    }

    @Test("an upload whose connection drops is not repeated: it may have arrived")
    func droppedUpload() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(dropRate: 1) }) { server in
            let error = await mediaError { _ = try await server.client.upload(MediaUpload(source: .file(try server.file("u.bin")))) }
            guard case .transport? = error else {
                Issue.record("expected MediaError.transport, got \(String(describing: error))")
                return
            }
            #expect(server.client.requestsSent == 1)
        }
    }

    @Test("a refused connection is retried, even for an upload, then fails with .transport")
    func connectionRefused() async throws {
        // A port that was just free: start a server to learn one, then stop it.
        let server = try await LiveServer.start()
        let port = server.port
        let file = try server.file("r.bin")
        await server.stop()
        try FileManager.default.createDirectory(at: server.folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: server.folder) }
        try Data("r".utf8).write(to: file)

        var configuration = MediaHTTPClient.Configuration.forTests
        configuration.maxAttempts = 4
        let client = try MediaHTTPClient(
            endpoint: URL(string: "http://127.0.0.1:\(port)/v3/media")!,
            credentials: .apiKey(key: "k", secret: "s"), configuration: configuration)
        let error = await mediaError { _ = try await client.upload(MediaUpload(source: .file(file))) }
        try await client.shutdown()
        #expect(error?.description.contains("connection refused") == true, "\(String(describing: error))")
        #expect(client.requestsSent == 4)
    }

    @Test("a stalled response hits the read timeout and is retried a bounded number of times")
    func readTimeout() async throws {
        var configuration = MediaHTTPClient.Configuration.forTests
        configuration.readTimeout = .milliseconds(150)
        configuration.maxAttempts = 2
        try await withLiveServer(client: configuration, { $0.faults = FaultPlan(latency: .milliseconds(1500)) }) { server in
            let error = await mediaError { _ = try await server.client.info(id: "anything") }
            #expect(error?.description.contains("read timeout") == true, "\(String(describing: error))")
            #expect(server.client.requestsSent == 2)
        }
    }

    @Test("slow but steady responses under the read timeout succeed")
    func slowResponses() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(latency: .milliseconds(100)) }) { server in
            let seeded = try await ListingTests.seed(5, into: server)
            var listed = 0
            for try await _ in server.client.list(MediaQuery()) { listed += 1 }
            #expect(listed == seeded.count)
        }
    }

    @Test("a DELETE answered 404 after a failed attempt counts as deleted; at first try it is notFound")
    func deleteAfterRetry() async throws {
        try await withLiveServer({ $0.faults = FaultPlan(serverErrorRate: 0.5, seed: 11) }) { server in
            var retriedThenGone = 0, notFoundAtOnce = 0
            for _ in 0..<16 {
                let before = server.client.requestsSent
                let error = await mediaError { try await server.client.delete(id: UUID().uuidString.lowercased()) }
                let spent = server.client.requestsSent - before
                if spent == 1 {
                    guard case .notFound? = error else {
                        Issue.record("a delete answered at once should be notFound, got \(String(describing: error))")
                        continue
                    }
                    notFoundAtOnce += 1
                } else if error == nil {
                    retriedThenGone += 1
                }
            }
            #expect(retriedThenGone > 0 && notFoundAtOnce > 0, "\(retriedThenGone) retried, \(notFoundAtOnce) at once")
        }
    }
}
