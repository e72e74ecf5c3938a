import Crypto
import Foundation

/// An ETag is the content's MD5 in lowercase hex (swift-crypto's, as everywhere in the package).
/// Streams bytes between files in fixed-size chunks, computing the MD5 on the way, so no file is ever held in memory.
public struct HashingCopy: Sendable {
    public static let chunkSize = 1 << 16

    private(set) var md5 = Insecure.MD5()
    public private(set) var bytes: Int64 = 0

    public init() {}

    /// The MD5 so far as lowercase hex, the form of an ETag.
    public var hex: String {
        md5.finalize().map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }

    /// Reads `source` to the end, hashing it, and appends it to `output` when given.
    /// `maxBytes` stops with `.invalidInput` as soon as the total exceeds it.
    public mutating func consume(_ source: FileHandle, into output: FileHandle? = nil, maxBytes: Int64? = nil) throws {
        while true {
            let chunk = try source.read(upToCount: Self.chunkSize) ?? Data()
            if chunk.isEmpty { return }
            try add(chunk, into: output, maxBytes: maxBytes)
        }
    }

    /// Hashes one chunk and appends it to `output` when given; `.invalidInput` once the total
    /// exceeds `maxBytes`.
    public mutating func add(_ chunk: Data, into output: FileHandle?, maxBytes: Int64?) throws {
        bytes += Int64(chunk.count)
        if let maxBytes, bytes > maxBytes {
            throw MediaError.invalidInput("the content is larger than the limit of \(maxBytes) bytes")
        }
        md5.update(data: chunk)
        try output?.write(contentsOf: chunk)
    }

    /// The MD5 hex of a whole file, streamed.
    public static func md5(of file: URL) throws -> (hex: String, bytes: Int64) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var copy = HashingCopy()
        try copy.consume(handle)
        return (copy.hex, copy.bytes)
    }
}
