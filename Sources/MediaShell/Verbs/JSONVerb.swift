/// `json`: the results printed as json; it must be the last stage (the shell renders by its output shape).
struct JSONVerb: Verb {
    static let name = "json"
    let signature = VerbSignature(name, .output, summary: "write the results as JSON: an array of records, or a single value", output: .rendered(.json),
                                  examples: [VerbExample("list | first 2 | select name size | json", "two items as json")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
