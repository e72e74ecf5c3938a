import Foundation
import GRDB
import MediaAPI

/// An embedded Media API store: SQLite (GRDB, WAL) metadata + content files in one directory.
public final class MediaStore: Sendable {
    /// The store's folder.
    public let directory: URL
    /// Where callers write files they then upload with consumingFile: true (same file system).
    public let temporaryDirectory: URL
    let contentDirectory: URL
    let database: DatabasePool
    let now: @Sendable () -> Date
    private let lock: StoreLock
    /// Deletes, committed in groups.
    let deletes: DeleteBatch
    /// The paths whose modes were narrowed on opening (folders to 0700, files to 0600): the store
    /// was readable by other users. Empty for a store that was private already, or new.
    public let madePrivate: [String]

    /// Opens the store in `directory` (creating it and its files when missing):
    /// `directory/media.sqlite`, `directory/content/`, `directory/tmp/`.
    /// A corrupt or foreign database gives MediaError.storage with a clear message.
    /// `now` stamps time_created / time_last_updated (tests and the demo pass their own clock).
    public init(directory: URL, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.directory = directory
        self.now = now
        contentDirectory = directory.appendingPathComponent("content", isDirectory: true)
        temporaryDirectory = directory.appendingPathComponent("tmp", isDirectory: true)
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: directory.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw MediaError.storage("\(directory.path) is a file, not a folder; choose a folder for the store")
        }
        // What exists is narrowed first (an older store's 0755 and 0644), then what is missing is
        // made 0700 and 0600 before anything else opens it.
        madePrivate = try Self.makePrivate(directory: directory, content: contentDirectory, temporary: temporaryDirectory)
        do {
            for folder in [directory, contentDirectory, temporaryDirectory] {
                try PrivateFiles.createFolder(folder)
            }
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("cannot create the store folder \(directory.path): \(error.localizedDescription)")
        }
        try PrivateFiles.createFile(directory.appendingPathComponent("lock"))
        try PrivateFiles.createFile(directory.appendingPathComponent("media.sqlite"))
        lock = try StoreLock(file: directory.appendingPathComponent("lock"))
        database = try StoreDatabase.open(directory.appendingPathComponent("media.sqlite"))
        deletes = DeleteBatch(database: database, contentFolder: contentDirectory)
        try lock.whenAlone(sweep)
    }

    /// The MediaService of one account. mediash's embedded use passes "local".
    /// `urlFetch` says where uploads by url may be fetched from (public addresses unless told).
    public func service(account: String, urlFetch: URLFetchPolicy = .publicAddressesOnly) -> MediaStoreService {
        MediaStoreService(store: self, account: account, urlFetch: urlFetch)
    }

    /// An item by id in any account, or nil (the server uses it for public downloads).
    public func item(id: String) async throws -> MediaItem? {
        try await read { db in try MediaRow.fetch(id: id, in: db) }
    }

    /// A page by index plus the total number matching, as GET /v3/media needs.
    /// Order and start/end bounds as in the query (nil bounds = no bound).
    public func page(account: String, query: MediaQuery, pageIndex: Int, pageSize: Int) async throws
        -> (items: [MediaItem], total: Int)
    {
        let (items, total) = try await page(
            account: account, query: query, pageIndex: pageIndex, pageSize: pageSize, writer: MediaItemsWriter.self, options: ())
        return (items, total)
    }

    /// The same page, each row lent to the writer in place as SQLite holds it.
    public func page<Writer: MediaPageWriter & ~Copyable>(
        account: String, query: MediaQuery, pageIndex: Int, pageSize: Int, writer: Writer.Type, options: Writer.Options
    ) async throws -> (output: Writer.Output, total: Int) {
        guard pageIndex >= 0 else { throw MediaError.invalidInput("page_index must be 0 or more, not \(pageIndex)") }
        guard pageSize >= 1 else { throw MediaError.invalidInput("page_size must be 1 or more, not \(pageSize)") }
        let filter = ListFilter(account: account, query: query)
        let (offset, overflow) = pageIndex.multipliedReportingOverflow(by: pageSize)
        guard !overflow else { throw MediaError.invalidInput("page_index \(pageIndex) is out of range") }
        // One read, so the page and its count are of one snapshot; the count reads counters, not the window.
        return try await read { db in
            var statement = try BoundStatement(
                db.cachedStatement(sql: MediaRow.select(where: "\(filter.sql) ORDER BY \(filter.orderSQL) LIMIT ? OFFSET ?")), in: db)
            defer { statement.finish() }
            filter.bind(&statement)
            statement.bind(pageSize)
            statement.bind(offset)
            var writer = Writer(options: options, rows: min(pageSize, 1000))
            var count = 0
            while try statement.step() {
                writer.write(MediaRow.Fields(statement: statement.sqliteStatement))
                count += 1
            }
            let output = writer.finish()
            // A page short of full is the last: what lies before it and on it is all there is (in this
            // snapshot), and nothing needs counting. An empty page past the start says nothing of the total.
            if count < pageSize, count > 0 || offset == 0 { return (output, offset + count) }
            let total = try WindowCount.count(account: account, from: filter.from ?? .min, to: filter.to ?? .max, in: db)
            return (output, total)
        }
    }

    /// Checks that `account` may download item `id` now (access and the download limit) without
    /// counting anything, and returns the item: for answers that send no content bytes (HEAD,
    /// 304 Not Modified, 416). `account` nil = unauthenticated: allowed only for public items
    /// (else .unauthorized); another account's non-public item = .notFound (don't reveal it exists);
    /// limit reached = .forbidden("download limit of N reached").
    public func contentInfo(id: String, account: String?) async throws -> MediaItem {
        try await read { db in try Self.downloadable(id: id, account: account, in: db) }
    }

    /// Opens item `id`'s content for `account`, and counts one download.
    ///
    /// The download rule, in this one place: every opening of an item's content is one download,
    /// whether the caller then sends all of it or a range (a Range request starting anywhere), so
    /// a `max_downloads_allowed` cannot be dodged by asking for pieces; only answers that send no
    /// bytes (HEAD, 304, 416) use `contentInfo` instead and are not counted. The check and the count
    /// are one transaction, so concurrent downloads cannot overshoot the limit.
    ///
    /// The file is opened inside that transaction, while its row exists: a delete that commits
    /// later removes the name but not the open file, so the caller gets all the bytes or, when the
    /// delete came first, .notFound. Errors as `contentInfo`'s.
    public func openContent(id: String, account: String?) async throws -> (item: MediaItem, content: ContentFile) {
        let file = contentURL(id: id)
        return try await write { db -> (MediaItem, ContentFile) in
            var item = try Self.downloadable(id: id, account: account, in: db)
            let content: ContentFile
            do {
                content = try ContentFile(opening: file)
            } catch {
                throw MediaError.storage("the content file of media item '\(id)' is missing from \(file.path)")
            }
            try db.cachedStatement(sql: "UPDATE media SET times_downloaded = times_downloaded + 1 WHERE id = ?").execute(arguments: [id])
            item.timesDownloaded += 1
            return (item, content)
        }
    }

    private static func downloadable(id: String, account: String?, in db: Database) throws -> MediaItem {
        guard let item = try MediaRow.fetch(id: id, in: db) else { throw MediaError.notFound(id: id) }
        if item.accountID != account, !item.isPublic {
            if account == nil {
                throw MediaError.unauthorized("media item '\(id)' is not public; sign in to download it")
            }
            throw MediaError.notFound(id: id)
        }
        if item.isDownloadLimitReached {
            throw MediaError.forbidden("download limit of \(item.maxDownloadsAllowed) reached for media item '\(id)'")
        }
        return item
    }

    /// Creates an item in `account`. With `consumingFile: true` and a `.file` source inside
    /// `temporaryDirectory`, the file is moved into the store instead of copied (the server
    /// writes an upload's bytes there first); it is the store's from then on, removed if the upload fails.
    /// `maxBytes` refuses larger content with .invalidInput. A `.url` source over http(s) is fetched
    /// only from where `urlFetch` allows; a fetch that fails for any reason throws URLFetchError.
    public func upload(
        _ upload: MediaUpload, account: String, consumingFile: Bool, maxBytes: Int64?, urlFetch: URLFetchPolicy
    ) async throws -> MediaItem {
        let consumed = consumingFile ? consumableFile(upload.source) : nil
        do {
            try upload.validate()
        } catch {
            if let consumed { try? FileManager.default.removeItem(at: consumed) }
            throw error
        }
        let id = UUID().uuidString.lowercased()
        let staged = temporaryDirectory.appendingPathComponent("\(id).upload")
        defer { try? FileManager.default.removeItem(at: staged) }
        let content = try await Staging(store: self, urlFetch: urlFetch).stage(upload.source, consumed: consumed, to: staged, maxBytes: maxBytes)
        let file = contentURL(id: id)
        try moveIntoPlace(staged, file)

        let fileName = upload.effectiveFileName
        let created = MediaRow.date(MediaRow.milliseconds(now()))
        var item = MediaItem(
            id: id, accountID: account, storeID: MediaRow.storeID, etag: content.etag, size: content.size,
            mimeType: upload.info.mimeType ?? MIMETypes.guess(fileName: fileName), originalFileName: fileName,
            timeCreated: created, timeLastUpdated: created)
        upload.info.apply(to: &item)
        let record = item
        do {
            try await write { db in try MediaRow.insert(record, into: db) }
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        return item
    }

    func contentURL(id: String) -> URL {
        contentDirectory.appendingPathComponent(id)
    }

    /// The source file when it lies in `temporaryDirectory` and may therefore be moved.
    private func consumableFile(_ source: MediaUpload.Source) -> URL? {
        guard case .file(let url) = source, url.isFileURL else { return nil }
        let folder = temporaryDirectory.resolvingSymlinksInPath().standardizedFileURL.path + "/"
        let file = url.resolvingSymlinksInPath().standardizedFileURL
        return file.path.hasPrefix(folder) ? file : nil
    }

    /// Renames a synced staging file to its content name within the store's file system, and
    /// syncs the folder: atomic, so a content file is either absent or whole, and durable, so
    /// the row committed after it never outlives it.
    func moveIntoPlace(_ from: URL, _ to: URL) throws {
        // 0600 whoever created the staged file, and whatever the umask was.
        guard chmod(from.path, PrivateFiles.fileMode) == 0 else {
            throw MediaError.storage("cannot make \(from.path) private: \(String(cString: strerror(errno)))")
        }
        try DurableFile.move(from, to: to)
    }

    /// Removes what a crash can leave behind: content files whose row was never committed
    /// (or whose row was deleted) and staging files. Only run when no other store is open.
    private func sweep() throws {
        let files = FileManager.default
        var removed = false
        let names = (try? files.contentsOfDirectory(atPath: contentDirectory.path)) ?? []
        if !names.isEmpty {
            let ids = try database.read { db in try Set(String.fetchAll(db, sql: "SELECT id FROM media")) }
            for name in names where !ids.contains(name) {
                removed = (try? files.removeItem(at: contentDirectory.appendingPathComponent(name))) != nil || removed
            }
        }
        for name in (try? files.contentsOfDirectory(atPath: temporaryDirectory.path)) ?? [] {
            try? files.removeItem(at: temporaryDirectory.appendingPathComponent(name))
        }
        // Only a removal needs the folder made durable (a start that found nothing to do syncs nothing).
        if removed { try? DurableFile.syncFolder(contentDirectory) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch {
            throw Self.storageError(error)
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Our own errors pass through; the database's become `.storage`.
    static func storageError(_ error: any Error) -> any Error {
        if error is MediaError || error is CancellationError { return error }
        return MediaError.storage("database: \(StoreDatabase.reason(error))")
    }
}

/// The `WHERE` clause of one account's items within a query's time bounds, and its order.
struct ListFilter {
    var account: String
    var sql: String
    var arguments: StatementArguments
    var ascending: Bool
    /// The bounds in milliseconds, both inclusive (nil: none).
    var from: Int64?
    var to: Int64?

    init(account: String, query: MediaQuery) {
        self.account = account
        var clauses = ["account_id = ?"]
        var arguments: StatementArguments = [account]
        // Bounds are inclusive; a bound between two milliseconds takes only the milliseconds within it.
        if let start = query.startTime {
            clauses.append("time_created >= ?")
            from = Int64((start.timeIntervalSince1970 * 1000 - 0.0005).rounded(.up))
            arguments += [from]
        }
        if let end = query.endTime {
            clauses.append("time_created <= ?")
            to = Int64((end.timeIntervalSince1970 * 1000 + 0.0005).rounded(.down))
            arguments += [to]
        }
        sql = clauses.joined(separator: " AND ")
        self.arguments = arguments
        ascending = query.order == .ascending
    }

    /// Binds what `arguments` holds, in `sql`'s order.
    func bind(_ statement: inout BoundStatement) {
        statement.bind(account)
        if let from { statement.bind(from) }
        if let to { statement.bind(to) }
    }

    var orderSQL: String {
        ascending ? "time_created ASC, id ASC" : "time_created DESC, id DESC"
    }

    /// Items strictly after `(time, id)` in this order: the keyset that makes paging immune to deletions.
    func after(_ cursor: ListCursor) -> (sql: String, arguments: StatementArguments) {
        let op = ascending ? ">" : "<"
        return ("\(sql) AND (time_created \(op) ? OR (time_created = ? AND id \(op) ?))",
                arguments + [cursor.time, cursor.time, cursor.id])
    }
}

/// The last item a list page ended on.
struct ListCursor: Sendable {
    var time: Int64
    var id: String
}

/// Where a listing stands: after which item, and how many items its limit still allows.
struct ListPosition: Sendable {
    var after: ListCursor?
    var remaining: Int?
}
