import Foundation
import Hummingbird
import JWTKit

/// Who a request is: an account by Basic auth or `api_key`/`api_secret`, or an application's RS256 Bearer JWT.
struct Authenticator: Sendable {
    private let secrets: [String: String]
    private let applications: [String: RegisteredApplication]
    /// The jti of every accepted token, until it expires: each token is accepted once.
    private let replays: TokenReplayGuard

    private struct RegisteredApplication: Sendable {
        var accountKey: String
        /// Nil when the configured PEM is not an RSA public key: its tokens are refused, with the reason.
        var key: Insecure.RSA.PublicKey?
    }

    init(accounts: [Account], applications: [Application], replays: TokenReplayGuard = TokenReplayGuard()) {
        self.replays = replays
        secrets = Dictionary(accounts.map { ($0.apiKey, $0.apiSecret) }, uniquingKeysWith: { _, last in last })
        self.applications = Dictionary(
            applications.map { app in
                (app.id, RegisteredApplication(accountKey: app.accountKey, key: try? Insecure.RSA.PublicKey(pem: app.publicKeyPEM)))
            },
            uniquingKeysWith: { _, last in last })
    }

    /// The account the request's credentials name; nil when it has none; 401 when they are wrong.
    func account(for request: Request) async throws -> String? {
        if let authorization = request.headers[.authorization] {
            let (scheme, value) = Self.split(authorization)
            switch scheme.lowercased() {
            case "basic": return try basic(value)
            case "bearer": return try await bearer(value)
            default:
                throw Problem.unauthorized("the Authorization scheme '\(scheme)' is not supported; use Basic (API key and secret) or Bearer (a JWT)")
            }
        }
        let query = request.uri.queryParameters
        let key = query["api_key"].map(String.init)
        let secret = query["api_secret"].map(String.init)
        switch (key, secret) {
        case (nil, nil): return nil
        case (let key?, let secret?): return try check(key: key, secret: secret)
        case (nil, _): throw Problem.unauthorized("api_secret was given without api_key")
        case (_, nil): throw Problem.unauthorized("api_key was given without api_secret")
        }
    }

    private func basic(_ encoded: String) throws -> String {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else {
            throw Problem.unauthorized("the Basic credentials are not base64 of 'api_key:api_secret'")
        }
        return try check(key: String(text[..<colon]), secret: String(text[text.index(after: colon)...]))
    }

    private func check(key: String, secret: String) throws -> String {
        guard let expected = secrets[key], Self.constantTimeEqual(expected, secret) else {
            throw Problem.unauthorized("the API key or secret is wrong")
        }
        return key
    }

    private func bearer(_ token: String) async throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Problem.unauthorized("the Bearer token is not a JWT (header.payload.signature)") }
        let algorithm = Self.algorithm(ofHeader: parts[0])
        // jwt-kit verifies with whatever key it holds; the algorithm is checked first so an HS256 or
        // "none" token can never be weighed against an RSA public key.
        guard algorithm == "RS256" else {
            throw Problem.unauthorized("the JWT is signed with '\(algorithm ?? "no algorithm")'; sign it with RS256 and the application's private key")
        }
        let keys = JWTKeyCollection()
        let claims: ApplicationClaims
        do {
            claims = try await keys.unverified(token, as: ApplicationClaims.self)
        } catch {
            throw Problem.unauthorized("the JWT payload needs application_id, iat and jti (and may have exp, nbf)")
        }
        guard let application = applications[claims.applicationID] else {
            throw Problem.unauthorized("no application '\(claims.applicationID)' on this server")
        }
        guard let key = application.key else {
            throw Problem.unauthorized("application '\(claims.applicationID)' has no usable RSA public key on this server")
        }
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        let verified: ApplicationClaims
        do {
            verified = try await keys.verify(token, as: ApplicationClaims.self)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.unauthorized("the JWT signature does not verify with application '\(claims.applicationID)'s public key")
        }
        // Only a verified token is remembered, so no one without the key can fill the table.
        switch replays.admit(
            application: verified.applicationID, jti: verified.jti.value,
            forgetAt: verified.expiry.addingTimeInterval(ApplicationClaims.skew), now: Date())
        {
        case .fresh:
            return application.accountKey
        case .replayed:
            throw Problem.unauthorized("this JWT (jti '\(verified.jti.value)') was already used; a token is accepted once, so sign a new one (with a new jti) for each request")
        case .full(let retryAfter):
            throw Problem(
                status: .tooManyRequests,
                detail: "application '\(verified.applicationID)' has \(replays.capacity) unexpired tokens in use; give tokens a shorter exp, or retry later",
                headers: [.retryAfter: String(Int(retryAfter))])
        }
    }

    /// `alg` of a JWT's base64url header, or nil when unreadable.
    private static func algorithm(ofHeader header: Substring) -> String? {
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }

    /// The scheme and its value, each without the spaces and tabs around it (HTTP's optional
    /// white space, RFC 9110 §5.6.3), found in the header's bytes.
    static func split(_ authorization: String) -> (scheme: String, value: String) {
        let trimmed = trimmingSpaces(authorization[...])
        guard let space = trimmed.utf8.firstIndex(of: 0x20) else { return (String(trimmed), "") }
        return (String(trimmed[..<space]), String(trimmingSpaces(trimmed[space...])))
    }

    /// `text` without the spaces and tabs at either end. A byte other than those is never inside a
    /// multi-byte character's encoding, so both ends fall between characters' scalars.
    private static func trimmingSpaces(_ text: Substring) -> Substring {
        let bytes = text.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return text[text.endIndex...] }
        return text[first..<bytes.index(after: last)]
    }

    /// Compares secrets in time independent of where they differ.
    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}

/// The claims of a Media API JWT (`application_id`, `iat`, `jti`, and `exp`, `nbf` when given) and the rules
/// for them, stated in SECURITY.md:
/// - clocks may differ by up to `skew` (60 s) between the signer and this server;
/// - without `exp` a token lasts 15 minutes from `iat`, as the real API's;
/// - a token may last at most `maxLifetime` (24 h, `exp` − `iat`);
/// - every time claim lies within `maxLifetime` + `skew` of the server's clock (no accepted token can be
///   further off), so absurd values (1e300, negative) are refused before any arithmetic or formatting;
/// - `jti` is non-empty, at most `maxJTIBytes`, and accepted once (TokenReplayGuard).
struct ApplicationClaims: JWTPayload {
    var applicationID: String
    var iat: IssuedAtClaim
    var jti: IDClaim
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?

    enum CodingKeys: String, CodingKey {
        case applicationID = "application_id"
        case iat, jti, exp, nbf
    }

    /// Clock skew tolerated between the token's signer and this server.
    static let skew: TimeInterval = 60
    static let defaultLifetime: TimeInterval = 15 * 60
    static let maxLifetime: TimeInterval = 24 * 60 * 60
    static let maxJTIBytes = 256

    /// When the token stops being accepted.
    var expiry: Date { exp?.value ?? iat.value.addingTimeInterval(Self.defaultLifetime) }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try check(now: Date())
    }

    func check(now: Date) throws {
        let reach = Self.maxLifetime + Self.skew
        for (name, date) in [("iat", iat.value), ("exp", exp?.value), ("nbf", nbf?.value)] {
            guard let seconds = date?.timeIntervalSince1970 else { continue }
            guard seconds.isFinite, abs(seconds - now.timeIntervalSince1970) <= reach else {
                throw Problem.unauthorized("the JWT's \(name) (\(seconds) seconds since 1970) is not within 24 hours of the server's clock; sign a token with the current time")
            }
        }
        guard now.addingTimeInterval(-Self.skew) < expiry else {
            throw Problem.unauthorized("the JWT expired at \(HTTPDate.format(expiry)); make a new one")
        }
        if let nbf, now.addingTimeInterval(Self.skew) < nbf.value {
            throw Problem.unauthorized("the JWT is not valid before \(HTTPDate.format(nbf.value))")
        }
        guard iat.value <= now.addingTimeInterval(Self.skew) else {
            throw Problem.unauthorized("the JWT was issued in the future (iat \(HTTPDate.format(iat.value))); check the clock")
        }
        guard expiry.timeIntervalSince(iat.value) <= Self.maxLifetime else {
            throw Problem.unauthorized("the JWT lasts from \(HTTPDate.format(iat.value)) to \(HTTPDate.format(expiry)), longer than the 24 hours a token may last")
        }
        guard !jti.value.isEmpty else { throw Problem.unauthorized("the JWT needs a non-empty jti") }
        guard jti.value.utf8.count <= Self.maxJTIBytes else {
            throw Problem.unauthorized("the JWT's jti is longer than \(Self.maxJTIBytes) bytes")
        }
    }
}

/// Sets `context.account` from the request's credentials before the routes run.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = MediaRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.account = try await authenticator.account(for: request)
        return try await next(request, context)
    }
}
