import Foundation

/// Every failure a `MediaService` reports, each with a message a user can act on.
public enum MediaError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// No item with that id (or not one this account may see).
    case notFound(id: String)
    /// Credentials missing or not accepted.
    case unauthorized(String)
    /// Authenticated, but not allowed (another account's item, a spent download limit, …).
    case forbidden(String)
    /// The service asks to slow down; retry after this many seconds when known.
    case rateLimited(retryAfter: Double?)
    /// The service failed: its HTTP status and its own message.
    case server(status: Int, message: String)
    /// The service could not be reached, or the connection broke.
    case transport(String)
    /// The request itself is wrong (a bad value, a missing file); retrying will not help.
    case invalidInput(String)
    /// The local store or file system failed (unreadable, corrupt, full).
    case storage(String)

    public var description: String {
        switch self {
        case .notFound(let id): "no media item with id '\(id)'"
        case .unauthorized(let m): "not authorized: \(m) (check the API key and secret, or the application id and private key)"
        case .forbidden(let m): "forbidden: \(m)"
        case .rateLimited(let after):
            if let after { "rate limited by the service: retry after \(after.formatted(.number.precision(.fractionLength(0...1)))) s" }
            else { "rate limited by the service: slow down and retry" }
        case .server(let status, let m): "the service failed (HTTP \(status)): \(m)"
        case .transport(let m): "could not reach the service: \(m)"
        case .invalidInput(let m): m
        case .storage(let m): "local store: \(m)"
        }
    }

    public var errorDescription: String? { description }
}
