import Foundation
import MediaAPI

/// A source verb that lists through the API (`list`): it makes the query its arguments describe.
/// The planner then offers the stages after it to the query, one by one.
public protocol QuerySource: Verb {
    /// The query for the source stage; its arguments are consumed by it.
    func query(for stage: Stage, planning: inout QueryPlanning) throws -> MediaQuery
}

/// A verb that can do some or all of its work inside the source's query (`where created …`,
/// `sort by created`, `first N`).
public protocol QueryRefining: Verb {
    func refine(_ stage: CheckedStage, planning: inout QueryPlanning) throws -> Refinement
}

/// What a stage offered to the query became.
public enum Refinement: Sendable {
    /// Done entirely by the API: the stage is gone; the next stage is offered.
    case absorbed
    /// Partly done by the API: this (narrower) stage still runs locally; the next stage is offered.
    case narrowed(CheckedStage)
    /// The stage runs locally as written (perhaps having set a limit); planning stops here.
    case stop
}

/// A verb that sends requests of its own: `explain` lists them (`DELETE /v3/media/{id} …`).
public protocol RequestExplaining: Verb {
    /// The request lines for the stage, without indentation.
    func explainRequests(_ stage: Stage) -> [String]
}

/// The query being built, and what was pushed into it, in words.
public struct QueryPlanning {
    public var query = MediaQuery()
    /// What was pushed down, for `explain`.
    public var notes: [String] = []
    /// True while every stage since the source was done entirely by the API (a limit is exact then).
    public private(set) var onlyPushed = true
    /// True once a stage set the order.
    public var ordered = false
    public let interpreter: Interpreter

    init(interpreter: Interpreter) { self.interpreter = interpreter }

    mutating func noteLocal() { onlyPushed = false }

    /// An argument's value when it reads no record (`first 10`, `since 7d`); nil when not given.
    public func constant(_ argument: Argument?) throws -> Value? {
        guard let e = argument?.value.expression else { return nil }
        return try interpreter.compile(e)(nil)
    }

    /// `since 7d` means seven days before now; a datetime means itself.
    public func moment(_ v: Value, _ name: String) throws -> Date {
        switch v {
        case .duration(let d): return interpreter.now.addingTimeInterval(-d)
        case .datetime(let d): return d
        default: throw RunError("\(name) needs a duration (7d) or a datetime (2026-11-01), not \(v.kind.phrase)")
        }
    }
}

extension Expr {
    /// True when the expression reads no record: it can be evaluated once, before listing.
    public var readsNoRecord: Bool {
        switch kind {
        case .literal, .now, .today: return true
        case .variable(let v): return v != "it"
        // Known before listing too, but only once it has run: `explain` plans without running it.
        case .field, .subpipeline: return false
        case .member(let b, _): return b.readsNoRecord
        case .list(let items): return items.allSatisfy(\.readsNoRecord)
        case .negate(let x), .not(let x): return x.readsNoRecord
        case .binary(_, let l, let r): return l.readsNoRecord && r.readsNoRecord
        case .chain(let first, let steps): return first.readsNoRecord && steps.allSatisfy(\.operand.readsNoRecord)
        case .call(_, let args): return args.allSatisfy(\.readsNoRecord)
        case .between(let x, let lo, let hi): return x.readsNoRecord && lo.readsNoRecord && hi.readsNoRecord
        }
    }
}
