import Foundation
import MediaAPI

/// Pushes what the API can do into the listing query: `since`/`until` and `where created …`
/// (also inside `and`) become start/end times, `sort by created` becomes the order, and
/// `first N` becomes a limit so paging stops early. Everything else runs locally.
struct Planner {
    let interpreter: Interpreter

    func plan(_ stages: [CheckedStage]) throws -> Plan {
        guard let source = stages.first, source.verb.signature.name == ListVerb.name else {
            return Plan(query: nil, stages: stages, pushedDown: [])
        }
        var notes: [String] = []
        var query = MediaQuery()
        if case .string(let order)? = try constant(source.stage.argument("order")) {
            query.order = order.hasPrefix("asc") ? .ascending : .descending
        }
        if let since = try constant(source.stage.argument("since")) {
            query.startTime = try moment(since, "since")
            notes.append("since → start_time")
        }
        if let until = try constant(source.stage.argument("until")) {
            query.endTime = try moment(until, "until")
            notes.append("until → end_time")
        }
        var local: [CheckedStage] = [source]
        var rest = stages.dropFirst()
        var onlyPushed = true
        var sorted = false
        scan: while let next = rest.first {
            switch next.verb.signature.name {
            case WhereVerb.name:
                guard let predicate = next.stage.argument("predicate")?.value.expression else { break scan }
                var remaining: [Expr] = []
                for conjunct in conjuncts(predicate) {
                    if try !pushTime(conjunct, into: &query, notes: &notes) { remaining.append(conjunct) }
                }
                if let first = remaining.first {
                    let rest = remaining.dropFirst().map { ChainStep(op: .and, operand: $0) }
                    let kept = rest.isEmpty ? first : Expr(.chain(first, rest), first.span.through(remaining[remaining.count - 1].span))
                    var stage = next
                    stage.stage.arguments = [Argument(name: "predicate", value: .expression(kept), span: kept.span)]
                    local.append(stage)
                    onlyPushed = false
                }
            case SortVerb.name:
                guard !sorted, case .sortKeys(let keys)? = next.stage.argument("by")?.value, keys.count == 1,
                      MediaFields.canonicalName[keys[0].field.name] == "time_created" else { break scan }
                query.order = keys[0].descending ? .descending : .ascending
                notes.append("sort by created → order=\(query.order.rawValue)")
                sorted = true
            case FirstVerb.name:
                if onlyPushed, case .int(let n)? = try constant(next.stage.argument("count")), n >= 0 {
                    query.limit = Int(n)
                    query.pageSize = max(1, min(query.pageSize, Int(n)))
                    notes.append("first \(n) → stop paging after \(n) items")
                }
                break scan
            default:
                break scan
            }
            rest = rest.dropFirst()
        }
        var planned = source
        planned.stage.arguments = []
        local[0] = planned
        return Plan(query: query, stages: local + rest, pushedDown: notes)
    }

    private func constant(_ argument: Argument?) throws -> Value? {
        guard let e = argument?.value.expression else { return nil }
        return try interpreter.compile(e)(nil)
    }

    /// `since 7d` means seven days before now; a datetime means itself.
    private func moment(_ v: Value, _ name: String) throws -> Date {
        switch v {
        case .duration(let d): return interpreter.now.addingTimeInterval(-d)
        case .datetime(let d): return d
        default: throw RunError("\(name) needs a duration (7d) or a datetime (2026-11-01), not \(v.kind.phrase)")
        }
    }

    private func conjuncts(_ e: Expr) -> [Expr] {
        if case .chain(let first, let steps) = e.kind, steps.first?.op == .and { return [first] + steps.map(\.operand) }
        return [e]
    }

    /// Tightens the query's bounds by `created OP constant`; true when the test is then fully
    /// done by the API (inclusive bounds), false when it must still run locally.
    private func pushTime(_ e: Expr, into query: inout MediaQuery, notes: inout [String]) throws -> Bool {
        guard case .binary(var op, let l, let r) = e.kind else { return false }
        var fieldSide = l, valueSide = r
        if !isCreated(l) {
            guard isCreated(r) else { return false }
            fieldSide = r
            valueSide = l
            switch op {
            case .less: op = .greater
            case .lessOrEqual: op = .greaterOrEqual
            case .greater: op = .less
            case .greaterOrEqual: op = .lessOrEqual
            default: break
            }
        }
        _ = fieldSide
        guard isConstant(valueSide), case .datetime(let d) = try interpreter.compile(valueSide)(nil) else { return false }
        func raiseStart() { query.startTime = max(query.startTime ?? d, d) }
        func lowerEnd() { query.endTime = min(query.endTime ?? d, d) }
        switch op {
        case .greaterOrEqual: raiseStart(); notes.append("where created >= … → start_time"); return true
        case .greater: raiseStart(); notes.append("where created > … → start_time (the strict test stays local)"); return false
        case .lessOrEqual: lowerEnd(); notes.append("where created <= … → end_time"); return true
        case .less: lowerEnd(); notes.append("where created < … → end_time (the strict test stays local)"); return false
        case .equal: raiseStart(); lowerEnd(); notes.append("where created == … → start_time and end_time"); return true
        default: return false
        }
    }

    private func isCreated(_ e: Expr) -> Bool {
        switch e.kind {
        case .field(let name): return MediaFields.canonicalName[name] == "time_created"
        case .member(let base, let name):
            if case .variable("it") = base.kind { return MediaFields.canonicalName[name] == "time_created" }
            return false
        default: return false
        }
    }

    /// True when the expression reads no record: it can be evaluated once, before listing.
    private func isConstant(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal, .now, .today: return true
        case .variable(let v): return v != "it"
        case .field: return false
        case .member(let b, _): return isConstant(b)
        case .list(let items): return items.allSatisfy(isConstant)
        case .negate(let x), .not(let x): return isConstant(x)
        case .binary(_, let l, let r): return isConstant(l) && isConstant(r)
        case .chain(let first, let steps): return isConstant(first) && steps.allSatisfy { isConstant($0.operand) }
        }
    }
}
