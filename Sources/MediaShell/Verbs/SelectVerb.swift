/// `select FIELD…`: keeps only these fields, in this order.
struct SelectVerb: Verb {
    static let name = "select"
    let signature = VerbSignature(
        name, .filter, summary: "keep only these fields, in this order",
        parameters: [.positional("fields", .fields, "FIELD", repeats: true, help: "field names (aliases work: size, name, created…)")],
        output: .same,
        examples: [VerbExample("list | first 1 | select id name size", "a narrow view")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        var schema: [String: ValueKind] = [:]
        for a in stage.arguments("fields") {
            guard case .fields(let refs) = a.value else { continue }
            for r in refs {
                let known = input.schema ?? [:]
                schema[r.name] = known[r.name] ?? MediaFields.canonicalName[r.name].flatMap { known[$0] } ?? .any
            }
        }
        return .records(input.schema == nil ? nil : schema)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let fields = call.fields("fields")
        let access = fields.map(FieldAccess.init)
        let input = call.input
        return ValueStream {
            guard let v = try await input.next() else { return nil }
            guard let r = v.record else { return v }
            return .record(Record(names: fields, values: access.map { $0.value(in: r) }))
        }
    }
}
