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
        try await Aggregation.run(.max, call)
    }
}
