/// `set NAME VALUE`: changes a shell setting for the statements that follow.
struct SetVerb: Verb {
    static let name = "set"
    let signature = VerbSignature(
        name, .shell, summary: "change a setting: output (table|json|jsonl|csv), concurrency N, dry-run true|false, yes true|false, width N",
        parameters: [
            .positional("name", .choice(ShellState.settings), "NAME", help: "the setting"),
            .positional("value", .any, "VALUE", help: "its new value"),
        ],
        output: .nothing,
        examples: [VerbExample("set output json", "print results as JSON from now on")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        // `set concurrency 0` fails here, before the statements before it run.
        if case .string(let name)? = stage.argument("name")?.value.expression.flatMap(checker.literalValue),
           let e = stage.argument("value")?.value.expression, let value = checker.literalValue(e) {
            do { _ = try ShellState.setting(name, value) } catch { checker.error(Shell.message(error), at: e.span) }
        }
        return .nothing
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let name = try call.value("name")?.humanText, let value = try call.value("value") else { return .empty }
        try call.context.control.set(name, value)
        return .empty
    }
}
