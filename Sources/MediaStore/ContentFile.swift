import Foundation
import MediaAPI

/// An item's content file, opened while its row was read (see `MediaStore.openContent`): once open,
/// a delete that removes the file's name cannot take the bytes away from a download under way.
/// Closed when the last reference goes (or by closing `handle`).
public final class ContentFile: @unchecked Sendable {
    /// The open file. Reads through `read(at:count:)` do not move its offset.
    public let handle: FileHandle

    init(opening url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    /// Up to `count` bytes from `offset`; fewer only at the end of the file. Safe to call from any thread.
    public func read(at offset: Int64, count: Int) throws -> Data {
        var data = Data(count: max(0, count))
        var filled = 0
        while filled < data.count {
            let n = data.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(handle.fileDescriptor, base + filled, raw.count - filled, off_t(offset) + off_t(filled))
            }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw MediaError.storage("cannot read a content file: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }
}
