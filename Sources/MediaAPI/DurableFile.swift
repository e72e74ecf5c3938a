import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What makes a file survive a power cut, not just a crash: its bytes synced before it gets
/// its final name, and the folder synced after a name in it is added or removed (a rename or
/// an unlink is only durable once the directory entry itself is on disk).
public enum DurableFile {
    /// Syncs the directory entries of `folder` (the names in it) to disk.
    public static func syncFolder(_ folder: URL) throws {
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open the folder \(folder.path)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync the folder \(folder.path)") }
    }

    /// Renames `from` to `to` in one step (both in one file system), then syncs the folder of
    /// `to`, so the new name outlives a power cut. (The old name may then survive as well in
    /// another folder: callers move from a temporary name that is swept or overwritten.)
    /// The caller has synced the file's bytes first (`FileHandle.synchronize()`).
    public static func move(_ from: URL, to: URL) throws {
        guard rename(from.path, to.path) == 0 else {
            throw failure("cannot move \(from.path) to \(to.path)")
        }
        try syncFolder(to.deletingLastPathComponent())
    }

    /// Creates `file` empty (replacing what was there) and opens it for writing; `.storage` when it cannot.
    public static func create(_ file: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw MediaError.storage("cannot create \(file.path)")
        }
        do {
            return try FileHandle(forWritingTo: file)
        } catch {
            throw MediaError.storage("cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Runs a write to `file`, its failures (other than our own errors) becoming `.storage`.
    public static func writing<T>(_ file: URL, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError.storage("cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    private static func failure(_ what: String) -> MediaError {
        MediaError.storage("\(what): \(String(cString: strerror(errno)))")
    }
}
