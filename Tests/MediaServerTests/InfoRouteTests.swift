import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import Testing

@Suite("GET, PUT /v3/media/{id}/info and DELETE /v3/media/{id}")
struct InfoRouteTests {
    @Test("GET info answers the record in the seed's snake_case shape")
    func info() async throws {
        let server = try TestServer()
        let item = try await server.seed("twelve bytes", name: "note.txt", info: MediaUpdate(title: "T"))
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["id"] as? String == item.id)
            #expect(body["account_id"] as? String == "alice")
            #expect(body["media_size"] as? Int == 12)
            #expect(body["original_file_name"] as? String == "note.txt")
            #expect(body["title"] as? String == "T")
            #expect(body["public"] as? Bool == false)
            #expect(body["etag"] as? String == item.etag)
            let created = try #require(body["time_created"] as? String)
            #expect(MediaTime.parse(created) != nil && created.hasSuffix("Z") && created.contains("."))
            let decoded = try JSONDecoder().decode(MediaItem.self, from: Data(response.body.readableBytesView))
            #expect(decoded == item)
        }
    }

    @Test("text with quotes, backslashes, control characters, slashes and non-ASCII comes back as it went in")
    func awkwardText() async throws {
        let server = try TestServer()
        let title = "a \"quoted\" \\ back/slash\ttab\nline \u{01}\u{1F} é 日本 🎙"
        let item = try await server.seed(name: "weird \"name\".txt", info: MediaUpdate(title: title, description: "\u{7F}\r\n"))
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice))
            let decoded = try JSONDecoder().decode(MediaItem.self, from: Data(response.body.readableBytesView))
            #expect(decoded == item)
            #expect(decoded.title == title)
            let page = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            let listed = try #require(((try json(page))["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
            #expect(listed.first?["title"] as? String == title)
            #expect(listed.first?["original_file_name"] as? String == "weird \"name\".txt")
        }
    }

    @Test("an unknown id, or another account's item, is 404 for info, update and delete")
    func notFoundAndIsolation() async throws {
        let server = try TestServer()
        let alices = try await server.seed()
        try await server.test { client in
            try expectProblem(try await client.execute(uri: "/v3/media/no-such-id/info", method: .get, headers: basic(TestServer.alice)), .notFound)
            try expectProblem(try await client.execute(uri: "/v3/media/\(alices.id)/info", method: .get, headers: basic(TestServer.bob)), .notFound)
            var form = MultipartBody()
            form.field("title", "bob was here")
            try expectProblem(try await client.execute(uri: "/v3/media/\(alices.id)/info", method: .put, headers: form.headers(TestServer.bob), body: form.body), .notFound)
            try expectProblem(try await client.execute(uri: "/v3/media/\(alices.id)", method: .delete, headers: basic(TestServer.bob)), .notFound)
            try expectProblem(try await client.execute(uri: "/v3/media/\(alices.id)", method: .get, headers: basic(TestServer.bob)), .notFound)
        }
        let after = try await server.store.item(id: alices.id)
        #expect(after?.title == nil)
    }

    @Test("PUT info with multipart/form-data changes all seven fields and answers 204")
    func updateMultipart() async throws {
        let server = try TestServer()
        let item = try await server.seed()
        try await server.test { client in
            var form = MultipartBody()
            form.field("title", "Very important recording")
            form.field("description", "Do not delete.")
            form.field("metadata_primary", "foo,bar")
            form.field("metadata_secondary", "123")
            form.field("mime_type", "audio/vnd.wave")
            form.field("public", "true")
            form.field("max_downloads_allowed", "100")
            let response = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .put, headers: form.headers(TestServer.alice), body: form.body)
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            let body = try json(try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice)))
            #expect(body["title"] as? String == "Very important recording")
            #expect(body["description"] as? String == "Do not delete.")
            #expect(body["metadata_primary"] as? String == "foo,bar")
            #expect(body["metadata_secondary"] as? String == "123")
            #expect(body["mime_type"] as? String == "audio/vnd.wave")
            #expect(body["public"] as? Bool == true)
            #expect(body["max_downloads_allowed"] as? Int == 100)
            let updated = try #require((body["time_last_updated"] as? String).flatMap(MediaTime.parse))
            #expect(updated > (item.timeLastUpdated ?? .distantFuture))
        }
    }

    @Test("PUT info also takes JSON and urlencoded forms, as older clients send")
    func updateJSONAndURLEncoded() async throws {
        let server = try TestServer()
        let item = try await server.seed()
        try await server.test { client in
            var headers = basic(TestServer.alice)
            headers[.contentType] = "application/json"
            let response = try await client.execute(
                uri: "/v3/media/\(item.id)/info", method: .put, headers: headers,
                body: buffer(#"{"title": "from json", "public": true, "max_downloads_allowed": 3}"#))
            #expect(response.status == .noContent)
            var stored = try #require(try await server.store.item(id: item.id))
            #expect(stored.title == "from json" && stored.isPublic && stored.maxDownloadsAllowed == 3)

            headers[.contentType] = "application/x-www-form-urlencoded"
            let form = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .put, headers: headers, body: buffer("title=two+words&public=false"))
            #expect(form.status == .noContent)
            stored = try #require(try await server.store.item(id: item.id))
            #expect(stored.title == "two words" && !stored.isPublic)
        }
    }

    @Test("PUT info refuses bad values with 400 and other body types with 415",
          arguments: [
            ("public", "maybe", "public"), ("public", "1", "public"), ("max_downloads_allowed", "-1", "max_downloads_allowed"),
            ("max_downloads_allowed", "lots", "max_downloads_allowed"), ("mime_type", "not a mime", "MIME"),
            ("colour", "blue", "unknown field 'colour'"), ("metadata_secondary", "x\u{0}", "NUL"),
          ])
    func updateBadValues(field: String, value: String, expected: String) async throws {
        let server = try TestServer()
        let item = try await server.seed()
        try await server.test { client in
            var form = MultipartBody()
            form.field(field, value)
            let detail = try expectProblem(
                try await client.execute(uri: "/v3/media/\(item.id)/info", method: .put, headers: form.headers(TestServer.alice), body: form.body),
                .badRequest)
            #expect(detail.contains(expected), "\(detail)")
        }
    }

    @Test("PUT info: wrong content types, malformed JSON and malformed multipart")
    func updateMalformed() async throws {
        let server = try TestServer()
        let item = try await server.seed()
        try await server.test { client in
            let uri = "/v3/media/\(item.id)/info"
            var headers = basic(TestServer.alice)
            headers[.contentType] = "text/plain"
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer("title=x")), .unsupportedMediaType)
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: basic(TestServer.alice), body: buffer("x")), .unsupportedMediaType)

            headers[.contentType] = "application/json"
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer("{not json")), .badRequest)
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer("[1, 2]")), .badRequest)
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer(#"{"title": 5}"#)), .badRequest)
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer(#"{"title": null}"#)), .badRequest)
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer(#"{"max_downloads_allowed": 2147483648}"#)), .badRequest)

            var form = MultipartBody()
            form.field("title", "never closed")
            let truncated = try await client.execute(uri: uri, method: .put, headers: form.headers(TestServer.alice), body: form.truncated)
            #expect(try expectProblem(truncated, .badRequest).contains("closing boundary"))

            headers[.contentType] = "multipart/form-data"
            #expect(try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: form.body), .badRequest).contains("boundary"))

            headers[.contentType] = "multipart/form-data; boundary=another"
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: form.body), .badRequest)

            headers[.contentType] = form.contentType
            let noDisposition = "--\(form.boundary)\r\nContent-Type: text/plain\r\n\r\nvalue\r\n--\(form.boundary)--\r\n"
            #expect(try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer(noDisposition)), .badRequest)
                .contains("Content-Disposition"))

            let garbage = "--\(form.boundary)\r\nno colon in this header line\r\n\r\nvalue\r\n--\(form.boundary)--\r\n"
            try expectProblem(try await client.execute(uri: uri, method: .put, headers: headers, body: buffer(garbage)), .badRequest)
        }
        #expect(try await server.store.item(id: item.id)?.title == nil)
    }

    @Test("DELETE answers 204, and the item and its content are gone")
    func delete() async throws {
        let server = try TestServer()
        let item = try await server.seed()
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media/\(item.id)", method: .delete, headers: basic(TestServer.alice))
            #expect(response.status == .noContent)
            try expectProblem(try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice)), .notFound)
            try expectProblem(try await client.execute(uri: "/v3/media/\(item.id)", method: .get, headers: basic(TestServer.alice)), .notFound)
            try expectProblem(try await client.execute(uri: "/v3/media/\(item.id)", method: .delete, headers: basic(TestServer.alice)), .notFound)
        }
    }

    @Test("a known path with the wrong method is 405 with Allow; an unknown path is a JSON 404")
    func methodNotAllowed() async throws {
        let server = try TestServer()
        let item = try await server.seed()
        try await server.test { client in
            let patch = try await client.execute(uri: "/v3/media/\(item.id)", method: .patch, headers: basic(TestServer.alice))
            try expectProblem(patch, .methodNotAllowed)
            #expect(patch.headers[.allow] == "GET, HEAD, DELETE")
            let post = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .post, headers: basic(TestServer.alice))
            try expectProblem(post, .methodNotAllowed)
            #expect(post.headers[.allow] == "GET, PUT")
            let delete = try await client.execute(uri: "/v3/media", method: .delete, headers: basic(TestServer.alice))
            try expectProblem(delete, .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET, POST")
            let query = try #require(HTTPRequest.Method("QUERY"))
            let unknown = try await client.execute(uri: "/v3/media/\(item.id)/info", method: query, headers: basic(TestServer.alice))
            try expectProblem(unknown, .methodNotAllowed)
            #expect(unknown.headers[.allow] == "GET, PUT")
            try expectProblem(try await client.execute(uri: "/v2/other", method: .get, headers: basic(TestServer.alice)), .notFound)
        }
    }
}
