import Foundation

/// A compiled `=~` regular expression or `like` glob. A pattern with no special characters is
/// matched as plain text, which is much faster than the regex engine.
final class TextPattern: @unchecked Sendable {
    /// The pattern's UTF-8 bytes when it has no special characters: found by a byte search,
    /// as the regex engine would find it (code unit by code unit).
    private let literal: [UInt8]?
    private let regex: NSRegularExpression?

    init(regex pattern: String) throws {
        if pattern.contains(where: { ".^$*+?()[]{}|\\".contains($0) }) {
            literal = nil
            regex = try NSRegularExpression(pattern: pattern)
        } else {
            literal = Array(pattern.utf8)
            regex = nil
        }
    }

    /// `*` any run, `?` one character; whole-string and case-insensitive (`name like "*.wav"` finds `A.WAV`).
    init(glob: String) throws {
        var re = "^"
        for c in glob {
            switch c {
            case "*": re += ".*"
            case "?": re += "."
            default: re += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        literal = nil
        regex = try NSRegularExpression(pattern: re + "$", options: [.caseInsensitive, .dotMatchesLineSeparators])
    }

    func matches(_ text: String) -> Bool {
        if let literal { return Self.contains(text, literal) }
        guard let regex else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var text = text
        return text.withUTF8 { t in
            needle.withUnsafeBufferPointer { n in
                guard t.count >= n.count, let tb = t.baseAddress, let nb = n.baseAddress else { return false }
                var at = 0
                let last = t.count - n.count
                while at <= last {
                    if tb[at] == first, memcmp(tb + at, nb, n.count) == 0 { return true }
                    at += 1
                }
                return false
            }
        }
    }
}
