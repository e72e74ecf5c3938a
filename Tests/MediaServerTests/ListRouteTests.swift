import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import Testing

@Suite("GET /v3/media")
struct ListRouteTests {
    @Test("an empty account lists nothing, in the seed's HAL shape")
    func emptyList() async throws {
        let server = try TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let body = try json(response)
            #expect(body["count"] as? Int == 0)
            #expect(body["page_index"] as? Int == 0)
            #expect(body["page_size"] as? Int == 20)
            let media = (body["_embedded"] as? [String: Any])?["media"] as? [Any]
            #expect(media?.isEmpty == true)
            let links = try #require(body["_links"] as? [String: [String: String]])
            #expect(Set(links.keys) == ["first", "last", "self"])
            #expect(links["self"]?["href"] == "/v3/media?page_size=20&order=descending&page_index=0")
        }
    }

    @Test("pages carry count, page_index, page_size and first/last/self/next/prev links")
    func paging() async throws {
        let server = try TestServer()
        for n in 0..<5 { _ = try await server.seed("item \(n)") }
        _ = try await server.seed("bob's", account: TestServer.bob)
        try await server.test { client in
            let first = try json(try await client.execute(uri: "/v3/media?page_size=2", method: .get, headers: basic(TestServer.alice)))
            #expect(first["count"] as? Int == 5)
            #expect(first["page_size"] as? Int == 2)
            var links = try #require(first["_links"] as? [String: [String: String]])
            #expect(Set(links.keys) == ["first", "last", "self", "next"])
            #expect(links["last"]?["href"] == "/v3/media?page_size=2&order=descending&page_index=2")
            #expect(links["next"]?["href"] == "/v3/media?page_size=2&order=descending&page_index=1")

            let middle = try json(try await client.execute(uri: "/v3/media?page_size=2&page_index=1", method: .get, headers: basic(TestServer.alice)))
            links = try #require(middle["_links"] as? [String: [String: String]])
            #expect(Set(links.keys) == ["first", "last", "self", "next", "prev"])
            #expect(links["prev"]?["href"] == "/v3/media?page_size=2&order=descending&page_index=0")

            let last = try json(try await client.execute(uri: "/v3/media?page_size=2&page_index=2", method: .get, headers: basic(TestServer.alice)))
            links = try #require(last["_links"] as? [String: [String: String]])
            #expect(Set(links.keys) == ["first", "last", "self", "prev"])
            let media = try #require((last["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
            #expect(media.count == 1)
            #expect(media.allSatisfy { $0["account_id"] as? String == "alice" })

            let beyond = try json(try await client.execute(uri: "/v3/media?page_size=2&page_index=9", method: .get, headers: basic(TestServer.alice)))
            #expect(((beyond["_embedded"] as? [String: Any])?["media"] as? [Any])?.isEmpty == true)
            #expect(beyond["count"] as? Int == 5)
        }
    }

    @Test("newest first by default; order=ascending reverses it")
    func order() async throws {
        let server = try TestServer()
        server.clock.set(daysAgo: 2)
        let older = try await server.seed("old")
        server.clock.set(daysAgo: 1)
        let newer = try await server.seed("new")
        try await server.test { client in
            func ids(_ uri: String) async throws -> [String] {
                let body = try json(try await client.execute(uri: uri, method: .get, headers: basic(TestServer.alice)))
                let media = try #require((body["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
                return media.compactMap { $0["id"] as? String }
            }
            let byDefault = try await ids("/v3/media")
            let descending = try await ids("/v3/media?order=descending")
            let ascending = try await ids("/v3/media?order=ascending")
            #expect(byDefault == [newer.id, older.id])
            #expect(descending == [newer.id, older.id])
            #expect(ascending == [older.id, newer.id])
        }
    }

    @Test("with neither time given only the last 7 days are listed; start_time or end_time lifts that")
    func lastWeekByDefault() async throws {
        let server = try TestServer()
        server.clock.set(daysAgo: 10)
        let old = try await server.seed("old")
        server.clock.set(daysAgo: 1)
        let recent = try await server.seed("recent")
        try await server.test { client in
            func ids(_ uri: String) async throws -> Set<String> {
                let body = try json(try await client.execute(uri: uri, method: .get, headers: basic(TestServer.alice)))
                let media = try #require((body["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
                return Set(media.compactMap { $0["id"] as? String })
            }
            #expect(try await ids("/v3/media") == [recent.id])
            #expect(try await ids("/v3/media?start_time=2000-01-01T00:00:00.000Z") == [old.id, recent.id])
            let fiveDaysAgo = MediaTime.format(Date().addingTimeInterval(-5 * 86_400))
            #expect(try await ids("/v3/media?end_time=\(fiveDaysAgo)") == [old.id])
            let body = try json(try await client.execute(uri: "/v3/media?end_time=\(fiveDaysAgo)", method: .get, headers: basic(TestServer.alice)))
            let links = try #require(body["_links"] as? [String: [String: String]])
            #expect(links["self"]?["href"]?.contains("end_time=\(fiveDaysAgo)") == true)
        }
    }

    @Test("a page size above the maximum is cut to it, and page_size says so")
    func maximumPageSize() async throws {
        let server = try TestServer { $0.maxPageSize = 3 }
        for n in 0..<4 { _ = try await server.seed("item \(n)") }
        try await server.test { client in
            let body = try json(try await client.execute(uri: "/v3/media?page_size=50", method: .get, headers: basic(TestServer.alice)))
            #expect(body["page_size"] as? Int == 3)
            #expect(((body["_embedded"] as? [String: Any])?["media"] as? [Any])?.count == 3)
            #expect(body["count"] as? Int == 4)
        }
    }

    @Test("bad parameters are 400 with a detail that says what was expected",
          arguments: [
            ("page_size=abc", "page_size"), ("page_size=0", "page_size"), ("page_size=-5", "page_size"),
            ("page_index=-1", "page_index"), ("page_index=one", "page_index"), ("order=sideways", "ascending or descending"),
            ("start_time=yesterday", "ISO 8601"), ("end_time=2020-13-01", "ISO 8601"),
            ("start_time=2021-01-01T00:00:00Z&end_time=2020-01-01T00:00:00Z", "after end_time"),
            ("page_index=9223372036854775807&page_size=20", "page_index"),
          ])
    func badParameters(query: String, expected: String) async throws {
        let server = try TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media?\(query)", method: .get, headers: basic(TestServer.alice))
            let detail = try expectProblem(response, .badRequest)
            #expect(detail.contains(expected), "\(detail)")
        }
    }

    @Test("without credentials the list is 401, never data")
    func unauthenticated() async throws {
        let server = try TestServer()
        _ = try await server.seed()
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media", method: .get)
            try expectProblem(response, .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.contains("Basic") == true)
        }
    }
}
