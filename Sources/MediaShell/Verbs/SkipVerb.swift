/// `skip N`: drops the first N records.
struct SkipVerb: Verb, FieldReading {
    static let name = "skip"
    let signature = VerbSignature(
        name, .filter, summary: "drop the first N records",
        parameters: [.positional("count", .value([.int]), "N", required: false, help: "how many (default 1)")],
        output: .same,
        examples: [VerbExample("list | skip 1 | first 1 | select name", "the second newest item")])

    func fieldUse(_ stage: Stage) -> FieldUse? { .passes([]) }

    func run(_ call: VerbCall) async throws -> ValueStream {
        var toSkip = try call.count("count", default: 1)
        let input = call.input
        return ValueStream {
            while toSkip > 0 {
                guard try await input.next() != nil else { return nil }
                toSkip -= 1
            }
            return try await input.next()
        }
    }
}
