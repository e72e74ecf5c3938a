import Foundation
import GRDB
import MediaAPI

/// One account's view of a MediaStore; conforms to MediaAPI's MediaService.
public struct MediaStoreService: StoreAccountService {
    public let store: MediaStore
    public let account: String
    /// Where uploads by url may be fetched from.
    public let urlFetch: URLFetchPolicy

    public init(store: MediaStore, account: String, urlFetch: URLFetchPolicy = .publicAddressesOnly) {
        self.store = store
        self.account = account
        self.urlFetch = urlFetch
    }

    public func list(_ query: MediaQuery) -> MediaItemSequence {
        let filter = ListFilter(account: account, query: query)
        let store = self.store
        let start = ListPosition(after: nil, remaining: query.limit)
        return MediaItemSequence(start: start, limit: query.limit) { position in
            // The last page is sized by what the limit leaves, so nothing past it is read.
            let pageSize = max(1, min(query.pageSize, position.remaining ?? Int.max))
            let (sql, arguments) = position.after.map(filter.after) ?? (filter.sql, filter.arguments)
            let items = try await store.read { db in
                try MediaRow.fetchAll(
                    db.cachedStatement(sql: MediaRow.select(where: "\(sql) ORDER BY \(filter.orderSQL) LIMIT ?")),
                    arguments: arguments + [pageSize]
                )
            }
            let remaining = position.remaining.map { $0 - items.count }
            guard items.count == pageSize, remaining.map({ $0 > 0 }) ?? true, let last = items.last, let time = last.timeCreated else {
                return (items, nil)
            }
            return (items, ListPosition(after: ListCursor(time: MediaRow.milliseconds(time), id: last.id), remaining: remaining))
        }
    }

    public func info(id: String) async throws -> MediaItem {
        let account = self.account
        return try await store.read { db in try Self.fetchOwn(id: id, account: account, in: db) }
    }

    public func update(id: String, _ changes: MediaUpdate) async throws {
        try changes.validate()
        let (account, now) = (self.account, store.now())
        try await store.write { db in
            var item = try Self.fetchOwn(id: id, account: account, in: db)
            changes.apply(to: &item)
            // Always later than before, even when the clock has not ticked since the last change.
            let previous = item.timeLastUpdated.map(MediaRow.milliseconds) ?? 0
            item.timeLastUpdated = MediaRow.date(max(MediaRow.milliseconds(now), previous + 1))
            try MediaRow.saveInfo(item, in: db)
        }
    }

    public func delete(id: String) async throws {
        let account = self.account
        // The batch removes the content file once the row's deletion is on disk.
        try await store.deletes.delete(id: id, account: account)
    }

    /// The item when it belongs to `account`; another account's item is not found, as over HTTP.
    static func fetchOwn(id: String, account: String, in db: Database) throws -> MediaItem {
        guard let item = try MediaRow.fetch(id: id, in: db), item.accountID == account else {
            throw MediaError.notFound(id: id)
        }
        return item
    }
}
