import Foundation
import MediaAPI

/// `undo [RUN]`: reverses what a run did, from the journal. Updates get their old values back
/// where the item still has the values the run gave it; items deleted with a backup are uploaded
/// again (a new id); an undo's restores are deleted again. An action like the others: explained,
/// previewed, confirmed, limited, journaled, and itself undoable. Rerun after an interruption, it
/// leaves alone what an earlier undo of the same run already did.
struct UndoVerb: RequestExplaining {
    static let name = "undo"
    let signature = VerbSignature(
        name, .source, summary: "reverse what a run did (default: the last run that acted), from the journal; asks first unless --yes",
        parameters: [
            .positional("run", .text(.words), "RUN", required: false, help: "the run to reverse (the journal's run column); default: the last run that changed items, undos left out"),
        ] + VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | first 2 | update set title=\"draft\" --yes; undo --dry-run", "what undoing the last run would do"),
            VerbExample("list | first 2 | update set title=\"draft\" --yes; undo --yes | select name status change", "retitle two items, then take it back"),
        ])

    /// A restore's upload and a reverted update are both changes: `max-update` limits an undo,
    /// and `max-delete` one that deletes (undoing an undo's restores).
    static func policy(deletes: Bool) -> ActionPolicy {
        var p = ActionPolicy(verb: name, destructive: true, dryRunWording: "would undo",
                             limit: deletes ? ShellSettings.maxDelete : ShellSettings.maxUpdate, reportsChanges: true)
        p.durableJournal = true
        return p
    }

    func explainRequests(_ stage: Stage) -> [String] {
        let note = ActionPolicy.dryRunNote(stage)
        return [
            "reads the journal: the run's items, and what earlier undos of it did",
            "GET /v3/media/{id}/info, then PUT /v3/media/{id}/info  for each updated item still as the run left it\(note)",
            "POST /v3/media  for each item deleted with a backup (the content and information from the backup)\(note)",
            "DELETE /v3/media/{id}  for each item an undo restored (undoing an undo)\(note)",
        ]
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let journal = call.context.environment.journal else {
            throw RunError("no journal is kept here: there is nothing to undo from")
        }
        let entries = try journal.entries()
        let run: String
        if let given = try call.value("run")?.humanText {
            run = given
        } else {
            guard let last = UndoPlan.lastActingRun(entries) else {
                throw RunError("the journal holds no run that changed items (lines written before runs had ids cannot be undone)")
            }
            run = last
        }
        let plan = try UndoPlan(run: run, entries: entries)
        call.context.err.write("undo: run \(run)\(plan.origin.map { " (\($0))" } ?? ""): \(plan.steps.count) item\(plan.steps.count == 1 ? "" : "s")\n")
        let steps = plan.steps
        let service = call.context.service
        let env = call.context.environment
        let claimed = plan.restoredIDs
        let stepsByKey = Dictionary(steps.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let input = ValueStream.of(steps.map { .string($0.key) })
        let runner = try ActionRunner(Self.policy(deletes: plan.deletes), call: call, prepare: { target, _ in
            guard let step = stepsByKey[target.id] else { return .skipped(target, "not in the run") }
            var t = ActionTarget(id: step.key, name: step.name, size: step.size)
            t.payload = step
            t.journal = JournalDetail(undoes: run, undoneID: step.key)
            switch step.kind {
            case .cannot(let note): return .skipped(t, note)
            case .revert(let changes):
                t.change = changes.map { "\($0.field): \($0.new.sourceText) → \($0.old.sourceText)" }.joined(separator: "; ")
            case .restore(let backup, _): t.change = "restore from \(backup)"
            case .remove(let id, _): t.change = "delete \(id) (restored by this run)"
            }
            return .act(t)
        }) { target in
            guard let step = target.payload as? UndoStep else { throw RunError("no undo step for \(target.id)") }
            return try await step.perform(service: service, run: run, claimed: claimed) { intent in
                // On disk before the upload: a rerun after a kill knows the upload may have happened.
                var e = intent
                e.run = env.runID
                e.origin = env.statementOrigin
                e.runbook = env.origin?.runbook
                e.block = env.origin?.block
                return journal.recordDurably(e)
            }
        }
        return try await runner.run(input)
    }
}

/// One item's reversal.
struct UndoStep: Sendable {
    enum Kind: Sendable {
        /// Set these fields back to `old`, where the item's value is still `new`.
        case revert([FieldChange])
        /// Upload the backup in this folder again. `interrupted`: an earlier undo of this run
        /// began this restore then and did not journal its end (killed mid-request): the item is
        /// looked for first, so that it is not uploaded twice.
        case restore(backup: String, interrupted: Date?)
        /// Delete the item an undo restored (id), keeping the backup folder named for a later undo.
        case remove(String, backup: String?)
        /// Nothing can be done: skipped with this note.
        case cannot(String)
    }

    /// The id the run acted on (a row's id).
    var key: String
    var name: String?
    var size: Int64?
    var kind: Kind

    func perform(service: any MediaService, run: String, claimed: Set<String>,
                 intent: @Sendable (ActionRecord) -> Bool) async throws -> ActionOutcome {
        var detail = JournalDetail(undoes: run, undoneID: key)
        switch kind {
        case .cannot(let note):
            return ActionOutcome(status: .skipped, bytes: 0, note: note, journal: detail)
        case .revert(let changes):
            let now = Record(try await service.info(id: key))
            let moved = changes.filter { (now[$0.field] ?? .null) != $0.new && !(UndoStep.isEmpty(now[$0.field]) && UndoStep.isEmpty($0.new)) }
            guard moved.isEmpty else {
                let fields = moved.map(\.field).joined(separator: ", ")
                return ActionOutcome(status: .skipped, bytes: 0,
                                     note: "changed since: \(fields) (now \(moved.map { (now[$0.field] ?? .null).sourceText }.joined(separator: ", ")); left as it is)",
                                     journal: detail)
            }
            var update = MediaUpdate()
            for c in changes { try UndoStep.set(c.field, c.old, in: &update) }
            try await service.update(id: key, update)
            detail.changes = changes.map { FieldChange(field: $0.field, old: $0.new, new: $0.old) }
            return ActionOutcome(status: .done("reverted"), bytes: size ?? 0, journal: detail)
        case .restore(let backup, let interrupted):
            let (item, content) = try ItemBackup.read(URL(fileURLWithPath: backup, isDirectory: true))
            detail.backup = backup
            if let interrupted, let found = try await UndoStep.find(item, since: interrupted, claimed: claimed, service: service) {
                detail.item = found
                detail.restoredID = found.id
                return ActionOutcome(status: .done("restored"), bytes: 0,
                                     note: "restored as \(found.id) (by the interrupted undo: found, not uploaded again)", journal: detail)
            }
            var started = ActionRecord(time: Date(), verb: UndoVerb.name, id: key, name: name, size: size, status: "restoring", error: nil)
            started.undoes = run
            started.undoneID = key
            started.backup = backup
            // Without this line on disk a rerun could not tell the upload may have happened.
            guard intent(started) else { throw RunError("not restored: the journal cannot be written, so a rerun could not tell it was done") }
            let info = MediaUpdate(title: UndoStep.nonEmpty(item.title), description: UndoStep.nonEmpty(item.description),
                                   metadataPrimary: UndoStep.nonEmpty(item.metadataPrimary), metadataSecondary: UndoStep.nonEmpty(item.metadataSecondary),
                                   mimeType: UndoStep.nonEmpty(item.mimeType), isPublic: item.isPublic ? true : nil,
                                   maxDownloadsAllowed: item.maxDownloadsAllowed > 0 ? item.maxDownloadsAllowed : nil)
            let restored = try await service.upload(MediaUpload(source: .file(content), fileName: item.originalFileName, info: info))
            detail.item = restored
            detail.restoredID = restored.id
            return ActionOutcome(status: .done("restored"), bytes: restored.size, note: "restored as \(restored.id)", journal: detail)
        case .remove(let id, let backup):
            let item = try await service.info(id: id)
            try await service.delete(id: id)
            detail.item = item
            detail.backup = backup
            return ActionOutcome(status: .done("deleted"), bytes: item.size, note: "deleted \(id), the item this run restored", journal: detail)
        }
    }

    /// The item an interrupted restore uploaded, if it did: created since it began (a little
    /// before, for clocks apart), with the backup's content (ETag) and file name, and not
    /// already journaled as another item's restore.
    static func find(_ item: MediaItem, since: Date, claimed: Set<String>, service: any MediaService) async throws -> MediaItem? {
        guard let etag = item.etag.map(UploadVerb.normalized) else { return nil }
        for try await candidate in service.list(MediaQuery(order: .ascending, startTime: since.addingTimeInterval(-300))) {
            if !claimed.contains(candidate.id), candidate.etag.map(UploadVerb.normalized) == etag,
               candidate.originalFileName == item.originalFileName {
                return candidate
            }
        }
        return nil
    }

    private static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

    /// Null and empty text are the same absence (a server may send either).
    private static func isEmpty(_ v: Value?) -> Bool {
        switch v {
        case nil, .null?: true
        case .string(let s)?: s.isEmpty
        default: false
        }
    }

    static func set(_ field: String, _ v: Value, in u: inout MediaUpdate) throws {
        switch (field, v) {
        case ("title", _): u.title = v.isNull ? "" : v.humanText
        case ("description", _): u.description = v.isNull ? "" : v.humanText
        case ("metadata_primary", _): u.metadataPrimary = v.isNull ? "" : v.humanText
        case ("metadata_secondary", _): u.metadataSecondary = v.isNull ? "" : v.humanText
        case ("mime_type", .string(let s)): u.mimeType = s
        case ("public", .bool(let b)): u.isPublic = b
        case ("max_downloads_allowed", .int(let n)): u.maxDownloadsAllowed = Int(clamping: n)
        default: throw RunError("cannot set \(field) back to \(v.sourceText)")
        }
    }
}

/// What undoing a run takes, item by item, from the journal.
struct UndoPlan: Sendable {
    var steps: [UndoStep] = []
    /// Some step deletes (undoing an undo's restores): `max-delete` is the limit then.
    var deletes = false
    /// Where the run's statements came from.
    var origin: String?
    /// Items earlier undos of the run restored (each is one item's restore, never another's).
    var restoredIDs: Set<String> = []

    /// Statuses of rows that changed something.
    static let acted: Set<String> = ["updated", "deleted", "reverted", "restored"]

    /// The latest run that changed items, undos left out (an undo is undone by naming its run).
    static func lastActingRun(_ entries: [ActionRecord]) -> String? {
        entries.last { $0.run != nil && $0.verb != UndoVerb.name && acted.contains($0.status) }?.run
    }

    init(run: String, entries: [ActionRecord]) throws {
        let rows = entries.filter { $0.run == run }
        guard !rows.isEmpty else {
            let runs = Array(Set(entries.compactMap(\.run))).sorted()
            throw RunError("no run '\(run)' in the journal" + (Suggestion.closest(to: run, in: runs).map { " — did you mean '\($0)'?" } ?? "")
                           + " (journal | select run time origin | uniq lists them)")
        }
        origin = rows.first?.origin
        // What earlier undos of this run already did, by the id they reversed.
        var done: [String: String] = [:]
        var interrupted: [String: Date] = [:]
        for e in entries where e.verb == UndoVerb.name && e.undoes == run {
            if Self.acted.contains(e.status), let id = e.undoneID, let by = e.run {
                done[id] = by
                if let restored = e.restoredID { restoredIDs.insert(restored) }
            }
            if e.status == "restoring", let id = e.undoneID { interrupted[id] = min(interrupted[id] ?? e.time, e.time) }
        }
        var order: [String] = []
        var byID: [String: UndoStep] = [:]
        for e in rows where Self.acted.contains(e.status) {
            let step: UndoStep.Kind
            switch e.status {
            case "updated", "reverted":
                guard let changes = e.changes, !changes.isEmpty else {
                    step = .cannot("cannot undo: the old values were not journaled (the update was given ids, not items)")
                    break
                }
                // The same item updated twice in the run: back to the first old value, from the last new one.
                if case .revert(let earlier)? = byID[e.id]?.kind {
                    var merged = earlier
                    for c in changes {
                        if let i = merged.firstIndex(where: { $0.field == c.field }) { merged[i].new = c.new } else { merged.append(c) }
                    }
                    step = .revert(merged)
                } else {
                    step = .revert(changes)
                }
            case "deleted":
                if let backup = e.backup { step = .restore(backup: backup, interrupted: interrupted[e.id]) } else { step = .cannot("cannot undo: no backup") }
            default: // restored
                if let id = e.restoredID { step = .remove(id, backup: e.backup) } else { step = .cannot("cannot undo: the restored id was not journaled") }
            }
            if byID[e.id] == nil { order.append(e.id) }
            var kind = step
            if let by = done[e.id] { kind = .cannot("already undone (run \(by))") }
            byID[e.id] = UndoStep(key: e.id, name: e.name ?? e.item?.originalFileName, size: e.size ?? e.item?.size, kind: kind)
        }
        guard !order.isEmpty else {
            throw RunError("run '\(run)' changed no items (\(rows.count) row\(rows.count == 1 ? "" : "s"): \(Set(rows.map(\.status)).sorted().joined(separator: ", "))): nothing to undo")
        }
        steps = order.compactMap { byID[$0] }
        deletes = steps.contains { if case .remove = $0.kind { true } else { false } }
    }
}
