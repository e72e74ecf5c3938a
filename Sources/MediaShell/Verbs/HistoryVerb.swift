/// `history`: what was typed before, numbered (the host keeps it).
struct HistoryVerb: Verb {
    static let name = "history"
    let signature = VerbSignature(name, .shell, summary: "the lines typed before, numbered", output: .unknownRecords,
                                  examples: [VerbExample("history | last 5", "the last five lines")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        .records(["index": .int, "line": .string])
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let lines = call.context.environment.history?() ?? []
        return .of(lines.enumerated().map { .record(Record(names: ["index", "line"], values: [.int(Int64($0.offset + 1)), .string($0.element)])) })
    }
}
