import Foundation
import NIOCore
import JWTKit
import Logging
import MediaAPI

/// Everything a media-server needs to know besides its store: where to listen, who may sign in, and its limits.
public struct MediaServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 = any free port (reported through `onServerRunning`).
    public var port: Int = 3000
    public var accounts: [Account] = []
    public var applications: [Application] = []
    /// Larger uploads get 413.
    public var maxUploadBytes: Int64 = 100 * 1024 * 1024
    /// Larger `page_size` requests are cut to this (and the answer says so in `page_size`).
    public var maxPageSize: Int = 100
    /// Answer in the older camelCase shape (`mediaSize`, `publicItem`, …) with epoch-millisecond times.
    public var legacyShape: Bool = false
    public var faults: FaultPlan = .none
    /// A connection that sends nothing for this long is closed, also in the middle of a request
    /// (a half-sent head or a stalled body); so is one whose answer makes no progress for this
    /// long (a client that reads nothing, or a byte now and then).
    public var idleTimeout: Duration = .seconds(30)
    /// A request's head must arrive within this of its first byte, however it trickles in.
    public var requestHeadTimeout: Duration = .seconds(5)
    /// A request's body must come at this many bytes a second or more over every `idleTimeout`
    /// the server waits for it (a body trickled a byte at a time is cut off).
    public var minimumBodyRate: Int = 1024
    /// The most connections one client address may hold at once; past it a connection gets 503.
    public var maxConnectionsPerAddress: Int = 128
    /// The most connections served at once; past it the server stops accepting, so new connections
    /// wait in the kernel's listen queue (and are refused when that is full) until one closes.
    public var maxConnections: Int = 512
    /// How many unexpired application tokens the server remembers per application (each token is
    /// accepted once); past it that application's new tokens get 429 until old ones expire.
    public var maxLiveTokensPerApplication: Int = TokenReplayGuard.defaultCapacity
    /// Whether an upload may give a `url` for the server to fetch; off keeps a fuzzer's URLs off the network.
    public var urlUploads: Bool = true
    /// Where an upload's `url` may be fetched from: public addresses only, unless hosts are allowed
    /// (media-server --allow-url-host). Never the server's own machine or network by default.
    public var urlFetch: URLFetchPolicy = .publicAddressesOnly
    /// How long `/readyz` waits for the store before answering 503: a probe wants an answer now.
    public var readinessTimeout: Duration = .seconds(2)
    /// Where the server logs (failures, with their request id); nil = swift-log's default handler, level warning.
    public var logger: Logger? = nil

    public init(
        host: String = "127.0.0.1", port: Int = 3000, accounts: [Account] = [], applications: [Application] = [],
        maxUploadBytes: Int64 = 100 * 1024 * 1024, maxPageSize: Int = 100, legacyShape: Bool = false,
        faults: FaultPlan = .none, urlUploads: Bool = true, urlFetch: URLFetchPolicy = .publicAddressesOnly
    ) {
        self.host = host
        self.port = port
        self.accounts = accounts
        self.applications = applications
        self.maxUploadBytes = maxUploadBytes
        self.maxPageSize = maxPageSize
        self.legacyShape = legacyShape
        self.faults = faults
        self.urlUploads = urlUploads
        self.urlFetch = urlFetch
    }
}

/// An account of the Media API: its API key (also its `account_id`) and secret.
public struct Account: Sendable, Hashable {
    public var apiKey: String
    public var apiSecret: String

    public init(apiKey: String, apiSecret: String) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }
}

/// An application of an account: Bearer JWTs signed (RS256) with its private key act as that account.
public struct Application: Sendable, Hashable {
    public var id: String
    /// The API key of the account it belongs to.
    public var accountKey: String
    /// The RSA public key, PEM (`-----BEGIN PUBLIC KEY-----`).
    public var publicKeyPEM: String

    public init(id: String, accountKey: String, publicKeyPEM: String) {
        self.id = id
        self.accountKey = accountKey
        self.publicKeyPEM = publicKeyPEM
    }
}

/// A setting that cannot work, said the way a user can fix it.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension MediaServerConfiguration {
    /// Checks what would otherwise fail later, request by request: unreadable keys, unknown accounts, bad limits.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ConfigurationError("port \(port) is not a TCP port (0 to 65535; 0 picks a free one)") }
        guard maxUploadBytes > 0 else { throw ConfigurationError("the maximum upload size must be more than 0 bytes") }
        guard idleTimeout > .zero else { throw ConfigurationError("the idle timeout must be more than 0 seconds") }
        guard maxLiveTokensPerApplication >= 1 else {
            throw ConfigurationError("the number of live tokens per application must be 1 or more, not \(maxLiveTokensPerApplication)")
        }
        guard requestHeadTimeout > .zero else { throw ConfigurationError("the request head timeout must be more than 0 seconds") }
        guard minimumBodyRate >= 1 else { throw ConfigurationError("the minimum body rate must be 1 byte a second or more, not \(minimumBodyRate)") }
        guard maxConnectionsPerAddress >= 1 else {
            throw ConfigurationError("the maximum number of connections per address must be 1 or more, not \(maxConnectionsPerAddress)")
        }
        guard maxConnections >= 1 else { throw ConfigurationError("the maximum number of connections must be 1 or more, not \(maxConnections)") }
        guard maxPageSize >= 1 else { throw ConfigurationError("the maximum page size must be 1 or more, not \(maxPageSize)") }
        var keys = Set<String>()
        for account in accounts {
            guard !account.apiKey.isEmpty, !account.apiSecret.isEmpty else {
                throw ConfigurationError("an account needs a non-empty API key and secret (KEY:SECRET)")
            }
            guard keys.insert(account.apiKey).inserted else { throw ConfigurationError("the account '\(account.apiKey)' is given twice") }
        }
        for application in applications {
            guard keys.contains(application.accountKey) else {
                throw ConfigurationError("application '\(application.id)' belongs to account '\(application.accountKey)', which is not configured (add \(application.accountKey):SECRET to --accounts-file or MEDIA_SERVER_ACCOUNTS)")
            }
            do {
                _ = try Insecure.RSA.PublicKey(pem: application.publicKeyPEM)
            } catch {
                throw ConfigurationError("the public key of application '\(application.id)' is not an RSA public key in PEM (-----BEGIN PUBLIC KEY-----)")
            }
        }
        for (name, rate) in [("server error rate", faults.serverErrorRate), ("drop rate", faults.dropRate)] {
            guard (0...1).contains(rate) else { throw ConfigurationError("the fault \(name) \(rate) must lie between 0 and 1") }
        }
        guard faults.serverErrorRate + faults.dropRate <= 1 else {
            throw ConfigurationError("the fault server error rate and drop rate add up to more than 1")
        }
        if let every = faults.rateLimitEvery, every < 1 {
            throw ConfigurationError("--fault-rate-limit-every must be 1 or more, not \(every)")
        }
        guard faults.retryAfterSeconds >= 0, faults.latency >= .zero else {
            throw ConfigurationError("fault latency and retry-after must not be negative")
        }
    }
}

extension MediaServerConfiguration {
    /// The limits each connection is held to (ConnectionGuard). A refused body is read for at most
    /// 2 seconds (or the idle timeout, if shorter) after its answer, so the answer arrives whole.
    var connectionLimits: ConnectionLimits {
        let idle = TimeAmount(idleTimeout)
        return ConnectionLimits(
            headTimeout: TimeAmount(requestHeadTimeout), idleTimeout: idle, minimumBodyRate: minimumBodyRate,
            linger: min(idle, TimeAmount.seconds(2)), maxConnectionsPerAddress: maxConnectionsPerAddress)
    }
}
