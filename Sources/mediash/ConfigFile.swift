import Foundation
import TOMLKit

/// `config.toml`: named profiles as `[profile.NAME]` tables of `key = "value"` lines.
/// The file is TOML (read by TOMLKit, so quoting, escapes and comments follow the TOML spec:
/// a `#` inside a quoted value is part of the value). A file that is not TOML is an error with
/// its line; anything but `[profile.NAME]` tables of known string keys is an error naming it.
struct ConfigFile {
    /// Profile name → its keys and values.
    var profiles: [String: [String: String]] = [:]

    struct ParseError: Error, CustomStringConvertible {
        var path: String
        /// The line of a TOML syntax error; nil for a well-formed file that mediash cannot use.
        var line: Int?
        var message: String
        var description: String { line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)" }
    }

    /// The keys a profile may set.
    static let knownKeys: Set<String> = Set(["endpoint", "api_key", "api_secret", "application_id", "private_key", "backup"]).union(limitKeys)

    /// Keys whose value is a count of items (`max_delete = 100`): the guard rails of actions.
    static let limitKeys: Set<String> = ["max_delete", "max_update"]

    init(text: String, path: String) throws {
        // The parser reads a C string: a NUL would silently end the file early.
        if let nul = text.firstIndex(of: "\0") {
            throw ParseError(path: path, line: text[..<nul].count(where: { $0 == "\n" }) + 1, message: "the file holds a NUL byte")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ParseError(path: path, line: max(1, error.source.begin.line), message: "not valid TOML: \(error.description)")
        }
        for key in root.keys.sorted() {
            guard key == "profile", let tables = root[key]?.table else {
                let what = root[key]?.table != nil ? "table [\(key)]" : "key '\(key)'"
                throw ParseError(path: path, message: "unknown \(what): mediash reads only [profile.NAME] tables")
            }
            for name in tables.keys.sorted() {
                guard let profile = tables[name]?.table else {
                    throw ParseError(path: path, message: "'profile.\(name)' is not a table: write it as [profile.\(name)]")
                }
                var settings: [String: String] = [:]
                for setting in profile.keys.sorted() {
                    guard ConfigFile.knownKeys.contains(setting) else {
                        let known = ConfigFile.knownKeys.sorted().joined(separator: ", ")
                        throw ParseError(path: path, message: "unknown key '\(setting)' in [profile.\(name)] (known keys: \(known))")
                    }
                    if ConfigFile.limitKeys.contains(setting) {
                        guard let n = profile[setting]?.int, n >= 0, n < Int(Int32.max) else {
                            throw ParseError(path: path, message: "the value of '\(setting)' in [profile.\(name)] must be a whole number of items, like \(setting) = 100")
                        }
                        settings[setting] = String(n)
                        continue
                    }
                    guard let value = profile[setting]?.string else {
                        throw ParseError(path: path, message: "the value of '\(setting)' in [profile.\(name)] must be a quoted string, like \(setting) = \"…\"")
                    }
                    settings[setting] = value
                }
                profiles[name] = settings
            }
        }
    }
}
