/// `table`: renders the results as table (ends the pipeline's output in that format).
struct TableVerb: Verb {
    static let name = "table"
    let signature = VerbSignature(name, .output, summary: "show the results as a table: human sizes and times", output: .same,
                                  examples: [VerbExample("list | first 2 | select name size | table", "two items as table")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
