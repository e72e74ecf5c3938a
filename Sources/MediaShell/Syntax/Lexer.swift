import Foundation
import MediaAPI

/// Turns source text into tokens. It never fails: what it cannot read becomes a token the
/// parser reports (an unterminated string, an invalid number), so errors keep their place.
public struct Lexer {
    private let bytes: [UInt8]
    private var i = 0
    /// True right after `=~` or `!~`: a `/` there starts a `/pattern/i` literal.
    private var afterMatch = false

    public init(_ source: SourceText) {
        bytes = source.bytes
    }

    public static func tokens(_ source: SourceText) -> [Token] {
        var lexer = Lexer(source)
        return lexer.all()
    }

    mutating func all() -> [Token] {
        var tokens: [Token] = []
        var space = true
        while true {
            let before = i
            skipSpaceAndComments()
            if i > before { space = true }
            guard i < bytes.count else {
                tokens.append(Token(kind: .end, span: SourceSpan(i, i), text: "", spaceBefore: true))
                return tokens
            }
            let start = i
            let kind = scan()
            tokens.append(Token(kind: kind, span: SourceSpan(start, i), text: String(decoding: bytes[start..<i], as: UTF8.self), spaceBefore: space))
            space = kind == .newline
            afterMatch = kind == .op("=~") || kind == .op("!~")
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        i + offset < bytes.count ? bytes[i + offset] : 0
    }

    private mutating func skipSpaceAndComments() {
        while i < bytes.count {
            let c = bytes[i]
            if c == 32 || c == 9 || c == 13 { i += 1 }
            else if c == UInt8(ascii: "\\"), peek(1) == 10 { i += 2 } // a backslash joins lines
            else if c == UInt8(ascii: "#") {
                while i < bytes.count, bytes[i] != 10 { i += 1 }
            } else { return }
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80 }
    private static func isWordByte(_ c: UInt8) -> Bool { isLetter(c) || isDigit(c) }

    private mutating func scan() -> TokenKind {
        let c = bytes[i]
        switch c {
        case 10: i += 1; return .newline
        case UInt8(ascii: "|"): i += 1; return .pipe
        case UInt8(ascii: ";"): i += 1; return .semicolon
        case UInt8(ascii: "("): i += 1; return .leftParen
        case UInt8(ascii: ")"): i += 1; return .rightParen
        case UInt8(ascii: "["): i += 1; return .leftBracket
        case UInt8(ascii: "]"): i += 1; return .rightBracket
        case UInt8(ascii: "{"): i += 1; return .leftBrace
        case UInt8(ascii: "}"): i += 1; return .rightBrace
        case UInt8(ascii: ","): i += 1; return .comma
        case UInt8(ascii: "."): i += 1; return .dot
        case UInt8(ascii: "\""): return scanString()
        case UInt8(ascii: "'"): return scanRawString()
        case UInt8(ascii: "$"):
            i += 1
            let start = i
            while i < bytes.count, Lexer.isWordByte(bytes[i]) { i += 1 }
            return i > start ? .variable : .other
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { i += 2; return .op("==") }
            if peek(1) == UInt8(ascii: "~") { i += 2; return .op("=~") }
            i += 1
            return .op("=")
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { i += 2; return .op("!=") }
            if peek(1) == UInt8(ascii: "~") { i += 2; return .op("!~") }
            i += 1
            return .other
        case UInt8(ascii: "<"), UInt8(ascii: ">"):
            i += 1
            if peek() == UInt8(ascii: "=") {
                i += 1
                return .op(c == UInt8(ascii: "<") ? "<=" : ">=")
            }
            return .op(c == UInt8(ascii: "<") ? "<" : ">")
        case UInt8(ascii: "-"):
            if peek(1) == UInt8(ascii: "-"), Lexer.isLetter(peek(2)) {
                i += 2
                while i < bytes.count, Lexer.isWordByte(bytes[i]) || bytes[i] == UInt8(ascii: "-") { i += 1 }
                return .switchFlag
            }
            i += 1
            return .op("-")
        case UInt8(ascii: "+"): i += 1; return .op("+")
        case UInt8(ascii: "*"): i += 1; return .op("*")
        case UInt8(ascii: "/") where afterMatch: return scanRegex()
        case UInt8(ascii: "/"): i += 1; return .op("/")
        default:
            if Lexer.isDigit(c) { return scanNumber() }
            if Lexer.isLetter(c) {
                while i < bytes.count, Lexer.isWordByte(bytes[i]) { i += 1 }
                return .word
            }
            i += 1
            return .other
        }
    }

    /// `"…"` with escapes `\n \t \r \0 \\ \" \'` and `\u{…}`; an unknown escape is kept as written.
    private mutating func scanString() -> TokenKind {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return .string(String(decoding: out, as: UTF8.self))
            }
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "$"): out.append(e)
                case UInt8(ascii: "u") where peek() == UInt8(ascii: "{"):
                    var j = i + 1
                    var code: UInt32 = 0
                    var ok = false
                    while j < bytes.count, j - i <= 9, let h = Lexer.hex(bytes[j]) {
                        code = code &* 16 &+ h
                        j += 1
                        ok = true
                    }
                    if ok, j < bytes.count, bytes[j] == UInt8(ascii: "}"), let scalar = Unicode.Scalar(code) {
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                        i = j + 1
                    } else {
                        out.append(contentsOf: [UInt8(ascii: "\\"), e])
                    }
                default: out.append(contentsOf: [UInt8(ascii: "\\"), e])
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return .unterminatedString
    }

    private static func hex(_ c: UInt8) -> UInt32? {
        switch c {
        case 48...57: UInt32(c - 48)
        case 65...70: UInt32(c - 55)
        case 97...102: UInt32(c - 87)
        default: nil
        }
    }

    /// `/pattern/` or `/pattern/i` after `=~`: a regular expression as a string (`i` ignores
    /// case, written as `(?i)`); `\/` is a slash, other escapes are the pattern's own.
    private mutating func scanRegex() -> TokenKind {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count, bytes[i] != 10 {
            let c = bytes[i]
            if c == UInt8(ascii: "/") {
                i += 1
                var flags = ""
                while i < bytes.count, Lexer.isWordByte(bytes[i]) {
                    flags.append(Character(Unicode.Scalar(bytes[i])))
                    i += 1
                }
                guard flags.isEmpty || flags == "i" else { return .invalid("unknown flag '\(flags)' after /pattern/ (only i: ignore case)") }
                return .string((flags == "i" ? "(?i)" : "") + String(decoding: out, as: UTF8.self))
            }
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                out.append(UInt8(ascii: "/"))
                i += 2
                continue
            }
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] != 10 {
                out.append(contentsOf: [c, bytes[i + 1]])
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return .invalid("unterminated /pattern/: no closing /")
    }

    /// `'…'`: no escapes at all.
    private mutating func scanRawString() -> TokenKind {
        i += 1
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "'") { i += 1 }
        guard i < bytes.count else { return .unterminatedString }
        defer { i += 1 }
        return .string(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    /// Numbers, sizes (`1.5GiB`), durations (`7d`), dates (`2026-11-01`) and datetimes.
    /// A digit run that is none of these (`3f2a`, an id) is a word.
    private mutating func scanNumber() -> TokenKind {
        let start = i
        if let date = scanDate() { return date }
        i = start
        while Lexer.isDigit(peek()) { i += 1 }
        var isFloat = false
        if peek() == UInt8(ascii: "."), Lexer.isDigit(peek(1)) {
            isFloat = true
            i += 1
            while Lexer.isDigit(peek()) { i += 1 }
        }
        let numberEnd = i
        let unitStart = i
        while i < bytes.count, Lexer.isLetter(bytes[i]), bytes[i] != 95 { i += 1 }
        let unitEnd = i
        // Anything word-like still attached (digits after letters, underscores) makes it a word.
        if i < bytes.count, Lexer.isWordByte(bytes[i]) {
            while i < bytes.count, Lexer.isWordByte(bytes[i]) { i += 1 }
            return .word
        }
        let numberText = String(decoding: bytes[start..<numberEnd], as: UTF8.self)
        let unit = String(decoding: bytes[unitStart..<unitEnd], as: UTF8.self)
        if unit.isEmpty {
            if isFloat {
                guard let f = Double(numberText) else { return .invalid("'\(numberText)' is not a number") }
                return f.isFinite ? .float(f) : .invalid("'\(numberText)' is too large a number")
            }
            return Int64(numberText).map(TokenKind.int) ?? .invalid("'\(numberText)' is too large for an int")
        }
        guard let number = Double(numberText) else { return .invalid("'\(numberText)' is not a number") }
        if let bytesPer = Units.sizes[unit.lowercased()] {
            let total = (number * bytesPer).rounded()
            guard total < 9.2e18 else { return .invalid("'\(numberText)\(unit)' is too large a size") }
            return .size(Int64(total))
        }
        if let seconds = Units.durations[unit.lowercased()] {
            let total = number * seconds
            guard total < Value.durationLimit else { return .invalid("'\(numberText)\(unit)' is too large a duration") }
            return .duration(total)
        }
        return .invalid("unknown unit '\(unit)'")
    }

    /// `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]][Z|±HH:MM]`.
    private mutating func scanDate() -> TokenKind? {
        let start = i
        func digits(_ n: Int) -> Bool {
            for k in 0..<n where !Lexer.isDigit(peek(k)) { return false }
            i += n
            return true
        }
        func byte(_ c: Character) -> Bool {
            guard peek() == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard digits(4), byte("-"), digits(2), byte("-"), digits(2) else { return nil }
        if (peek() == UInt8(ascii: "T") || peek() == UInt8(ascii: "t")), Lexer.isDigit(peek(1)) {
            i += 1
            _ = digits(2) && byte(":") && digits(2)
            if peek() == UInt8(ascii: ":") {
                i += 1
                _ = digits(2)
                if peek() == UInt8(ascii: "."), Lexer.isDigit(peek(1)) {
                    i += 1
                    while Lexer.isDigit(peek()) { i += 1 }
                }
            }
            if peek() == UInt8(ascii: "Z") || peek() == UInt8(ascii: "z") { i += 1 }
            else if (peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-")), Lexer.isDigit(peek(1)) {
                i += 1
                _ = digits(2)
                _ = byte(":")
                _ = digits(2)
            }
        }
        while i < bytes.count, Lexer.isWordByte(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if let date = MediaTime.parse(text) { return .datetime(date) }
        return .invalid("'\(text)' is not a valid date or time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
    }
}
