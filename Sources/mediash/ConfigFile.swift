import Foundation

/// `config.toml`: named profiles as `[profile.NAME]` tables of `key = "value"` lines.
/// Only that much TOML is read; anything else is a clear error with its line number.
struct ConfigFile {
    /// Profile name → its keys and values.
    var profiles: [String: [String: String]] = [:]

    struct ParseError: Error, CustomStringConvertible {
        var path: String
        var line: Int
        var message: String
        var description: String { "\(path):\(line): \(message)" }
    }

    /// The keys a profile may set.
    static let knownKeys: Set<String> = ["endpoint", "api_key", "api_secret", "application_id", "private_key"]

    init(text: String, path: String) throws {
        var current: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = ConfigFile.strippingComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ParseError(path: path, line: lineNumber, message: "expected a table header like [profile.NAME]")
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard name.hasPrefix("profile."), name.count > "profile.".count else {
                    throw ParseError(path: path, line: lineNumber, message: "unknown table [\(name)]: mediash reads only [profile.NAME] tables")
                }
                let profile = String(name.dropFirst("profile.".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                current = profile
                profiles[profile, default: [:]] = profiles[profile] ?? [:]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(path: path, line: lineNumber, message: "expected key = \"value\"")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let rawValue = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let profile = current else {
                throw ParseError(path: path, line: lineNumber, message: "'\(key)' is outside a [profile.NAME] table")
            }
            guard ConfigFile.knownKeys.contains(key) else {
                let known = ConfigFile.knownKeys.sorted().joined(separator: ", ")
                throw ParseError(path: path, line: lineNumber, message: "unknown key '\(key)' (known keys: \(known))")
            }
            guard let value = ConfigFile.string(rawValue) else {
                throw ParseError(path: path, line: lineNumber, message: "the value of '\(key)' must be a quoted string, like \(key) = \"…\"")
            }
            profiles[profile, default: [:]][key] = value
        }
    }

    /// A `"basic"` string (with \" \\ \n \t escapes) or a `'literal'` one.
    private static func string(_ text: String) -> String? {
        if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") {
            return String(text.dropFirst().dropLast())
        }
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return nil }
        var out = ""
        var escaped = false
        for c in text.dropFirst().dropLast() {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                return nil
            } else {
                out.append(c)
            }
        }
        return escaped ? nil : out
    }

    /// Drops a `#` comment that is not inside a quoted value.
    private static func strippingComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character?
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q, !(q == "\"" && previous == "\\") { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                return String(line.prefix(offset))
            }
            previous = c
        }
        return line
    }
}
