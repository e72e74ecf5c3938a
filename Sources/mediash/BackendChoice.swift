import Foundation

/// Where the media lives for this run: an embedded store, the demo store, or a Media API endpoint.
enum BackendChoice: Equatable {
    case store(URL)
    case demo
    case endpoint(URL, AccountCredentials)
}

/// How to authenticate at an endpoint. `description` never shows a secret.
enum AccountCredentials: Equatable, CustomStringConvertible {
    case apiKey(key: String, secret: String)
    case application(id: String, privateKeyPath: String)

    var description: String {
        switch self {
        case .apiKey(let key, _): "API key \(key) with its secret"
        case .application(let id, let path): "application \(id) with the private key in \(path)"
        }
    }
}

/// A mistake in how mediash was invoked: exits 2, nothing runs.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// The backend settings as given on the command line, before the environment and profiles.
struct BackendFlags {
    var store: String?
    var demo = false
    var endpoint: String?
    var apiKey: String?
    var apiSecret: String?
    var applicationID: String?
    var privateKey: String?
    var profile: String?

    /// Picks the backend. Flags come first, then the named `--profile`, then the environment
    /// (`MEDIASH_ENDPOINT`, `VONAGE_*`). `warn` reports a config file others can read.
    func resolve(environment: [String: String], paths: Paths, warn: (String) -> Void) throws -> BackendChoice {
        try resolveWithProfile(environment: environment, paths: paths, warn: warn).choice
    }

    /// The backend, and the `--profile`'s settings (its limits are the shell's too).
    func resolveWithProfile(environment: [String: String], paths: Paths, warn: (String) -> Void) throws
        -> (choice: BackendChoice, profile: [String: String]) {
        let profileSettings = try profile.map { try loadProfile($0, paths: paths, warn: warn) } ?? [:]
        return (try choose(environment: environment, paths: paths, profileSettings: profileSettings), profileSettings)
    }

    private func choose(environment: [String: String], paths: Paths, profileSettings: [String: String]) throws -> BackendChoice {
        let endpointText = endpoint ?? profileSettings["endpoint"] ?? environment["MEDIASH_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }

        if demo {
            if store != nil { throw UsageError("--demo makes its own throwaway store: leave out --store") }
            if endpoint != nil { throw UsageError("--demo runs on a local throwaway store: leave out --endpoint") }
            return .demo
        }
        guard let endpointText else {
            if apiKey != nil || apiSecret != nil || applicationID != nil || privateKey != nil {
                throw UsageError("credentials are for an endpoint: add --endpoint URL (or set MEDIASH_ENDPOINT), or leave them out to use the local store")
            }
            return .store(URL(fileURLWithPath: store.map(expandingTilde) ?? paths.defaultStore.path))
        }
        if store != nil { throw UsageError("choose one backend: --store DIR (local) or --endpoint URL, not both") }
        guard let url = URL(string: endpointText), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            throw UsageError("'\(endpointText)' is not an http(s) URL (expected something like https://api.nexmo.com/v3/media)")
        }
        let sources: [(String, [String: String?])] = [
            ("the command line", ["api_key": apiKey, "api_secret": apiSecret, "application_id": applicationID, "private_key": privateKey]),
            ("profile '\(profile ?? "")'", profileSettings.mapValues { Optional($0) }),
            ("the environment", ["api_key": environment["VONAGE_API_KEY"], "api_secret": environment["VONAGE_API_SECRET"],
                                 "application_id": environment["VONAGE_APPLICATION_ID"], "private_key": environment["VONAGE_PRIVATE_KEY_PATH"]]),
        ]
        for (origin, values) in sources {
            if let credentials = try credentials(from: values.compactMapValues { $0.flatMap { $0.isEmpty ? nil : $0 } }, origin: origin) {
                return .endpoint(url, credentials)
            }
        }
        throw UsageError("""
            \(endpointText) needs credentials: --api-key and --api-secret, or --application-id and --private-key FILE \
            (or VONAGE_API_KEY/VONAGE_API_SECRET, VONAGE_APPLICATION_ID/VONAGE_PRIVATE_KEY_PATH, or a --profile)
            """)
    }

    private func credentials(from values: [String: String], origin: String) throws -> AccountCredentials? {
        let pairs = [("api_key", "api_secret"), ("application_id", "private_key")]
        for (first, second) in pairs {
            switch (values[first], values[second]) {
            case (let a?, let b?):
                return first == "api_key" ? .apiKey(key: a, secret: b) : .application(id: a, privateKeyPath: expandingTilde(b))
            case (.some, nil):
                throw UsageError("\(origin) gives \(flagName(first)) but not \(flagName(second))")
            case (nil, .some):
                throw UsageError("\(origin) gives \(flagName(second)) but not \(flagName(first))")
            case (nil, nil):
                continue
            }
        }
        return nil
    }

    private func flagName(_ key: String) -> String {
        switch key {
        case "application_id": "--application-id"
        case "private_key": "--private-key"
        default: "--" + key.replacingOccurrences(of: "_", with: "-")
        }
    }

    private func loadProfile(_ name: String, paths: Paths, warn: (String) -> Void) throws -> [String: String] {
        let path = paths.config.path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UsageError("--profile \(name): cannot read \(path) (create it with a [profile.\(name)] table)")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            warn("warning: \(path) holds credentials and is readable by others (mode \(String(mode, radix: 8))): run chmod 600 \(path)")
        }
        let config: ConfigFile
        do {
            config = try ConfigFile(text: text, path: path)
        } catch let error as ConfigFile.ParseError {
            throw UsageError(error.description)
        }
        guard let settings = config.profiles[name] else {
            let known = config.profiles.keys.sorted()
            throw UsageError("no profile '\(name)' in \(path)" + (known.isEmpty ? "" : " (profiles: \(known.joined(separator: ", ")))"))
        }
        return settings
    }
}

func expandingTilde(_ path: String) -> String {
    (path as NSString).expandingTildeInPath
}

extension BackendChoice {
    /// The warning for credentials that would cross a network unencrypted: an `http://` endpoint
    /// on a host that is not loopback. An API secret is sent as it is (Basic) and a JWT can be
    /// replayed, so anyone on the path could use them. Nil for https, loopback and local stores.
    var plainHTTPWarning: String? {
        guard case .endpoint(let url, _) = self, url.scheme?.lowercased() == "http",
              let host = url.host, !Self.isLoopback(host) else { return nil }
        return "warning: credentials for \(host) go over plain http, readable by anyone on the network path: use https"
    }

    /// `localhost`, 127.0.0.0/8, `::1` (bracketed or not) and IPv4-mapped 127.x.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, name, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        // ::ffff:127.x.y.z
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
