/// `sum FIELD`: the total of a numeric, size or duration field.
struct SumVerb: Verb {
    static let name = "sum"
    let signature = VerbSignature(name, .aggregate, summary: "add up a field (sizes stay sizes)",
                                  parameters: [Aggregation.parameter("add up")], output: .scalar(.any),
                                  examples: [VerbExample("list | sum size", "the bytes all items take")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        .scalar(Aggregation.fieldKind(stage, input: input, checker: checker, allowed: [.int, .float, .size, .duration]))
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        try await Aggregation.run(.sum, call)
    }
}
