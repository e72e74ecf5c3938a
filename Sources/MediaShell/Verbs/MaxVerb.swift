/// `max FIELD`: the largest value of a field.
struct MaxVerb: Verb {
    static let name = "max"
    let signature = VerbSignature(name, .aggregate, summary: "the largest value of a field",
                                  parameters: [Aggregation.parameter("find the largest of")], output: .scalar(.any),
                                  examples: [VerbExample("list | max created", "the newest creation time")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        .scalar(Aggregation.fieldKind(stage, input: input, checker: checker, allowed: [.int, .float, .size, .duration, .datetime, .string]))
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        var best: Value?
        try await Aggregation.forEach(call) { v in
            guard let b = best else { best = v; return }
            guard let c = Value.compare(v, b) else { throw RunError("max: cannot compare \(v.kind.phrase) with \(b.kind.phrase)") }
            if c == .orderedDescending { best = v }
        }
        return .of([best ?? .null])
    }
}
