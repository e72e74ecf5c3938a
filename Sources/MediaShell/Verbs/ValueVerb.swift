/// A value as a source: `$items | where …` streams a list's elements; `1MB + 2MB` is one value.
struct ValueVerb: Verb {
    static let name = "(value)"
    let signature = VerbSignature(name, .source, summary: "a value or $variable as the start of a pipeline", 
                                  parameters: [.positional("value", .any, "VALUE", help: "the value")], output: .same, isListed: false)

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        guard let e = stage.argument("value")?.value.expression else { return .nothing }
        let k = checker.kind(of: e, row: nil)
        if case .variable(let name) = e.kind, let v = checker.variables[name], k == .list { return v.shape }
        // `$x.name`: the list of a field's values, shown as a list in every format (not its first value).
        if k == .list { return .records(nil) }
        return .scalar(k)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        switch try call.value("value") ?? .null {
        case .list(let items): return .of(items)
        case let v: return .of([v])
        }
    }
}
