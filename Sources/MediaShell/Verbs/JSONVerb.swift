/// `json`: renders the results as json (ends the pipeline's output in that format).
struct JSONVerb: Verb {
    static let name = "json"
    let signature = VerbSignature(name, .output, summary: "write the results as JSON: an array of records, or a single value", output: .same,
                                  examples: [VerbExample("list | first 2 | select name size | json", "two items as json")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
