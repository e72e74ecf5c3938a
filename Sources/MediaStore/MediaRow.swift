import Foundation
import GRDB
import GRDBSQLite
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

    /// The items a `select` statement finds. GRDB steps the statement and reads the id (column 0);
    /// the other columns are read straight from the statement by position: GRDB's `Row`s (a copy of
    /// each row, or a table of column names per query, then a generic decode per column) were the
    /// largest part of the server's time for a page of 20.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> [MediaItem] {
        let ids = try String.fetchCursor(statement, arguments: arguments)
        var items = [MediaItem]()
        while let id = try ids.next() {
            items.append(item(id: id, statement.sqliteStatement))
        }
        return items
    }

    /// The item of the row `statement` stands on, its columns in `columns`' order. Text is read as
    /// GRDB reads it (`String(cString:)`: invalid UTF-8 repaired).
    static func item(id: String, _ statement: SQLiteStatement) -> MediaItem {
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL, let text = sqlite3_column_text(statement, column) else {
                return nil
            }
            return String(cString: text)
        }
        func integer(_ column: Int32) -> Int64 {
            sqlite3_column_int64(statement, column)
        }
        return MediaItem(
            id: id,
            accountID: text(1),
            storeID: storeID,
            etag: text(2),
            size: integer(3),
            mimeType: text(4),
            originalFileName: text(5),
            title: text(6),
            description: text(7),
            metadataPrimary: text(8),
            metadataSecondary: text(9),
            isPublic: integer(10) != 0,
            maxDownloadsAllowed: Int(truncatingIfNeeded: integer(11)),
            timesDownloaded: Int(truncatingIfNeeded: integer(12)),
            timeCreated: date(integer(13)),
            timeLastUpdated: date(integer(14))
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
        try fetchAll(db.cachedStatement(sql: select(where: "id = ?")), arguments: [id]).first
    }

    static func date(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
