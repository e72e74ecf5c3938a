/// `sort by FIELD [asc|desc] [, FIELD …]`: orders the whole stream (it has to read it all).
/// After `list`, a sort by creation time alone becomes the query's order.
struct SortVerb: QueryRefining {
    static let name = "sort"
    let signature = VerbSignature(
        name, .filter, summary: "order records by fields (nulls last); reads the whole stream",
        parameters: [.keyword("by", .sortKeys, "FIELD [asc|desc] [, FIELD …]", required: true, help: "the fields (or expressions) to order by")],
        output: .same,
        examples: [
            VerbExample("list | sort by size desc | first 3 | select name size", "the three biggest items"),
            VerbExample("list | sort by mime, size desc | first 3 | select mime size", "by type, biggest first within each"),
            VerbExample("list | sort by len(name) desc, name | first 3 | select name", "longest names first"),
        ])

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard case .sortKeys(let keys)? = call.stage.argument("by")?.value else { return call.input }
        let compiled = try keys.map { (try call.context.interpreter.compile($0.value), $0.descending) }
        // Each key is worked out once per record, before sorting (an expression may fail: it fails here).
        let values = try await call.input.collect()
        var rows = try values.map { v in (v, try compiled.map { key, _ in try v.record.map { try key($0) } ?? v }) }
        let access = compiled.map(\.1).enumerated().map { ($0.offset, $0.element) }
        rows.sort { a, b in
            for (i, descending) in access {
                let x = a.1[i], y = b.1[i]
                let c = Value.sortOrder(x, y)
                if c == .orderedSame { continue }
                if x.isNull || y.isNull { return c == .orderedAscending }
                return descending ? c == .orderedDescending : c == .orderedAscending
            }
            return false
        }
        return .of(rows.map(\.0))
    }

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        guard case .sortKeys(let keys)? = stage.argument("by")?.value else { return input }
        for key in keys { _ = checker.kind(of: key.value, row: input) }
        return input
    }

    func refine(_ stage: CheckedStage, planning: inout QueryPlanning) throws -> Refinement {
        guard !planning.ordered, case .sortKeys(let keys)? = stage.stage.argument("by")?.value, keys.count == 1,
              let field = keys[0].field, MediaFields.canonicalName[field.name] == "time_created" else { return .stop }
        planning.query.order = keys[0].descending ? .descending : .ascending
        planning.notes.append("sort by created → order=\(planning.query.order.rawValue)")
        planning.ordered = true
        return .absorbed
    }
}
