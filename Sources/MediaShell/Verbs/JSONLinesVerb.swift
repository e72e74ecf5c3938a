/// `jsonl`: the results printed as jsonl; it must be the last stage (the shell renders by its output shape).
struct JSONLinesVerb: Verb {
    static let name = "jsonl"
    let signature = VerbSignature(name, .output, summary: "write one JSON value per line", output: .rendered(.jsonl),
                                  examples: [VerbExample("list | first 2 | select name size | jsonl", "two items as jsonl")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
