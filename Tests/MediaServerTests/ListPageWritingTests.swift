import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import MediaStore
import PostgresTestSupport
import Testing

/// A list page is written from the rows as the store reads them (`MediaServerStore.page(…writer:…)`),
/// an info answer from a `MediaItem`: two ways to one record, which must agree field for field,
/// in both shapes, for text of every kind a client can store.
@Suite("a list page writes each item as its info does")
struct ListPageWritingTests {
    /// Titles and metadata a client may store: quotes, backslashes, controls, non-ASCII, U+2028,
    /// an emoji, empty text, and fields left unset.
    static let texts: [MediaUpdate] = [
        MediaUpdate(title: #"a "quoted" \ title"#, description: "tab\tnew\nline\u{01}\u{1F}", metadataPrimary: "café — ü", metadataSecondary: ""),
        MediaUpdate(title: "line\u{2028}separator\u{2029}", description: "🎧 recording", isPublic: true, maxDownloadsAllowed: 3),
        MediaUpdate(),
        MediaUpdate(title: String(repeating: "long title ", count: 60), metadataPrimary: "</script>"),
    ]

    static func agree(_ make: () async throws -> TestServer, legacy: Bool) async throws {
        let server = try await make()
        var seeded: [String] = []
        for (n, info) in texts.enumerated() {
            seeded.append(try await server.seed("item \(n)", name: n == 0 ? "naïve \"name\".wav" : "\(n).txt", info: info).id)
        }
        let ids = seeded
        try await server.test { client in
            let page = try json(try await client.execute(uri: "/v3/media?page_size=50", method: .get, headers: basic(TestServer.alice)))
            let media = try #require((page["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
            #expect(media.count == texts.count)
            #expect(Set(media.compactMap { $0["id"] as? String }) == Set(ids))
            for item in media {
                let id = try #require(item["id"] as? String)
                let info = try json(try await client.execute(uri: "/v3/media/\(id)/info", method: .get, headers: basic(TestServer.alice)))
                #expect(item as NSDictionary == info as NSDictionary, "item \(id)")
                #expect(item[legacy ? "timeCreated" : "time_created"] != nil)
            }
        }
        await server.close()
    }

    @Test("on the embedded store, in the seed's shape")
    func embedded() async throws {
        try await Self.agree({ try TestServer() }, legacy: false)
    }

    @Test("on the embedded store, in the legacy shape")
    func embeddedLegacy() async throws {
        try await Self.agree({ try TestServer { $0.legacyShape = true } }, legacy: true)
    }

    /// The store's file may hold bytes no client could send through the API (written by another
    /// tool, or damaged): the page is written from them in place, so it must still be valid JSON,
    /// with the bad bytes repaired as String(decoding:) repairs them and a NUL kept as \u0000.
    @Test("bytes in the store that are not UTF-8 are written repaired, and the answer stays JSON")
    func invalidUTF8InTheStore() async throws {
        let server = try TestServer()
        let item = try await server.seed("raw")
        let database = try DatabaseQueue(path: server.folder.appendingPathComponent("media.sqlite").path)
        try await database.write { db in
            try db.execute(
                sql: "UPDATE media SET title = CAST(X'61FF62C3' AS TEXT), description = CAST(X'610062' AS TEXT), metadata_primary = CAST(X'22E282' AS TEXT) WHERE id = ?",
                arguments: [item.id])
        }
        try database.close()
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            let bytes = Data(response.body.readableBytesView)
            #expect(String(validating: bytes, as: UTF8.self) != nil, "the answer is valid UTF-8")
            let page = try json(response)
            let media = try #require((page["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
            #expect(media.first?["title"] as? String == "a\u{FFFD}b\u{FFFD}")
            #expect(media.first?["description"] as? String == "a\u{0}b")
            #expect(media.first?["metadata_primary"] as? String == "\"\u{FFFD}")
            let info = try json(try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice)))
            #expect(media.first.map { $0 as NSDictionary } == info as NSDictionary)
        }
    }
}

/// The same on a PostgreSQL-backed server, whose items are handed to the writer (the protocol's
/// default). Named so scripts/checks/postgres runs it with a cluster.
@Suite("a list page on PostgreSQL writes each item as its info does",
       .disabled(if: PostgresEnvironment.url == nil, Comment(rawValue: PostgresEnvironment.missingReason)))
struct ListPageWritingPostgresTests {
    @Test func bothShapes() async throws {
        try await ListPageWritingTests.agree({ try await TestServer.onPostgres() }, legacy: false)
        try await ListPageWritingTests.agree({ try await TestServer.onPostgres { $0.legacyShape = true } }, legacy: true)
    }
}
