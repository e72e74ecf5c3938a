import Foundation
import MediaAPI
import JWTKit

/// The claims Vonage expects in an application's JWT.
struct ApplicationClaims: JWTPayload {
    var application_id: String
    var iat: IssuedAtClaim
    var jti: IDClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Signs application JWTs and reuses one until it is close to expiring, so a burst of
/// requests costs one RSA signature, not one each.
actor ApplicationToken {
    private let applicationID: String
    private let key: Insecure.RSA.PrivateKey
    private let lifetime: TimeInterval
    private var signer: JWTKeyCollection?
    private var current: (token: String, expires: Date)?

    /// Parses the key now, so a bad key fails when the client is made, before any request.
    init(applicationID: String, privateKeyPEM: String, lifetime: TimeInterval = 15 * 60) throws {
        do {
            key = try Insecure.RSA.PrivateKey(pem: privateKeyPEM)
        } catch {
            throw MediaError.invalidInput(
                "the private key of application '\(applicationID)' is not an RSA private key in PEM form (expected -----BEGIN PRIVATE KEY-----)")
        }
        self.applicationID = applicationID
        self.lifetime = lifetime
    }

    /// A token valid for at least another minute.
    func token(now: Date = Date()) async throws -> String {
        if let current, current.expires.timeIntervalSince(now) > 60 {
            return current.token
        }
        let signer = try await loadedSigner()
        let expires = now.addingTimeInterval(lifetime)
        let claims = ApplicationClaims(
            application_id: applicationID,
            iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: UUID().uuidString),
            exp: ExpirationClaim(value: expires))
        let token = try await signer.sign(claims)
        current = (token, expires)
        return token
    }

    /// The key collection, made on first use (adding a key is async, so not in init).
    private func loadedSigner() async throws -> JWTKeyCollection {
        if let signer { return signer }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        signer = keys
        return keys
    }
}
