/// `jsonl`: renders the results as jsonl (ends the pipeline's output in that format).
struct JSONLinesVerb: Verb {
    static let name = "jsonl"
    let signature = VerbSignature(name, .output, summary: "write one JSON value per line", output: .same,
                                  examples: [VerbExample("list | first 2 | select name size | jsonl", "two items as jsonl")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
