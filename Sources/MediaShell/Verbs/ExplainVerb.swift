/// `explain PIPELINE`: the API requests the pipeline would make and the stages that would run
/// locally. It runs nothing.
struct ExplainVerb: Verb {
    static let name = "explain"
    let signature = VerbSignature(
        name, .shell, summary: "show the plan of a pipeline (API requests, local stages) without running it",
        parameters: [.positional("pipeline", .pipeline, "PIPELINE", help: "the pipeline to plan")],
        output: .scalar(.string),
        examples: [
            VerbExample("explain list since 7d | where size > 1MB and created < 2026-11-28 | first 5", "what is pushed to the API"),
            VerbExample("explain list | where size > 1MB | delete", "nothing after list needs the order: time windows paged side by side"),
        ])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        if case .pipeline(let p)? = stage.argument("pipeline")?.value { _ = checker.checkWithoutRunning(p) }
        return .scalar(.string)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard case .pipeline(let p)? = call.stage.argument("pipeline")?.value else { return .empty }
        let text = try call.context.control.explain(p, context: call.context)
        return .of([.string(text.hasSuffix("\n") ? String(text.dropLast()) : text)])
    }
}
