import Foundation

/// Hears of the rate limits a binding meets and retries on its own, so that a caller running
/// many calls at once (a bulk action) can slow them all down instead of each retrying alone.
public protocol RateLimitListener: Sendable {
    /// The service answered "too many requests"; the binding waits `retryAfter` seconds (or its
    /// own backoff when nil) and then sends the request again.
    func rateLimited(retryAfter: Double?) async
}

/// Where a binding finds the listener of the calls it is running.
public enum RateLimitReporting {
    /// Set by the caller around its calls (`$listener.withValue(…)`); nil = nobody is listening.
    @TaskLocal public static var listener: (any RateLimitListener)?
}
