/// Byte tests eight bytes at a time, for the CSV reader's inner loops (SWAR: one 64-bit word
/// holds eight bytes). Every test is exact for every byte (no carry or borrow crosses from one
/// byte to the next), so each flagged bit may be used, not only the lowest. Words are read in
/// little-endian order: the lowest flagged bit is the first byte in memory.
enum WordBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The eight bytes at `p`, the first in the lowest bits.
    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The high bit of each byte of `w` that is zero.
    @inline(__always) static func zero(_ w: UInt64) -> UInt64 { ~(((w & low) &+ low) | w | low) }

    /// The high bit of each byte of `w` that equals `byte`.
    @inline(__always) static func equal(_ w: UInt64, _ byte: UInt8) -> UInt64 { zero(w ^ (UInt64(byte) &* ones)) }

    /// The index of the first byte a mask from the tests above flags (the mask is not 0).
    @inline(__always) static func first(_ flags: UInt64) -> Int { flags.trailingZeroBitCount >> 3 }
}
