/// `set NAME VALUE`: changes a shell setting for the statements that follow. The settings and
/// what they take come from `ShellSettings`.
struct SetVerb: Verb {
    static let name = "set"
    let signature = VerbSignature(
        name, .shell, summary: "change a setting: " + ShellSettings.all.map { "\($0.name) \($0.usage)" }.joined(separator: ", "),
        parameters: [
            .positional("name", .setting, "NAME", help: "the setting:\n" + ShellSettings.table),
            .positional("value", .settingValue, "VALUE", help: "its new value"),
        ],
        output: .nothing,
        examples: [
            VerbExample("set output json", "print results as JSON from now on"),
            VerbExample("set dry-run true", "every action only reports from now on"),
        ])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        // A literal value is checked against the table before anything runs.
        guard case .string(let name)? = stage.argument("name")?.value.expression.flatMap(checker.literalValue),
              let setting = ShellSettings.named(name),
              let value = stage.argument("value")?.value.expression, let v = checker.literalValue(value) else { return .nothing }
        do { _ = try setting.validate(v) } catch { checker.error("\(error)", at: value.span) }
        return .nothing
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let name = try call.value("name")?.humanText, let value = try call.value("value") else { return .empty }
        if let note = try call.context.control.set(name, value) { call.context.err.write("note: \(note)\n") }
        return .empty
    }
}
