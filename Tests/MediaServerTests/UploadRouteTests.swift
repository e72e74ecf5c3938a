import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import MediaStore
import Testing

@Suite("POST /v3/media: uploads")
struct UploadRouteTests {
    /// Files the server left in the store's temporary folder (there should be none after any request).
    static func leftovers(_ server: TestServer) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: server.served.temporaryDirectory.path)
    }

    @Test("a multipart upload answers 201 with the record and a Location ending in /info")
    func upload() async throws {
        let server = try TestServer()
        let content = String(repeating: "RIFF....WAVE", count: 1000)
        try await server.test { client in
            var form = MultipartBody()
            form.file("filedata", fileName: "ignored.bin", contentType: "audio/wav", content)
            form.field("filename", "call.wav")
            form.field("info", #"{"title": "A call", "metadata_primary": "support", "public": true}"#)
            let response = try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.alice), body: form.body)
            #expect(response.status == .created)
            let body = try json(response)
            let id = try #require(body["id"] as? String)
            #expect(response.headers[.location] == "/v3/media/\(id)/info")
            #expect(body["media_size"] as? Int == content.utf8.count)
            #expect(body["original_file_name"] as? String == "call.wav")
            #expect(body["mime_type"] as? String == "audio/wav")
            #expect(body["title"] as? String == "A call")
            #expect(body["metadata_primary"] as? String == "support")
            #expect(body["public"] as? Bool == true)
            #expect(body["account_id"] as? String == "alice")
            let md5 = Insecure.MD5.hash(data: Data(content.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(body["etag"] as? String == md5)

            let download = try await client.execute(uri: "/v3/media/\(id)", method: .get, headers: basic(TestServer.alice))
            #expect(String(buffer: download.body) == content)
            let info = try await client.execute(uri: try #require(response.headers[.location]), method: .get, headers: basic(TestServer.alice))
            #expect(info.status == .ok)
        }
        #expect(try Self.leftovers(server).isEmpty)
    }

    @Test("the part's file name is used when no filename field is given; info fields may come as fields")
    func fileNameFromPart() async throws {
        let server = try TestServer()
        try await server.test { client in
            var form = MultipartBody()
            form.field("title", "direct field")
            form.file("filedata", fileName: "memo.txt", "hello")
            let body = try json(try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.alice), body: form.body))
            #expect(body["original_file_name"] as? String == "memo.txt")
            #expect(body["mime_type"] as? String == "text/plain")
            #expect(body["title"] as? String == "direct field")
        }
    }

    @Test("uploads without a file, with file and url, with a local url, or with bad info are 400 and leave nothing behind")
    func badForms() async throws {
        let server = try TestServer()
        try await server.test { client in
            func post(_ build: (inout MultipartBody) -> Void) async throws -> String {
                var form = MultipartBody()
                build(&form)
                return try expectProblem(
                    try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.alice), body: form.body), .badRequest)
            }
            let cases: [(String, (inout MultipartBody) -> Void)] = [
                ("filedata", { $0.field("filename", "x.wav") }),
                ("both", { $0.file("filedata", fileName: "a", "x"); $0.field("url", "http://127.0.0.1:1/x") }),
                ("http", { $0.field("url", "file:///etc/passwd") }),
                ("JSON", { $0.file("filedata", fileName: "a", "x"); $0.field("info", "{not json") }),
                ("public", { $0.file("filedata", fileName: "a", "x"); $0.field("info", #"{"public": "sometimes"}"#) }),
                ("colour", { $0.file("filedata", fileName: "a", "x"); $0.field("colour", "red") }),
                ("more than one", { $0.file("filedata", fileName: "a", "x"); $0.file("filedata", fileName: "b", "y") }),
                // PostgreSQL cannot hold U+0000 in text; every store refuses it alike (schemathesis found the 500).
                ("title may not contain the NUL", { $0.file("filedata", fileName: "a", "x"); $0.field("info", #"{"title": "a\u0000"}"#) }),
                ("description may not contain the NUL", { $0.file("filedata", fileName: "a", "x"); $0.field("description", "\u{0}") }),
                ("filename may not contain the NUL", { $0.file("filedata", fileName: "a", "x"); $0.field("filename", "a\u{0}.wav") }),
                // RFC 8187's filename* percent-decodes to a NUL just the same.
                ("filename may not contain the NUL", { $0.file("filedata", fileName: "a\"; filename*=UTF-8''a%00b.wav", "x") }),
            ]
            for (expected, build) in cases {
                let detail = try await post(build)
                #expect(detail.contains(expected), "\(detail)")
            }
        }
        #expect(try Self.leftovers(server).isEmpty)
        #expect(try await server.store.page(account: "alice", query: MediaQuery(), pageIndex: 0, pageSize: 10).total == 0)
    }

    @Test("a truncated multipart upload is 400 and its partial file is removed")
    func truncated() async throws {
        let server = try TestServer()
        try await server.test { client in
            var form = MultipartBody()
            form.file("filedata", fileName: "cut.wav", String(repeating: "x", count: 5000))
            let response = try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.alice), body: form.truncated)
            #expect(try expectProblem(response, .badRequest).contains("closing boundary"))
        }
        #expect(try Self.leftovers(server).isEmpty)
    }

    @Test("non-multipart uploads are 415; without credentials 401")
    func wrongTypeAndNoAuth() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = basic(TestServer.alice)
            headers[.contentType] = "application/json"
            try expectProblem(try await client.execute(uri: "/v3/media", method: .post, headers: headers, body: buffer("{}")), .unsupportedMediaType)
            try expectProblem(try await client.execute(uri: "/v3/media", method: .post, headers: basic(TestServer.alice), body: buffer("raw")), .unsupportedMediaType)
            var form = MultipartBody()
            form.file("filedata", fileName: "a", "x")
            var anonymous = form.headers(TestServer.alice)
            anonymous[.authorization] = nil
            try expectProblem(try await client.execute(uri: "/v3/media", method: .post, headers: anonymous, body: form.body), .unauthorized)
        }
    }

    @Test("a file over the upload limit is 413, whether Content-Length says so or the stream shows it")
    func tooLarge() async throws {
        let server = try TestServer { $0.maxUploadBytes = 1000 }
        try await server.test(.live) { client in
            var small = MultipartBody()
            small.file("filedata", fileName: "ok.bin", String(repeating: "a", count: 1000))
            #expect(try await client.execute(uri: "/v3/media", method: .post, headers: small.headers(TestServer.alice), body: small.body).status == .created)

            // Just over the limit: Content-Length is within the allowance for form fields, so the stream decides.
            var over = MultipartBody()
            over.file("filedata", fileName: "big.bin", String(repeating: "b", count: 1001))
            let streamed = try await client.execute(uri: "/v3/media", method: .post, headers: over.headers(TestServer.alice), body: over.body)
            #expect(try expectProblem(streamed, .contentTooLarge).contains("1000 bytes"))
        }
        try await TestServer { $0.maxUploadBytes = 1000 }.test(.live) { client in
            var huge = MultipartBody()
            huge.file("filedata", fileName: "huge.bin", String(repeating: "c", count: 4_000_000))
            let declared = try await client.execute(uri: "/v3/media", method: .post, headers: huge.headers(TestServer.alice), body: huge.body)
            try expectProblem(declared, .contentTooLarge)
        }
        #expect(try Self.leftovers(server).isEmpty)
    }

    @Test("an upload by url fetches the content (here from the server's own public item, its host allowed)")
    func uploadByURL() async throws {
        let server = try TestServer { $0.urlFetch = URLFetchPolicy(allowedHosts: ["127.0.0.1"]) }
        let source = try await server.seed("fetched over http", name: "source.txt", info: MediaUpdate(isPublic: true))
        try await server.test(.live) { client in
            let port = try #require(client.port)
            var form = MultipartBody()
            form.field("url", "http://127.0.0.1:\(port)/v3/media/\(source.id)")
            form.field("filename", "copy.txt")
            let response = try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.bob), body: form.body)
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let body = try json(response)
            #expect(body["account_id"] as? String == "bob")
            #expect(body["etag"] as? String == source.etag)
            #expect(body["original_file_name"] as? String == "copy.txt")

            // A source that answers an error is refused (with no word of why), and nothing is kept.
            var missing = MultipartBody()
            missing.field("url", "http://127.0.0.1:\(port)/v3/media/no-such-item")
            let refused = try await client.execute(uri: "/v3/media", method: .post, headers: missing.headers(TestServer.bob), body: missing.body)
            #expect(try expectProblem(refused, .badRequest).contains("could not be fetched"))
        }
        #expect(try Self.leftovers(server).isEmpty)
        let limited = try TestServer {
            $0.maxUploadBytes = 5
            $0.urlFetch = URLFetchPolicy(allowedHosts: ["127.0.0.1"])
        }
        let big = try await limited.seed("more than five bytes", info: MediaUpdate(isPublic: true))
        try await limited.test(.live) { client in
            // Larger than the upload limit: refused, and nothing is kept.
            let port = try #require(client.port)
            var form = MultipartBody()
            form.field("url", "http://127.0.0.1:\(port)/v3/media/\(big.id)")
            let response = try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.bob), body: form.body)
            #expect(response.status.code >= 400 && response.status.code < 500, "\(response.status)")
        }
        #expect(try Self.leftovers(limited).isEmpty)
    }
}
