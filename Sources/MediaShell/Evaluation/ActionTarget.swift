import Foundation
import MediaAPI

/// An item an action works on: from a media record, a result row, or a bare id.
public struct ActionTarget: Sendable {
    public var id: String
    public var name: String?
    public var size: Int64?
    public var item: MediaItem?
    /// What the action would change, as `field: old → new` (update); nil when the verb does not say.
    public var change: String?
    /// What the verb prepared for this item's request (update's changes).
    var payload: (any Sendable)?
    /// What the journal keeps for this item beyond its outcome (what reversing it needs).
    var journal: JournalDetail?

    /// A target the verb makes itself (undo's, from the journal).
    init(id: String, name: String?, size: Int64?, item: MediaItem? = nil) {
        self.id = id
        self.name = name
        self.size = size
        self.item = item
    }

    /// Reads a target from a stream value; nil when the value is neither an item nor an id.
    init?(_ value: Value) {
        switch value {
        case .string(let id) where !id.isEmpty:
            self.id = id
        case .record(let r):
            guard let item = r.mediaItem else { return nil }
            self.id = item.id
            self.item = item
            self.name = item.originalFileName ?? { if case .string(let n)? = r["name"] { return n } else { return nil } }()
            if case .size(let s)? = r["media_size"] ?? r["size"] { self.size = s }
        default:
            return nil
        }
    }
}

/// How an item's action ended. Rows and the journal show it as text; the summary ranks it.
public enum ActionStatus: Sendable, Hashable {
    /// Done: `deleted`, `updated`, `downloaded`.
    case done(String)
    /// A dry run's row: `would delete`.
    case wouldDo(String)
    /// Nothing needed doing (already gone, already downloaded).
    case skipped
    /// The action would leave the item as it is (an update to the values it has): no request.
    case unchanged
    case failed

    public var text: String {
        switch self {
        case .done(let s), .wouldDo(let s): s
        case .skipped: "skipped"
        case .unchanged: "unchanged"
        case .failed: "failed"
        }
    }

    /// The order of the summary: what was done first, then what was skipped, then failures.
    var rank: Int {
        switch self {
        case .done, .wouldDo: 0
        case .skipped, .unchanged: 1
        case .failed: 2
        }
    }
}

/// What an action is, as the runner needs it; the work itself is the verb's.
public struct ActionPolicy: Sendable {
    /// What a 404 for an item means.
    public enum NotFound: Sendable {
        /// The item failed.
        case failure
        /// The item is skipped with this note: deleting what is gone has nothing left to do.
        case skipped(String)
    }

    /// The verb, as summaries and the journal name it.
    public var verb: String
    /// Asks for confirmation first unless --yes (or stops with no terminal to ask at).
    public var destructive: Bool
    public var notFound: NotFound
    /// The status of a dry-run row: `would delete`.
    public var dryRun: ActionStatus
    /// The setting that caps how many items one run may act on (`max-delete`); nil = none.
    public var limit: ShellSetting?
    /// Rows carry a `change` column (`title: "a" → "b"`).
    public var reportsChanges: Bool
    /// Each item's journal line is on disk before the next is started (undo: a rerun after a
    /// crash must see every restore done).
    public var durableJournal = false

    public init(verb: String, destructive: Bool, notFound: NotFound = .failure, dryRunWording: String,
                limit: ShellSetting? = nil, reportsChanges: Bool = false) {
        self.verb = verb
        self.destructive = destructive
        self.notFound = notFound
        self.dryRun = .wouldDo(dryRunWording)
        self.limit = limit
        self.reportsChanges = reportsChanges
    }

    /// ` (not sent: --dry-run)` when the stage is a dry run, for `explain`.
    public static func dryRunNote(_ stage: Stage) -> String {
        stage.has("dry-run") ? " (not sent: --dry-run)" : ""
    }
}

/// What one item's action did.
struct ActionOutcome: Sendable {
    var status: ActionStatus
    var bytes: Int64
    var path: String?
    var note: String?
    /// What the journal keeps beyond the outcome; replaces the target's when given.
    var journal: JournalDetail? = nil
}

/// What the journal keeps for an item beyond its outcome: what reversing it needs.
struct JournalDetail: Sendable {
    /// An update's fields, before and after.
    var changes: [FieldChange]?
    /// A deleted item's information as it was (or a restored item's, as it is now).
    var item: MediaItem?
    /// Where `delete --backup` kept the content and information.
    var backup: String?
    /// An undo's row: the run it reverses and the item id that run acted on.
    var undoes: String?
    var undoneID: String?
    /// A restore's new id.
    var restoredID: String?
    /// The verb a row of undo reversed (`update`, `delete`, `undo`).
    var reverses: String?
}

/// One item's result: a record only when it leaves the runner.
struct ActionResult: Sendable {
    var target: ActionTarget?
    var status: ActionStatus
    var path: String?
    /// What went wrong (a failed item only).
    var error: String?
    /// Why an item was skipped (`already gone`, `already there with the same content`).
    var note: String?
    /// Bytes the summary counts for it.
    var bytes: Int64 = 0
    /// What the journal keeps beyond the outcome.
    var journal: JournalDetail? = nil

    /// The result row: id, name, size, status, error, note (and path, when a file was written).
    var record: Record {
        var r = Record(names: ["id", "name", "size", "status", "error", "note"], values: [
            target.map { .string($0.id) } ?? .null, Value(target?.name), target?.size.map(Value.size) ?? .null,
            .string(status.text), Value(error), Value(note),
        ])
        if let path { r.set("path", .string(path)) }
        return r
    }
}
