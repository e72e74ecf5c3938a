import ArgumentParser
import Foundation
import MediaAPI
import MediaServer
import MediaStore
import MediaURLFetch

/// The server's settings as text, from a config file and then the flags, turned into a configuration.
struct Settings {
    private var values: [String: String] = [:]
    private var accounts: [String] = []
    /// Accounts files named in the config file: read once the whole file is (a bad line is named first).
    private var accountsFiles: [String] = []
    private var applications: [String] = []
    private var allowedURLHosts: [String] = []
    private var legacyShape = false
    private var noURLUploads = false
    private var noAccessLog = false
    /// What the user should hear about the config file (one line each), though it was read.
    private(set) var warnings: [String] = []

    /// Every flag of the command line but --config (a test holds the two lists together).
    static let names: Set<String> = [
        "host", "port", "data", "database", "database-connections", "account", "application", "max-upload-size", "max-page-size",
        "legacy-shape", "no-url-uploads", "no-access-log", "idle-timeout", "max-connections", "shutdown-timeout", "allow-url-host",
        "request-head-timeout", "min-body-rate", "max-connections-per-address", "accounts-file",
        "fault-latency", "fault-rate-limit-every", "fault-retry-after", "fault-server-errors", "fault-drop", "fault-seed",
    ]

    /// The environment variable that gives the database URL (it keeps the password out of ps).
    static let databaseVariable = "MEDIA_SERVER_DATABASE_URL"
    /// The environment variable that gives accounts, KEY:SECRET separated by spaces or newlines
    /// (it keeps the secrets out of ps).
    static let accountsVariable = "MEDIA_SERVER_ACCOUNTS"

    init() {}

    /// Reads `name value` (or `name = value`) lines; `account`, `application` and `allow-url-host` may repeat.
    /// A value may be quoted, whole or in part, with "…" (where \" and \\ are escapes) or '…', to keep
    /// a `#` or spaces in it; an unquoted `#` starts a comment.
    init(file path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard let line = Self.scan(rawLine) else {
                throw ValidationError("\(path):\(number + 1): a quote is not closed; close it, or put a \\ before a \" inside \"…\"")
            }
            let (name, value) = Self.nameAndValue(line)
            if name.isEmpty { continue }
            guard Self.names.contains(name) else {
                throw ValidationError("\(path):\(number + 1): unknown setting '\(name)'; the settings are \(Self.names.sorted().joined(separator: ", "))")
            }
            switch name {
            case "account": accounts.append(value)
            case "accounts-file": accountsFiles.append(value)
            case "application": applications.append(value)
            case "allow-url-host": allowedURLHosts.append(value)
            case "legacy-shape": legacyShape = ["", "true", "yes", "1"].contains(value.lowercased())
            case "no-url-uploads": noURLUploads = ["", "true", "yes", "1"].contains(value.lowercased())
            case "no-access-log": noAccessLog = ["", "true", "yes", "1"].contains(value.lowercased())
            default: values[name] = value
            }
        }
        // A database URL with a password is as secret as an account's.
        let databasePassword = values["database"].flatMap { URLComponents(string: $0)?.password }.map { !$0.isEmpty } ?? false
        if !accounts.isEmpty || databasePassword,
           let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0
        {
            let secrets = accounts.isEmpty ? "a database password" : databasePassword ? "account secrets and a database password" : "account secrets"
            warnings.append(
                "media-server: warning: \(path) holds \(secrets) and is readable by others (mode \(String(mode, radix: 8))): run chmod 600 \(path)")
        }
    }

    /// One character of a config line and whether it stood inside quotes.
    private typealias Scanned = (character: Character, quoted: Bool)

    /// The line's characters with its quotes taken away and its comment dropped (from the first `#`
    /// outside quotes); nil when a quote is left open.
    private static func scan(_ line: Substring) -> [Scanned]? {
        var out: [Scanned] = []
        var quote: Character?
        var escaped = false
        for c in line {
            if let q = quote {
                if escaped {
                    if c != "\"" && c != "\\" { out.append(("\\", true)) }
                    out.append((c, true))
                    escaped = false
                } else if q == "\"" && c == "\\" {
                    escaped = true
                } else if c == q {
                    quote = nil
                } else {
                    out.append((c, true))
                }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                break
            } else {
                out.append((c, false))
            }
        }
        return quote == nil ? out : nil
    }

    /// `name value` or `name = value`, split at the first space, tab or `=` outside quotes; spaces
    /// outside quotes around the value are dropped. An empty name is an empty line.
    private static func nameAndValue(_ line: [Scanned]) -> (name: String, value: String) {
        func blank(_ s: Scanned) -> Bool { !s.quoted && s.character.isWhitespace }
        var rest = line.drop(while: blank)
        while let last = rest.last, blank(last) { rest = rest.dropLast() }
        let name = rest.prefix { !(blank($0) || (!$0.quoted && $0.character == "=")) }
        var value = rest.dropFirst(name.count).drop(while: blank)
        if let first = value.first, !first.quoted, first.character == "=" { value = value.dropFirst().drop(while: blank) }
        return (String(name.map { $0.character }), String(value.map { $0.character }))
    }

    /// The environment (MEDIA_SERVER_DATABASE_URL) overrides the file, and the flags given on
    /// the command line override both.
    mutating func apply(_ command: MediaServerCommand, environment: [String: String]) throws {
        func set(_ name: String, _ value: (some CustomStringConvertible)?) {
            if let value { values[name] = value.description }
        }
        set("database", environment[Self.databaseVariable].flatMap { $0.isEmpty ? nil : $0 })
        set("host", command.host)
        set("port", command.port)
        set("data", command.data)
        set("database", command.database)
        set("database-connections", command.databaseConnections)
        set("shutdown-timeout", command.shutdownTimeout)
        set("max-upload-size", command.maxUploadSize)
        set("max-page-size", command.maxPageSize)
        set("idle-timeout", command.idleTimeout)
        set("max-connections", command.maxConnections)
        set("request-head-timeout", command.requestHeadTimeout)
        set("min-body-rate", command.minBodyRate)
        set("max-connections-per-address", command.maxConnectionsPerAddress)
        set("fault-latency", command.faultLatency)
        set("fault-rate-limit-every", command.faultRateLimitEvery)
        set("fault-retry-after", command.faultRetryAfter)
        set("fault-server-errors", command.faultServerErrors)
        set("fault-drop", command.faultDrop)
        set("fault-seed", command.faultSeed)
        for file in accountsFiles + (command.accountsFile.map { [$0] } ?? []) {
            accounts += try Self.accounts(file: file)
        }
        if let fromEnvironment = environment[Self.accountsVariable] {
            accounts += fromEnvironment.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        accounts += command.account
        if !command.account.isEmpty {
            warnings.append(
                "media-server: warning: --account puts a secret on the command line, where any local user can read it (ps); use --accounts-file FILE (chmod 600) or \(Self.accountsVariable) instead")
        }
        applications += command.application
        allowedURLHosts += command.allowURLHost
        if command.legacyShape { legacyShape = true }
        if command.noURLUploads { noURLUploads = true }
        if command.noAccessLog { noAccessLog = true }
    }

    /// What starts the server besides its configuration: which store, and how it stops and logs.
    struct Service {
        /// The embedded store's folder, or "" with `database`.
        var dataFolder: String
        /// PostgreSQL instead of the embedded store.
        var database: String?
        var databaseConnections = 20
        /// How long SIGTERM or SIGINT waits for requests in flight.
        var shutdownTimeout = Duration.seconds(30)
        var accessLog = true
    }

    /// The settings of the store, the stop and the log, checked.
    func service() throws -> Service {
        let data = values["data"] ?? ""
        var service = Service(dataFolder: data, database: values["database"].flatMap { $0.isEmpty ? nil : $0 })
        if service.database != nil {
            guard data.isEmpty else {
                throw ValidationError("--data and --database both name a store; give one (--data for the embedded store, --database for PostgreSQL)")
            }
            if let count = values["database-connections"] {
                service.databaseConnections = try integer(count, "database-connections")
            }
            guard (1...1000).contains(service.databaseConnections) else {
                throw ValidationError("--database-connections must be between 1 and 1000, not \(service.databaseConnections)")
            }
        } else if data.isEmpty {
            throw ValidationError("--data DIR is required: the folder of the store (created when missing), or --database URL for PostgreSQL")
        }
        if let timeout = values["shutdown-timeout"] {
            guard let parsed = Units.duration(timeout) else {
                throw ValidationError("--shutdown-timeout '\(timeout)' is not a duration like 30s or 500ms")
            }
            service.shutdownTimeout = parsed
        }
        service.accessLog = !noAccessLog
        return service
    }

    /// The server's configuration (everything but the store, the stop and the log: `service()`).
    func configuration() throws -> MediaServerConfiguration {
        var c = MediaServerConfiguration()
        if let host = values["host"] { c.host = host }
        if let port = values["port"] { c.port = try integer(port, "port") }
        c.accounts = try accounts.map { text in
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ValidationError("--account '\(text)' is not KEY:SECRET") }
            return Account(apiKey: String(parts[0]), apiSecret: String(parts[1]))
        }
        c.applications = try applications.map { text in
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty else {
                throw ValidationError("--application '\(text)' is not ID:ACCOUNT_KEY:PUBLIC_KEY_PEM_FILE")
            }
            let pem: String
            do {
                pem = try String(contentsOfFile: String(parts[2]), encoding: .utf8)
            } catch {
                throw ValidationError("cannot read the public key of application '\(parts[0])' from \(parts[2]): \(error.localizedDescription)")
            }
            return Application(id: String(parts[0]), accountKey: String(parts[1]), publicKeyPEM: pem)
        }
        if let size = values["max-upload-size"] {
            guard let bytes = Units.bytes(size) else {
                throw ValidationError("--max-upload-size '\(size)' is not a size: use one like 100MB, 512KB, 2GB or a number of bytes")
            }
            c.maxUploadBytes = bytes
        }
        if let size = values["max-page-size"] { c.maxPageSize = try integer(size, "max-page-size") }
        if let timeout = values["idle-timeout"] {
            guard let duration = Units.duration(timeout), duration > .zero else {
                throw ValidationError("--idle-timeout '\(timeout)' is not a duration above 0: use one like 30s or 500ms")
            }
            c.idleTimeout = duration
        }
        if let count = values["max-connections"] { c.maxConnections = try integer(count, "max-connections") }
        if let count = values["max-connections-per-address"] {
            c.maxConnectionsPerAddress = try integer(count, "max-connections-per-address")
        }
        if let timeout = values["request-head-timeout"] {
            guard let duration = Units.duration(timeout), duration > .zero else {
                throw ValidationError("--request-head-timeout '\(timeout)' is not a duration above 0: use one like 5s or 500ms")
            }
            c.requestHeadTimeout = duration
        }
        if let rate = values["min-body-rate"] {
            let perSecond = rate.lowercased().hasSuffix("/s") ? String(rate.dropLast(2)) : rate
            guard let bytes = Units.bytes(perSecond), bytes <= Int64(Int32.max) else {
                throw ValidationError("--min-body-rate '\(rate)' is not a rate: use one like 1KB/s, 512B/s or a number of bytes a second")
            }
            c.minimumBodyRate = Int(bytes)
        }
        c.legacyShape = legacyShape
        c.urlUploads = !noURLUploads
        for host in allowedURLHosts {
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            let plain = !bare.isEmpty && !bare.contains { $0.isWhitespace || "/@?#[]".contains($0) }
            guard plain, !bare.contains(":") || IPAddress(bare) != nil else {
                throw ValidationError(
                    "--allow-url-host '\(host)' is not a host: give a name or address alone, like media.example.com or 127.0.0.1, without scheme or port")
            }
        }
        c.urlFetch = URLFetchPolicy(allowedHosts: allowedURLHosts)
        if let latency = values["fault-latency"] {
            guard let duration = Units.duration(latency) else {
                throw ValidationError("--fault-latency '\(latency)' is not a duration: use one like 20ms or 1.5s")
            }
            c.faults.latency = duration
        }
        if let every = values["fault-rate-limit-every"] { c.faults.rateLimitEvery = try integer(every, "fault-rate-limit-every") }
        if let seconds = values["fault-retry-after"] { c.faults.retryAfterSeconds = try number(seconds, "fault-retry-after") }
        if let rate = values["fault-server-errors"] { c.faults.serverErrorRate = try number(rate, "fault-server-errors") }
        if let rate = values["fault-drop"] { c.faults.dropRate = try number(rate, "fault-drop") }
        if let seed = values["fault-seed"] {
            guard let value = UInt64(seed) else { throw ValidationError("--fault-seed '\(seed)' is not a whole number of 0 or more") }
            c.faults.seed = value
        }
        return c
    }

    /// The accounts of an accounts file: KEY:SECRET a line, blank lines and `#` comment lines skipped.
    /// Like --config, a file readable by others gets a warning (it holds secrets).
    static func accounts(file path: String) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the accounts file \(path): \(error.localizedDescription)")
        }
        var accounts: [String] = []
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex, line.index(after: colon) != line.endIndex else {
                throw ValidationError("\(path):\(number + 1): not KEY:SECRET (one account a line; # starts a comment line)")
            }
            accounts.append(line)
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            FileHandle.standardError.write(Data(
                "media-server: warning: \(path) holds account secrets and is readable by others (mode \(String(mode, radix: 8))): run chmod 600 \(path)\n".utf8))
        }
        return accounts
    }

    private func integer(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text) else { throw ValidationError("--\(name) '\(text)' is not a whole number") }
        return value
    }

    private func number(_ text: String, _ name: String) throws -> Double {
        guard let value = Double(text), value.isFinite else { throw ValidationError("--\(name) '\(text)' is not a number") }
        return value
    }
}

/// Sizes (`100MB`, binary multiples) and durations (`20ms`, `1.5s`) as people write them.
enum Units {
    private static let kib = 1024.0, mib = kib * 1024, gib = mib * 1024

    static func bytes(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("GIB", gib), ("MIB", mib), ("KIB", kib), ("GB", gib), ("MB", mib),
                                         ("KB", kib), ("G", gib), ("M", mib), ("K", kib), ("B", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let value = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value > 0, value * factor < 9e18 else {
                return nil
            }
            return Int64(value * factor)
        }
        return Int64(t).flatMap { $0 > 0 ? $0 : nil }
    }

    static func duration(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let value = Double(t.dropLast(suffix.count)), value >= 0, value * factor < 3600 else { return nil }
            return .nanoseconds(Int64((value * factor * 1e9).rounded()))
        }
        return nil
    }
}
