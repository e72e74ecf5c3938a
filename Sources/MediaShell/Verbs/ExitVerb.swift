/// `exit [N]`: ends the session (or script) with status N (default 0).
struct ExitVerb: Verb {
    static let name = "exit"
    let signature = VerbSignature(
        name, .shell, summary: "leave the shell with a status (default 0)",
        parameters: [.positional("status", .value([.int]), "N", required: false, help: "the exit status, 0–255")],
        output: .nothing,
        examples: [VerbExample("exit 0", "leave successfully")])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let n = try call.count("status", default: 0)
        guard n <= 255 else { throw RunError("exit status must be 0–255, not \(n)") }
        call.context.control.requestExit(Int32(n))
        return .empty
    }
}
