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

/// One item's outcome in an action, as the host's journal records it: what happened, in which
/// run and from where, and what reversing it needs (an update's old and new values, a deleted
/// item's whole information and where its content was kept).
public struct ActionRecord: Sendable, Hashable {
    public var time: Date
    public var verb: String
    public var id: String
    public var name: String?
    public var size: Int64?
    /// `deleted`, `updated`, `downloaded`, `skipped`, `failed`, `restored`, `reverted`.
    public var status: String
    /// What went wrong (a failed item).
    public var error: String?
    /// Why an item was skipped, or what became of it (`restored as NEW-ID`).
    public var note: String?
    /// The runbook whose block ran the action, and the line of that block's fence.
    public var runbook: String?
    public var block: Int?
    /// The program run (one `-c`, script, REPL line or runbook block) the action was part of.
    public var run: String?
    /// Where the statement came from: `-c`, `script.msh:12`, `runbook.md:40 "## Heading"`, `REPL`.
    public var origin: String?
    /// An update's changed fields: the value before and the value sent.
    public var changes: [FieldChange]?
    /// A deleted (or restored) item's information as it was.
    public var item: MediaItem?
    /// The folder holding the item's saved content and information (`delete --backup`).
    public var backup: String?
    /// An undo's row: the run it reverses, and the item id that run acted on.
    public var undoes: String?
    public var undoneID: String?
    /// A restore's new item (the API gives a new id).
    public var restoredID: String?

    public init(time: Date, verb: String, id: String, name: String?, size: Int64?, status: String, error: String?,
                note: String? = nil, runbook: String? = nil, block: Int? = nil) {
        self.time = time
        self.verb = verb
        self.id = id
        self.name = name
        self.size = size
        self.status = status
        self.error = error
        self.note = note
        self.runbook = runbook
        self.block = block
    }
}

/// One field an update changed: its value before, and the value sent.
public struct FieldChange: Sendable, Hashable {
    /// The field's name as the API spells it (`title`, `public`).
    public var field: String
    public var old: Value
    public var new: Value

    public init(field: String, old: Value, new: Value) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// Where the statements now running come from: a runbook's file and the line of its block.
public struct ActionOrigin: Sendable, Hashable {
    public var runbook: String
    public var block: Int
    /// The block's heading (`## Archive old recordings`).
    public var title: String?

    public init(runbook: String, block: Int, title: String? = nil) {
        self.runbook = runbook
        self.block = block
        self.title = title
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
        func string(_ key: String, _ value: String?) {
            if let value { member(key) { JSONRenderer.appendString(value, to: &$0) } }
        }
        string("backup", backup)
        if let block { member("block") { $0.append(contentsOf: String(block).utf8) } }
        if let changes {
            member("changes") { out in
                out.append(UInt8(ascii: "{"))
                for (i, c) in changes.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    JSONRenderer.appendString(c.field, to: &out)
                    out.append(contentsOf: Array(#":{"new":"#.utf8))
                    JSONRenderer.append(c.new, to: &out)
                    out.append(contentsOf: Array(#","old":"#.utf8))
                    JSONRenderer.append(c.old, to: &out)
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: "}"))
            }
        }
        string("error", error)
        member("id") { JSONRenderer.appendString(id, to: &$0) }
        if let item, let data = try? ActionRecord.itemEncoder().encode(item) {
            member("item") { $0.append(contentsOf: data) }
        }
        string("name", name)
        string("note", note)
        string("origin", origin)
        string("restored_id", restoredID)
        string("run", run)
        string("runbook", runbook)
        if let size { member("size") { $0.append(contentsOf: String(size).utf8) } }
        member("status") { JSONRenderer.appendString(status, to: &$0) }
        member("time") { JSONRenderer.appendString(MediaTime.format(time), to: &$0) }
        string("undone_id", undoneID)
        string("undoes", undoes)
        member("verb") { JSONRenderer.appendString(verb, to: &$0) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func itemEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// Reads one journal line back: today's lines and the older `{id, name, size, status, time,
    /// verb}` ones (which have no run, origin or what reversing needs). Throws, naming what is
    /// wrong, for a line that is not such an object.
    public init(jsonLine: some StringProtocol) throws {
        let line: JournalLine
        do { line = try JSONDecoder().decode(JournalLine.self, from: Data(jsonLine.utf8)) } catch let e as DecodingError {
            throw RunError(JournalLine.describe(e))
        }
        guard let time = MediaTime.parse(line.time) else { throw RunError("time '\(line.time)' is not an ISO 8601 time") }
        self.init(time: time, verb: line.verb, id: line.id, name: line.name, size: line.size, status: line.status,
                  error: line.error, note: line.note, runbook: line.runbook, block: line.block)
        run = line.run
        origin = line.origin
        backup = line.backup
        undoes = line.undoes
        undoneID = line.undone_id
        restoredID = line.restored_id
        item = line.item
        changes = line.changes.map { fields in
            fields.keys.sorted().map { FieldChange(field: $0, old: fields[$0]?.old?.value ?? .null, new: fields[$0]?.new?.value ?? .null) }
        }
    }
}

/// A journal line as it is stored; every member but id, verb, status and time may be absent.
private struct JournalLine: Decodable {
    var id: String
    var verb: String
    var status: String
    var time: String
    var name: String?
    var size: Int64?
    var error: String?
    var note: String?
    var runbook: String?
    var block: Int?
    var run: String?
    var origin: String?
    var backup: String?
    var undoes: String?
    var undone_id: String?
    var restored_id: String?
    var item: MediaItem?
    var changes: [String: Change]?

    struct Change: Decodable {
        var old: Scalar?
        var new: Scalar?
    }

    /// A changed field's value: text, a whole number or true/false (null decodes as absent).
    enum Scalar: Decodable {
        case string(String), int(Int64), bool(Bool)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int64.self) { self = .int(i) } else {
                self = .string(try c.decode(String.self))
            }
        }

        var value: Value {
            switch self {
            case .string(let s): .string(s)
            case .int(let i): .int(i)
            case .bool(let b): .bool(b)
            }
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "no '\(key.stringValue)' (a journal line needs id, verb, status and time)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            "'\(c.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted(let c):
            c.codingPath.isEmpty ? "not a JSON object" : "'\(c.codingPath.map(\.stringValue).joined(separator: "."))': \(c.debugDescription)"
        @unknown default: "not a journal line"
        }
    }
}

/// Where every action's outcome per item goes (the host's journal file), and where `journal`
/// and `undo` read it back.
public protocol ActionJournal: Sendable {
    func record(_ entry: ActionRecord)
    /// Records and makes sure it is on disk before returning (an undo's restore: a rerun after
    /// a crash must see it); false when it could not.
    @discardableResult
    func recordDurably(_ entry: ActionRecord) -> Bool
    /// Every record so far, oldest first. Throws when the journal cannot be read.
    func entries() throws -> [ActionRecord]
}

extension ActionJournal {
    @discardableResult
    public func recordDurably(_ entry: ActionRecord) -> Bool {
        record(entry)
        return true
    }

    public func entries() throws -> [ActionRecord] {
        throw RunError("this journal cannot be read back (the host keeps it write-only)")
    }
}

/// A journal kept in memory: for an embedding host that keeps no file, and for tests.
public final class MemoryJournal: ActionJournal, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [ActionRecord] = []

    public init(_ entries: [ActionRecord] = []) { kept = entries }

    public func record(_ entry: ActionRecord) {
        lock.lock()
        kept.append(entry)
        lock.unlock()
    }

    public func entries() throws -> [ActionRecord] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }
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
    /// The program run now going on (the shell gives each `run` one); the journal records it.
    public var runID: String?
    /// Where the statement now running comes from (`-c`, `script.msh:12`, `REPL`); the shell sets it.
    public var statementOrigin: String?
    /// `set backup DIR`, a profile's `backup`: every `delete` first keeps each item's content
    /// and information in this folder. nil = no backup unless `delete --backup DIR`.
    public var backupFolder: String?
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
