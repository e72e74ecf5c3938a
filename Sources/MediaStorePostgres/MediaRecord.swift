import Foundation
import MediaAPI
import PostgresNIO

/// How a `MediaItem` is a row of the `media` table.
enum MediaRecord {
    static let storeID = "postgresql"

    /// The columns every query selects, in the order `item(_:)` decodes them.
    static let columns = """
        id, account_id, etag, media_size, mime_type, original_file_name, title, description, metadata_primary, \
        metadata_secondary, public, max_downloads_allowed, times_downloaded, time_created, time_last_updated
        """

    static func item(_ row: PostgresRow) throws -> MediaItem {
        let (id, account, etag, size, mimeType, fileName, title, description, primary, secondary, isPublic, maxDownloads,
             downloads, created, updated) = try row.decode(
            (String, String, String, Int64, String, String, String?, String?, String?, String?, Bool, Int64, Int64, Int64, Int64).self)
        return MediaItem(
            id: id, accountID: account, storeID: storeID, etag: etag, size: size, mimeType: mimeType, originalFileName: fileName,
            title: title, description: description, metadataPrimary: primary, metadataSecondary: secondary, isPublic: isPublic,
            maxDownloadsAllowed: Int(clamping: maxDownloads), timesDownloaded: Int(clamping: downloads),
            timeCreated: date(created), timeLastUpdated: date(updated))
    }

    static func items(_ rows: PostgresRowSequence) async throws -> [MediaItem] {
        var items: [MediaItem] = []
        for try await row in rows { items.append(try item(row)) }
        return items
    }

    static func date(_ ms: Int64) -> Date {
        MediaTime.date(milliseconds: ms)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// One account's items within a query's time bounds, in its order: the `WHERE` and `ORDER BY` of a list.
struct ListFilter {
    var account: String
    var start: Int64?
    var end: Int64?
    var ascending: Bool

    init(account: String, query: MediaQuery) {
        self.account = account
        // Bounds are inclusive; a bound between two milliseconds takes only the milliseconds within it.
        start = query.startTime.map { Int64(($0.timeIntervalSince1970 * 1000 - 0.0005).rounded(.up)) }
        end = query.endTime.map { Int64(($0.timeIntervalSince1970 * 1000 + 0.0005).rounded(.down)) }
        ascending = query.order == .ascending
    }

    /// `WHERE …` with its binds, optionally only the items strictly after `cursor` in this order
    /// (the keyset that makes paging immune to deletions).
    func whereClause(after cursor: (time: Int64, id: String)? = nil) -> (sql: String, binds: PostgresBindings) {
        var binds = PostgresBindings()
        binds.append(account)
        var sql = "account_id = $1"
        // Absent bounds are the widest ones, so every query has the same shape (and plan).
        binds.append(start ?? Int64.min)
        binds.append(end ?? Int64.max)
        sql += " AND time_created >= $2 AND time_created <= $3"
        if let cursor {
            let op = ascending ? ">" : "<"
            binds.append(cursor.time)
            binds.append(cursor.id)
            sql += " AND (time_created, id) \(op) ($4, $5)"
        }
        return (sql, binds)
    }

    var orderSQL: String {
        ascending ? "time_created ASC, id ASC" : "time_created DESC, id DESC"
    }
}
