import Foundation
import MediaAPI
@testable import MediaHTTPClient
import Testing

@Suite("item URLs")
struct ItemURLTests {
    /// A client that never connects anywhere, shut down after `body`.
    func withClient(_ body: (MediaHTTPClient) async throws -> Void) async throws {
        let client = try MediaHTTPClient(endpoint: URL(string: "http://127.0.0.1:1/v3/media/")!, credentials: .apiKey(key: "k", secret: "s"))
        do { try await body(client) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The fast path for plain ids must keep exactly the bytes Foundation's escaping keeps.
    @Test("a byte is kept as it is exactly when percent-encoding would keep it")
    func keptBytesMatchFoundation() {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        for byte in UInt8.min...UInt8.max {
            let foundation = byte < 128 && allowed.contains(Unicode.Scalar(byte))
            #expect(MediaHTTPClient.keptInPath(byte) == foundation, "byte \(byte)")
        }
    }

    @Test("ids are escaped as before: plain ones as they are, others percent-encoded")
    func escaping() async throws {
        try await withClient { client in
            let cases: [(id: String, suffix: String, url: String)] = [
                ("aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "", "http://127.0.0.1:1/v3/media/aaaaaaaa-bbbb-cccc-dddd-0123456789ab"),
                ("a~b", "/info", "http://127.0.0.1:1/v3/media/a~b/info"),
                ("a/b?c#d e", "", "http://127.0.0.1:1/v3/media/a%2Fb%3Fc%23d%20e"),
                ("é", "", "http://127.0.0.1:1/v3/media/%C3%A9"),
            ]
            for (id, suffix, url) in cases {
                let made = try client.url(id: id, suffix)
                #expect(made == url, "\(id)")
            }
            #expect(throws: (any Error).self) { try client.url(id: "") }
            // Dot segments would name the folder or its parent, not an item.
            for id in [".", ".."] {
                #expect(throws: MediaError.self, "\(id)") { try client.url(id: id) }
                #expect(throws: MediaError.self, "\(id)") { try client.url(id: id, "/info") }
            }
            let dots = try client.url(id: "..."), leading = try client.url(id: ".a")
            #expect(dots == "http://127.0.0.1:1/v3/media/...")
            #expect(leading == "http://127.0.0.1:1/v3/media/.a")
        }
    }

    @Test("an API key's Authorization header is HTTP Basic of key:secret")
    func basicAuthorization() async throws {
        try await withClient { client in
            let authorization = try await client.authorization()
            #expect(authorization == "Basic " + Data("k:s".utf8).base64EncodedString())
        }
    }
}
