/// `reject FIELD…`: drops these fields.
struct RejectVerb: Verb, OrderReading {
    static let name = "reject"
    let signature = VerbSignature(
        name, .filter, summary: "drop these fields",
        parameters: [.positional("fields", .fields, "FIELD", repeats: true, help: "field names to drop")],
        output: .same,
        examples: [VerbExample("list | first 1 | reject account_id store_id etag description metadata_primary metadata_secondary | select name size", "hide fields")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        guard var schema = input.schema else { return input }
        for a in stage.arguments("fields") {
            guard case .fields(let refs) = a.value else { continue }
            for r in refs {
                let c = MediaFields.canonicalName[r.name] ?? r.name
                schema = schema.filter { ($0.key != r.name) && (MediaFields.canonicalName[$0.key] ?? $0.key) != c }
            }
        }
        return .records(schema)
    }

    func orderUse(_ stage: Stage) -> OrderUse? { .passes }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let fields = call.fields("fields")
        let input = call.input
        return ValueStream {
            guard let v = try await input.next() else { return nil }
            return v.record.map { .record($0.rejecting(fields)) } ?? v
        }
    }
}
