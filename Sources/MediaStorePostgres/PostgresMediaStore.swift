import Foundation
import Logging
import MediaAPI
import MediaURLFetch
import NIOConcurrencyHelpers
import PostgresNIO

/// The Media API store on PostgreSQL: metadata and content (in 1 MiB chunks) in one database, so
/// any number of media-server instances can share it and nothing else.
///
/// Open it with `open(_:)`, which starts the connection pool and migrates the schema; `close()`
/// stops the pool.
public final class PostgresMediaStore: MediaServerStore {
    public static let chunkSize = 1 << 20

    /// Warnings and worse: the pool's retries while the database is away are not news each time.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "media-store-postgres")
        logger.logLevel = .warning
        return logger
    }

    /// The pool, and the task running it. Replaced by a fresh one when the database goes away:
    /// requests waiting in the old one fail at once, and once the database is back the first
    /// request connects at once (a pool that kept failing waits up to a minute between attempts).
    private let pool: NIOLockedValueBox<Pool>
    private struct Pool: Sendable {
        let client: PostgresClient
        let running: Task<Void, Never>

        init(_ configuration: PostgresClient.Configuration, logger: Logger) {
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            self.client = client
            running = Task { await client.run() }
        }
    }
    private let poolConfiguration: PostgresClient.Configuration
    var client: PostgresClient { pool.withLockedValue { $0.client } }
    /// Whether the database answered the probe last time (`watch`): while it does not, every
    /// operation fails at once with StoreUnavailable (a 503 with Retry-After) instead of waiting.
    private let reachable = NIOLockedValueBox(true)
    private let watcher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let logger: Logger
    let now: @Sendable () -> Date
    public let temporaryDirectory: URL
    let maxConnections: Int
    /// Database operations under way (each holds a pooled connection or waits for one).
    private let inFlight = NIOLockedValueBox(0)

    /// Held while the store is open, on the lock file of the folder of upload folders: the sweep's.
    private let uploadsLock: StoreLock

    private init(
        configuration: PostgresClient.Configuration, maxConnections: Int, logger: Logger, temporaryDirectory: URL, uploadsLock: StoreLock,
        now: @escaping @Sendable () -> Date
    ) {
        self.uploadsLock = uploadsLock
        poolConfiguration = configuration
        pool = NIOLockedValueBox(Pool(configuration, logger: logger))
        self.maxConnections = maxConnections
        self.logger = logger
        self.temporaryDirectory = temporaryDirectory
        self.now = now
    }

    /// Connects to the database at `url`, applies the schema's migrations (waiting for another
    /// instance that is applying them), and returns the store. Uploads are received in a folder of
    /// this store's own inside `uploadsFolder` (default: `media-server-uploads-UID` in the system's
    /// temporary folder, `$TMPDIR`); what a killed instance left there is removed when a store
    /// opens while no other has it open (as the embedded store sweeps its `tmp/`).
    public static func open(
        _ url: DatabaseURL, maxConnections: Int = 20, uploadsFolder: URL? = nil, logger: Logger = PostgresMediaStore.defaultLogger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> PostgresMediaStore {
        try await probe(url, logger: logger)
        let (folder, lock) = try openUploadFolder(
            in: uploadsFolder ?? FileManager.default.temporaryDirectory.appendingPathComponent("media-server-uploads-\(geteuid())", isDirectory: true))
        var configuration = url.configuration
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(10)
        let store = PostgresMediaStore(
            configuration: configuration, maxConnections: maxConnections, logger: logger,
            temporaryDirectory: folder, uploadsLock: lock, now: now)
        do {
            try await store.database { try await Schema.migrate(store.client, logger: logger) }
            var probe = url.connectionConfiguration
            probe.options.connectTimeout = .seconds(1)
            let configured = probe
            let watching = Task { [weak store] () -> Void in await store?.watch(configured) }
            store.watcher.withLockedValue { $0 = watching }
        } catch {
            await store.close()
            let reason: String
            if case .storage(let message) = error as? MediaError { reason = message } else { reason = "\(error)" }
            throw MediaError.storage("cannot open the database \(url): \(reason)")
        }
        return store
    }

    /// One connection, outside the pool, opened and closed: the pool retries a connection that
    /// fails for a minute before it gives up on it (its circuit breaker), so a wrong password, a
    /// host that refuses, or sslmode=require on a server without TLS would be told that late.
    private static func probe(_ url: DatabaseURL, logger: Logger) async throws {
        do {
            var configuration = url.connectionConfiguration
            configuration.options.connectTimeout = .seconds(10)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            let reason: String
            if case .storage(let message) = storageError(error) as? MediaError { reason = message } else { reason = "\(error)" }
            throw MediaError.storage("cannot open the database \(url): \(reason)")
        }
    }

    /// This store's upload folder, new, inside `parent` (created, private to this user), after
    /// removing what stores that are no longer open left there: every store holds a shared lock on
    /// `parent/lock` while open, so one that gets it alone may sweep (the kernel drops a killed
    /// process's lock).
    private static func openUploadFolder(in parent: URL) throws -> (URL, StoreLock) {
        let files = FileManager.default
        do {
            try files.createDirectory(at: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MediaError.storage("cannot create the upload folder \(parent.path): \(error.localizedDescription)")
        }
        // Not a folder someone else made (or a link to one) in a shared temporary folder.
        var status = stat()
        guard lstat(parent.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid() else {
            throw MediaError.storage("\(parent.path) is not a folder of this user; remove it, or set TMPDIR to a folder of your own")
        }
        // Uploads wait here: a folder that already existed with a wider mode is made private again.
        if status.st_mode & 0o077 != 0, chmod(parent.path, 0o700) != 0 {
            throw MediaError.storage(
                "\(parent.path) can be read by other users (mode \(String(status.st_mode & 0o7777, radix: 8))) and cannot be made private: \(String(cString: strerror(errno))); run chmod 700 on it")
        }
        let lock = try StoreLock(file: parent.appendingPathComponent("lock"))
        lock.whenAlone {
            for name in (try? files.contentsOfDirectory(atPath: parent.path)) ?? [] where name != "lock" {
                try? files.removeItem(at: parent.appendingPathComponent(name))
            }
        }
        let folder = parent.appendingPathComponent(UUID().uuidString.lowercased(), isDirectory: true)
        do {
            try files.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MediaError.storage("cannot create the upload folder \(folder.path): \(error.localizedDescription)")
        }
        return (folder, lock)
    }

    /// Stops the pool (queries in flight fail) and removes the upload folder.
    public func close() async {
        let watching = watcher.withLockedValue { $0 }
        watching?.cancel()
        _ = await watching?.value
        let running = pool.withLockedValue { $0.running }
        running.cancel()
        _ = await running.value
        try? FileManager.default.removeItem(at: temporaryDirectory)
    }

    /// One account's service, fetching url uploads from where `urlFetch` allows (public addresses unless told).
    public func service(account: String, urlFetch: URLFetchPolicy) -> PostgresMediaService {
        PostgresMediaService(store: self, account: account, urlFetch: urlFetch)
    }

    public func service(account: String) -> PostgresMediaService {
        service(account: account, urlFetch: .publicAddressesOnly)
    }

    public func checkReady() async throws {
        try await database {
            for try await _ in try await client.query("SELECT 1", logger: logger) {}
        }
    }

    /// An item by id in any account, or nil.
    func item(id: String) async throws -> MediaItem? {
        try await database {
            try await MediaRecord.items(client.query(
                "SELECT \(unescaped: MediaRecord.columns) FROM media WHERE id = \(id)", logger: logger)).first
        }
    }

    public func page(account: String, query: MediaQuery, pageIndex: Int, pageSize: Int) async throws -> (items: [MediaItem], total: Int) {
        guard pageIndex >= 0 else { throw MediaError.invalidInput("page_index must be 0 or more, not \(pageIndex)") }
        guard pageSize >= 1 else { throw MediaError.invalidInput("page_size must be 1 or more, not \(pageSize)") }
        let (offset, overflow) = pageIndex.multipliedReportingOverflow(by: pageSize)
        guard !overflow else { throw MediaError.invalidInput("page_index \(pageIndex) is out of range") }
        let filter = ListFilter(account: account, query: query)
        let (condition, binds) = filter.whereClause()
        var pageBinds = binds
        pageBinds.append(Int64(pageSize))
        pageBinds.append(Int64(offset))
        let n = binds.count
        return try await database {
            // One statement, so the page and its total are of the same snapshot.
            let rows = try await client.query(PostgresQuery(
                unsafeSQL: """
                    SELECT \(MediaRecord.columns), count(*) OVER () FROM media WHERE \(condition)
                    ORDER BY \(filter.orderSQL) LIMIT $\(n + 1) OFFSET $\(n + 2)
                    """,
                binds: pageBinds), logger: logger)
            var items: [MediaItem] = []
            var total: Int?
            for try await row in rows {
                items.append(try MediaRecord.item(row))
                total = Int(try row.makeRandomAccess()[row.makeRandomAccess().count - 1].decode(Int64.self))
            }
            if let total { return (items, total) }
            // Past the last page: the total alone.
            let counted = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM media WHERE \(condition)", binds: binds), logger: logger)
            var count: Int64 = 0
            for try await value in counted.decode(Int64.self) { count = value }
            return ([], Int(count))
        }
    }

    public func contentInfo(id: String, account: String?) async throws -> MediaItem {
        try await openDownload(id: id, account: account, counted: false, attempts: 1).item
    }

    public func openDownload(id: String, account: String?) async throws -> (item: MediaItem, content: MediaContent) {
        try await openDownload(id: id, account: account, counted: true, attempts: 3)
    }

    private func openDownload(id: String, account: String?, counted: Bool, attempts: Int) async throws -> (item: MediaItem, content: MediaContent) {
        let reader = UUID().uuidString.lowercased()
        let item: MediaItem? = try await database {
            guard counted else { return nil }
            // One statement checks access and the limit, counts, and registers the download as a
            // reader of the item's chunks, under the row's lock: exact however many instances count
            // at once, and a delete that comes later leaves the chunks until the download is done.
            return try await MediaRecord.items(client.query(
                """
                WITH counted AS (
                    UPDATE media SET times_downloaded = times_downloaded + 1
                    WHERE id = \(id) AND (account_id = \(account ?? "") AND \(account != nil) OR public)
                        AND (max_downloads_allowed <= 0 OR times_downloaded < max_downloads_allowed)
                    RETURNING \(unescaped: MediaRecord.columns)
                ), holding AS (
                    INSERT INTO media_reader (reader_id, media_id) SELECT \(reader), id FROM counted
                )
                SELECT * FROM counted
                """, logger: logger)).first
        }
        if let item { return (item, content(of: item, reader: reader)) }
        // Not counted, or refused: find out which answer to give.
        guard let found = try await self.item(id: id) else { throw MediaError.notFound(id: id) }
        if found.accountID != account, !found.isPublic {
            if account == nil {
                throw MediaError.unauthorized("media item '\(id)' is not public; sign in to download it")
            }
            throw MediaError.notFound(id: id)
        }
        if found.isDownloadLimitReached {
            throw MediaError.forbidden("download limit of \(found.maxDownloadsAllowed) reached for media item '\(id)'")
        }
        if counted {
            // Refused a moment ago, allowed now (an update in between): look again, a few times.
            guard attempts > 1 else { throw MediaError.storage("media item '\(id)' changed during every attempt to download it; try again") }
            return try await openDownload(id: id, account: account, counted: true, attempts: attempts - 1)
        }
        return (found, content(of: found, reader: nil))
    }

    /// The content of `item`, read a chunk per query when the consumer asks for it (the stream
    /// is pulled, not filled ahead), so a range reads only the chunks it covers, a slow client
    /// holds no connection between chunks, and a slow client of a large item costs the server one
    /// chunk of memory, not the item: the chunks used to be read into an unbounded buffer as fast
    /// as PostgreSQL gave them. Reading in the consumer's task also lets its cancellation (a
    /// shutdown past --shutdown-timeout) stop the download.
    ///
    /// `reader` is the download's row in `media_reader`: each chunk read marks it seen, and the
    /// last one removes it (and then the chunks of items deleted meanwhile that nobody else reads).
    func content(of item: MediaItem, reader: String?) -> MediaContent {
        let (store, logger, id, size) = (self, self.logger, item.id, item.size)
        let chunk = Int64(Self.chunkSize)
        return .chunks { range in
            let next = NIOLockedValueBox(max(0, range.lowerBound))
            let last = min(range.upperBound, size - 1)  // -1 for an empty item: nothing to read
            return AsyncThrowingStream {
                let position = next.withLockedValue { $0 }
                guard position <= last else {
                    if let reader { await store.release(reader: reader) }
                    return nil
                }
                let index = Int32(position / chunk)
                let from = position - Int64(index) * chunk
                let count = min(chunk - from, last - position + 1)
                do {
                    try Task.checkCancellation()
                    try store.checkReachable()
                    // substring() of bytea counts from 1. The pool of now: it is replaced when the database goes away.
                    let rows = try await store.client.query(
                        """
                        WITH seen AS (UPDATE media_reader SET seen_at = now() WHERE reader_id = \(reader ?? ""))
                        SELECT substring(data FROM \(Int32(from + 1)) FOR \(Int32(count))) FROM media_chunk
                        WHERE media_id = \(id) AND chunk_index = \(index)
                        """,
                        logger: logger)
                    var piece: ByteBuffer?
                    for try await bytes in rows.decode(ByteBuffer.self) { piece = bytes }
                    guard let piece, piece.readableBytes == count else {
                        throw MediaError.notFound(id: id)
                    }
                    next.withLockedValue { $0 = position + count }
                    return Data(piece.readableBytesView)
                } catch {
                    throw store.failure(error)
                }
            }
        }
    }

    public func upload(
        _ upload: MediaUpload, account: String, consumingFile: Bool, maxBytes: Int64?, urlFetch: URLFetchPolicy
    ) async throws -> MediaItem {
        let consumed = consumingFile ? consumableFile(upload.source) : nil
        defer { if let consumed { try? FileManager.default.removeItem(at: consumed) } }
        try upload.validate()
        let file: URL
        var fetched: URL?
        defer { if let fetched { try? FileManager.default.removeItem(at: fetched) } }
        switch upload.source {
        case .file(let url) where url.isFileURL:
            file = url
        case .url(let url) where url.isFileURL:
            file = url
        case .url(let url) where ["http", "https"].contains(url.scheme?.lowercased()):
            // Fetched into the upload folder first (under the same SSRF rules as the embedded
            // store's), then stored like a received file.
            let staged = temporaryDirectory.appendingPathComponent("\(UUID().uuidString.lowercased()).fetch")
            fetched = staged
            _ = try await URLFetch(policy: urlFetch).download(url, to: staged, maxBytes: maxBytes)
            file = staged
        case .file(let url), .url(let url):
            throw MediaError.invalidInput("cannot fetch '\(url.absoluteString)': only file, http and https URLs are supported")
        }
        try LocalFile.requireRegularFile(file)
        let input: FileHandle
        do {
            input = try FileHandle(forReadingFrom: file)
        } catch {
            throw MediaError.invalidInput("cannot read \(file.path): \(error.localizedDescription)")
        }
        defer { try? input.close() }

        let id = UUID().uuidString.lowercased()
        let fileName = upload.effectiveFileName
        let created = MediaRecord.date(MediaRecord.milliseconds(now()))
        var item = MediaItem(
            id: id, accountID: account, storeID: MediaRecord.storeID, etag: "", size: 0,
            mimeType: upload.info.mimeType ?? MIMETypes.guess(fileName: fileName), originalFileName: fileName,
            timeCreated: created, timeLastUpdated: created)
        upload.info.apply(to: &item)
        let record = item
        let (logger, chunkSize) = (self.logger, Self.chunkSize)
        // One transaction: the row and its chunks appear together at COMMIT, or not at all
        // (a failure, a lost connection or a killed instance rolls it back).
        let (etag, size) = try await database {
            try await client.withTransaction(logger: logger) { connection in
                let created = MediaRecord.milliseconds(record.timeCreated ?? Date())
                try await connection.query(
                    """
                    INSERT INTO media (id, account_id, etag, media_size, mime_type, original_file_name, title, description,
                        metadata_primary, metadata_secondary, public, max_downloads_allowed, times_downloaded,
                        time_created, time_last_updated, chunk_size)
                    VALUES (\(record.id), \(account), '', 0, \(record.mimeType ?? "application/octet-stream"),
                        \(record.originalFileName ?? fileName), \(record.title), \(record.description), \(record.metadataPrimary),
                        \(record.metadataSecondary), \(record.isPublic), \(Int64(record.maxDownloadsAllowed)), 0,
                        \(created), \(created), \(Int32(chunkSize)))
                    """, logger: logger)
                var hashing = HashingCopy()
                var index: Int32 = 0
                while true {
                    let chunk = try input.read(upToCount: chunkSize) ?? Data()
                    if chunk.isEmpty { break }
                    try hashing.add(chunk, into: nil, maxBytes: maxBytes)
                    try await connection.query(
                        "INSERT INTO media_chunk (media_id, chunk_index, data) VALUES (\(id), \(index), \(ByteBuffer(bytes: chunk)))",
                        logger: logger)
                    index += 1
                }
                let (etag, size) = (hashing.hex, hashing.bytes)
                try await connection.query("UPDATE media SET etag = \(etag), media_size = \(size) WHERE id = \(id)", logger: logger)
                return (etag, size)
            }
        }
        item.etag = etag
        item.size = size
        return item
    }

    /// The source file when it lies in `temporaryDirectory` (the server's received upload).
    private func consumableFile(_ source: MediaUpload.Source) -> URL? {
        guard case .file(let url) = source, url.isFileURL else { return nil }
        let folder = temporaryDirectory.resolvingSymlinksInPath().standardizedFileURL.path + "/"
        let file = url.resolvingSymlinksInPath().standardizedFileURL
        return file.path.hasPrefix(folder) ? file : nil
    }

    public var statistics: [(name: String, help: String, value: Double)] {
        [
            ("database_operations_in_flight", "Database operations under way, each on a pooled connection or waiting for one",
             Double(inFlight.withLockedValue { $0 })),
            ("database_connections_max", "The most connections the pool opens", Double(maxConnections)),
        ]
    }

    /// Runs `body`, turning the database's errors into `.storage` (our own pass through), and
    /// into StoreUnavailable at once while the database cannot be reached.
    func database<T>(_ body: () async throws -> sending T) async throws -> sending T {
        try checkReachable()
        inFlight.withLockedValue { $0 += 1 }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        do {
            return try await body()
        } catch {
            throw failure(error)
        }
    }

    /// StoreUnavailable while the probe cannot reach the database.
    func checkReachable() throws {
        guard reachable.withLockedValue({ $0 }) else {
            throw StoreUnavailable(reason: "the probe of the database gets no answer")
        }
    }

    /// What a failed operation says: the database being away, when it is, else `storageError`.
    func failure(_ error: any Error) -> any Error {
        if error is StoreUnavailable { return error }
        if !reachable.withLockedValue({ $0 }) { return StoreUnavailable(reason: "\(error)") }
        return Self.storageError(error)
    }

    static func storageError(_ error: any Error) -> any Error {
        if error is MediaError || error is CancellationError || error is StoreUnavailable { return error }
        if let error = error as? PostgresTransactionError,
           let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError
        {
            return storageError(cause)
        }
        if let error = error as? PSQLError {
            // The connection went (a restart, a network failure): the database is away, not wrong.
            if [.connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed].contains(error.code) {
                return StoreUnavailable(reason: "\(error.code)")
            }
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            return MediaError.storage("database: \(message)")
        }
        return MediaError.storage("database: \(error)")
    }

    // MARK: The probe

    /// Watches the database on a connection of its own: `SELECT 1` every 200 ms, each given 1 s.
    /// When it fails the store is unreachable (requests get 503 at once) and the pool is replaced
    /// by a fresh one; a new connection is tried every 200 ms, and once one answers the store is
    /// reachable again. Runs until the store closes.
    private func watch(_ configuration: PostgresConnection.Configuration) async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let connection: PostgresConnection
            do {
                connection = try await Self.within(.seconds(2)) { [logger, attempt] in
                    try await PostgresConnection.connect(configuration: configuration, id: attempt, logger: logger)
                }
            } catch {
                markUnreachable(error)
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            markReachable()
            while !Task.isCancelled {
                do {
                    try await Self.within(.seconds(1)) { [logger] in
                        for try await _ in try await connection.query("SELECT 1", logger: logger) {}
                    }
                } catch {
                    if !Task.isCancelled { markUnreachable(error) }
                    break
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            try? await connection.close()
        }
    }

    private func markUnreachable(_ error: any Error) {
        let wasReachable = reachable.withLockedValue { reachable in
            defer { reachable = false }
            return reachable
        }
        guard wasReachable else { return }
        logger.error("the database cannot be reached: answering 503 until it can", metadata: ["reason": "\(error)"])
        let fresh = Pool(poolConfiguration, logger: logger)
        let old = pool.withLockedValue { pool in
            defer { pool = fresh }
            return pool
        }
        // Requests waiting in the old pool for a connection fail now, not at its connect timeout.
        old.running.cancel()
    }

    private func markReachable() {
        let wasReachable = reachable.withLockedValue { reachable in
            defer { reachable = true }
            return reachable
        }
        if !wasReachable { logger.warning("the database answers again") }
    }

    /// `body`'s result, or StoreUnavailable when it has none within `limit` (`body` is cancelled
    /// then, and not waited for: a connection that does not answer may not notice).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let finished = NIOLockedValueBox(false)
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                let first = finished.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            let work = Task {
                do {
                    finish(.success(try await body()))
                } catch {
                    finish(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                work.cancel()
                finish(.failure(StoreUnavailable(reason: "no answer within \(limit)")))
            }
        }
    }

    // MARK: Chunks of deleted items

    /// How long a download may go without reading a chunk before its hold on a deleted item's
    /// chunks lapses (a client that went away without the server noticing the end).
    static let readerLapse = 600

    /// The download `reader` is done: its hold goes, and with it the chunks nobody reads any more.
    func release(reader: String) async {
        _ = try? await client.query("DELETE FROM media_reader WHERE reader_id = \(reader)", logger: logger)
        await sweepGarbage()
    }

    /// Removes the chunks of deleted items that no download holds (and lapsed holds). Best effort:
    /// what fails now is removed by a later sweep (each delete and each finished download runs one).
    func sweepGarbage() async {
        let lapse = Self.readerLapse
        _ = try? await client.query(
            "DELETE FROM media_reader WHERE seen_at < now() - interval '\(unescaped: String(lapse)) seconds'", logger: logger)
        _ = try? await client.query(
            """
            WITH gone AS (
                DELETE FROM media_garbage g
                WHERE NOT EXISTS (SELECT 1 FROM media_reader r WHERE r.media_id = g.media_id)
                RETURNING media_id
            )
            DELETE FROM media_chunk WHERE media_id IN (SELECT media_id FROM gone)
            """, logger: logger)
    }
}
