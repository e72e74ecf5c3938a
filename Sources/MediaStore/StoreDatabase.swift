import Foundation
import GRDB
import MediaAPI

/// Opens `media.sqlite`, refuses databases that are not a mediash store, and migrates the schema.
enum StoreDatabase {
    /// Marks a SQLite file as a mediash store (`PRAGMA application_id`, the ASCII of "mdsh").
    static let applicationID: Int32 = 0x6D64_7368

    static func open(_ file: URL) throws -> DatabasePool {
        var config = Configuration()
        config.label = "mediash store"
        // Waits for another process's write instead of failing at once (the server and the shell may share a store).
        config.busyMode = .timeout(10)
        // Every commit reaches the disk before it is acknowledged. In WAL mode GRDB sets
        // synchronous = NORMAL, which syncs only at checkpoints, so a power cut could undo an
        // acknowledged upload or delete. Set on every connection, readers included …
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: file.path, configuration: config)
        } catch {
            throw MediaError.storage("\(file.path) cannot be opened as a SQLite database (\(reason(error))); move it away or choose another store folder")
        }
        do {
            // … and again on the writer, because GRDB sets NORMAL on it after `prepareDatabase`
            // (when it turns WAL on); the pool keeps this one writer connection for its lifetime.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try pool.write { db in try checkOwnership(db, file: file) }
            try migrator.migrate(pool)
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("\(file.path) is not a usable mediash store (\(reason(error))); it may be corrupt — move it away or choose another store folder")
        }
        return pool
    }

    /// An empty database becomes ours; a database with tables must carry our application id.
    private static func checkOwnership(_ db: Database, file: URL) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID {
            if try migrator.hasBeenSuperseded(db) {
                throw MediaError.storage("\(file.path) was written by a newer mediash; upgrade mediash to open it")
            }
            return
        }
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        guard tables.isEmpty else {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw MediaError.storage("\(file.path) is a SQLite database of another program (tables: \(shown)), not a mediash store; choose another store folder")
        }
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: media") { db in
            try db.create(table: "media") { t in
                t.primaryKey("id", .text)
                t.column("account_id", .text).notNull()
                t.column("etag", .text).notNull()
                t.column("media_size", .integer).notNull()
                t.column("mime_type", .text).notNull()
                t.column("original_file_name", .text).notNull()
                t.column("title", .text)
                t.column("description", .text)
                t.column("metadata_primary", .text)
                t.column("metadata_secondary", .text)
                t.column("public", .boolean).notNull().defaults(to: false)
                t.column("max_downloads_allowed", .integer).notNull().defaults(to: 0)
                t.column("times_downloaded", .integer).notNull().defaults(to: 0)
                // Milliseconds since 1970, the API's own resolution, so keyset comparisons are exact.
                t.column("time_created", .integer).notNull()
                t.column("time_last_updated", .integer).notNull()
            }
            try db.create(index: "media_by_account_time", on: "media", columns: ["account_id", "time_created", "id"])
        }
        migrator.registerMigration("v2: media_counts") { db in
            try WindowCount.create(in: db)
        }
        return migrator
    }

    /// SQLite's own words for a failure, without GRDB's SQL echo.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
