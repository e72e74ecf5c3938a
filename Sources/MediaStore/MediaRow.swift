import Foundation
import GRDB
import MediaAPI

/// How a `MediaItem` is stored as a row of the `media` table.
enum MediaRow {
    static let storeID = "local"

    static func item(_ row: Row) -> MediaItem {
        MediaItem(
            id: row["id"],
            accountID: row["account_id"],
            storeID: storeID,
            etag: row["etag"],
            size: row["media_size"],
            mimeType: row["mime_type"],
            originalFileName: row["original_file_name"],
            title: row["title"],
            description: row["description"],
            metadataPrimary: row["metadata_primary"],
            metadataSecondary: row["metadata_secondary"],
            isPublic: row["public"],
            maxDownloadsAllowed: row["max_downloads_allowed"],
            timesDownloaded: row["times_downloaded"],
            timeCreated: date(row["time_created"]),
            timeLastUpdated: date(row["time_last_updated"])
        )
    }

    static func insert(_ item: MediaItem, into db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO media (id, account_id, etag, media_size, mime_type, original_file_name, title, description,
                    metadata_primary, metadata_secondary, public, max_downloads_allowed, times_downloaded,
                    time_created, time_last_updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                item.id, item.accountID, item.etag, item.size, item.mimeType, item.originalFileName, item.title,
                item.description, item.metadataPrimary, item.metadataSecondary, item.isPublic, item.maxDownloadsAllowed,
                item.timesDownloaded, item.timeCreated.map(milliseconds), item.timeLastUpdated.map(milliseconds),
            ])
    }

    static func saveInfo(_ item: MediaItem, in db: Database) throws {
        try db.execute(
            sql: """
                UPDATE media SET title = ?, description = ?, metadata_primary = ?, metadata_secondary = ?, mime_type = ?,
                    public = ?, max_downloads_allowed = ?, time_last_updated = ?
                WHERE id = ?
                """,
            arguments: [
                item.title, item.description, item.metadataPrimary, item.metadataSecondary, item.mimeType,
                item.isPublic, item.maxDownloadsAllowed, item.timeLastUpdated.map(milliseconds), item.id,
            ])
    }

    static func fetch(id: String, in db: Database) throws -> MediaItem? {
        try Row.fetchOne(db, sql: "SELECT * FROM media WHERE id = ?", arguments: [id]).map(item)
    }

    static func date(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
