/// Byte tests eight bytes at a time (SWAR: one 64-bit word holds eight bytes), for inner loops
/// over text: mediash's CSV reader, media-server's JSON strings. Every test is exact for every
/// byte (no carry or borrow crosses from one byte to the next), so each flagged bit may be used,
/// not only the lowest. Words are read in little-endian order: the lowest flagged bit is the
/// first byte in memory. Public and inlinable, so a loop in another module pays no call per word
/// (`@inlinable package` was not inlined into MediaServer by Swift 6.3: a call per test, seen in objdump).
public enum WordBytes {
    /// The eight bytes at `p`, the first in the lowest bits.
    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The high bit of each byte of `w` that is zero.
    @inlinable @inline(__always) public static func zero(_ w: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((w & low) &+ low) | w | low)
    }

    /// The high bit of each byte of `w` that equals `byte`.
    @inlinable @inline(__always) public static func equal(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        zero(w ^ (UInt64(byte) &* 0x0101_0101_0101_0101))
    }

    /// The high bit of each byte of `w` below 0x20 (a C0 control character).
    @inlinable @inline(__always) public static func control(_ w: UInt64) -> UInt64 {
        zero(w & 0xE0E0_E0E0_E0E0_E0E0)
    }

    /// The index of the first byte a mask from the tests above flags (the mask is not 0).
    @inlinable @inline(__always) public static func first(_ flags: UInt64) -> Int { flags.trailingZeroBitCount >> 3 }

    /// Whether every byte of `utf8` is below 0x80 (ASCII, so valid UTF-8), eight at a time.
    @inlinable public static func isASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return true }
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= utf8.count {
            high |= load(base + index)
            index += 8
        }
        while index < utf8.count {
            high |= UInt64(base[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
