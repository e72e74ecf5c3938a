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

/// Signs a new application JWT for every request, with a new `jti`: media-server accepts a token
/// once (replay protection), so a token is never reused, not even for a retry. Tokens are short-lived
/// (5 minutes) so a server remembers each one only briefly. Each signature uses a key collection of its
/// own, so concurrent requests sign in parallel rather than one after another.
struct ApplicationToken: Sendable {
    private let applicationID: String
    private let key: Insecure.RSA.PrivateKey
    private let lifetime: TimeInterval

    /// Parses the key now, so a bad key fails when the client is made, before any request.
    init(applicationID: String, privateKeyPEM: String, lifetime: TimeInterval = 5 * 60) throws {
        do {
            key = try Insecure.RSA.PrivateKey(pem: privateKeyPEM)
        } catch {
            throw MediaError.invalidInput(
                "the private key of application '\(applicationID)' is not an RSA private key in PEM form (expected -----BEGIN PRIVATE KEY-----)")
        }
        self.applicationID = applicationID
        self.lifetime = lifetime
    }

    /// A new token, issued `now` and valid for `lifetime`.
    func token(now: Date = Date()) async throws -> String {
        let signer = JWTKeyCollection()
        await signer.add(rsa: key, digestAlgorithm: .sha256)
        let claims = ApplicationClaims(
            application_id: applicationID,
            iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: UUID().uuidString),
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)))
        return try await signer.sign(claims)
    }
}
