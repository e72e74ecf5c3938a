import Foundation
import MediaAPI

/// `journal [since T]`: what actions did, one row an item, oldest first, from the host's journal.
struct JournalVerb: Verb {
    static let name = "journal"
    let signature = VerbSignature(
        name, .source, summary: "what actions did, one row an item: run, origin, verb, id, name, status, note (undo reads it too)",
        parameters: [
            .keyword("since", .value([.duration, .datetime]), "T", help: "only rows at or after T: a duration back from now (1h) or a datetime"),
        ],
        output: .unknownRecords,
        examples: [
            VerbExample("list | first 2 | update set title=\"draft\" --yes; journal | where run == last | select verb name status change",
                        "what the last run did (here: the update just before)"),
            VerbExample("list | first 3 | delete --yes; journal since 1h | group by verb", "actions of the last hour, by verb"),
        ])

    /// The rows' fields. `last` is the latest run in the journal, on every row: `where run == last`.
    static let schema: [String: ValueKind] = [
        "time": .datetime, "run": .string, "origin": .string, "verb": .string, "id": .string, "name": .string,
        "size": .size, "status": .string, "error": .string, "note": .string, "change": .string,
        "backup": .string, "restored_id": .string, "undoes": .string, "last": .string,
    ]

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        return .records(Self.schema)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let journal = call.context.environment.journal else {
            throw RunError("no journal is kept here: this host records no actions")
        }
        var since: Date?
        switch try call.value("since") {
        case .duration(let seconds)?: since = call.context.environment.now().addingTimeInterval(-seconds)
        case .datetime(let d)?: since = d
        case nil: break
        case let other?: throw RunError("since takes a duration or a datetime, not \(other.kind.phrase)")
        }
        let entries = try journal.entries()
        let last = Self.lastRun(entries)
        return .of(entries.filter { e in since.map { e.time >= $0 } ?? true }.map { .record(Self.row($0, last: last)) })
    }

    /// The latest run id in the journal.
    static func lastRun(_ entries: [ActionRecord]) -> String? {
        entries.last { $0.run != nil }?.run
    }

    static func row(_ e: ActionRecord, last: String?) -> Record {
        let origin = e.origin ?? e.runbook.map { r in e.block.map { "\(r):\($0)" } ?? r }
        let change = e.changes.map { $0.map { "\($0.field): \($0.old.sourceText) → \($0.new.sourceText)" }.joined(separator: "; ") }
        return Record(pairs: [
            ("time", .datetime(e.time)), ("run", Value(e.run)), ("origin", Value(origin)), ("verb", .string(e.verb)),
            ("id", .string(e.id)), ("name", Value(e.name)), ("size", e.size.map(Value.size) ?? .null),
            ("status", .string(e.status)), ("error", Value(e.error)), ("note", Value(e.note)), ("change", Value(change)),
            ("backup", Value(e.backup)), ("restored_id", Value(e.restoredID)), ("undoes", Value(e.undoes)), ("last", Value(last)),
        ])
    }
}
