/// `first N`: the first N records; stops pulling (and the API stops paging) after them.
/// After stages the API did entirely, `first N` becomes the query's limit.
struct FirstVerb: QueryRefining, FieldReading {
    static let name = "first"
    let signature = VerbSignature(
        name, .filter, summary: "keep the first N records and stop reading",
        parameters: [.positional("count", .value([.int]), "N", required: false, help: "how many (default 1)")],
        output: .same,
        examples: [VerbExample("list | first 2 | select name", "the two newest items")])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let n = try call.count("count", default: 1)
        let input = call.input
        var taken = 0
        return ValueStream {
            guard taken < n, let v = try await input.next() else { return nil }
            taken += 1
            return v
        }
    }

    func fieldUse(_ stage: Stage) -> FieldUse? { .passes([]) }

    func refine(_ stage: CheckedStage, planning: inout QueryPlanning) throws -> Refinement {
        if planning.onlyPushed, case .int(let n)? = try planning.constant(stage.stage.argument("count")), n >= 0 {
            planning.query.limit = Int(n)
            planning.query.pageSize = max(1, min(planning.query.pageSize, Int(n)))
            planning.notes.append("first \(n) → stop paging after \(n) items")
        }
        return .stop
    }
}
