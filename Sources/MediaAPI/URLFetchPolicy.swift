import Foundation

/// Which hosts an upload by url may be fetched from. A server fetching for its clients keeps to
/// public addresses, so a client cannot make it reach into its own machine or network (SSRF);
/// a person on their own machine may fetch from anywhere.
public struct URLFetchPolicy: Sendable, Hashable {
    /// Fetch from any address, the own machine's and private networks' included.
    public var allowsAnyAddress: Bool
    /// Hosts (as written in a url, compared without case or IPv6 brackets) fetched from whatever their address.
    public private(set) var allowedHosts: Set<String>
    /// The longest a whole fetch may take, redirects and body included: an origin that trickles
    /// its answer cannot keep a fetch (and the upload waiting on it) forever.
    public var timeout: Duration = .seconds(600)

    /// Public addresses only, plus `allowedHosts`.
    public init(allowedHosts: [String] = []) {
        allowsAnyAddress = false
        self.allowedHosts = Set(allowedHosts.map(Self.normalized))
    }

    /// Only addresses on the public internet: the default, and what a server uses.
    public static let publicAddressesOnly = URLFetchPolicy()

    /// Any address: for a user's own tool on their own machine, where fetching localhost is no attack.
    public static let anyAddress: URLFetchPolicy = {
        var policy = URLFetchPolicy()
        policy.allowsAnyAddress = true
        return policy
    }()

    /// Whether `host` may be fetched from without looking at its address.
    public func allows(host: String) -> Bool {
        allowsAnyAddress || allowedHosts.contains(Self.normalized(host))
    }

    package static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host
    }
}

/// A url upload that could not be fetched, with the reason (for the local user, or a server's log).
/// A server answers its clients with one generic message whatever the reason, so that the answer
/// cannot be used to map which hosts and ports exist behind it.
public struct URLFetchError: Error, CustomStringConvertible, Sendable {
    public var url: String
    public var reason: String

    public init(url: String, reason: String) {
        self.url = url
        self.reason = reason
    }

    public var description: String { "cannot fetch \(url): \(reason)" }
}
