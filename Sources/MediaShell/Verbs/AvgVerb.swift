/// `avg FIELD`: the mean of a numeric, size or duration field.
struct AvgVerb: Verb {
    static let name = "avg"
    let signature = VerbSignature(name, .aggregate, summary: "the mean of a field (of sizes: a size)",
                                  parameters: [Aggregation.parameter("average")], output: .scalar(.any),
                                  examples: [VerbExample("list | avg size", "the mean item size")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        let k = Aggregation.fieldKind(stage, input: input, checker: checker, allowed: [.int, .float, .size, .duration])
        return .scalar(k == .int ? .float : k)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        try await Aggregation.run(.avg, call)
    }
}
