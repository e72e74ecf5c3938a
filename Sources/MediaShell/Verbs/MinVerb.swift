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
        try await Aggregation.run(.min, call)
    }
}
