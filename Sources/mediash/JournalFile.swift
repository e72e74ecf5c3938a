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

    func append(_ lines: [String]) {
        guard !lines.isEmpty else { return }
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
            return
        }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
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
