/// `sort by FIELD [asc|desc] [, FIELD …]`: orders the whole stream (it has to read it all).
struct SortVerb: Verb {
    static let name = "sort"
    let signature = VerbSignature(
        name, .filter, summary: "order records by fields (nulls last); reads the whole stream",
        parameters: [.keyword("by", .sortKeys, "FIELD [asc|desc] [, FIELD …]", required: true, help: "the fields to order by")],
        output: .same,
        examples: [
            VerbExample("list | sort by size desc | first 3 | select name size", "the three biggest items"),
            VerbExample("list | sort by mime, size desc | first 3 | select mime size", "by type, biggest first within each"),
        ])

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard case .sortKeys(let keys)? = call.stage.argument("by")?.value else { return call.input }
        let access = keys.map { (FieldAccess($0.field.name), $0.descending) }
        var values = try await call.input.collect()
        values.sort { a, b in
            for (field, descending) in access {
                let x = a.record.map { field.value(in: $0) } ?? a, y = b.record.map { field.value(in: $0) } ?? b
                let c = Value.sortOrder(x, y)
                if c == .orderedSame { continue }
                if x.isNull || y.isNull { return c == .orderedAscending }
                return descending ? c == .orderedDescending : c == .orderedAscending
            }
            return false
        }
        return .of(values)
    }
}
