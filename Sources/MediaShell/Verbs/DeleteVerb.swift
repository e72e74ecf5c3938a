import MediaAPI

/// `delete`: deletes each item that comes in (records or ids), concurrently.
struct DeleteVerb: Verb {
    static let name = "delete"
    let signature = VerbSignature(
        name, .action, summary: "delete the items (asks first unless --yes; --dry-run only reports)",
        parameters: VerbSignature.actionParameters,
        output: .results,
        examples: [
            VerbExample("list | where size > 4MB | delete --dry-run", "what would be deleted, with totals"),
            VerbExample("list | where name like \"*.tmp\" | delete --yes", "delete temporary files without asking"),
        ])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let service = call.context.service
        return try await ActionRunner(verb: "delete", wouldStatus: "would delete", destructive: true, call: call) { target in
            try await service.delete(id: target.id)
            return ActionOutcome(status: "deleted", bytes: target.size ?? 0)
        }.run(call.input)
    }
}
