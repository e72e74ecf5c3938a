import Foundation
import MediaAPI
import PostgresNIO

/// One account's view of a PostgresMediaStore; conforms to MediaAPI's MediaService.
public struct PostgresMediaService: StoreAccountService {
    public let store: PostgresMediaStore
    public let account: String
    /// Where uploads by url may be fetched from.
    public let urlFetch: URLFetchPolicy

    public func list(_ query: MediaQuery) -> MediaItemSequence {
        let filter = ListFilter(account: account, query: query)
        let store = self.store
        typealias Position = (after: (time: Int64, id: String)?, remaining: Int?)
        let start: Position = (nil, query.limit)
        return MediaItemSequence(start: Cursor(position: start), limit: query.limit) { cursor in
            let position = cursor.position
            // The last page is sized by what the limit leaves, so nothing past it is read.
            let pageSize = max(1, min(query.pageSize, position.remaining ?? Int.max))
            var (condition, binds) = filter.whereClause(after: position.after)
            binds.append(Int64(pageSize))
            let items = try await store.database {
                try await MediaRecord.items(store.client.query(PostgresQuery(
                    unsafeSQL: "SELECT \(MediaRecord.columns) FROM media WHERE \(condition) ORDER BY \(filter.orderSQL) LIMIT $\(binds.count)",
                    binds: binds), logger: store.logger))
            }
            let remaining = position.remaining.map { $0 - items.count }
            guard items.count == pageSize, remaining.map({ $0 > 0 }) ?? true, let last = items.last, let time = last.timeCreated else {
                return (items, nil)
            }
            return (items, Cursor(position: ((MediaRecord.milliseconds(time), last.id), remaining)))
        }
    }

    /// Where a listing stands: after which item, and how many items its limit still allows.
    struct Cursor: Sendable {
        var position: (after: (time: Int64, id: String)?, remaining: Int?)
    }

    public func info(id: String) async throws -> MediaItem {
        guard let item = try await store.item(id: id), item.accountID == account else { throw MediaError.notFound(id: id) }
        return item
    }

    public func update(id: String, _ changes: MediaUpdate) async throws {
        try changes.validate()
        let (store, account, now) = (self.store, self.account, MediaRecord.milliseconds(self.store.now()))
        try await store.database {
            try await store.client.withTransaction(logger: store.logger) { connection in
                let rows = try await connection.query(
                    "SELECT \(unescaped: MediaRecord.columns) FROM media WHERE id = \(id) AND account_id = \(account) FOR UPDATE",
                    logger: store.logger)
                var found: MediaItem?
                for try await row in rows { found = try MediaRecord.item(row) }
                guard var item = found else { throw MediaError.notFound(id: id) }
                changes.apply(to: &item)
                // Always later than before, even when the clock has not ticked since the last change.
                let previous = item.timeLastUpdated.map(MediaRecord.milliseconds) ?? 0
                try await connection.query(
                    """
                    UPDATE media SET title = \(item.title), description = \(item.description), metadata_primary = \(item.metadataPrimary),
                        metadata_secondary = \(item.metadataSecondary), mime_type = \(item.mimeType ?? MIMETypes.fallback),
                        public = \(item.isPublic), max_downloads_allowed = \(Int64(item.maxDownloadsAllowed)),
                        time_last_updated = \(max(now, previous + 1))
                    WHERE id = \(id)
                    """, logger: store.logger)
            }
        }
    }

    public func delete(id: String) async throws {
        let (store, account) = (self.store, self.account)
        // The row goes and its chunks become garbage in one statement; the chunks are removed once
        // no download that began before the delete still reads them (sweepGarbage).
        let deleted = try await store.database {
            var deleted = false
            for try await _ in try await store.client.query(
                """
                WITH gone AS (DELETE FROM media WHERE id = \(id) AND account_id = \(account) RETURNING id),
                    garbage AS (INSERT INTO media_garbage (media_id) SELECT id FROM gone)
                SELECT id FROM gone
                """, logger: store.logger)
            {
                deleted = true
            }
            return deleted
        }
        guard deleted else { throw MediaError.notFound(id: id) }
        await store.sweepGarbage()
    }
}
