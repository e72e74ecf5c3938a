import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import Testing

@Suite("fault injection and the legacy shape")
struct FaultAndShapeTests {
    @Test("the legacy shape answers camelCase records with epoch-millisecond times, which MediaItem still reads")
    func legacyShape() async throws {
        let server = try TestServer { $0.legacyShape = true }
        let item = try await server.seed("legacy", name: "old.txt", info: MediaUpdate(isPublic: true))
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice))
            let body = try json(response)
            #expect(body["mediaSize"] as? Int == 6)
            #expect(body["publicItem"] as? Bool == true)
            #expect(body["accountId"] as? String == "alice")
            #expect(body["originalFileName"] as? String == "old.txt")
            #expect(body["media_size"] == nil && body["public"] == nil)
            let created = try #require(body["timeCreated"] as? Int64)
            #expect(abs(Double(created) / 1000 - (item.timeCreated?.timeIntervalSince1970 ?? 0)) < 0.002)
            #expect(try JSONDecoder().decode(MediaItem.self, from: Data(response.body.readableBytesView)) == item)

            let list = try json(try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice)))
            let media = try #require((list["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
            #expect(media.first?["mediaSize"] as? Int == 6)
            #expect(list["count"] as? Int == 1)
        }
    }

    @Test("every Nth request is rate limited with Retry-After")
    func rateLimit() async throws {
        let server = try TestServer { $0.faults = FaultPlan(rateLimitEvery: 3, retryAfterSeconds: 2) }
        try await server.test { client in
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for _ in 0..<6 {
                let response = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
                statuses.append(response.status.code)
                if response.status == .tooManyRequests {
                    try expectProblem(response, .tooManyRequests)
                    retryAfter.append(response.headers[.retryAfter] ?? "")
                }
            }
            #expect(statuses == [200, 200, 429, 200, 200, 429])
            #expect(retryAfter == ["2", "2"])
        }
    }

    @Test("server errors at random are 500 or 503, the same ones for the same seed")
    func serverErrors() async throws {
        func run(seed: UInt64) async throws -> [Int] {
            let server = try TestServer { $0.faults = FaultPlan(serverErrorRate: 0.5, seed: seed) }
            return try await server.test { client in
                var statuses: [Int] = []
                for _ in 0..<20 {
                    let response = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
                    if response.status.code >= 500 { try expectProblem(response, response.status) }
                    statuses.append(response.status.code)
                }
                return statuses
            }
        }
        let first = try await run(seed: 7)
        #expect(try await run(seed: 7) == first)
        #expect(Set(first).isSubset(of: [200, 500, 503]))
        #expect(first.contains(200) && first.contains { $0 >= 500 })
        #expect(try await run(seed: 8) != first)

        let always = try TestServer { $0.faults = FaultPlan(serverErrorRate: 1) }
        try await always.test { client in
            let response = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            #expect([500, 503].contains(response.status.code))
        }
    }

    @Test("a dropped request gets no answer: the connection closes")
    func drop() async throws {
        let server = try TestServer { $0.faults = FaultPlan(dropRate: 1) }
        try await server.test(.live) { client in
            await #expect(throws: (any Error).self) {
                _ = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            }
        }
    }

    @Test("latency is added to every request")
    func latency() async throws {
        let server = try TestServer { $0.faults = FaultPlan(latency: .milliseconds(150)) }
        try await server.test { client in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            #expect(clock.now - start >= .milliseconds(150))
        }
    }
}

@Suite("the server over a live connection")
struct LiveServerTests {
    @Test("onServerRunning reports the bound port, and a session uploads, lists, updates, downloads and deletes")
    func session() async throws {
        let server = try TestServer()
        try await server.test(.live) { client in
            var form = MultipartBody()
            form.file("filedata", fileName: "s.txt", "session content")
            let created = try json(try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.alice), body: form.body))
            let id = try #require(created["id"] as? String)
            let list = try json(try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice)))
            #expect(list["count"] as? Int == 1)
            var update = MultipartBody()
            update.field("title", "renamed")
            #expect(try await client.execute(uri: "/v3/media/\(id)/info", method: .put, headers: update.headers(TestServer.alice), body: update.body).status == .noContent)
            var ranged = basic(TestServer.alice)
            ranged[.range] = "bytes=0-6"
            #expect(String(buffer: try await client.execute(uri: "/v3/media/\(id)", method: .get, headers: ranged).body) == "session")
            #expect(try await client.execute(uri: "/v3/media/\(id)", method: .delete, headers: basic(TestServer.alice)).status == .noContent)
        }

        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildMediaServer(store: server.store, configuration: server.configuration) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0 && port != 3000)
        task.cancel()
        _ = await task.result
    }
}
