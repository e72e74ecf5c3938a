import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
import MediaServer
import MediaStore
import PostgresTestSupport
import Testing

/// Uploads by url cannot reach the server's own machine or network (SSRF) unless a host is
/// allowed, every redirect hop is checked, and no answer tells a client why a fetch failed.
@Suite struct URLUploadTests {
    /// Posts an upload by `url` as bob.
    static func post(_ url: String, _ client: any TestClientProtocol) async throws -> TestResponse {
        var form = MultipartBody()
        form.field("url", url)
        return try await client.execute(uri: "/v3/media", method: .post, headers: form.headers(TestServer.bob), body: form.body)
    }

    static func bobsItems(_ server: TestServer) async throws -> Int {
        try await server.served.page(account: TestServer.bob.apiKey, query: MediaQuery(), pageIndex: 0, pageSize: 10).total
    }

    /// A server on the embedded store or on PostgreSQL, set up by the closure.
    typealias Make = @Sendable ((inout MediaServerConfiguration) -> Void) async throws -> TestServer
    static let embedded: Make = { try TestServer($0) }

    @Test("by default no url on the server's own machine or network is fetched, and every refusal reads the same")
    func refusesTheServersOwnNetworkByDefault() async throws {
        try await Self.refusesTheServersOwnNetworkByDefault(Self.embedded)
    }

    static func refusesTheServersOwnNetworkByDefault(_ make: Make) async throws {
        let server = try await make { _ in }
        let source = try await server.seed("only for the server's own machine", info: MediaUpdate(isPublic: true))
        try await server.test(.live) { client in
            let port = try #require(client.port)
            var details: Set<String> = []
            for url in [
                "http://127.0.0.1:\(port)/v3/media/\(source.id)", "http://localhost:\(port)/v3/media/\(source.id)",
                "http://0.0.0.0:\(port)/v3/media/\(source.id)", "http://[::1]:\(port)/v3/media/\(source.id)",
                "http://[::ffff:127.0.0.1]:\(port)/v3/media/\(source.id)", "http://127.0.0.1:1/a-closed-port",
                "http://10.0.0.1/", "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/",
            ] {
                details.insert(try expectProblem(try await Self.post(url, client), .badRequest))
            }
            #expect(details.count == 1, "refusals differ, so they tell a client something: \(details)")
            #expect(details.allSatisfy { !$0.contains("127.0.0.1") && !$0.contains("loopback") }, "\(details)")
        }
        #expect(try await Self.bobsItems(server) == 0)
        #expect(try UploadRouteTests.leftovers(server).isEmpty)
        await server.close()
    }

    @Test("with the host allowed, a fetch works; a 404, a closed port and a refusal read the same")
    func allowedHostAndFailuresThatTellNothing() async throws {
        try await Self.allowedHostAndFailuresThatTellNothing(Self.embedded)
    }

    static func allowedHostAndFailuresThatTellNothing(_ make: Make) async throws {
        let server = try await make { $0.urlFetch = URLFetchPolicy(allowedHosts: ["127.0.0.1"]) }
        let source = try await server.seed("fetched over http", info: MediaUpdate(isPublic: true))
        try await server.test(.live) { client in
            let port = try #require(client.port)
            let fetched = try await Self.post("http://127.0.0.1:\(port)/v3/media/\(source.id)", client)
            #expect(fetched.status == .created, "\(String(buffer: fetched.body))")
            #expect(try json(fetched)["etag"] as? String == source.etag)
            let missing = try expectProblem(try await Self.post("http://127.0.0.1:\(port)/v3/media/no-such-item", client), .badRequest)
            let closed = try expectProblem(try await Self.post("http://127.0.0.1:1/a-closed-port", client), .badRequest)
            let refused = try expectProblem(try await Self.post("http://localhost:\(port)/v3/media/\(source.id)", client), .badRequest)
            #expect(missing == closed && closed == refused, "\(missing) / \(closed) / \(refused)")
            #expect(!missing.contains("404") && !closed.contains("refused"), "\(missing) / \(closed)")
        }
        #expect(try await Self.bobsItems(server) == 1)
        #expect(try UploadRouteTests.leftovers(server).isEmpty)
        await server.close()
    }

    @Test("a redirect from an allowed host is followed to an allowed host, and refused to one that is not")
    func checksEveryRedirectHop() async throws {
        try await Self.checksEveryRedirectHop(Self.embedded)
    }

    static func checksEveryRedirectHop(_ make: Make) async throws {
        let server = try await make { $0.urlFetch = URLFetchPolicy(allowedHosts: ["localhost"]) }
        let source = try await server.seed("only for the server's own machine", info: MediaUpdate(isPublic: true))
        try await withOrigin { origin in
            try await server.test(.live) { client in
                let port = try #require(client.port)
                let direct = try await Self.post("http://localhost:\(origin)/hello", client)
                #expect(direct.status == .created, "\(String(buffer: direct.body))")
                let followed = try await Self.post("http://localhost:\(origin)/redirect?to=http://localhost:\(origin)/hello", client)
                #expect(followed.status == .created, "\(String(buffer: followed.body))")
                let toLoopback = "http://127.0.0.1:\(port)/v3/media/\(source.id)"
                let redirected = try expectProblem(try await Self.post("http://localhost:\(origin)/redirect?to=\(toLoopback)", client), .badRequest)
                let direct127 = try expectProblem(try await Self.post(toLoopback, client), .badRequest)
                #expect(redirected == direct127)
            }
        }
        #expect(try await Self.bobsItems(server) == 2)
        #expect(try UploadRouteTests.leftovers(server).isEmpty)
        await server.close()
    }
}

/// The same tests on a PostgreSQL-backed server: its store fetches a url under the same rules.
@Suite("URL uploads on a PostgreSQL-backed server", .disabled(if: PostgresEnvironment.url == nil, Comment(rawValue: PostgresEnvironment.missingReason)))
struct PostgresURLUploadTests {
    static let postgres: URLUploadTests.Make = { try await TestServer.onPostgres($0) }

    @Test func refusesTheServersOwnNetworkByDefault() async throws {
        try await URLUploadTests.refusesTheServersOwnNetworkByDefault(Self.postgres)
    }

    @Test func allowedHostAndFailuresThatTellNothing() async throws {
        try await URLUploadTests.allowedHostAndFailuresThatTellNothing(Self.postgres)
    }

    @Test func checksEveryRedirectHop() async throws {
        try await URLUploadTests.checksEveryRedirectHop(Self.postgres)
    }
}

/// A web server of the test's own on 127.0.0.1, for `body` to fetch from: `/hello` answers a
/// text, `/redirect?to=URL` a 302 to URL.
func withOrigin<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
    let router = Router()
    router.get("hello") { _, _ in "hello from the origin" }
    router.get("redirect") { request, _ in
        Response(status: .found, headers: [.location: request.uri.queryParameters.get("to") ?? "/"])
    }
    let (port, task) = try await launch(named: "the origin") { reportPort in
        Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await reportPort($0.localAddress?.port ?? 0) })
    }
    defer { task.cancel() }
    return try await body(port)
}
