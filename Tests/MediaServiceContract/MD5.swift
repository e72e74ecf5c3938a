import Foundation

/// MD5 (RFC 1321) in plain Swift, so the contract can check ETags with Foundation alone.
/// Incremental, so a downloaded file is hashed in chunks rather than loaded whole.
public struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64(abs(sin(Double(i + 1))) * 4_294_967_296))
    }

    public init() {}

    public mutating func update(_ data: some Collection<UInt8>) {
        let bytes = Array(data)
        length &+= UInt64(bytes.count)
        var start = 0
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, bytes.count)
            buffer += bytes[0..<take]
            start = take
            if buffer.count < 64 { return }
            process(buffer[...])
            buffer.removeAll(keepingCapacity: true)
        }
        while start + 64 <= bytes.count {
            process(bytes[start..<start + 64])
            start += 64
        }
        buffer += bytes[start...]
    }

    /// The digest as lowercase hex, the form of an ETag.
    public func hex() -> String {
        var copy = self
        let bits = length &* 8
        copy.update([0x80])
        copy.update([UInt8](repeating: 0, count: (120 - copy.buffer.count) % 64))
        copy.update((0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) })
        let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
            .map { String(format: "%02x", $0) }.joined()
    }

    public static func hex(of data: Data) -> String {
        var md5 = MD5()
        md5.update(data)
        return md5.hex()
    }

    /// The MD5 hex of a file, read in chunks.
    public static func hex(ofFile file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var md5 = MD5()
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            md5.update(chunk)
        }
        return md5.hex()
    }

    private mutating func process(_ block: ArraySlice<UInt8>) {
        var m = [UInt32](repeating: 0, count: 16)
        for i in 0..<64 {
            m[i / 4] |= UInt32(block[block.startIndex + i]) << UInt32(8 * (i % 4))
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.constants[i] &+ m[g]
            a = d
            d = c
            c = b
            let s = Self.shifts[i]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
