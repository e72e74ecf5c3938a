import Foundation

/// Streams values from JSON text: the elements of a top-level array, or JSON Lines, one value
/// at a time, so a million-record file is never held as objects all at once.
final class JSONReader: @unchecked Sendable {
    private let data: Data
    private let name: String
    private var i = 0
    private var started = false
    private var inArray = false
    private var finished = false
    /// Field names of the previous object, reused when the next has the same ones.
    private var lastNames: [String] = []
    private var count = 0

    init(data: Data, name: String) {
        self.data = data
        self.name = name
    }

    func stream() -> ValueStream {
        ValueStream { [self] in
            count += 1
            if count & 4095 == 0 { try Task.checkCancellation() }
            return try data.withUnsafeBytes { raw in try self.next(raw.bindMemory(to: UInt8.self)) }
        }
    }

    private struct Failure: Error { var message: String; var at: Int }

    private func next(_ b: UnsafeBufferPointer<UInt8>) throws -> Value? {
        do {
            if finished { return nil }
            skipSpace(b)
            if !started {
                started = true
                if i < b.count, b[i] == UInt8(ascii: "[") {
                    inArray = true
                    i += 1
                    skipSpace(b)
                    if i < b.count, b[i] == UInt8(ascii: "]") { finished = true; return nil }
                    return try element(b)
                }
            }
            if inArray {
                guard i < b.count else { throw Failure(message: "the array is not closed", at: i) }
                if b[i] == UInt8(ascii: "]") { finished = true; return nil }
                guard b[i] == UInt8(ascii: ",") else { throw Failure(message: "expected ',' or ']'", at: i) }
                i += 1
                skipSpace(b)
                return try element(b)
            }
            if i >= b.count { finished = true; return nil }
            return try element(b)
        } catch let f as Failure {
            finished = true
            throw RunError("\(name): invalid JSON at byte \(f.at): \(f.message)")
        }
    }

    private func element(_ b: UnsafeBufferPointer<UInt8>) throws -> Value {
        let v = try value(b)
        skipSpace(b)
        return v
    }

    private func skipSpace(_ b: UnsafeBufferPointer<UInt8>) {
        while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 }
    }

    private func value(_ b: UnsafeBufferPointer<UInt8>) throws -> Value {
        guard i < b.count else { throw Failure(message: "unexpected end of file", at: i) }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(b)
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace(b)
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            while true {
                skipSpace(b)
                items.append(try value(b))
                skipSpace(b)
                guard i < b.count else { throw Failure(message: "unclosed array", at: i) }
                if b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
                guard b[i] == UInt8(ascii: ",") else { throw Failure(message: "expected ',' or ']'", at: i) }
                i += 1
            }
        case UInt8(ascii: "\""): return .string(try string(b))
        case UInt8(ascii: "t"): try literal(b, "true"); return .bool(true)
        case UInt8(ascii: "f"): try literal(b, "false"); return .bool(false)
        case UInt8(ascii: "n"): try literal(b, "null"); return .null
        default: return try number(b)
        }
    }

    private func literal(_ b: UnsafeBufferPointer<UInt8>, _ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count, let base = b.baseAddress, memcmp(base + i, word.utf8Start, n) == 0 else {
            throw Failure(message: "unexpected character", at: i)
        }
        i += n
    }

    private func object(_ b: UnsafeBufferPointer<UInt8>) throws -> Value {
        i += 1
        var names: [String] = []
        var values: [Value] = []
        names.reserveCapacity(lastNames.count)
        values.reserveCapacity(lastNames.count)
        var sameNames = true
        skipSpace(b)
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .record(Record(names: [], values: [])) }
        while true {
            skipSpace(b)
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw Failure(message: "expected a field name in quotes", at: i) }
            let k = names.count
            let key: String
            if sameNames, k < lastNames.count, let reused = matchKey(b, lastNames[k]) {
                key = reused
            } else {
                sameNames = false
                key = try string(b)
            }
            skipSpace(b)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw Failure(message: "expected ':'", at: i) }
            i += 1
            skipSpace(b)
            names.append(key)
            values.append(FieldTyping.typed(key, try value(b)))
            skipSpace(b)
            guard i < b.count else { throw Failure(message: "unclosed object", at: i) }
            if b[i] == UInt8(ascii: "}") { i += 1; break }
            guard b[i] == UInt8(ascii: ",") else { throw Failure(message: "expected ',' or '}'", at: i) }
            i += 1
        }
        if sameNames, names.count == lastNames.count {
            return .record(Record(names: lastNames, values: values))
        }
        lastNames = names
        return .record(Record(names: names, values: values))
    }

    /// When the key at `i` is exactly `known` (no escapes), consumes it and returns `known`.
    private func matchKey(_ b: UnsafeBufferPointer<UInt8>, _ known: String) -> String? {
        var utf8 = known
        let matched = utf8.withUTF8 { k -> Bool in
            let end = i + 1 + k.count
            guard end < b.count, b[end] == UInt8(ascii: "\""), let base = b.baseAddress, let kb = k.baseAddress,
                  memcmp(base + i + 1, kb, k.count) == 0 else { return false }
            i = end + 1
            return true
        }
        return matched ? known : nil
    }

    private func string(_ b: UnsafeBufferPointer<UInt8>) throws -> String {
        i += 1
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < b.count else { throw Failure(message: "unterminated string", at: start - 1) }
        if b[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        }
        var out = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { break }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard i + 4 <= b.count, let code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: b[i..<i + 4]), as: UTF8.self), radix: 16) else {
                        throw Failure(message: "bad \\u escape", at: i)
                    }
                    i += 4
                    var scalar = code
                    if (0xD800..<0xDC00).contains(code), i + 6 <= b.count, b[i] == 92, b[i + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: UnsafeBufferPointer(rebasing: b[i + 2..<i + 6]), as: UTF8.self), radix: 16),
                       (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw Failure(message: "unterminated string", at: start - 1)
    }

    private func number(_ b: UnsafeBufferPointer<UInt8>) throws -> Value {
        let start = i
        var negative = false
        if b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var value: Int64 = 0
        var overflow = false
        let digitsStart = i
        while i < b.count, b[i] >= 48, b[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
            overflow = overflow || o1 || o2
            value = a
            i += 1
        }
        guard i > digitsStart else { throw Failure(message: "unexpected character '\(Character(Unicode.Scalar(b[start])))'", at: start) }
        var isFloat = overflow
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: ".") { i += 1 }
        }
        if isFloat {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            guard let d = Double(text) else { throw Failure(message: "bad number '\(text)'", at: start) }
            return .float(d)
        }
        return .int(negative ? -value : value)
    }
}
