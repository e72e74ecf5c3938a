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
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for i in bytes.indices {
                let b = bytes[i]
                guard b < 32 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                start = i + 1
                switch b {
                case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
                case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
                case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
                case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
                default: out.append(contentsOf: Array(String(format: "\\u%04x", Int(b)).utf8))
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
