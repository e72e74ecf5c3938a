import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A history file that several sessions share: each session appends its new entries under a
/// lock (so concurrent sessions interleave whole entries and lose none) and reads the file
/// back when it starts. One entry a line; a multi-line entry keeps its newlines as `\n`.
public struct HistoryFile: Sendable {
    public let url: URL
    /// The most entries kept; older ones are dropped when the file is next loaded.
    public let capacity: Int

    public init(url: URL, capacity: Int = 2000) {
        self.url = url
        self.capacity = max(1, capacity)
    }

    /// The entries, oldest first. Trims the file to `capacity` entries when it has grown past
    /// it. A missing or unreadable file is an empty history, never an error.
    public func load() -> [String] {
        let fd = open(url.path, O_RDWR)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        // Private whatever mode it had (an older mediash made it by the umask): what was typed
        // holds ids, paths and sometimes secrets.
        HistoryFile.makePrivate(fd)
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let lines = readAll(fd).split(separator: "\n", omittingEmptySubsequences: true)
        let entries = lines.map { HistoryFile.decode(String($0)) }
        guard entries.count > capacity else { return entries }
        let kept = Array(entries.suffix(capacity))
        // Trimmed in place (not replaced by a rename) so a session waiting on this lock still
        // appends to the file everyone reads.
        if ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 {
            writeAll(fd, kept.map { HistoryFile.encode($0) + "\n" }.joined())
        }
        return kept
    }

    /// Appends one entry, creating the file and its folder when missing: the file is 0600 and
    /// the folder 0700 whatever the umask, and whatever modes they had before.
    public func append(_ entry: String) {
        guard !entry.isEmpty else { return }
        let folder = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var info = stat()
        if stat(folder.path, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o777 != 0o700 { _ = chmod(folder.path, 0o700) }
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        HistoryFile.makePrivate(fd)
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        writeAll(fd, HistoryFile.encode(entry) + "\n")
    }

    /// 0600 for a file the user owns.
    static func makePrivate(_ fd: Int32) {
        var info = stat()
        if fstat(fd, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o777 != 0o600 { _ = fchmod(fd, 0o600) }
    }

    static func encode(_ entry: String) -> String {
        var out = ""
        for c in entry.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func decode(_ line: String) -> String {
        var out = ""
        var escaped = false
        for c in line.unicodeScalars {
            if escaped {
                switch c {
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private func readAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
