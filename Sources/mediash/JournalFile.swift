import Foundation
import MediaAPI
import MediaShell
import Synchronization

/// `journal.jsonl`: one JSON object a line for every item an action touched, appended under
/// a lock so concurrent sessions interleave whole lines. A journal that cannot be written
/// never stops the action: it says so once on standard error.
final class JournalFile: ActionJournal {
    let url: URL

    init(url: URL) {
        self.url = url
    }

    func record(_ entry: ActionRecord) {
        var fields: [String: Any] = [
            "time": MediaTime.format(entry.time), "verb": entry.verb, "id": entry.id, "status": entry.status,
        ]
        if let name = entry.name { fields["name"] = name }
        if let size = entry.size { fields["size"] = size }
        if let error = entry.error { fields["error"] = error }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        append([String(decoding: data, as: UTF8.self)])
    }

    func append(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        try? FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else {
            JournalFile.reportOnce("mediash: warning: cannot write the journal \(url.path): \(String(cString: strerror(errno)))\n")
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
