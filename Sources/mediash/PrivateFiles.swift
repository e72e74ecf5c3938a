import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// mediash's own files are the user's alone, and the startup file it runs is trusted only when
/// no one else could have written it.
///
/// - The state folder (`$XDG_STATE_HOME/mediash`: history, journal) is 0700 and its files 0600,
///   whatever the umask and whatever mode they had before (an older mediash made them by umask).
/// - `rc.msh` runs at the start of every interactive session, with the user's credentials: like
///   ssh with `~/.ssh/config`, mediash refuses to start when the file (or its folder) is writable
///   by group or others, or owned by someone other than the user (or root).
enum PrivateFiles {
    /// Makes `folder` (and any missing parent) and sets it to 0700 when the user owns it.
    static func makeFolder(_ folder: URL) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var info = stat()
        if stat(folder.path, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o777 != 0o700 {
            _ = chmod(folder.path, 0o700)
        }
    }

    /// Sets a file the user owns to 0600 when it exists with another mode.
    static func tighten(_ file: URL) {
        var info = stat()
        if stat(file.path, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o777 != 0o600 {
            _ = chmod(file.path, 0o600)
        }
    }

    /// What stops a startup file from being run, in words; nil when it may run.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The startup file's text, nil when there is none, or a refusal when someone other than the
    /// user could have written it. The checks are made on the file that was opened (fstat), so a
    /// file swapped in between cannot slip through.
    static func trustedText(of file: URL) throws(Refusal) -> String? {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Refusal(description: "cannot read \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Refusal(description: "cannot read \(file.path): \(String(cString: strerror(errno)))")
        }
        try check(info, file.path, what: "it")
        var folder = stat()
        let parent = file.deletingLastPathComponent().path
        if stat(parent, &folder) == 0 { try check(folder, parent, what: "its folder \(parent)") }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw Refusal(description: "cannot read \(file.path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Refuses a file or folder another user owns, or one group or others may write.
    private static func check(_ info: stat, _ path: String, what: String) throws(Refusal) {
        let me = getuid()
        if info.st_uid != me && info.st_uid != 0 {
            let owner = getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(info.st_uid)"
            throw Refusal(description: "not running \(pathOfRC(path, what)): \(what) is owned by \(owner), not by you: "
                + "anyone who can write it runs commands as you (run chown \(username(me)) \(path), or remove it)")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o022 != 0 {
            let who = mode & 0o002 != 0 ? "anyone" : "its group"
            throw Refusal(description: "not running \(pathOfRC(path, what)): \(what) may be written by \(who) (mode \(String(mode, radix: 8))), "
                + "and would run their commands as you: run chmod go-w \(path)")
        }
    }

    private static func pathOfRC(_ path: String, _ what: String) -> String {
        what == "it" ? path : "the startup file in \(path)"
    }

    private static func username(_ uid: uid_t) -> String {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? String(uid)
    }
}
