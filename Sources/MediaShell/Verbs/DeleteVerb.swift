import MediaAPI

/// `delete`: deletes each item that comes in (records or ids), concurrently.
struct DeleteVerb: RequestExplaining, OrderReading {
    static let name = "delete"
    let signature = VerbSignature(
        name, .action, summary: "delete the items (asks first unless --yes; --dry-run only reports)",
        parameters: VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where size > 1MB | delete --dry-run", "what would be deleted, with totals"),
            VerbExample("list | where name like \"*.tmp\" | delete --yes", "delete temporary files without asking"),
        ])

    /// Deleting an item that is already gone has nothing left to do.
    static let policy = ActionPolicy(verb: name, destructive: true, notFound: .skipped("already gone"), dryRunWording: "would delete",
                                    limit: ShellSettings.maxDelete)

    func explainRequests(_ stage: Stage) -> [String] {
        ["DELETE /v3/media/{id}  for each item\(ActionPolicy.dryRunNote(stage))"]
    }

    /// Its result rows come in the order the items came in, so a preview and a run list them
    /// alike: the listing keeps its order unless nothing after the action shows the rows.
    func orderUse(_ stage: Stage) -> OrderUse? { .passes }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let service = call.context.service
        return try await ActionRunner(Self.policy, call: call) { target in
            try await service.delete(id: target.id)
            return ActionOutcome(status: .done("deleted"), bytes: target.size ?? 0)
        }.run(call.input)
    }
}
