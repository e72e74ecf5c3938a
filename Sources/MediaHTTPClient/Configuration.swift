import Foundation

extension MediaHTTPClient {
    /// Timeouts and retry limits of a MediaHTTPClient.
    public struct Configuration: Sendable {
        /// How long to wait for a TCP (and TLS) connection.
        public var connectTimeout: Duration
        /// How long a response may stall (no bytes arriving) before the request fails.
        public var readTimeout: Duration
        /// Attempts per request, the first included, when failures are transient.
        public var maxAttempts: Int
        /// The first backoff; each further retry doubles it (with jitter) up to `maxBackoff`.
        public var initialBackoff: Duration
        public var maxBackoff: Duration
        /// A `Retry-After` longer than this is not waited for: the request fails with `.rateLimited`.
        public var maxRetryAfter: Duration
        /// Sent as `User-Agent`.
        public var userAgent: String
        /// Connections kept open to the service at once: requests beyond it wait for a free one,
        /// so it should be at least a bulk action's concurrency.
        public var maxConnections: Int
        /// The most items a listing takes at one instant of `time_created` (or without one): it keeps
        /// their ids to list each once, so a server sending endless items at one instant fails the
        /// listing here instead of growing its memory without end.
        public var maxItemsAtOneInstant: Int
        /// The most bytes of items (about) that a parallel listing's pages may hold while they wait
        /// for the consumer, all windows together (64 MiB by default).
        public var listingBufferBytes: Int

        public init(
            connectTimeout: Duration = .seconds(10),
            readTimeout: Duration = .seconds(60),
            maxAttempts: Int = 5,
            initialBackoff: Duration = .milliseconds(250),
            maxBackoff: Duration = .seconds(8),
            maxRetryAfter: Duration = .seconds(120),
            userAgent: String = "mediash",
            maxConnections: Int = 64,
            maxItemsAtOneInstant: Int = 100_000,
            listingBufferBytes: Int = 64 << 20
        ) {
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.maxRetryAfter = maxRetryAfter
            self.userAgent = userAgent
            self.maxConnections = max(1, maxConnections)
            self.maxItemsAtOneInstant = max(1, maxItemsAtOneInstant)
            self.listingBufferBytes = max(1, listingBufferBytes)
        }
    }
}
