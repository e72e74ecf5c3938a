import Synchronization

/// The REPL's history as the shell's `history` verb sees it (the line editor itself is not
/// shared across tasks).
final class HistoryEntries: Sendable {
    private let entries = Mutex<[String]>([])
    var all: [String] { entries.withLock { $0 } }
    func replace(with new: [String]) { entries.withLock { $0 = new } }
}
