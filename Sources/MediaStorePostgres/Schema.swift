import Logging
import MediaAPI
import PostgresNIO

/// The tables, as numbered migrations. Every instance applies the missing ones at start, one
/// instance at a time (a session advisory lock), and refuses a database written by a newer binary.
///
/// Content lives in 1 MiB `bytea` rows of `media_chunk`, not in large objects: plain rows are
/// replicated, backed up and deleted with their item (once no download reads them), a range reads only the
/// rows it covers, and PostgreSQL-compatible distributed engines have rows but not large objects.
enum Schema {
    /// Marks the lock of media-server's migrations (any 64-bit number other programs are unlikely to use: "mdshmigr").
    static let advisoryLock: Int64 = 0x6D64_7368_6D69_6772

    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE media (
                id text PRIMARY KEY,
                account_id text NOT NULL,
                etag text NOT NULL,
                media_size bigint NOT NULL,
                mime_type text NOT NULL,
                original_file_name text NOT NULL,
                title text,
                description text,
                metadata_primary text,
                metadata_secondary text,
                public boolean NOT NULL DEFAULT false,
                max_downloads_allowed bigint NOT NULL DEFAULT 0,
                times_downloaded bigint NOT NULL DEFAULT 0,
                time_created bigint NOT NULL,
                time_last_updated bigint NOT NULL,
                chunk_size integer NOT NULL
            )
            """,
            "CREATE INDEX media_by_account_time ON media (account_id, time_created, id)",
            """
            CREATE TABLE media_chunk (
                media_id text NOT NULL REFERENCES media (id) ON DELETE CASCADE,
                chunk_index integer NOT NULL,
                data bytea NOT NULL,
                PRIMARY KEY (media_id, chunk_index)
            )
            """,
        ]),
        // A download that began serves the whole item though a delete comes in the middle: a delete
        // removes the row and lists its chunks as garbage; chunks go once no download holds them.
        (2, [
            "ALTER TABLE media_chunk DROP CONSTRAINT media_chunk_media_id_fkey",
            """
            CREATE TABLE media_reader (
                reader_id text PRIMARY KEY,
                media_id text NOT NULL,
                seen_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX media_reader_by_media ON media_reader (media_id, seen_at)",
            """
            CREATE TABLE media_garbage (
                media_id text PRIMARY KEY,
                deleted_at timestamptz NOT NULL DEFAULT now()
            )
            """,
        ]),
    ]

    static var latest: Int { migrations.last?.version ?? 0 }

    /// Applies the migrations this database lacks, under the advisory lock.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(advisoryLock))", logger: logger)
            do {
                try await migrate(connection, logger: logger)
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(advisoryLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(advisoryLock))", logger: logger)
        }
    }

    private static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS media_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger)
        var current = 0
        for try await version in try await connection.query("SELECT coalesce(max(version), 0) FROM media_schema", logger: logger)
            .decode(Int.self)
        {
            current = version
        }
        guard current <= latest else {
            throw MediaError.storage(
                "the database's schema is version \(current), newer than this media-server knows (\(latest)); upgrade media-server to use it")
        }
        for migration in migrations where migration.version > current {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO media_schema (version) VALUES (\(migration.version))", logger: logger)
            }
            logger.info("database schema migrated", metadata: ["version": "\(migration.version)"])
        }
    }
}
