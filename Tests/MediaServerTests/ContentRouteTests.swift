import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import Testing

@Suite("GET /v3/media/{id}: the content")
struct ContentRouteTests {
    static let content = "0123456789abcdef"

    @Test("the whole content with ETag, Last-Modified, Content-Length, Content-Type and Accept-Ranges")
    func wholeContent() async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content, name: "digits.txt")
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == Self.content)
            #expect(response.headers[.eTag] == "\"\(item.etag ?? "")\"")
            #expect(response.headers[.contentLength] == "16")
            #expect(response.headers[.contentType] == "text/plain")
            #expect(response.headers[.acceptRanges] == "bytes")
            #expect(response.headers[.contentDisposition]?.contains("digits.txt") == true)
            let lastModified = try #require(response.headers[.lastModified])
            #expect(lastModified.hasSuffix(" GMT"))
        }
    }

    @Test("HEAD answers the headers without the body and without counting")
    func head() async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content)
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .head, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[.eTag] != nil)
        }
        #expect(try await server.store.item(id: item.id)?.timesDownloaded == 0)
    }

    @Test("If-None-Match and If-Modified-Since answer 304 when the copy is current, and do not count")
    func conditional() async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content)
        let etag = "\"\(item.etag ?? "")\""
        try await server.test { client in
            func get(_ name: HTTPFields.Element.Name, _ value: String) async throws -> TestResponse {
                var headers = basic(TestServer.alice)
                headers[name] = value
                return try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: headers)
            }
            let same = try await get(.ifNoneMatch, etag)
            #expect(same.status == .notModified)
            #expect(same.body.readableBytes == 0)
            #expect(same.headers[.eTag] == etag)
            #expect(try await get(.ifNoneMatch, "\"other\", W/\(etag)").status == .notModified)
            #expect(try await get(.ifNoneMatch, "*").status == .notModified)
            #expect(try await get(.ifNoneMatch, "\"other\"").status == .ok)

            let later = "Fri, 01 Jan 2100 00:00:00 GMT"
            let earlier = "Wed, 01 Jan 2020 00:00:00 GMT"
            #expect(try await get(.ifModifiedSince, later).status == .notModified)
            #expect(try await get(.ifModifiedSince, earlier).status == .ok)
            #expect(try await get(.ifModifiedSince, "not a date").status == .ok)
        }
        #expect(try await server.store.item(id: item.id)?.timesDownloaded == 3)
    }

    @Test("Range answers 206 with Content-Range; a range past the end is 416",
          arguments: [
            ("bytes=2-5", "2345", "bytes 2-5/16"), ("bytes=10-", "abcdef", "bytes 10-15/16"),
            ("bytes=-3", "def", "bytes 13-15/16"), ("bytes=14-100", "ef", "bytes 14-15/16"),
          ])
    func range(header: String, expected: String, contentRange: String) async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content)
        try await server.test { client in
            var headers = basic(TestServer.alice)
            headers[.range] = header
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: headers)
            #expect(response.status == .partialContent)
            #expect(String(buffer: response.body) == expected)
            #expect(response.headers[.contentRange] == contentRange)
            #expect(response.headers[.contentLength] == String(expected.utf8.count))
        }
    }

    @Test("unsatisfiable ranges are 416 with bytes */size; ranges we do not serve get the whole content")
    func rangeEdges() async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content)
        try await server.test { client in
            func get(range: String, ifRange: String? = nil) async throws -> TestResponse {
                var headers = basic(TestServer.alice)
                headers[.range] = range
                if let ifRange { headers[.ifRange] = ifRange }
                return try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: headers)
            }
            let past = try await get(range: "bytes=16-")
            try expectProblem(past, .rangeNotSatisfiable)
            #expect(past.headers[.contentRange] == "bytes */16")
            try expectProblem(try await get(range: "bytes=-0"), .rangeNotSatisfiable)
            #expect(try await get(range: "bytes=5-2").status == .ok)
            #expect(try await get(range: "lines=1-2").status == .ok)
            #expect(try await get(range: "bytes=0-1,4-5").status == .ok)
            #expect(try await get(range: "bytes=2-3", ifRange: "\"\(item.etag ?? "")\"").status == .partialContent)
            let stale = try await get(range: "bytes=2-3", ifRange: "\"stale\"")
            #expect(stale.status == .ok)
            #expect(String(buffer: stale.body) == Self.content)
        }
    }

    @Test("every GET that sends content counts as a download, a Range from any byte included; the limit gives 403")
    func countingAndLimit() async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content, info: MediaUpdate(maxDownloadsAllowed: 3))
        try await server.test { client in
            func get(_ range: String? = nil, method: HTTPRequest.Method = .get) async throws -> TestResponse {
                var headers = basic(TestServer.alice)
                if let range { headers[.range] = range }
                return try await client.execute(uri: "/v3/media/\(item.id)", method: method, headers: headers)
            }
            func counted() async throws -> Int? {
                try json(try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice)))["times_downloaded"] as? Int
            }
            var statuses: [HTTPResponse.Status] = []
            statuses.append(try await get().status)
            statuses.append(try await get("bytes=8-").status)
            let afterTwo = try await counted()
            // Sending no bytes is not a download: HEAD, and a range past the end (416).
            statuses.append(try await get(method: .head).status)
            statuses.append(try await get("bytes=99-").status)
            let stillTwo = try await counted()
            statuses.append(try await get("bytes=-1").status)
            #expect(statuses == [.ok, .partialContent, .ok, .rangeNotSatisfiable, .partialContent])
            #expect(afterTwo == 2 && stillTwo == 2)
            for range in [nil, "bytes=0-", "bytes=1-", "bytes=15-15"] {
                let refused = try await get(range)
                #expect(try expectProblem(refused, .forbidden).contains("download limit"), "\(range ?? "no range")")
            }
            let three = try await counted()
            #expect(three == 3)
        }
    }

    @Test("with a limit of 1, Range requests from byte 1 cannot fetch the content again and again")
    func rangesCannotBypassTheLimit() async throws {
        let server = try TestServer()
        let item = try await server.seed(Self.content, info: MediaUpdate(maxDownloadsAllowed: 1))
        try await server.test { client in
            var headers = basic(TestServer.alice)
            headers[.range] = "bytes=1-"
            let first = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: headers)
            #expect(first.status == .partialContent)
            #expect(String(buffer: first.body) == String(Self.content.dropFirst()))
            for _ in 0..<3 {
                try expectProblem(try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: headers), .forbidden)
            }
        }
        #expect(try await server.store.item(id: item.id)?.timesDownloaded == 1)
    }

    @Test("public items download without credentials and from other accounts; private ones do not")
    func publicAndPrivate() async throws {
        let server = try TestServer()
        let open = try await server.seed("for everyone", info: MediaUpdate(isPublic: true))
        let closed = try await server.seed("alice only")
        try await server.test { client in
            let anonymous = try await client.execute(uri: "/v3/media/\(open.id)", method: .get)
            #expect(anonymous.status == .ok)
            #expect(String(buffer: anonymous.body) == "for everyone")
            #expect(try await client.execute(uri: "/v3/media/\(open.id)", method: .get, headers: basic(TestServer.bob)).status == .ok)
            try expectProblem(try await client.execute(uri: "/v3/media/\(closed.id)", method: .get), .unauthorized)
            try expectProblem(try await client.execute(uri: "/v3/media/\(closed.id)", method: .get, headers: basic(TestServer.bob)), .notFound)
            // Public content does not make the record or the item itself anyone's to change.
            try expectProblem(try await client.execute(uri: "/v3/media/\(open.id)/info", method: .get), .unauthorized)
            try expectProblem(try await client.execute(uri: "/v3/media/\(open.id)", method: .delete, headers: basic(TestServer.bob)), .notFound)
        }
    }

    @Test("an empty item downloads as zero bytes", .timeLimit(.minutes(1)))
    func emptyContent() async throws {
        let server = try TestServer()
        let item = try await server.seed("")
        try await server.test(.live) { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[.contentLength] == "0")
        }
    }

    @Test("a large item streams whole over a live connection")
    func largeLive() async throws {
        let server = try TestServer()
        let big = String(repeating: "0123456789", count: 300_000)
        let item = try await server.seed(big)
        try await server.test(.live) { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 3_000_000)
            #expect(String(buffer: response.body) == big)
        }
    }
}
