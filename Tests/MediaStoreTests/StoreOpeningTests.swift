import Foundation
import GRDB
import MediaAPI
import MediaServiceContract
import MediaStore
import Testing

/// Opening a store folder: creating it, reopening it, refusing what is not ours, sweeping leftovers.
@Suite struct StoreOpeningTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    private func storageMessage(opening directory: URL) -> String? {
        do {
            _ = try MediaStore(directory: directory)
            return nil
        } catch MediaError.storage(let message) {
            return message
        } catch {
            return "unexpected error \(error)"
        }
    }

    @Test func createsAMissingStoreAndKeepsItsItems() async throws {
        let nested = folder.url.appendingPathComponent("a/b/store")
        let id: String
        do {
            let store = try MediaStore(directory: nested)
            let item = try await store.service(account: "local").upload(MediaUpload(source: .file(try folder.file("x.txt", Data("x".utf8)))))
            id = item.id
            #expect(item.storeID == "local")
            #expect(item.accountID == "local")
            #expect(UUID(uuidString: item.id) != nil && item.id == item.id.lowercased())
        }
        let reopened = try MediaStore(directory: nested)
        #expect(try await reopened.item(id: id)?.etag == MD5.hex(of: Data("x".utf8)))
        for name in ["media.sqlite", "content", "tmp"] {
            #expect(FileManager.default.fileExists(atPath: nested.appendingPathComponent(name).path))
        }
    }

    @Test func refusesARandomFile() throws {
        try FileManager.default.createDirectory(at: folder.store, withIntermediateDirectories: true)
        try content(size: 10_000, seed: 3).write(to: folder.store.appendingPathComponent("media.sqlite"))
        let message = try #require(storageMessage(opening: folder.store))
        let file = folder.store.appendingPathComponent("media.sqlite").path
        #expect(message == "\(file) cannot be opened as a SQLite database (file is not a database); move it away or choose another store folder")
    }

    @Test func refusesATruncatedStore() async throws {
        do {
            let store = try MediaStore(directory: folder.store)
            _ = try await store.service(account: "local").uploadFile(folder, "t.txt")
        }
        let database = folder.store.appendingPathComponent("media.sqlite")
        let handle = try FileHandle(forWritingTo: database)
        // Keep SQLite's header, destroy the pages behind it.
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8_000))
        try handle.close()
        try? FileManager.default.removeItem(at: folder.store.appendingPathComponent("media.sqlite-wal"))
        try? FileManager.default.removeItem(at: folder.store.appendingPathComponent("media.sqlite-shm"))
        let message = try #require(storageMessage(opening: folder.store))
        #expect(message.contains("media.sqlite"), "\(message)")
    }

    @Test func refusesAnotherProgramsDatabase() throws {
        try FileManager.default.createDirectory(at: folder.store, withIntermediateDirectories: true)
        try runSQLite(folder.store.appendingPathComponent("media.sqlite"), "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
        let message = try #require(storageMessage(opening: folder.store))
        #expect(message.contains("another program"), "\(message)")
        #expect(message.contains("invoices"), "\(message)")
    }

    @Test func refusesAFileWhereTheFolderShouldBe() throws {
        try Data("not a folder".utf8).write(to: folder.store)
        let message = try #require(storageMessage(opening: folder.store))
        #expect(message.contains("not a folder"), "\(message)")
    }

    @Test func sweepsOrphanContentAndStagingFilesWhenOpenedAlone() async throws {
        let kept: MediaItem
        do {
            let store = try MediaStore(directory: folder.store)
            kept = try await store.service(account: "local").uploadFile(folder, "k.txt")
        }
        let orphan = folder.store.appendingPathComponent("content/\(UUID().uuidString.lowercased())")
        let staged = folder.store.appendingPathComponent("tmp/half.upload")
        try Data("orphan".utf8).write(to: orphan)
        try Data("half".utf8).write(to: staged)

        let first = try MediaStore(directory: folder.store)
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        #expect(!FileManager.default.fileExists(atPath: staged.path))
        #expect(try await first.item(id: kept.id) != nil)

        // While one store is open, a second one must not sweep files the first may be about to commit.
        try Data("in flight".utf8).write(to: staged)
        let second = try MediaStore(directory: folder.store)
        #expect(FileManager.default.fileExists(atPath: staged.path))
        #expect(try await second.item(id: kept.id) != nil)
        #expect(FileManager.default.fileExists(atPath: first.directory.appendingPathComponent("content/\(kept.id)").path))
    }
}

/// Writes a database the way another program would: plain SQLite, no mediash marks.
private func runSQLite(_ file: URL, _ sql: String) throws {
    let queue = try DatabaseQueue(path: file.path)
    try queue.write { db in try db.execute(sql: sql) }
}
