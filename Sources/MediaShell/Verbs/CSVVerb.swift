/// `csv`: the results printed as csv; it must be the last stage (the shell renders by its output shape).
struct CSVVerb: Verb {
    static let name = "csv"
    let signature = VerbSignature(name, .output, summary: "write the results as CSV: a header, exact integers, ISO times; control characters escaped, formulas disarmed (set output csv-exact: every byte as it is)", output: .rendered(.csv),
                                  examples: [VerbExample("list | first 2 | select name size | csv", "two items as csv")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
