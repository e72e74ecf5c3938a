import Foundation
import GRDB
import GRDBSQLite
import MediaAPI

/// How a `MediaItem` is stored as a row of the `media` table.
enum MediaRow {
    static let storeID = "\(storeIDText)"
    static let storeIDText: StaticString = "local"

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

    /// The items a `select` statement finds. GRDB steps the statement; the columns are read straight
    /// from it by position (`Fields`): GRDB's `Row`s (a copy of each row, or a table of column names
    /// per query, then a generic decode per column) were the largest part of the server's time for a page of 20.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> [MediaItem] {
        let ids = try String.fetchCursor(statement, arguments: arguments)
        var items = [MediaItem]()
        while try ids.next() != nil {
            items.append(MediaItem(Fields(statement: statement.sqliteStatement)))
        }
        return items
    }

    /// The row a `select` statement stands on, its columns in `columns`' order, lent in place (valid
    /// until the statement moves). Text is read whole (`sqlite3_column_bytes`, NULs and all); text
    /// that is not valid UTF-8 is lent repaired (U+FFFD for each bad sequence, as `String(decoding:)` does).
    struct Fields: MediaFields {
        let statement: SQLiteStatement

        func withText<R>(_ field: MediaTextField, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
            let column: Int32
            switch field {
            case .id: column = 0
            case .accountID: column = 1
            case .storeID:
                return body(UnsafeBufferPointer(start: MediaRow.storeIDText.utf8Start, count: MediaRow.storeIDText.utf8CodeUnitCount))
            case .etag: column = 2
            case .mimeType: column = 4
            case .originalFileName: column = 5
            case .title: column = 6
            case .description: column = 7
            case .metadataPrimary: column = 8
            case .metadataSecondary: column = 9
            }
            guard sqlite3_column_type(statement, column) != SQLITE_NULL, let text = sqlite3_column_text(statement, column) else {
                return body(nil)
            }
            let utf8 = UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
            if WordBytes.isASCII(utf8) { return body(utf8) }
            var repaired = String(decoding: utf8, as: UTF8.self)
            return repaired.withUTF8(body)
        }

        var numbers: MediaNumbers {
            func integer(_ column: Int32) -> Int64 {
                sqlite3_column_int64(statement, column)
            }
            return MediaNumbers(
                size: integer(3), isPublic: integer(10) != 0, maxDownloadsAllowed: Int(truncatingIfNeeded: integer(11)),
                timesDownloaded: Int(truncatingIfNeeded: integer(12)), timeCreated: integer(13), timeLastUpdated: integer(14))
        }
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
        MediaTime.date(milliseconds: ms)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
