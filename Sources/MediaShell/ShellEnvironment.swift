import Foundation
import MediaAPI

/// Where rendered text goes: the host's stdout or stderr, a file, a test buffer.
public protocol TextSink: Sendable {
    func write(_ text: String)
}

/// Keeps what is written, for a host that wants a run's output as text (tests, tools).
public final class TextBuffer: TextSink, @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []

    public init() {}

    public func write(_ text: String) {
        lock.lock()
        parts.append(text)
        lock.unlock()
    }

    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return parts.joined()
    }
}

/// How results are rendered.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, jsonl, csv
    /// CSV with every character exactly as it is (no escapes, no formula guard): for programs.
    case csvExact = "csv-exact"
}

/// What a destructive action asks before its first request.
public struct ConfirmationRequest: Sendable, Hashable {
    /// `delete`, `update`.
    public var verb: String
    public var itemCount: Int
    public var totalBytes: Int64

    /// `delete 42 items (57.3 MB)?`
    public var question: String {
        "\(verb) \(itemCount) item\(itemCount == 1 ? "" : "s") (\(Value.humanSize(totalBytes)))?"
    }
}

/// Progress of a bulk action, for a progress bar.
public struct ActionProgressUpdate: Sendable, Hashable {
    public var verb: String
    public var done: Int
    /// Known when the items were counted first (after confirmation); nil while streaming.
    public var total: Int?
    public var bytes: Int64
}

public protocol ActionProgress: Sendable {
    func update(_ progress: ActionProgressUpdate)
}

/// One item's outcome in an action, as the host's journal records it.
public struct ActionRecord: Sendable, Hashable {
    public var time: Date
    public var verb: String
    public var id: String
    public var name: String?
    public var size: Int64?
    /// `deleted`, `updated`, `downloaded`, `skipped`, `failed`.
    public var status: String
    public var error: String?
    /// The runbook whose block ran the action, and the line of that block's fence.
    public var runbook: String?
    public var block: Int?

    public init(time: Date, verb: String, id: String, name: String?, size: Int64?, status: String, error: String?,
                runbook: String? = nil, block: Int? = nil) {
        self.time = time
        self.verb = verb
        self.id = id
        self.name = name
        self.size = size
        self.status = status
        self.error = error
        self.runbook = runbook
        self.block = block
    }
}

/// Where the statements now running come from: a runbook's file and the line of its block.
public struct ActionOrigin: Sendable, Hashable {
    public var runbook: String
    public var block: Int

    public init(runbook: String, block: Int) {
        self.runbook = runbook
        self.block = block
    }
}

/// One action's outcome counts, when it ends: `deleted` 3, `skipped` 1, in the summary's order.
public struct ActionTotals: Sendable, Hashable {
    public var verb: String
    public var counts: [Count]

    public struct Count: Sendable, Hashable {
        public var status: String
        public var count: Int
    }
}

extension ActionRecord {
    /// The record as one line of the journal: a JSON object with its keys sorted, no newline.
    public var jsonLine: String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        var first = true
        func member(_ key: String, _ write: (inout [UInt8]) -> Void) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            JSONRenderer.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            write(&out)
        }
        if let block { member("block") { $0.append(contentsOf: String(block).utf8) } }
        if let error { member("error") { JSONRenderer.appendString(error, to: &$0) } }
        member("id") { JSONRenderer.appendString(id, to: &$0) }
        if let name { member("name") { JSONRenderer.appendString(name, to: &$0) } }
        if let runbook { member("runbook") { JSONRenderer.appendString(runbook, to: &$0) } }
        if let size { member("size") { $0.append(contentsOf: String(size).utf8) } }
        member("status") { JSONRenderer.appendString(status, to: &$0) }
        member("time") { JSONRenderer.appendString(MediaTime.format(time), to: &$0) }
        member("verb") { JSONRenderer.appendString(verb, to: &$0) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}

public protocol ActionJournal: Sendable {
    func record(_ entry: ActionRecord)
}

/// Settings and hooks the host gives the shell.
public struct ShellEnvironment: Sendable {
    /// The clock (tests pass a fixed one).
    public var now: @Sendable () -> Date
    /// nil = table.
    public var output: OutputFormat?
    /// nil when stdout is not a terminal (no truncation then).
    public var terminalWidth: Int?
    /// `--yes`: actions do not ask.
    public var assumeYes: Bool
    /// `--dry-run`: every action only reports.
    public var dryRun: Bool
    /// Requests in flight at once in actions.
    public var concurrency: Int
    /// `--max-delete N`: a `delete` that would touch more than N items deletes none; nil = no limit.
    public var maxDelete: Int?
    /// `--max-update N`: the same for `update`, counting only items it would change.
    public var maxUpdate: Int?
    /// Settings the host fixed (the command line's flags): `set` leaves them as they are.
    public var pinned: Set<String>
    /// Relative paths (upload, download to, open, save) resolve here.
    public var workingDirectory: URL
    /// A script's `$1`, `$2`, … and `$args`.
    public var arguments: [String]
    /// Asked before a destructive action runs when neither --yes nor --dry-run is given. nil (no
    /// terminal to ask at): such an action stops before any request, telling to add --yes or --dry-run.
    public var confirm: (@Sendable (ConfirmationRequest) async -> Bool)?
    /// Progress of bulk actions; nil = none.
    public var progress: (any ActionProgress)?
    /// Every action's outcome per item; nil = none.
    public var journal: (any ActionJournal)?
    /// The host's history entries, for `history`; nil = none kept.
    public var history: (@Sendable () -> [String])?
    /// Where the statements now running come from; the journal records it with each item.
    public var origin: ActionOrigin?
    /// Told each action's totals when it ends (a runbook's summary counts them).
    public var actionFinished: (@Sendable (ActionTotals) -> Void)?
    /// The zone times are shown and date parts (`date(created)`, `today`) are taken in: the
    /// host sets it from `TZ`; UTC when not set.
    public var timeZone: TimeZone = ShellEnvironment.utc
    /// The file descriptor `open -` reads (the host's standard input); nil when there is none to
    /// read, as when the program itself came from standard input.
    public var standardInput: Int32?

    public static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

    /// The zone `TZ` names (`Europe/Berlin`, `:Europe/Berlin`); UTC when unset, empty or unknown.
    public static func zone(fromTZ tz: String?) -> TimeZone {
        guard var name = tz, !name.isEmpty else { return utc }
        if name.hasPrefix(":") { name.removeFirst() }
        return TimeZone(identifier: name) ?? utc
    }

    public init(
        now: @escaping @Sendable () -> Date = { Date() },
        output: OutputFormat? = nil,
        terminalWidth: Int? = nil,
        assumeYes: Bool = false,
        dryRun: Bool = false,
        concurrency: Int = 8,
        maxDelete: Int? = nil,
        maxUpdate: Int? = nil,
        pinned: Set<String> = [],
        workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        arguments: [String] = [],
        confirm: (@Sendable (ConfirmationRequest) async -> Bool)? = nil,
        progress: (any ActionProgress)? = nil,
        journal: (any ActionJournal)? = nil,
        history: (@Sendable () -> [String])? = nil
    ) {
        self.now = now
        self.output = output
        self.terminalWidth = terminalWidth
        self.assumeYes = assumeYes
        self.dryRun = dryRun
        self.concurrency = concurrency
        self.maxDelete = maxDelete
        self.maxUpdate = maxUpdate
        self.pinned = pinned
        self.workingDirectory = workingDirectory
        self.arguments = arguments
        self.confirm = confirm
        self.progress = progress
        self.journal = journal
        self.history = history
    }
}
