import Foundation
import MediaAPI

/// `delete [backup DIR]`: deletes each item that comes in (records or ids), concurrently; with
/// a backup folder, each item's content and information are saved there first.
struct DeleteVerb: RequestExplaining, OrderReading {
    static let name = "delete"
    let signature = VerbSignature(
        name, .action, summary: "delete the items (asks first unless --yes; --dry-run only reports; backup DIR keeps them for undo)",
        parameters: [
            .keyword("backup", .text(.path), "DIR", help: "first save each item's content and information in DIR (checked against its ETag); `undo` restores from it"),
        ] + VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where size > 1MB | delete --dry-run", "what would be deleted, with totals"),
            VerbExample("list | where name like \"*.tmp\" | delete --yes", "delete temporary files without asking"),
            VerbExample("list | where name like \"*.tmp\" | delete backup kept --dry-run", "keep each item in ./kept before deleting it"),
        ])

    /// Deleting an item that is already gone has nothing left to do.
    static let policy = ActionPolicy(verb: name, destructive: true, notFound: .skipped("already gone"), dryRunWording: "would delete",
                                    limit: ShellSettings.maxDelete)

    func explainRequests(_ stage: Stage) -> [String] {
        (stage.has("backup") ? ["GET /v3/media/{id}/info and GET /v3/media/{id}  for each item: the backup\(ActionPolicy.dryRunNote(stage))"] : [])
            + ["DELETE /v3/media/{id}  for each item\(ActionPolicy.dryRunNote(stage))"]
    }

    /// Its result rows come in the order the items came in, so a preview and a run list them
    /// alike: the listing keeps its order unless nothing after the action shows the rows.
    func orderUse(_ stage: Stage) -> OrderUse? { .passes }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let service = call.context.service
        let folder = try call.path("backup") ?? call.context.environment.backupFolder.map { call.context.resolve(path: $0) }
        guard let folder else {
            return try await ActionRunner(Self.policy, call: call) { target in
                try await service.delete(id: target.id)
                var detail = JournalDetail()
                detail.item = target.item
                return ActionOutcome(status: .done("deleted"), bytes: target.size ?? 0, journal: detail)
            }.run(call.input)
        }
        // A restore needs the journal line that says where the backup is: each is on disk before
        // the next item.
        var policy = Self.policy
        policy.durableJournal = true
        let backup = ItemBackup(folder: folder)
        let dryRun = call.has("dry-run") || call.context.environment.dryRun
        if !dryRun { try backup.prepareFolder() }
        return try await ActionRunner(policy, call: call) { target in
            let item = try await service.info(id: target.id)
            let saved: URL
            do { saved = try await backup.save(item, from: service) } catch {
                // Not deleted: the backup is what makes the delete undoable.
                throw RunError("not deleted: the backup failed: \(Shell.message(error))")
            }
            try await service.delete(id: target.id)
            var detail = JournalDetail()
            detail.item = item
            detail.backup = saved.path
            return ActionOutcome(status: .done("deleted"), bytes: item.size, journal: detail)
        }.run(call.input)
    }
}
