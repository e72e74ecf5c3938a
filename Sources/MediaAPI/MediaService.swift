import Foundation

/// Every Media API operation. Two bindings implement it: the embedded store (`MediaStore`)
/// and HTTP (`MediaHTTPClient`); one contract test suite holds both to the same behaviour.
///
/// Implementations are safe to call from many tasks at once.
public protocol MediaService: Sendable {
    /// Items matching the query, streamed page by page. No time bounds means every item.
    /// Iteration stops fetching when the consumer stops; items deleted while listing never
    /// cause others to be skipped.
    func list(_ query: MediaQuery) -> MediaItemSequence

    /// One item's information. Throws `MediaError.notFound`.
    func info(id: String) async throws -> MediaItem

    /// Changes an item's information; `time_last_updated` moves.
    func update(id: String, _ changes: MediaUpdate) async throws

    /// Deletes an item and its content.
    func delete(id: String) async throws

    /// Streams an item's content to `destination` through `<destination>.partial`, renamed into
    /// place when complete, so a broken download never leaves a half file at `destination`.
    func download(id: String, to destination: URL, options: DownloadOptions) async throws -> DownloadResult

    /// Creates an item from a file or URL and returns its record.
    func upload(_ upload: MediaUpload) async throws -> MediaItem
}

extension MediaService {
    public func download(id: String, to destination: URL) async throws -> DownloadResult {
        try await download(id: id, to: destination, options: DownloadOptions())
    }
}
