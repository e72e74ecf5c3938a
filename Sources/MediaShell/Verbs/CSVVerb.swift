/// `csv`: renders the results as csv (ends the pipeline's output in that format).
struct CSVVerb: Verb {
    static let name = "csv"
    let signature = VerbSignature(name, .output, summary: "write the results as CSV: a header, exact integers, ISO times", output: .same,
                                  examples: [VerbExample("list | first 2 | select name size | csv", "two items as csv")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
