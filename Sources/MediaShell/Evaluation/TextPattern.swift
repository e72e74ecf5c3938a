import Foundation

/// A compiled `=~` regular expression or `like` glob. A pattern with no special characters is
/// matched as plain text, which is much faster than the regex engine.
final class TextPattern: @unchecked Sendable {
    private let literal: String?
    private let regex: NSRegularExpression?

    init(regex pattern: String) throws {
        if pattern.contains(where: { ".^$*+?()[]{}|\\".contains($0) }) {
            literal = nil
            regex = try NSRegularExpression(pattern: pattern)
        } else {
            literal = pattern
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
        if let literal { return literal.isEmpty || text.contains(literal) }
        guard let regex else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
