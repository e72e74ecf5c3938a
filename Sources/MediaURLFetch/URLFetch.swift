#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore

/// Fetches an http(s) url under a URLFetchPolicy. Every hop (the url and each redirect) is
/// checked: its host is resolved here, every address it has must be public (unless the policy
/// allows the host), and the connection goes to the address that was checked, not to a second
/// lookup that a hostile name server could answer differently (DNS rebinding).
/// Redirects are followed (file hosts and CDNs redirect as a matter of course), up to `maxRedirects`.
/// Both stores fetch an upload's url through it (MediaStore, MediaStorePostgres).
public struct URLFetch: Sendable {
    public let policy: URLFetchPolicy
    public static let maxRedirects = 5

    public init(policy: URLFetchPolicy) {
        self.policy = policy
    }

    /// Streams the content at `url` into `file` (created, and synced when whole), hashing it on
    /// the way, and returns its ETag and size. Every way the fetch can fail is a URLFetchError,
    /// except failing to write `file` (`.storage`); content over `maxBytes` is a URLFetchError too.
    /// The whole fetch must end within the policy's `timeout`, whatever the origin trickles.
    public func download(_ url: URL, to file: URL, maxBytes: Int64?) async throws -> (etag: String, size: Int64) {
        let timeout = policy.timeout
        return try await withThrowingTaskGroup(of: (etag: String, size: Int64)?.self) { group in
            group.addTask { try await downloadNow(url, to: file, maxBytes: maxBytes) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw URLFetchError(url: url.absoluteString, reason: "it did not finish within \(timeout)")
            }
            return result
        }
    }

    private func downloadNow(_ url: URL, to file: URL, maxBytes: Int64?) async throws -> (etag: String, size: Int64) {
        do {
            return try await fetch(url) { response -> (etag: String, size: Int64) in
                if let maxBytes, let length = response.headers.first(name: "content-length").flatMap({ Int64($0) }), length > maxBytes {
                    throw URLFetchError(url: url.absoluteString, reason: "it is \(length) bytes, larger than the limit of \(maxBytes) bytes")
                }
                let output = try DurableFile.create(file)
                defer { try? output.close() }
                // Private whatever the umask: the content is someone's recording.
                guard fchmod(output.fileDescriptor, 0o600) == 0 else {
                    throw MediaError.storage("cannot make \(file.path) private: \(String(cString: strerror(errno)))")
                }
                var hashing = HashingCopy()
                for try await chunk in response.body {
                    try DurableFile.writing(file) { try hashing.add(Data(chunk.readableBytesView), into: output, maxBytes: maxBytes) }
                }
                try DurableFile.writing(file) { try output.synchronize() }
                return (hashing.hex, hashing.bytes)
            }
        } catch let error as URLFetchError {
            throw error
        } catch let error as MediaError {
            if case .storage = error { throw error }
            throw URLFetchError(url: url.absoluteString, reason: error.description)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw URLFetchError(url: url.absoluteString, reason: "\(error)")
        }
    }

    /// Calls `read` with the answer of the last hop, a 2xx; every other outcome is a URLFetchError.
    public func fetch<T>(_ url: URL, _ read: (HTTPClientResponse) async throws -> T) async throws -> T {
        var current = url
        for _ in 0...Self.maxRedirects {
            let client = HTTPClient(configuration: try await configuration(for: current))
            do {
                // The timeout is for the answer to begin; the body may take as long as it takes.
                let response = try await client.execute(HTTPClientRequest(url: current.absoluteString), timeout: .seconds(60))
                if [301, 302, 303, 307, 308].contains(response.status.code), let location = response.headers.first(name: "location") {
                    guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                        throw URLFetchError(url: current.absoluteString, reason: "it redirects to '\(location)', which is not a URL")
                    }
                    try? await client.shutdown()
                    current = next
                    continue
                }
                guard (200...299).contains(response.status.code) else {
                    throw URLFetchError(url: current.absoluteString, reason: "HTTP \(response.status.code) \(response.status.reasonPhrase)")
                }
                let result = try await read(response)
                try? await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        throw URLFetchError(url: url.absoluteString, reason: "more than \(Self.maxRedirects) redirects")
    }

    /// A client for one hop: no redirects of its own (each is checked here), and the host pinned
    /// to the address that was checked.
    private func configuration(for url: URL) async throws -> HTTPClient.Configuration {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw URLFetchError(url: url.absoluteString, reason: "only http and https URLs are fetched")
        }
        guard let host = url.host, !host.isEmpty else {
            throw URLFetchError(url: url.absoluteString, reason: "the URL has no host")
        }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        if policy.allows(host: host) { return configuration }
        // The same host text AsyncHTTPClient connects to (it drops an IPv6 literal's brackets).
        let name = URLFetchPolicy.normalized(host)
        let addresses = try await Self.resolve(name, url: url)
        if let refused = addresses.first(where: { $0.nonPublicRange != nil }), let range = refused.nonPublicRange {
            throw URLFetchError(
                url: url.absoluteString,
                reason: "\(host) is \(refused), a \(range) address; only public addresses are fetched (a server may allow a host with --allow-url-host)")
        }
        guard let first = addresses.first else {
            throw URLFetchError(url: url.absoluteString, reason: "\(host) has no address")
        }
        configuration.dnsOverride = [host: first.description, name: first.description]
        return configuration
    }

    /// The addresses of `host` (a name or a numeric address in any form getaddrinfo reads).
    /// getaddrinfo blocks (for seconds when a name server is slow), so it runs on a thread of its
    /// own: never on the caller's event loop, and never on a global dispatch queue, which on Linux
    /// is the pool every Swift task runs on (one thread a core): two slow names there would stop
    /// the whole server.
    static func resolve(_ host: String, url: URL) async throws -> [IPAddress] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, nil, &hints, &list)
                guard status == 0 else {
                    let reason = String(cString: gai_strerror(status))
                    continuation.resume(throwing: URLFetchError(url: url.absoluteString, reason: "cannot resolve \(host): \(reason)"))
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [IPAddress] = []
                var entry = list
                while let info = entry?.pointee {
                    if let address = info.ai_addr {
                        if info.ai_family == AF_INET {
                            var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                            addresses += IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }).map { [$0] } ?? []
                        } else if info.ai_family == AF_INET6 {
                            var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                            addresses += IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }).map { [$0] } ?? []
                        }
                    }
                    entry = info.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }
}
