import Foundation

/// MD5 hex, the form of an ETag: to compare a file with an item's before downloading it again
/// (MediaShell), and to give in-memory content its ETag (MediaMemory). MediaAPI is Foundation
/// only (ARCHITECTURE.md), so this is not swift-crypto; RFC 1321 is short. Package access: not API.
package enum MD5Digest {
    private static let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                      5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                      4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                      6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    private static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    package static func hex(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var state = State()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { state.update(chunk) }
        return state.finish()
    }

    package static func hex(of data: Data) -> String {
        var state = State()
        state.update(data)
        return state.finish()
    }

    private struct State {
        var h: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
        var buffer: [UInt8] = []
        var length: UInt64 = 0

        mutating func update(_ data: Data) {
            length += UInt64(data.count)
            buffer.append(contentsOf: data)
            var offset = 0
            while buffer.count - offset >= 64 {
                block(buffer[offset..<offset + 64])
                offset += 64
            }
            buffer.removeFirst(offset)
        }

        mutating func finish() -> String {
            let bits = length &* 8
            var tail = buffer + [0x80]
            while tail.count % 64 != 56 { tail.append(0) }
            for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
            for i in stride(from: 0, to: tail.count, by: 64) { block(tail[i..<i + 64]) }
            return [h.0, h.1, h.2, h.3].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
                .map { String(format: "%02x", $0) }.joined()
        }

        mutating func block(_ bytes: ArraySlice<UInt8>) {
            var m = [UInt32](repeating: 0, count: 16)
            let base = bytes.startIndex
            for i in 0..<16 {
                m[i] = UInt32(bytes[base + 4 * i]) | UInt32(bytes[base + 4 * i + 1]) << 8 | UInt32(bytes[base + 4 * i + 2]) << 16 | UInt32(bytes[base + 4 * i + 3]) << 24
            }
            var (a, b, c, d) = h
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ MD5Digest.k[i] &+ m[g]
                a = d
                d = c
                c = b
                b = b &+ (f << MD5Digest.s[i] | f >> (32 - MD5Digest.s[i]))
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d)
        }
    }
}
