import Foundation
import MediaAPI

/// The embedded store serves media-server: content is read from the file opened with the row.
extension MediaStore: MediaServerStore {
    public func openDownload(id: String, account: String?) async throws -> (item: MediaItem, content: MediaContent) {
        let (item, file) = try await openContent(id: id, account: account)
        return (item, .reader { offset, count in try file.read(at: offset, count: count) })
    }

    /// One account's service, fetching url uploads from public addresses only.
    public func service(account: String) -> MediaStoreService {
        service(account: account, urlFetch: .publicAddressesOnly)
    }

    /// An upload whose url, if any, is fetched from public addresses only (the server passes its own policy).
    public func upload(_ upload: MediaUpload, account: String, consumingFile: Bool, maxBytes: Int64?) async throws -> MediaItem {
        try await self.upload(upload, account: account, consumingFile: consumingFile, maxBytes: maxBytes, urlFetch: .publicAddressesOnly)
    }

    public func checkReady() async throws {
        _ = try await read { db in try db.execute(sql: "SELECT 1") }
    }
}
