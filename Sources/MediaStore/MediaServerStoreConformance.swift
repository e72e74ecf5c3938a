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

    public func checkReady() async throws {
        _ = try await read { db in try db.execute(sql: "SELECT 1") }
    }
}
