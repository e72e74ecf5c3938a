import Foundation
import MediaAPI
import JWTKit

/// How MediaHTTPClient proves who it is to the Media API.
public enum Credentials: Sendable, Hashable {
    /// An account's API key and secret, sent as HTTP Basic auth.
    case apiKey(key: String, secret: String)
    /// A Vonage application: each request carries a short-lived RS256 JWT signed with its private key.
    case application(id: String, privateKeyPEM: String)

    /// Reads an application's private key from a PEM file, failing with a clear message (not at the
    /// first request) when the file is missing, unreadable or not an RSA private key.
    public static func readPrivateKey(at path: URL) throws -> String {
        let text: String
        do {
            text = try String(contentsOf: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path.path) ? "it cannot be read as text" : "no such file"
            throw MediaError.invalidInput("cannot read the private key file '\(path.path)': \(reason) (give the path of the application's private.key)")
        }
        do {
            _ = try Insecure.RSA.PrivateKey(pem: text)
        } catch {
            throw MediaError.invalidInput(
                "'\(path.path)' is not an RSA private key in PEM form (expected a file starting with -----BEGIN PRIVATE KEY-----)")
        }
        return text
    }
}
