import Foundation
import GRDB
import MediaAPI
import Testing
@testable import MediaStore

/// What the store acknowledges is on disk: every connection commits with `synchronous = FULL`.
/// (scripts/checks/durability traces a real media-server to see the fsyncs themselves.)
@Suite struct DurabilityTests {
    /// SQLite's number for FULL.
    static let full = 2

    @Test func everyConnectionCommitsWithSynchronousFull() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let pool = store.database
        #expect(try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == Self.full, "the writer")
        // Several readers at once, so the pool opens more than one reader connection.
        let readers = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await pool.read { db in
                        // Holds this reader while the others open theirs.
                        _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM media")
                        return try Int.fetchOne(db, sql: "PRAGMA synchronous")
                    }
                }
            }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(readers == Array(repeating: Self.full, count: 6), "the readers")
        // And after writes (the writer connection is the same one for the pool's lifetime).
        _ = try await store.service(account: "local").upload(MediaUpload(source: .file(try folder.file("a.txt", Data("a".utf8)))))
        #expect(try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == Self.full, "the writer after a write")
    }
}
