import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MediaAPI
import MediaStore
import Testing

/// The store keeps private recordings: folders 0700 and files 0600 whatever the umask, and a store
/// found open to other users is made private when it is opened.
@Suite(.serialized) struct PrivateFilesTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    private func mode(_ path: String) -> mode_t {
        var status = stat()
        guard lstat(path, &status) == 0 else { return 0o7777 }
        return status.st_mode & 0o7777
    }

    /// Every folder and file of the store, with its mode.
    private func modes(_ store: URL) -> [(path: String, mode: mode_t, folder: Bool)] {
        var all: [(String, mode_t, Bool)] = [(store.path, mode(store.path), true)]
        let walker = FileManager.default.enumerator(atPath: store.path)
        while let name = walker?.nextObject() as? String {
            let path = store.appendingPathComponent(name).path
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            all.append((path, mode(path), isFolder.boolValue))
        }
        return all
    }

    @Test("with umask 000 a new store's folders are 0700 and its files 0600, content files included")
    func newStoreIsPrivate() async throws {
        // umask is the process's: other tests running meanwhile only get wider modes, which none checks.
        let saved = umask(0)
        defer { umask(saved) }
        let store = try MediaStore(directory: folder.store)
        #expect(store.madePrivate.isEmpty, "\(store.madePrivate)")
        let item = try await store.service(account: "local").upload(MediaUpload(source: .file(try folder.file("x.txt", Data("secret".utf8)))))
        let all = modes(folder.store)
        #expect(all.contains { $0.path.hasSuffix("/content/\(item.id)") }, "\(all)")
        #expect(all.contains { $0.path.hasSuffix("/media.sqlite") })
        for entry in all {
            #expect(entry.mode == (entry.folder ? 0o700 : 0o600), "\(entry.path) is \(String(entry.mode, radix: 8))")
        }
    }

    @Test("a store whose folders and files others can read is made private when opened, and says which")
    func wideStoreIsNarrowed() async throws {
        let id: String
        do {
            let store = try MediaStore(directory: folder.store)
            id = try await store.service(account: "local").upload(MediaUpload(source: .file(try folder.file("x.txt", Data("secret".utf8))))).id
        }
        // As an older version left it: 0755 folders, 0644 files.
        for entry in modes(folder.store) {
            #expect(chmod(entry.path, entry.folder ? 0o755 : 0o644) == 0)
        }
        let reopened = try MediaStore(directory: folder.store)
        let content = folder.store.appendingPathComponent("content").appendingPathComponent(id).path
        #expect(reopened.madePrivate.contains(folder.store.path) && reopened.madePrivate.contains(content), "\(reopened.madePrivate)")
        for entry in modes(folder.store) {
            #expect(entry.mode == (entry.folder ? 0o700 : 0o600), "\(entry.path) is \(String(entry.mode, radix: 8))")
        }
        #expect(try await reopened.item(id: id) != nil)
    }
}
