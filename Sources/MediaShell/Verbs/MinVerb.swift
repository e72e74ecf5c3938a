/// `min FIELD`: the smallest value of a field.
struct MinVerb: Verb {
    static let name = "min"
    let signature = VerbSignature(name, .aggregate, summary: "the smallest value of a field",
                                  parameters: [Aggregation.parameter("find the smallest of")], output: .scalar(.any),
                                  examples: [VerbExample("list | min created", "the oldest creation time")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        .scalar(Aggregation.fieldKind(stage, input: input, checker: checker, allowed: [.int, .float, .size, .duration, .datetime, .string]))
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        var best: Value?
        try await Aggregation.forEach(call) { v in
            guard let b = best else { best = v; return }
            guard let c = Value.compare(v, b) else { throw RunError("min: cannot compare \(v.kind.phrase) with \(b.kind.phrase)") }
            if c == .orderedAscending { best = v }
        }
        return .of([best ?? .null])
    }
}
