import Foundation
import MediaShell
import Synchronization

/// A one-line progress bar on standard error for an action over many items: done/total,
/// rate and time left. It shows only after the action has run for a moment, redraws at
/// most ten times a second, and is erased when the action ends.
final class ProgressBar: ActionProgress {
    private struct State {
        var verb = ""
        var started: Date?
        var lastDrawn: Date?
        var visible = false
    }

    private let state = Mutex(State())
    private let width: @Sendable () -> Int
    /// How long an action runs before the bar appears.
    private let delay: TimeInterval

    init(width: @escaping @Sendable () -> Int, delay: TimeInterval = 0.4) {
        self.width = width
        self.delay = delay
    }

    func update(_ progress: ActionProgressUpdate) {
        let time = Date()
        let line: String? = state.withLock { state in
            if state.started == nil || state.verb != progress.verb {
                state = State(verb: progress.verb, started: time)
            }
            guard let started = state.started, time.timeIntervalSince(started) >= delay else { return nil }
            let finished = progress.total.map { progress.done >= $0 } ?? false
            if let last = state.lastDrawn, time.timeIntervalSince(last) < 0.1, !finished { return nil }
            state.lastDrawn = time
            state.visible = true
            return ProgressBar.render(progress.verb, done: progress.done, total: progress.total, bytes: progress.bytes,
                                      elapsed: time.timeIntervalSince(started), width: width())
        }
        if let line { standardError.write("\r" + line + "\u{1B}[K") }
    }

    /// Erases the bar once the action has ended.
    func finish() {
        let wasVisible = state.withLock { state in
            defer { state = State() }
            return state.visible
        }
        if wasVisible { standardError.write("\r\u{1B}[K") }
    }

    /// `delete [########......]  21/42  12.5/s  2.1 MB/s  ETA 2s`, cut to `width`. Without a
    /// total (items still streaming in) there is no bar and no ETA.
    static func render(_ verb: String, done: Int, total: Int?, bytes: Int64, elapsed: TimeInterval, width: Int) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var tail = "  \(done)" + (total.map { "/\($0)" } ?? "") + "  " + String(format: "%.1f/s", rate)
        // A rate past Int64 (a server's huge sizes, a tiny elapsed time) is shown at Int64's largest.
        if bytes > 0, elapsed > 0 { tail += "  " + ByteCount.human(Int64(exactly: (Double(bytes) / elapsed).rounded()) ?? .max) + "/s" }
        guard let total else { return String((verb + tail).prefix(max(20, width - 1))) }
        if rate > 0, total > done { tail += "  ETA " + ProgressBar.duration(Double(total - done) / rate) }
        let barWidth = max(10, min(40, width - verb.count - tail.count - 4))
        let filled = total > 0 ? min(barWidth, barWidth * done / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        return String("\(verb) [\(bar)]\(tail)".prefix(max(20, width - 1)))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + String(format: "%02d", s % 60) + "s" }
        return "\(s / 3600)h" + String(format: "%02d", s / 60 % 60) + "m"
    }
}

/// Byte counts as people read them: powers of 1000, one decimal (`57.3 MB`).
enum ByteCount {
    static func human(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
