import GRDB
import GRDBSQLite

/// The exact number of an account's items in a time window, without scanning the window.
///
/// `media_counts` holds, per account, how many items were created in each second, minute, hour
/// and day (rows only for spans that hold items); triggers on `media` keep it in the same
/// transaction as every insert and delete, so it is exact whenever a reader can see it. A window
/// is counted as the whole days it spans, plus whole hours, minutes and seconds at its two ends,
/// plus the items of the partial seconds at its very ends, counted from the
/// (account_id, time_created, id) index: at most a few hundred counter rows and two seconds of
/// items, however many items lie within the window (COUNT(*) over the window was 7–11 ms a page
/// at 100,000 items).
enum WindowCount {
    /// Bucket widths in milliseconds, finest first.
    static let widths: [Int64] = [1_000, 60_000, 3_600_000, 86_400_000]

    /// The table and the triggers that keep it; `backfill` counts the items already there.
    static func create(in db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE media_counts (
                account_id TEXT NOT NULL,
                width INTEGER NOT NULL,
                bucket INTEGER NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (account_id, width, bucket)
            ) WITHOUT ROWID
            """)
        let inserts = widths.map { width in
            """
            INSERT INTO media_counts (account_id, width, bucket, n)
                VALUES (NEW.account_id, \(width), \(bucket("NEW.time_created", width)), 1)
                ON CONFLICT (account_id, width, bucket) DO UPDATE SET n = n + 1;
            """
        }.joined(separator: "\n")
        // Each row by its key: a delete touches four counter rows, however many the account has.
        let deletes = widths.map { width in
            """
            UPDATE media_counts SET n = n - 1
                WHERE account_id = OLD.account_id AND width = \(width) AND bucket = \(bucket("OLD.time_created", width));
            DELETE FROM media_counts
                WHERE account_id = OLD.account_id AND width = \(width) AND bucket = \(bucket("OLD.time_created", width)) AND n <= 0;
            """
        }.joined(separator: "\n")
        try db.execute(sql: """
            CREATE TRIGGER media_counts_insert AFTER INSERT ON media BEGIN
            \(inserts)
            END;
            CREATE TRIGGER media_counts_delete AFTER DELETE ON media BEGIN
            \(deletes)
            END;
            CREATE TRIGGER media_counts_update AFTER UPDATE OF account_id, time_created ON media BEGIN
            \(deletes)
            \(inserts)
            END;
            """)
        for width in widths {
            try db.execute(sql: """
                INSERT INTO media_counts (account_id, width, bucket, n)
                    SELECT account_id, \(width), \(bucket("time_created", width)), COUNT(*) FROM media
                    GROUP BY account_id, \(bucket("time_created", width))
                """)
        }
    }

    /// The start (in ms) of the bucket of `width` holding the time in `column`, floored for times before 1970 too.
    private static func bucket(_ column: String, _ width: Int64) -> String {
        "(\(column) - ((\(column) % \(width)) + \(width)) % \(width))"
    }

    /// Items of `account` created from `from` to `to` (milliseconds, both inclusive).
    static func count(account: String, from: Int64, to: Int64, in db: Database) throws -> Int {
        // Item times lie in the years 0001–9999 (±2.6e14 ms); clamping far wider keeps the arithmetic below from
        // overflowing. The limits lie on day boundaries, so an open end (a page without start_time or end_time)
        // is whole days up to the limit, with no partial bucket at that end to count level by level.
        let day = widths[widths.count - 1]
        let limit = (1 << 50) / day * day
        let (from, to) = (min(max(from, -limit), limit - 1), min(max(to, -limit), limit - 1))
        var parts = Parts()
        parts.add(from: from, to: to, level: widths.count - 1)
        guard !parts.sql.isEmpty else { return 0 }
        // One statement for all the parts (at most a bucket range per level and end, and two partial
        // seconds): a statement each cost more in preparing, binding and stepping than SQLite's work.
        var statement = try BoundStatement(db.cachedStatement(sql: "SELECT " + parts.sql.joined(separator: " + ")), in: db)
        defer { statement.finish() }
        for part in parts.values {
            statement.bind(account)
            if let width = part.width { statement.bind(width) }
            statement.bind(part.from)
            statement.bind(part.to)
        }
        guard try statement.step() else { return 0 }
        return Int(sqlite3_column_int64(statement.sqliteStatement, 0))
    }

    /// The queries whose sum counts a window: whole buckets of the widest width that fits, then the
    /// two ends with the next narrower width, down to the items of the partial seconds.
    private struct Parts {
        var sql: [String] = []
        var values: [(width: Int64?, from: Int64, to: Int64)] = []

        mutating func add(from: Int64, to: Int64, level: Int) {
            guard from <= to else { return }
            guard level >= 0 else {
                sql.append("(SELECT COUNT(*) FROM media WHERE account_id = ? AND time_created >= ? AND time_created <= ?)")
                values.append((nil, from, to))
                return
            }
            let width = WindowCount.widths[level]
            // The whole buckets within [from, to]: from the first starting at or after `from` to the last ending at or before `to`.
            let first = -WindowCount.floorDivide(-from, width)
            let last = WindowCount.floorDivide(to + 1, width) - 1
            guard first <= last else {
                add(from: from, to: to, level: level - 1)
                return
            }
            let (start, end) = (first * width, last * width)
            sql.append("(SELECT COALESCE(SUM(n), 0) FROM media_counts WHERE account_id = ? AND width = ? AND bucket >= ? AND bucket <= ?)")
            values.append((width, start, end))
            add(from: from, to: start - 1, level: level - 1)
            add(from: end + width, to: to, level: level - 1)
        }
    }

    private static func floorDivide(_ value: Int64, _ width: Int64) -> Int64 {
        let quotient = value / width
        return value % width < 0 ? quotient - 1 : quotient
    }
}
