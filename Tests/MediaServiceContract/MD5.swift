import Crypto
import Foundation

/// MD5 for checking ETags: swift-crypto's, incremental, so a downloaded file is hashed in
/// chunks rather than loaded whole.
public struct MD5 {
    private var md5 = Insecure.MD5()

    public init() {}

    public mutating func update(_ data: some Collection<UInt8>) {
        md5.update(data: Data(data))
    }

    /// The digest as lowercase hex, the form of an ETag.
    public func hex() -> String {
        md5.finalize().map { String(format: "%02x", $0) }.joined()
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
}
