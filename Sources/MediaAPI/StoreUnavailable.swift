/// The store's database cannot be reached just now (it is restarting, or the network to it is
/// down): a server answers 503 with `Retry-After` at once instead of waiting for it. `reason` is
/// for the log only.
public struct StoreUnavailable: Error, Sendable, CustomStringConvertible {
    public var retryAfterSeconds: Int
    public var reason: String

    public init(retryAfterSeconds: Int = 1, reason: String) {
        self.retryAfterSeconds = retryAfterSeconds
        self.reason = reason
    }

    public var description: String { "the database cannot be reached: \(reason)" }
}
