import Foundation
import MediaAPI

/// JSON: a stream of records becomes an array (written as it streams), a single value itself.
/// Sizes are exact integers, times ISO 8601, durations seconds.
struct JSONRenderer: Renderer {
    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        if case .scalar = shape {
            if let v = try await stream.next() { sink.write(String(decoding: Self.encode(v), as: UTF8.self) + "\n") }
            return
        }
        var first = true
        sink.write("[")
        while let v = try await stream.next() {
            sink.write((first ? "\n  " : ",\n  ") + String(decoding: Self.encode(v), as: UTF8.self))
            first = false
        }
        sink.write(first ? "]\n" : "\n]\n")
    }

    static func encode(_ value: Value) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    static func append(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i), .size(let i): out.append(contentsOf: String(i).utf8)
        case .float(let f), .duration(let f):
            out.append(contentsOf: Array((f.isFinite ? (f == f.rounded() && abs(f) < 1e15 ? String(Int64(f)) : String(f)) : "null").utf8))
        case .string(let s): appendString(s, to: &out)
        case .datetime(let d): appendString(MediaTime.format(d), to: &out)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (i, v) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(v, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .record(let r):
            out.append(UInt8(ascii: "{"))
            for i in r.names.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(r.names[i], to: &out)
                out.append(UInt8(ascii: ":"))
                append(r.values[i], to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Bytes that need no escaping are copied in runs, not one by one: every row of an action's
    /// output (and every journal line) goes through here, and the per-byte appends were a large
    /// share of a bulk delete's CPU.
    ///
    /// Besides what JSON requires (`"`, `\\`, C0 controls), every character that steers a
    /// terminal or reorders text is written as `\uXXXX` too: DEL, the C1 controls (U+0080–U+009F,
    /// CSI and OSC to some terminals), the bidirectional marks and overrides (U+061C, U+200E,
    /// U+200F, U+202A–U+202E, U+2066–U+2069) and the line separators U+2028 and U+2029. The JSON
    /// reads back as the same values, and `cat`ing it cannot steer a terminal.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                // Lead bytes of what may need an escape: C0, `"`, `\\`, DEL, C2 (C1), D8 (U+061C), E2 (U+20xx).
                guard b < 32 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2 else {
                    i += 1
                    continue
                }
                let scalar: UInt32?
                let length: Int
                switch b {
                case 0xC2:
                    let next = i + 1 < bytes.count ? bytes[i + 1] : 0
                    (scalar, length) = (0x80...0x9F).contains(next) ? (UInt32(next), 2) : (nil, 1)
                case 0xD8:
                    let next = i + 1 < bytes.count ? bytes[i + 1] : 0
                    (scalar, length) = next == 0x9C ? (0x061C, 2) : (nil, 1)
                case 0xE2:
                    let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
                    let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
                    let value = 0x2000 + (UInt32(b1 & 0x3F) << 6) + UInt32(b2 & 0x3F)
                    let steers = (b1 == 0x80 && [0x8E, 0x8F, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE].contains(b2))
                        || (b1 == 0x81 && (0xA6...0xA9).contains(b2))
                    (scalar, length) = steers ? (value, 3) : (nil, 1)
                default:
                    (scalar, length) = (UInt32(b), 1)
                }
                guard let scalar else {
                    i += length
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                i += length
                start = i
                switch scalar {
                case 0x22: out.append(contentsOf: [92, 34])
                case 0x5C: out.append(contentsOf: [92, 92])
                case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
                case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
                case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
                default: appendEscape(scalar, to: &out)
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `\u001b`: lower-case hex, four digits (every escaped character is in the BMP).
    private static func appendEscape(_ scalar: UInt32, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [92, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hex[Int((scalar >> UInt32(shift)) & 0xF)])
        }
    }
}
