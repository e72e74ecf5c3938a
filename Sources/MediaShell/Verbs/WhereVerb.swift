/// `where PRED`: keeps the records for which the predicate is true. After `list`, tests of the
/// creation time (`created >= T`, also inside `and`) become the query's start and end times.
struct WhereVerb: QueryRefining, FieldReading, OrderReading, RecordTesting {
    static let name = "where"
    let signature = VerbSignature(
        name, .filter, summary: "keep records for which a test is true",
        parameters: [.positional("predicate", .predicate, "PRED", help: "a test: size > 1MB and mime =~ \"wav\", name like \"*.mp3\", mime in [\"audio/wav\"]")],
        output: .same,
        examples: [
            VerbExample("list | where size > 1MB | select name size", "items bigger than a megabyte"),
            VerbExample("list | where name like \"*.wav\" and not public | count", "private WAV files"),
            VerbExample("list | where created < now - 30d or mime in [\"audio/mpeg\"] | count", "old items, or MP3s"),
            VerbExample("list | where size between 50KB and 90KB and name =~ /FILE1/i | select name size", "a size range, and a name matched ignoring case"),
            VerbExample("list | where created between 2026-11-01 and 2026-11-15 | count", "a time range, both ends included"),
            VerbExample("let dups = list | group by mime | where count > 2; list | where mime in $dups.key | count", "membership in a query's results (a list's field)"),
            VerbExample("list | where mime in (list | group by mime | where count > 2 | select key) | count", "the same in one line: a pipeline in parentheses runs once, first"),
        ])

    func orderUse(_ stage: Stage) -> OrderUse? { .passes }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let test = try call.predicate("predicate") else { return call.input }
        let input = call.input
        return ValueStream {
            while let v = try await input.next() {
                if try test(v.record).isTrue { return v }
            }
            return nil
        }
    }

    func recordTest(_ stage: Stage) -> Expr? { stage.argument("predicate")?.value.expression }

    func fieldUse(_ stage: Stage) -> FieldUse? {
        guard let predicate = stage.argument("predicate")?.value.expression else { return .passes([]) }
        return predicate.fieldsRead.map(FieldUse.passes)
    }

    func refine(_ stage: CheckedStage, planning: inout QueryPlanning) throws -> Refinement {
        guard let predicate = stage.stage.argument("predicate")?.value.expression else { return .stop }
        var remaining: [Expr] = []
        for conjunct in Self.conjuncts(predicate) {
            if try !Self.pushTime(conjunct, into: &planning) { remaining.append(conjunct) }
        }
        guard let first = remaining.first, let last = remaining.last else { return .absorbed }
        // Kept as one flat chain, as the parser builds it: no nesting that grows with the terms.
        let steps = remaining.dropFirst().map { ChainStep(op: .and, operand: $0) }
        let kept = steps.isEmpty ? first : Expr(.chain(first, steps), first.span.through(last.span))
        var narrowed = stage
        narrowed.stage.arguments = [Argument(name: "predicate", value: .expression(kept), span: kept.span)]
        // What the user wrote (`now - 7d`, `/a/i`), where the stage's text holds it.
        narrowed.stage.text = "\(Self.name) " + remaining.map { Self.written($0, in: stage.stage) ?? $0.description }.joined(separator: " and ")
        return .narrowed(narrowed)
    }

    /// The expression's text as written in the stage, when its span lies inside the stage's text.
    static func written(_ e: Expr, in stage: Stage) -> String? {
        let bytes = Array(stage.text.utf8)
        let from = e.span.start - stage.span.start, to = e.span.end - stage.span.start
        guard bytes.count == stage.span.end - stage.span.start, from >= 0, to <= bytes.count, from < to else { return nil }
        return String(decoding: bytes[from..<to], as: UTF8.self)
    }

    private static func conjuncts(_ e: Expr) -> [Expr] {
        if case .chain(let first, let steps) = e.kind, steps.allSatisfy({ $0.op == .and }) { return [first] + steps.map(\.operand) }
        return [e]
    }

    /// Tightens the query's bounds by `created OP constant`; true when the test is then fully
    /// done by the API (inclusive bounds), false when it must still run locally.
    private static func pushTime(_ e: Expr, into planning: inout QueryPlanning) throws -> Bool {
        guard case .binary(var op, let l, let r) = e.kind else { return false }
        var valueSide = r
        if !isCreated(l) {
            guard isCreated(r) else { return false }
            valueSide = l
            switch op {
            case .less: op = .greater
            case .lessOrEqual: op = .greaterOrEqual
            case .greater: op = .less
            case .greaterOrEqual: op = .lessOrEqual
            default: break
            }
        }
        guard valueSide.readsNoRecord, case .datetime(let d) = try planning.interpreter.compile(valueSide)(nil) else { return false }
        func raiseStart() { planning.query.startTime = max(planning.query.startTime ?? d, d) }
        func lowerEnd() { planning.query.endTime = min(planning.query.endTime ?? d, d) }
        switch op {
        case .greaterOrEqual: raiseStart(); planning.notes.append("where created >= … → start_time"); return true
        case .greater: raiseStart(); planning.notes.append("where created > … → start_time (the strict test stays local)"); return false
        case .lessOrEqual: lowerEnd(); planning.notes.append("where created <= … → end_time"); return true
        case .less: lowerEnd(); planning.notes.append("where created < … → end_time (the strict test stays local)"); return false
        case .equal: raiseStart(); lowerEnd(); planning.notes.append("where created == … → start_time and end_time"); return true
        default: return false
        }
    }

    private static func isCreated(_ e: Expr) -> Bool {
        switch e.kind {
        case .field(let name): return MediaFields.canonicalName[name] == "time_created"
        case .member(let base, let name):
            if case .variable("it") = base.kind { return MediaFields.canonicalName[name] == "time_created" }
            return false
        default: return false
        }
    }
}
