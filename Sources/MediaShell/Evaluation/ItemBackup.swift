import Foundation
import MediaAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `delete backup DIR`: each item's content and information, saved before it is deleted.
///
/// An item gets a folder of its own, `DIR/ID/`, holding `content` (the bytes, MD5-checked against
/// the item's ETag) and `item.json` (its information as the API gives it). Both are synced to disk,
/// and the folder's entries too, before the delete is sent. Folders are 0700, files 0600: the
/// backup holds recordings and is the user's alone.
struct ItemBackup: Sendable {
    let folder: URL

    static let contentName = "content"
    static let infoName = "item.json"

    /// Creates the backup folder (0700) when it is not there; an error when it cannot be.
    func prepareFolder() throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw RunError("cannot create the backup folder \(folder.path): \(ItemBackup.reason(error))")
        }
    }

    /// Saves one item; returns its folder. Throws when any step fails (nothing then is deleted).
    func save(_ item: MediaItem, from service: any MediaService) async throws -> URL {
        guard let etag = item.etag.map(UploadVerb.normalized), !etag.isEmpty else {
            throw RunError("the item has no ETag to check its backup against")
        }
        let safe = FileNames.safeName(item.id, id: item.id)
        let place = folder.appendingPathComponent(safe, isDirectory: true)
        guard place.deletingLastPathComponent().standardizedFileURL.path == folder.standardizedFileURL.path else {
            throw RunError("the id '\(item.id)' does not make one folder name")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: place.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw RunError("\(place.path) is there and is not a folder")
        }
        try FileManager.default.createDirectory(at: place, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(place.path, 0o700) == 0 else { throw RunError("cannot make \(place.path) private: \(String(cString: strerror(errno)))") }
        let content = place.appendingPathComponent(Self.contentName)
        try? FileManager.default.removeItem(at: content)
        _ = try await service.download(id: item.id, to: content, options: DownloadOptions(resume: false, skipIfUnchanged: false))
        guard chmod(content.path, 0o600) == 0 else { throw RunError("cannot make \(content.path) private: \(String(cString: strerror(errno)))") }
        let digest = try MD5.hex(of: content)
        guard digest == etag else {
            throw RunError("the saved content's MD5 \(digest) is not the item's ETag \(etag)")
        }
        try Self.sync(content)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let info = place.appendingPathComponent(Self.infoName)
        let temporary = place.appendingPathComponent(Self.infoName + ".partial")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunError("cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        let bytes = Array(try encoder.encode(item)) + [10]
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { throw RunError("cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        try DurableFile.move(temporary, to: info)
        try DurableFile.syncFolder(folder)
        return place
    }

    /// What a restore reads back: the item's information and its content's file, checked
    /// against the ETag again (a backup changed since is not uploaded).
    static func read(_ place: URL) throws -> (MediaItem, URL) {
        let info = place.appendingPathComponent(infoName)
        let item: MediaItem
        do { item = try JSONDecoder().decode(MediaItem.self, from: Data(contentsOf: info)) } catch {
            throw RunError("cannot read the backup's \(info.path): \(reason(error))")
        }
        let content = place.appendingPathComponent(contentName)
        guard let etag = item.etag.map(UploadVerb.normalized) else { throw RunError("the backup's item.json has no ETag") }
        let digest: String
        do { digest = try MD5.hex(of: content) } catch { throw RunError("cannot read the backup's \(content.path): \(reason(error))") }
        guard digest == etag else { throw RunError("the backup's content \(content.path) has changed since (MD5 \(digest), ETag \(etag))") }
        return (item, content)
    }

    private static func sync(_ file: URL) throws {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RunError("cannot open \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw RunError("cannot sync \(file.path): \(String(cString: strerror(errno)))") }
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as? RunError)?.description ?? ns.localizedDescription
    }
}
