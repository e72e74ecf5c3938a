/// `uniq by FIELD`: keeps the first record of each value of a field.
struct UniqVerb: Verb {
    static let name = "uniq"
    let signature = VerbSignature(
        name, .filter, summary: "keep the first record for each value of a field",
        parameters: [.keyword("by", .fields, "FIELD", required: true, help: "the field whose values must be unique")],
        output: .same,
        examples: [VerbExample("list | uniq by mime | select mime", "one item per MIME type")])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let access = call.fields("by").map(FieldAccess.init)
        var seen = Set<[Value]>()
        let input = call.input
        return ValueStream {
            while let v = try await input.next() {
                let key = v.record.map { r in access.map { $0.value(in: r) } } ?? [v]
                if seen.insert(key).inserted { return v }
            }
            return nil
        }
    }
}
