/// `sort by FIELD [asc|desc] [, FIELD …]`: orders the whole stream (it has to read it all).
/// After `list`, a sort by creation time alone becomes the query's order.
struct SortVerb: QueryRefining {
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

    func refine(_ stage: CheckedStage, planning: inout QueryPlanning) throws -> Refinement {
        guard !planning.ordered, case .sortKeys(let keys)? = stage.stage.argument("by")?.value, keys.count == 1,
              MediaFields.canonicalName[keys[0].field.name] == "time_created" else { return .stop }
        planning.query.order = keys[0].descending ? .descending : .ascending
        planning.notes.append("sort by created → order=\(planning.query.order.rawValue)")
        planning.ordered = true
        return .absorbed
    }
}
