import GRDB
import GRDBSQLite

/// A cached statement bound and stepped through SQLite's own calls, for a list page's queries:
/// GRDB's `StatementArguments` (an array of boxed values, checked on every call) and its cursors
/// took more instructions than SQLite's work for a page of 20 (the count's arguments alone ~30,000
/// of a page's ~820,000, in callgrind). Bind every parameter in order, then step; the statement is
/// reset by `finish`, and again when bound anew (by GRDB or by this).
struct BoundStatement {
    private let statement: Statement
    private let db: Database
    private var next: Int32 = 1

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.db = db
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    /// The statement, for reading the row it stands on.
    var sqliteStatement: SQLiteStatement { statement.sqliteStatement }

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(statement.sqliteStatement, next, value)
        next += 1
    }

    mutating func bind(_ value: Int) {
        bind(Int64(value))
    }

    /// Text, copied by SQLite (the string need not outlive the call).
    mutating func bind(_ value: String) {
        var value = value
        let index = next
        value.withUTF8 { utf8 in
            // A pointer even for "": SQLite binds a null one as NULL, not as empty text.
            let base = utf8.baseAddress ?? emptyText.utf8Start
            _ = sqlite3_bind_text(statement.sqliteStatement, index, base, Int32(utf8.count), SQLITE_TRANSIENT)
        }
        next += 1
    }

    /// Resets the statement, so it holds no snapshot of the database once read (call it when done).
    func finish() {
        sqlite3_reset(statement.sqliteStatement)
    }

    /// Steps to the next row: true on a row, false at the end; SQLite's error is thrown as GRDB's.
    func step() throws -> Bool {
        assert(Int(next) - 1 == Int(sqlite3_bind_parameter_count(statement.sqliteStatement)), "bind every parameter")
        switch sqlite3_step(statement.sqliteStatement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
    }
}

private let emptyText: StaticString = ""

/// SQLite copies text bound so (`SQLITE_TRANSIENT` is a macro Swift does not import).
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
