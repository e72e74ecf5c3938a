import Foundation
import MediaAPI
import MediaShell
import Synchronization

/// `journal.jsonl`: one JSON object a line for every item an action touched, appended under
/// a lock so concurrent sessions interleave whole lines. A journal that cannot be written
/// never stops the action: it says so once on standard error.
final class JournalFile: ActionJournal {
    let url: URL
    /// `url.path`, worked out once: Foundation rebuilds it on every call, once per journaled item.
    private let path: String

    init(url: URL) {
        self.url = url
        self.path = url.path
    }

    /// Made once, before the first line.
    private let folderMade = Mutex(false)

    func record(_ entry: ActionRecord) {
        append([entry.jsonLine])
    }

    /// An undo's restore, a backed-up delete: on disk before the next item starts.
    @discardableResult
    func recordDurably(_ entry: ActionRecord) -> Bool {
        append([entry.jsonLine], sync: true)
    }

    /// Every line, oldest first; today's lines and the older `{id, name, size, status, time,
    /// verb}` ones alike. No file yet is an empty journal; a line that is not a journal line
    /// (a torn last line after a crash, a hand edit) is an error naming its line.
    func entries() throws -> [ActionRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw RunError("cannot read the journal \(path)") }
            return []
        }
        var out: [ActionRecord] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where !line.isEmpty {
            do { out.append(try ActionRecord(jsonLine: String(decoding: line, as: UTF8.self))) } catch {
                // A crash mid-write can leave the last line cut short: it holds nothing to act on.
                if i == lines.count - 1 { break }
                throw RunError("the journal \(path), line \(i + 1): \(error)")
            }
        }
        return out
    }

    /// False when the lines could not be written (or, with `sync`, synced).
    @discardableResult
    func append(_ lines: [String], sync: Bool = false) -> Bool {
        guard !lines.isEmpty else { return true }
        folderMade.withLock { made in
            guard !made else { return }
            made = true
            PrivateFiles.makeFolder(url.deletingLastPathComponent())
            // 0600 whatever mode an older journal was made with (the umask's).
            PrivateFiles.tighten(url)
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else {
            JournalFile.reportOnce("mediash: warning: cannot write the journal \(path): \(String(cString: strerror(errno)))\n")
            return false
        }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            JournalFile.reportOnce("mediash: warning: cannot write the journal \(path): \(String(cString: strerror(errno)))\n")
            return false
        }
        if sync, fsync(fd) != 0 {
            JournalFile.reportOnce("mediash: warning: cannot sync the journal \(path): \(String(cString: strerror(errno)))\n")
            return false
        }
        return true
    }

    private static let reported = Mutex(false)

    private static func reportOnce(_ message: String) {
        let first = reported.withLock { done in
            defer { done = true }
            return !done
        }
        if first { standardError.write(message) }
    }
}
