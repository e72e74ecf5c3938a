import Foundation
import MediaAPI

/// The embedded store serves media-server: content comes from its immutable files.
extension MediaStore: MediaServerStore {
    public func openDownload(id: String, account: String?, counted: Bool) async throws -> (item: MediaItem, content: MediaContent) {
        let (item, file) = try await openContent(id: id, account: account, counted: counted)
        return (item, .file(file))
    }

    public func checkReady() async throws {
        _ = try await read { db in try db.execute(sql: "SELECT 1") }
    }
}
