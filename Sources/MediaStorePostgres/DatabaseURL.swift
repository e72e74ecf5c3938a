import Foundation
import MediaAPI
import NIOSSL
import PostgresNIO

/// A `postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…` URL as the client's configuration.
/// `sslmode` is `disable`, `prefer` (the default) or `require`; `?host=/path` names a unix socket folder.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var configuration: PostgresClient.Configuration
    /// The same, for one connection of its own (the store's probe of the database).
    public var connectionConfiguration: PostgresConnection.Configuration
    /// The URL without its password, for messages and logs.
    public var description: String

    public init(_ text: String) throws {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "postgresql" || scheme == "postgres"
        else {
            throw MediaError.invalidInput("'\(Self.redacted(text))' is not a PostgreSQL URL; write postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let user = parts.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw MediaError.invalidInput("the database URL has no user name; write postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let password = parts.percentEncodedPassword?.removingPercentEncoding
        let database = String(parts.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw MediaError.invalidInput("the database URL names no database; end it with /DATABASE")
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { $1 })
        let tls: PostgresClient.Configuration.TLS
        let connectionTLS: PostgresConnection.Configuration.TLS
        do {
            switch query["sslmode"]?.lowercased() ?? "prefer" {
            case "disable":
                tls = .disable
                connectionTLS = .disable
            case "prefer", "allow":
                tls = .prefer(.makeClientConfiguration())
                connectionTLS = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case "require", "verify-ca", "verify-full":
                tls = .require(.makeClientConfiguration())
                connectionTLS = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case let other:
                throw MediaError.invalidInput("sslmode '\(other)' is not one of disable, prefer, require")
            }
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.invalidInput("cannot set up TLS for the database: \(error)")
        }
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            let port = parts.port ?? 5432
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
            connectionConfiguration = PostgresConnection.Configuration(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = parts.host, !host.isEmpty else {
                throw MediaError.invalidInput("the database URL names no host; write postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
            }
            let port = parts.port ?? 5432
            guard (1...65535).contains(port) else { throw MediaError.invalidInput("the database port \(port) is out of range") }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
            connectionConfiguration = PostgresConnection.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: connectionTLS)
        }
        description = Self.redacted(text)
    }

    /// The URL with any password replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard var parts = URLComponents(string: text), parts.percentEncodedPassword != nil else { return text }
        parts.percentEncodedPassword = "***"
        return parts.string ?? "(a database URL)"
    }
}
