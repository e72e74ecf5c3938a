import CryptoExtras
import Foundation
import JWTKit
import MediaAPI
@testable import MediaHTTPClient
import MediaServer
import MediaServiceContract
import Testing

/// Application JWTs end to end, and credentials that fail before any request.
@Suite("auth")
struct AuthTests {
    /// A fresh RSA key pair as PEM: (private, public).
    static func keyPair() throws -> (String, String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return (key.pemRepresentation, key.publicKey.pemRepresentation)
    }

    @Test("an application's RS256 JWT works end to end against media-server")
    func applicationJWT() async throws {
        let (privatePEM, publicPEM) = try Self.keyPair()
        try await withLiveServer(
            credentials: .application(id: "app-1", privateKeyPEM: privatePEM),
            { $0.applications = [Application(id: "app-1", accountKey: LiveServer.apiKey, publicKeyPEM: publicPEM)] }
        ) { server in
            let item = try await server.client.upload(MediaUpload(source: .file(try server.file("j.bin", size: 321))))
            #expect(try await server.client.info(id: item.id) == item)
            try await server.client.update(id: item.id, MediaUpdate(title: "signed"))
            var listed: [MediaItem] = []
            for try await found in server.client.list(MediaQuery()) { listed.append(found) }
            #expect(listed.map(\.id) == [item.id] && listed.first?.title == "signed")
            try await server.client.delete(id: item.id)
            #expect(await mediaError { _ = try await server.account.info(id: item.id) } == .notFound(id: item.id))
        }
    }

    @Test("a bulk run with an application JWT works under media-server's replay protection: 300 items deleted, 16 at a time, with retries")
    func bulkWithReplayProtection() async throws {
        let (privatePEM, publicPEM) = try Self.keyPair()
        try await withLiveServer(
            credentials: .application(id: "app-1", privateKeyPEM: privatePEM),
            {
                $0.applications = [Application(id: "app-1", accountKey: LiveServer.apiKey, publicKeyPEM: publicPEM)]
                // Every 7th request is refused with 429, so retried requests are part of the run.
                $0.faults.rateLimitEvery = 7
                $0.faults.retryAfterSeconds = 0
            }
        ) { server in
            let source = try server.file("bulk.bin", size: 10)
            var ids: [String] = []
            for _ in 0..<300 { ids.append(try await server.account.upload(MediaUpload(source: .file(source))).id) }
            let started = server.client.requestsSent
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = ids.makeIterator()
                for _ in 0..<16 {
                    guard let id = next.next() else { break }
                    group.addTask { try await server.client.delete(id: id) }
                }
                while try await group.next() != nil {
                    if let id = next.next() { group.addTask { try await server.client.delete(id: id) } }
                }
            }
            #expect(try await server.account.all().isEmpty)
            #expect(server.client.requestsSent - started > 300, "no request was retried, so retries were not tested")
        }
    }

    @Test("a JWT signed with another key, or a wrong secret, is unauthorized")
    func wrongCredentials() async throws {
        let (_, publicPEM) = try Self.keyPair()
        let (otherPrivate, _) = try Self.keyPair()
        try await withLiveServer(
            credentials: .application(id: "app-1", privateKeyPEM: otherPrivate),
            { $0.applications = [Application(id: "app-1", accountKey: LiveServer.apiKey, publicKeyPEM: publicPEM)] }
        ) { server in
            let error = await mediaError { _ = try await server.client.info(id: "x") }
            guard case .unauthorized? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(server.client.requestsSent == 1)
        }
        try await withLiveServer(credentials: .apiKey(key: LiveServer.apiKey, secret: "wrong")) { server in
            let error = await mediaError { for try await _ in server.client.list(MediaQuery()) {} }
            guard case .unauthorized? = error else { Issue.record("got \(String(describing: error))"); return }
        }
    }

    @Test("the token carries application_id, iat, jti and exp, and every request gets a new one (media-server accepts a token once)")
    func tokenClaims() async throws {
        let (privatePEM, publicPEM) = try Self.keyPair()
        let signer = try ApplicationToken(applicationID: "app-9", privateKeyPEM: privatePEM)
        let now = Date()
        let first = try await signer.token(now: now)
        let second = try await signer.token(now: now)
        #expect(second != first)

        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PublicKey(pem: publicPEM), digestAlgorithm: .sha256)
        let claims = try await keys.verify(first, as: ApplicationClaims.self)
        #expect(claims.application_id == "app-9")
        #expect(abs(claims.iat.value.timeIntervalSince(now)) < 1)
        #expect(claims.exp.value.timeIntervalSince(claims.iat.value) == 5 * 60)
        #expect(!claims.jti.value.isEmpty)
        let again = try await keys.verify(second, as: ApplicationClaims.self)
        #expect(again.jti.value != claims.jti.value)
        #expect(first.split(separator: ".").count == 3)
    }

    @Test("a missing or malformed private key is a clear error before any request")
    func badKeys() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("private.key")
        #expect(throws: MediaError.invalidInput(
            "cannot read the private key file '\(missing.path)': no such file (give the path of the application's private.key)")) {
            try Credentials.readPrivateKey(at: missing)
        }
        let garbage = folder.appendingPathComponent("garbage.key")
        try Data("not a key".utf8).write(to: garbage)
        #expect(throws: MediaError.self) { try Credentials.readPrivateKey(at: garbage) }
        #expect(throws: MediaError.self) {
            _ = try MediaHTTPClient(endpoint: MediaHTTPClient.vonageEndpoint, credentials: .application(id: "a", privateKeyPEM: "nope"))
        }
        let (privatePEM, _) = try Self.keyPair()
        let good = folder.appendingPathComponent("good.key")
        try Data(privatePEM.utf8).write(to: good)
        #expect(try Credentials.readPrivateKey(at: good) == privatePEM)
        #expect(throws: MediaError.self) {
            _ = try MediaHTTPClient(endpoint: URL(string: "ftp://example.com/v3/media")!, credentials: .apiKey(key: "k", secret: "s"))
        }
    }
}
