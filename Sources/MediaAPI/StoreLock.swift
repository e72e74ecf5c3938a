#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A shared `flock` every open store holds on a lock file (MediaStore: `directory/lock`;
/// PostgresMediaStore: its upload folder's), so a store can tell whether it is the only one open
/// (in any process) before sweeping leftover files that another live store might still be about
/// to use. The kernel drops it when a process dies.
public final class StoreLock: Sendable {
    private let descriptor: Int32

    public init(file: URL) throws {
        let fd = openLockFile(file.path)
        guard fd >= 0 else {
            throw MediaError.storage("cannot open \(file.path): \(String(cString: strerror(errno)))")
        }
        descriptor = fd
        guard flock(fd, LOCK_SH) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw MediaError.storage("cannot lock \(file.path): \(reason)")
        }
    }

    deinit { close(descriptor) }

    /// Runs `body` only when no other store holds the lock, then returns to sharing it.
    public func whenAlone(_ body: () throws -> Void) rethrows {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            // Linux converts a lock by dropping the old one first, and a conversion that fails
            // does not give it back: share it again, or a later store would think itself alone.
            flock(descriptor, LOCK_SH)
            return
        }
        defer { flock(descriptor, LOCK_SH) }
        try body()
    }
}

private func openLockFile(_ path: String) -> Int32 {
    open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
}
