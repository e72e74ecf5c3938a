#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MediaAPI

/// A store holds private recordings: its folders are 0700 and its files 0600 whatever the umask,
/// and a store found with wider modes (made by an older version, or by hand) is made private
/// when it is opened, or refused when it cannot be.
enum PrivateFiles {
    static let folderMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600

    /// Makes `path` no wider than `mode` (0700 or 0600); returns whether it had to change it.
    /// Nothing happens to a path that does not exist. A mode that cannot be changed is an error
    /// saying what to do.
    @discardableResult
    static func restrict(_ path: String, to mode: mode_t) throws -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else { return false }
        // A link is left alone: the store makes none, and chmod would follow it elsewhere.
        guard status.st_mode & S_IFMT != S_IFLNK else { return false }
        let current = status.st_mode & 0o7777
        guard current & ~mode != 0 else { return false }
        guard chmod(path, current & mode) == 0 else {
            throw MediaError.storage(
                "\(path) can be read by other users (mode \(String(current, radix: 8))) and cannot be made private: \(String(cString: strerror(errno))); run chmod \(String(mode, radix: 8)) on it as its owner")
        }
        return true
    }

    /// Creates `folder` (and missing parents) as 0700, whatever the umask.
    static func createFolder(_ folder: URL) throws {
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(folderMode)])
        try restrict(folder.path, to: folderMode)
    }

    /// Creates `file` empty as 0600 when it is missing (SQLite then gives its -wal and -shm the same mode).
    static func createFile(_ file: URL) throws {
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd < 0 {
            if errno == EEXIST { return }
            throw MediaError.storage("cannot create \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fchmod(fd, fileMode)
    }

    /// Makes an open file 0600 (its creation followed the umask).
    static func restrict(_ handle: FileHandle, _ file: URL) throws {
        guard fchmod(handle.fileDescriptor, fileMode) == 0 else {
            throw MediaError.storage("cannot make \(file.path) private: \(String(cString: strerror(errno)))")
        }
    }
}

extension MediaStore {
    /// The store's folders 0700 and files 0600. When the content folder itself was open to others,
    /// its files are made private one by one too (once: afterwards the folder is closed to others
    /// and new files are made 0600). Returns the paths whose modes were narrowed.
    static func makePrivate(directory: URL, content: URL, temporary: URL) throws -> [String] {
        var narrowed: [String] = []
        for folder in [directory, content, temporary] where try PrivateFiles.restrict(folder.path, to: PrivateFiles.folderMode) {
            narrowed.append(folder.path)
        }
        for name in ["media.sqlite", "media.sqlite-wal", "media.sqlite-shm", "lock"] {
            let path = directory.appendingPathComponent(name).path
            if try PrivateFiles.restrict(path, to: PrivateFiles.fileMode) { narrowed.append(path) }
        }
        if narrowed.contains(content.path) || narrowed.contains(directory.path) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: content.path)) ?? [] {
                let path = content.appendingPathComponent(name).path
                if try PrivateFiles.restrict(path, to: PrivateFiles.fileMode) { narrowed.append(path) }
            }
        }
        return narrowed
    }
}
