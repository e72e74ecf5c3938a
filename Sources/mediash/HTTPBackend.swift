import Foundation
import MediaAPI
import MediaHTTPClient

extension Backend {
    /// The HTTP binding at `url`. A private key that cannot be read is a usage error (exit 2).
    static func http(_ url: URL, _ account: AccountCredentials) async throws -> Backend {
        let credentials: Credentials
        switch account {
        case .apiKey(let key, let secret):
            credentials = .apiKey(key: key, secret: secret)
        case .application(let id, let path):
            do {
                credentials = .application(id: id, privateKeyPEM: try Credentials.readPrivateKey(at: URL(fileURLWithPath: path)))
            } catch {
                throw UsageError("\(error)")
            }
        }
        let client: MediaHTTPClient
        do {
            client = try MediaHTTPClient(endpoint: url, credentials: credentials)
        } catch {
            throw UsageError("\(error)")
        }
        return Backend(
            service: client,
            banner: "mediash — \(url.absoluteString) as \(account). Type help, or Ctrl-D to leave.",
            onClose: { try? await client.shutdown() })
    }
}
