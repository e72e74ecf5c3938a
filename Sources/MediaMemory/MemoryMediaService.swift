import Foundation
import MediaAPI

/// A `MediaService` that keeps its items and their content in memory: for tests and fuzzing of
/// the language without a database or a network. It keeps the contract the other bindings keep
/// (Tests/MediaServiceContract); content comes only from local files, never from a URL.
public final class MemoryMediaService: MediaService, @unchecked Sendable {
    /// The largest content an upload may have: reading stops there, so a device file cannot fill memory.
    public static let maxContentBytes = 64 * 1024 * 1024

    private struct Entry {
        var item: MediaItem
        var content: Data
        /// Upload order, which breaks ties between items created in the same millisecond.
        var sequence: Int
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var uploads = 0
    private let account: String
    private let now: @Sendable () -> Date

    public init(account: String = "local", now: @escaping @Sendable () -> Date = { Date() }) {
        self.account = account
        self.now = now
    }

    /// A service holding the same items and content from here on changed apart from this one:
    /// a fixture filled once and used afresh by each test (or fuzz input).
    public func copy() -> MemoryMediaService {
        let copy = MemoryMediaService(account: account, now: now)
        (copy.entries, copy.uploads) = locked { (entries, uploads) }
        return copy
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Times on the wire have millisecond precision; items keep no finer ones: the milliseconds
    /// the API writes (`MediaTime.milliseconds`), so a time already whole stays as it is.
    private static func milliseconds(_ date: Date) -> Date {
        MediaTime.date(milliseconds: MediaTime.milliseconds(date))
    }

    // MARK: MediaService

    public func list(_ query: MediaQuery) -> MediaItemSequence {
        // Each page starts after the last (time, sequence) delivered, so deletes never shift it.
        MediaItemSequence(start: ListCursor(after: nil), limit: query.limit) { [self] cursor in
            let pageSize = max(1, query.pageSize)
            let page: [Entry] = locked {
                let matching = entries.values.filter { query.contains($0.item.timeCreated ?? .distantPast) }
                let sorted = matching.sorted { a, b in
                    let ka = (a.item.timeCreated ?? .distantPast, a.sequence), kb = (b.item.timeCreated ?? .distantPast, b.sequence)
                    return query.order == .ascending ? ka < kb : ka > kb
                }
                let rest = sorted.drop { entry in
                    guard let after = cursor.after else { return false }
                    let key = (entry.item.timeCreated ?? .distantPast, entry.sequence)
                    return query.order == .ascending ? key <= after : key >= after
                }
                return Array(rest.prefix(pageSize))
            }
            guard page.count == pageSize, let last = page.last else { return (page.map(\.item), nil) }
            return (page.map(\.item), ListCursor(after: (last.item.timeCreated ?? .distantPast, last.sequence)))
        }
    }

    private struct ListCursor: @unchecked Sendable {
        var after: (Date, Int)?
    }

    public func info(id: String) async throws -> MediaItem {
        try locked {
            guard let entry = entries[id] else { throw MediaError.notFound(id: id) }
            return entry.item
        }
    }

    public func update(id: String, _ changes: MediaUpdate) async throws {
        try changes.validate()
        let time = Self.milliseconds(now())
        try locked {
            guard var entry = entries[id] else { throw MediaError.notFound(id: id) }
            changes.apply(to: &entry.item)
            // Always later than before, even when the clock has not ticked since the last change.
            let previous = entry.item.timeLastUpdated ?? .distantPast
            entry.item.timeLastUpdated = max(time, previous.addingTimeInterval(0.001))
            entries[id] = entry
        }
    }

    public func delete(id: String) async throws {
        try locked {
            guard entries.removeValue(forKey: id) != nil else { throw MediaError.notFound(id: id) }
        }
    }

    public func download(id: String, to destination: URL, options: DownloadOptions) async throws -> DownloadResult {
        try await FileDownload(id: id, destination: destination, options: options).run(info: { try await info(id: id) }) {
            let (item, content) = try count(id: id)
            return (item, .reader { offset, count in
                guard offset >= 0, offset < Int64(content.count) else { return Data() }
                let start = Int(offset)
                return content.subdata(in: start..<min(content.count, start + max(0, count)))
            })
        }
    }

    /// Counts a download, or refuses it when the item's limit is spent; the item after counting and its content.
    private func count(id: String) throws -> (item: MediaItem, content: Data) {
        try locked {
            guard var entry = entries[id] else { throw MediaError.notFound(id: id) }
            guard !entry.item.isDownloadLimitReached else {
                throw MediaError.forbidden("media item '\(id)' has been downloaded \(entry.item.timesDownloaded) times, its limit")
            }
            entry.item.timesDownloaded += 1
            entries[id] = entry
            return (entry.item, entry.content)
        }
    }

    public func upload(_ upload: MediaUpload) async throws -> MediaItem {
        try upload.validate()
        guard case .file(let file) = upload.source else {
            throw MediaError.invalidInput("an in-memory service cannot fetch content from a URL; upload a local file")
        }
        let content = try Self.read(file)
        let created = Self.milliseconds(now())
        var item = MediaItem(
            id: UUID().uuidString.lowercased(), accountID: account, etag: Self.md5Hex(content), size: Int64(content.count),
            mimeType: upload.info.mimeType ?? MIMETypes.guess(fileName: upload.effectiveFileName), originalFileName: upload.effectiveFileName,
            timeCreated: created, timeLastUpdated: created)
        upload.info.apply(to: &item)
        let added = item
        locked {
            uploads += 1
            entries[added.id] = Entry(item: added, content: content, sequence: uploads)
        }
        return item
    }

    /// A local file's bytes: a regular file of at most `maxContentBytes`, so a device or a pipe cannot fill memory.
    private static func read(_ file: URL) throws -> Data {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path) else {
            throw MediaError.invalidInput("no file at \(file.path) to upload")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw MediaError.invalidInput("\(file.path) is not a regular file")
        }
        guard let size = attributes[.size] as? NSNumber, size.intValue <= maxContentBytes else {
            throw MediaError.invalidInput("\(file.path) is larger than the limit of \(maxContentBytes) bytes")
        }
        do {
            return try Data(contentsOf: file)
        } catch {
            throw MediaError.invalidInput("cannot read \(file.path): \(error.localizedDescription)")
        }
    }

    /// An ETag is the content's MD5 in hex, as every binding computes it.
    private static func md5Hex(_ data: Data) -> String {
        var hashing = HashingCopy()
        try? hashing.add(data, into: nil, maxBytes: nil)
        return hashing.hex
    }
}
