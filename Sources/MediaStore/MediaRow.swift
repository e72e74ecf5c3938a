import Foundation
import GRDB
import MediaAPI

/// How a `MediaItem` is stored as a row of the `media` table.
enum MediaRow {
    static let storeID = "local"

    /// The columns every query selects, in the order `item(_:)` reads them (by position, which is
    /// cheaper than by name on a hot path).
    static let columns = """
        id, account_id, etag, media_size, mime_type, original_file_name, title, description, metadata_primary,
        metadata_secondary, public, max_downloads_allowed, times_downloaded, time_created, time_last_updated
        """

    /// `SELECT <columns> FROM media WHERE <condition>`.
    static func select(where condition: String) -> String {
        "SELECT \(columns) FROM media WHERE \(condition)"
    }

    static func item(_ row: Row) -> MediaItem {
        MediaItem(
            id: row[0],
            accountID: row[1],
            storeID: storeID,
            etag: row[2],
            size: row[3],
            mimeType: row[4],
            originalFileName: row[5],
            title: row[6],
            description: row[7],
            metadataPrimary: row[8],
            metadataSecondary: row[9],
            isPublic: row[10],
            maxDownloadsAllowed: row[11],
            timesDownloaded: row[12],
            timeCreated: date(row[13]),
            timeLastUpdated: date(row[14])
        )
    }

    static func insert(_ item: MediaItem, into db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO media (id, account_id, etag, media_size, mime_type, original_file_name, title, description,
                    metadata_primary, metadata_secondary, public, max_downloads_allowed, times_downloaded,
                    time_created, time_last_updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                item.id, item.accountID, item.etag, item.size, item.mimeType, item.originalFileName, item.title,
                item.description, item.metadataPrimary, item.metadataSecondary, item.isPublic, item.maxDownloadsAllowed,
                item.timesDownloaded, item.timeCreated.map(milliseconds), item.timeLastUpdated.map(milliseconds),
            ])
    }

    static func saveInfo(_ item: MediaItem, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE media SET title = ?, description = ?, metadata_primary = ?, metadata_secondary = ?, mime_type = ?,
                    public = ?, max_downloads_allowed = ?, time_last_updated = ?
                WHERE id = ?
                """
        ).execute(
            arguments: [
                item.title, item.description, item.metadataPrimary, item.metadataSecondary, item.mimeType,
                item.isPublic, item.maxDownloadsAllowed, item.timeLastUpdated.map(milliseconds), item.id,
            ])
    }

    static func fetch(id: String, in db: Database) throws -> MediaItem? {
        try Row.fetchOne(db.cachedStatement(sql: select(where: "id = ?")), arguments: [id]).map(item)
    }

    static func date(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
