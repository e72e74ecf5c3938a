/// `table`: the results printed as table; it must be the last stage (the shell renders by its output shape).
struct TableVerb: Verb {
    static let name = "table"
    let signature = VerbSignature(name, .output, summary: "show the results as a table: human sizes and times", output: .rendered(.table),
                                  examples: [VerbExample("list | first 2 | select name size | table", "two items as table")])

    func run(_ call: VerbCall) async throws -> ValueStream { call.input }
}
