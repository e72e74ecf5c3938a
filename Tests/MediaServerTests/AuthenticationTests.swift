import CryptoExtras
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import MediaAPI
import MediaServer
import Testing

/// RSA key pairs made once per test run (2048-bit generation is slow in debug builds).
enum TestKeys {
    static let application = makeKey()
    static let stranger = makeKey()

    private static func makeKey() -> JWTKit.Insecure.RSA.PrivateKey {
        do {
            return try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        } catch {
            preconditionFailure("cannot generate an RSA key for the tests: \(error)")
        }
    }
}

/// Claims as a client would put them in a token, each one optional so tests can leave them out.
struct TestClaims: JWTPayload {
    var application_id: String?
    var iat: IssuedAtClaim?
    var jti: IDClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?

    init(application: String? = "app-1", issued: Date? = Date(), jti: String? = UUID().uuidString, expires: Date? = Date().addingTimeInterval(900), notBefore: Date? = nil) {
        application_id = application
        iat = issued.map { IssuedAtClaim(value: $0) }
        self.jti = jti.map { IDClaim(value: $0) }
        exp = expires.map { ExpirationClaim(value: $0) }
        nbf = notBefore.map { NotBeforeClaim(value: $0) }
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

func signRS256(_ claims: TestClaims, with key: JWTKit.Insecure.RSA.PrivateKey = TestKeys.application) async throws -> String {
    let keys = JWTKeyCollection()
    await keys.add(rsa: key, digestAlgorithm: .sha256)
    return try await keys.sign(claims)
}

@Suite("authentication and isolation")
struct AuthenticationTests {
    static func server() throws -> TestServer {
        try TestServer {
            $0.applications = [Application(id: "app-1", accountKey: "bob", publicKeyPEM: TestKeys.application.publicKey.pemRepresentation)]
        }
    }

    @Test("Basic auth and api_key/api_secret query parameters sign in; wrong secrets are 401")
    func keyAndSecret() async throws {
        let server = try Self.server()
        try await server.test { client in
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice)).status == .ok)
            #expect(try await client.execute(uri: "/v3/media?api_key=alice&api_secret=alice-secret", method: .get).status == .ok)
            let wrong = try await client.execute(uri: "/v3/media", method: .get, headers: basic(Account(apiKey: "alice", apiSecret: "bob-secret")))
            try expectProblem(wrong, .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate] != nil)
            try expectProblem(try await client.execute(uri: "/v3/media", method: .get, headers: basic(Account(apiKey: "mallory", apiSecret: "x"))), .unauthorized)
            try expectProblem(try await client.execute(uri: "/v3/media?api_key=alice&api_secret=nope", method: .get), .unauthorized)
            try expectProblem(try await client.execute(uri: "/v3/media?api_key=alice", method: .get), .unauthorized)
            try expectProblem(try await client.execute(uri: "/v3/media", method: .get, headers: [.authorization: "Basic !!!not-base64"]), .unauthorized)
            try expectProblem(try await client.execute(uri: "/v3/media", method: .get, headers: [.authorization: "Digest abc"]), .unauthorized)
        }
    }

    @Test("an RS256 JWT of an application acts as its account, and sees only that account's items")
    func jwtActsAsAccount() async throws {
        let server = try Self.server()
        let bobs = try await server.seed("bob's", account: TestServer.bob)
        let alices = try await server.seed("alice's")
        // A token is accepted once: each request signs a new one.
        @Sendable func token() async throws -> HTTPFields { bearer(try await signRS256(TestClaims())) }
        try await server.test { client in
            let list = try json(try await client.execute(uri: "/v3/media", method: .get, headers: try await token()))
            let media = try #require((list["_embedded"] as? [String: Any])?["media"] as? [[String: Any]])
            #expect(media.compactMap { $0["id"] as? String } == [bobs.id])
            #expect(try await client.execute(uri: "/v3/media/\(bobs.id)/info", method: .get, headers: try await token()).status == .ok)
            try expectProblem(try await client.execute(uri: "/v3/media/\(alices.id)/info", method: .get, headers: try await token()), .notFound)
            try expectProblem(try await client.execute(uri: "/v3/media/\(alices.id)", method: .delete, headers: try await token()), .notFound)
            // Without exp a token lasts 15 minutes from iat.
            let noExpiry = try await signRS256(TestClaims(expires: nil))
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(noExpiry)).status == .ok)
        }
        #expect(try await server.store.item(id: alices.id) != nil)
    }

    @Test("expired, not-yet-valid, issued-in-the-future and incomplete JWTs are 401")
    func badClaims() async throws {
        let server = try Self.server()
        let now = Date()
        let tokens: [(String, String)] = [
            (try await signRS256(TestClaims(issued: now.addingTimeInterval(-3600), expires: now.addingTimeInterval(-600))), "expired"),
            (try await signRS256(TestClaims(issued: now.addingTimeInterval(-3600), expires: nil)), "expired"),
            (try await signRS256(TestClaims(notBefore: now.addingTimeInterval(600))), "not valid before"),
            (try await signRS256(TestClaims(issued: now.addingTimeInterval(3600), expires: now.addingTimeInterval(7200))), "future"),
            (try await signRS256(TestClaims(jti: nil)), "jti"),
            (try await signRS256(TestClaims(application: nil)), "application_id"),
            (try await signRS256(TestClaims(application: "app-unknown")), "no application"),
        ]
        try await server.test { client in
            for (token, expected) in tokens {
                let detail = try expectProblem(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(token)), .unauthorized)
                #expect(detail.contains(expected), "\(detail)")
            }
        }
    }

    @Test("a signed token with absurd times (±1e300, a huge exp) is 401, and the server keeps serving", .timeLimit(.minutes(2)))
    func absurdTimes() async throws {
        let server = try Self.server()
        let now = Date()
        let far = Date(timeIntervalSince1970: 1e300), before = Date(timeIntervalSince1970: -1e300)
        let tokens = [
            TestClaims(issued: far), TestClaims(issued: before), TestClaims(expires: far), TestClaims(expires: before),
            TestClaims(notBefore: far), TestClaims(notBefore: before), TestClaims(issued: before, expires: far),
            TestClaims(expires: Date(timeIntervalSince1970: 1e18)), TestClaims(expires: Date(timeIntervalSince1970: 9.3e18)),
            TestClaims(issued: Date(timeIntervalSince1970: -62_135_596_801), expires: nil),
            TestClaims(issued: now, expires: .distantFuture), TestClaims(issued: .distantPast, expires: now),
        ]
        try await server.test(.live) { client in
            for claims in tokens {
                let response = try await client.execute(uri: "/v3/media", method: .get, headers: bearer(try await signRS256(claims)))
                let detail = try expectProblem(response, .unauthorized)
                #expect(detail.contains("24 hours") || detail.contains("expired"), "\(detail)")
            }
            // Still up, for every account.
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(try await signRS256(TestClaims()))).status == .ok)
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.alice)).status == .ok)
        }
    }

    @Test("a token may last at most 24 hours (exp - iat); 60 s of clock skew is allowed")
    func lifetimeAndSkew() async throws {
        let server = try Self.server()
        let now = Date()
        try await server.test { client in
            func status(_ claims: TestClaims) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/v3/media", method: .get, headers: bearer(try await signRS256(claims))).status
            }
            let tooLong = try await client.execute(
                uri: "/v3/media", method: .get, headers: bearer(try await signRS256(TestClaims(issued: now, expires: now.addingTimeInterval(24 * 3600 + 120)))))
            #expect(try expectProblem(tooLong, .unauthorized).contains("24 hours"))
            #expect(try await status(TestClaims(issued: now.addingTimeInterval(-3600), expires: now.addingTimeInterval(23 * 3600 - 60))) == .ok)
            // Within the skew: issued 20 s ahead of this clock, expired 5 s ago (times taken just before signing).
            #expect(try await status(TestClaims(issued: Date().addingTimeInterval(20))) == .ok)
            #expect(try await status(TestClaims(issued: Date().addingTimeInterval(-600), expires: Date().addingTimeInterval(-5))) == .ok)
            // Past it (by margins no slow machine closes).
            #expect(try await status(TestClaims(issued: Date().addingTimeInterval(600), expires: Date().addingTimeInterval(900))) == .unauthorized)
            #expect(try await status(TestClaims(issued: Date().addingTimeInterval(-900), expires: Date().addingTimeInterval(-120))) == .unauthorized)
            #expect(try await status(TestClaims(jti: String(repeating: "j", count: 257))) == .unauthorized)
        }
    }

    @Test("a token is accepted once: the same jti again is 401, a new token works")
    func replay() async throws {
        let server = try Self.server()
        let token = try await signRS256(TestClaims())
        try await server.test { client in
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(token)).status == .ok)
            let again = try await client.execute(uri: "/v3/media", method: .get, headers: bearer(token))
            #expect(try expectProblem(again, .unauthorized).contains("already used"))
            // Another method, same token: still a replay.
            try expectProblem(try await client.execute(uri: "/v3/media/x", method: .delete, headers: bearer(token)), .unauthorized)
            // A token signed anew with the same jti is the same token as far as replay goes.
            let sameJTI = try await signRS256(TestClaims(issued: Date().addingTimeInterval(-1), jti: "fixed"))
            let sameJTILater = try await signRS256(TestClaims(issued: Date(), jti: "fixed"))
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(sameJTI)).status == .ok)
            try expectProblem(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(sameJTILater)), .unauthorized)
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(try await signRS256(TestClaims()))).status == .ok)
        }
    }

    @Test("when an application's table of live tokens is full its new tokens get 429 with Retry-After; others still sign in")
    func replayTableFull() async throws {
        let stranger = TestKeys.stranger.publicKey.pemRepresentation
        let server = try TestServer {
            $0.applications = [
                Application(id: "app-1", accountKey: "bob", publicKeyPEM: TestKeys.application.publicKey.pemRepresentation),
                Application(id: "app-2", accountKey: "alice", publicKeyPEM: stranger),
            ]
            $0.maxLiveTokensPerApplication = 2
        }
        try await server.test { client in
            for _ in 0..<2 {
                #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(try await signRS256(TestClaims()))).status == .ok)
            }
            let full = try await client.execute(uri: "/v3/media", method: .get, headers: bearer(try await signRS256(TestClaims())))
            try expectProblem(full, .tooManyRequests)
            let retryAfter = try #require(full.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 15 * 60 + 60)
            let other = try await signRS256(TestClaims(application: "app-2"), with: TestKeys.stranger)
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(other)).status == .ok)
            #expect(try await client.execute(uri: "/v3/media", method: .get, headers: basic(TestServer.bob)).status == .ok)
        }
    }

    @Test("forged, tampered, HS256 and unsigned JWTs are 401")
    func forgedTokens() async throws {
        let server = try Self.server()
        let forged = try await signRS256(TestClaims(), with: TestKeys.stranger)

        let genuine = try await signRS256(TestClaims())
        let parts = genuine.split(separator: ".").map(String.init)
        let otherPayload = try await signRS256(TestClaims(application: "app-1", jti: "another"))
        let tampered = [parts[0], otherPayload.split(separator: ".").map(String.init)[1], parts[2]].joined(separator: ".")

        // An HS256 token "signed" with the public key: the classic algorithm-confusion attack.
        let hmacKeys = JWTKeyCollection()
        await hmacKeys.add(hmac: HMACKey(from: TestKeys.application.publicKey.pemRepresentation), digestAlgorithm: .sha256)
        let hs256 = try await hmacKeys.sign(TestClaims())

        func base64url(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let unsigned = base64url(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."

        try await server.test { client in
            for (token, expected) in [(forged, "signature"), (tampered, "signature"), (hs256, "HS256"), (unsigned, "none"), ("not.a.jwt", "RS256"), ("garbage", "JWT")] {
                let detail = try expectProblem(try await client.execute(uri: "/v3/media", method: .get, headers: bearer(token)), .unauthorized)
                #expect(detail.contains(expected), "\(token): \(detail)")
            }
        }
    }

    @Test("the configuration check refuses what cannot work")
    func configurationValidation() throws {
        let pem = TestKeys.application.publicKey.pemRepresentation
        var good = MediaServerConfiguration(accounts: [TestServer.bob], applications: [Application(id: "a", accountKey: "bob", publicKeyPEM: pem)])
        try good.validate()
        let bad: [(inout MediaServerConfiguration) -> Void] = [
            { $0.applications[0].accountKey = "nobody" },
            { $0.applications[0].publicKeyPEM = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" },
            { $0.accounts.append(TestServer.bob) },
            { $0.maxPageSize = 0 },
            { $0.maxUploadBytes = 0 },
            { $0.port = 70000 },
            { $0.faults.dropRate = 1.5 },
            { $0.faults.rateLimitEvery = 0 },
            { $0.idleTimeout = .zero },
            { $0.maxConnections = 0 },
            { $0.maxLiveTokensPerApplication = 0 },
            { $0.requestHeadTimeout = .zero },
            { $0.minimumBodyRate = 0 },
            { $0.maxConnectionsPerAddress = 0 },
        ]
        for change in bad {
            var configuration = good
            change(&configuration)
            #expect(throws: ConfigurationError.self) { try configuration.validate() }
        }
        good.faults = FaultPlan(serverErrorRate: 0.5, dropRate: 0.5)
        try good.validate()
    }
}
