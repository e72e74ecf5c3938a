import Foundation

/// An expression compiled for one run: call it with the current record (nil where none).
public typealias CompiledExpression = (Record?) throws -> Value

/// Compiles expressions into closures once per stage, so evaluating a predicate per record
/// does no lookups of names, patterns or variables.
public struct Interpreter: Sendable {
    /// `$name` values: let bindings, script arguments (`$1`, `$args`).
    public var variables: [String: Value]
    /// The run's clock reading: `now` is the same moment in every stage.
    public var now: Date
    /// The zone date functions (`date(created)`, `weekday(…)`) and `today` read times in.
    public var timeZone: TimeZone
    /// The values of this run's pipelines in parentheses, computed before the pipeline holding them.
    var subpipelineValues: [ObjectIdentifier: Value] = [:]

    public init(variables: [String: Value], now: Date, timeZone: TimeZone = ShellEnvironment.utc) {
        self.variables = variables
        self.now = now
        self.timeZone = timeZone
    }

    public func compile(_ e: Expr) throws -> CompiledExpression {
        switch e.kind {
        case .literal(let v): return { _ in v }
        case .now:
            let v = Value.datetime(now)
            return { _ in v }
        case .today:
            let v = Value.datetime(FunctionContext(timeZone: timeZone).calendar.startOfDay(for: now))
            return { _ in v }
        case .field(let name):
            let access = FieldAccess(name)
            return { row in row.map { access.value(in: $0) } ?? .null }
        case .variable(let name):
            if name == "it" { return { row in row.map(Value.record) ?? .null } }
            guard let v = variables[name] else { throw RunError("unknown variable '$\(name)'") }
            return { _ in v }
        case .member(let base, let name):
            let b = try compile(base)
            let access = FieldAccess(name)
            return { row in
                switch try b(row) {
                case .record(let r): return access.value(in: r)
                case .list(let items): return .list(items.map { $0.record.map { access.value(in: $0) } ?? .null })
                default: return .null
                }
            }
        case .list(let items):
            let compiled = try items.map(compile)
            return { row in .list(try compiled.map { try $0(row) }) }
        case .negate(let inner):
            let c = try compile(inner)
            return { row in
                do { return try Value.negate(try c(row)) } catch let e as OperationError { throw RunError(e.message) }
            }
        case .not(let inner):
            let c = try compile(inner)
            return { row in .bool(!(try c(row)).isTrue) }
        case .binary(let op, let l, let r):
            return try binary(op, l, r)
        case .chain(let first, let steps):
            return try chain(first, steps)
        case .call(let name, let args):
            return try call(name, args)
        case .between(let x, let lo, let hi):
            return try between(x, lo, hi)
        case .subpipeline(let sub):
            guard let v = subpipelineValues[sub.id] else {
                throw RunError("the value of (\(sub.text)) is known only once it has run")
            }
            return { _ in v }
        }
    }

    // Kept out of `compile`, which recurses once per level of the tree: its frame stays small.

    @inline(never)
    private func call(_ name: String, _ args: [Expr]) throws -> CompiledExpression {
        guard let function = ExpressionFunctions.named(name) else { throw RunError("unknown function '\(name)'") }
        let compiled = try args.map(compile)
        let context = FunctionContext(timeZone: timeZone)
        return { row in
            let values = try compiled.map { try $0(row) }
            if function.name != "coalesce", values.contains(where: \.isNull) { return .null }
            do { return try function.apply(values, context) } catch let e as OperationError { throw RunError(e.message) }
        }
    }

    @inline(never)
    private func between(_ x: Expr, _ lo: Expr, _ hi: Expr) throws -> CompiledExpression {
        let (value, low, high) = (try compile(x), try compile(lo), try compile(hi))
        return { row in
            let v = try value(row), a = try low(row), b = try high(row)
            if v.isNull || a.isNull || b.isNull { return .bool(false) }
            guard let c1 = Value.compare(v, a), let c2 = Value.compare(v, b) else {
                throw RunError("cannot compare \(v.kind.phrase) with \(a.kind.phrase) and \(b.kind.phrase)")
            }
            return .bool(c1 != .orderedAscending && c2 != .orderedDescending)
        }
    }

    /// A chain runs as one loop over its operands, however long it is (one closure calling the
    /// next would recurse once per operand). `and`/`or` chains stop at the first operand that decides.
    private func chain(_ first: Expr, _ steps: [ChainStep]) throws -> CompiledExpression {
        let head = try compile(first)
        let rest = try steps.map { CompiledStep(op: $0.op, operand: try compile($0.operand)) }
        return { row in
            var value = try head(row)
            for step in rest {
                let operand = step.operand
                switch step.op {
                case .and:
                    guard value.isTrue else { return .bool(false) }
                    value = .bool(try operand(row).isTrue)
                case .or:
                    if value.isTrue { return .bool(true) }
                    value = .bool(try operand(row).isTrue)
                default:
                    do { value = try Value.arithmetic(step.op, value, try operand(row)) } catch let e as OperationError { throw RunError(e.message) }
                }
            }
            return value
        }
    }

    private func binary(_ op: BinaryOperator, _ l: Expr, _ r: Expr) throws -> CompiledExpression {
        let left = try compile(l)
        switch op {
        case .and:
            let right = try compile(r)
            return { row in .bool(try left(row).isTrue && right(row).isTrue) }
        case .or:
            let right = try compile(r)
            return { row in .bool(try left(row).isTrue || right(row).isTrue) }
        case .matches, .notMatches, .like:
            let negate = op == .notMatches
            if case .literal(.string(let p)) = r.kind {
                let pattern = try op == .like ? TextPattern(glob: p) : TextPattern(regex: p)
                return { row in
                    guard case .string(let s) = try left(row) else { return .bool(negate) }
                    return .bool(pattern.matches(s) != negate)
                }
            }
            let right = try compile(r)
            let glob = op == .like
            return { row in
                guard case .string(let s) = try left(row), case .string(let p) = try right(row) else { return .bool(negate) }
                let pattern = try glob ? TextPattern(glob: p) : TextPattern(regex: p)
                return .bool(pattern.matches(s) != negate)
            }
        case .in:
            let right = try compile(r)
            return { row in
                let needle = try left(row)
                switch try right(row) {
                case .list(let items):
                    if needle.record == nil, items.contains(where: { $0.record != nil }) {
                        throw RunError("'in' compares \(needle.kind.phrase) with a list of records: name one of their fields ($list.key, or end a pipeline in parentheses with | select key)")
                    }
                    return .bool(items.contains { Value.equal(needle, $0) })
                case .string(let s):
                    guard case .string(let n) = needle else { return .bool(false) }
                    return .bool(s.contains(n))
                default: return .bool(false)
                }
            }
        case .equal, .notEqual:
            let right = try compile(r)
            let negate = op == .notEqual
            return { row in
                let a = try left(row), b = try right(row)
                if a.kind != b.kind, !a.isNull, !b.isNull, Value.compare(a, b) == nil {
                    throw RunError("cannot compare \(a.kind.phrase) with \(b.kind.phrase)")
                }
                return .bool(Value.equal(a, b) != negate)
            }
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let right = try compile(r)
            func ordered(_ c: ComparisonResult) -> Bool {
                switch op {
                case .less: c == .orderedAscending
                case .lessOrEqual: c != .orderedDescending
                case .greater: c == .orderedDescending
                default: c != .orderedAscending
                }
            }
            func general(_ a: Value, _ b: Value) throws -> Value {
                if a.isNull || b.isNull { return .bool(false) }
                guard let c = Value.compare(a, b) else { throw RunError("cannot compare \(a.kind.phrase) with \(b.kind.phrase)") }
                return .bool(ordered(c))
            }
            // A whole number on the right (`size > 1MB`): a whole number on the left is compared
            // directly, without the general comparison's pairing of every kind.
            if case .literal(let b) = r.kind, let limit = b.wholeNumber {
                return { row in
                    let a = try left(row)
                    switch a {
                    case .int(let x), .size(let x): return .bool(ordered(x < limit ? .orderedAscending : x > limit ? .orderedDescending : .orderedSame))
                    default: return try general(a, b)
                    }
                }
            }
            return { row in try general(try left(row), try right(row)) }
        case .add, .subtract, .multiply, .divide:
            let right = try compile(r)
            return { row in
                do { return try Value.arithmetic(op, try left(row), try right(row)) } catch let e as OperationError { throw RunError(e.message) }
            }
        }
    }
}

/// A chain's operator and compiled operand. A struct, not a tuple: an array of tuples would
/// keep the closure in its most general form, and every call would pass through a conversion.
private struct CompiledStep {
    let op: BinaryOperator
    let operand: CompiledExpression
}

/// Reads one field by any of its names. A media record has the seed's layout, so there the
/// lookup is usually a single comparison.
struct FieldAccess: Sendable {
    private let names: [String]
    /// Where the field sits in a media record (the seed's order); other records are searched.
    /// Fixed at creation, so one access may be shared by concurrent stages.
    private let hint: Int

    init(_ name: String) {
        var names = [name]
        if let c = MediaFields.canonicalName[name], c != name { names.append(c) }
        if let a = MediaFields.aliasOf[name] { names.append(a) }
        self.names = names
        hint = names.lazy.compactMap { MediaFields.seedNames.firstIndex(of: $0) }.first ?? -1
    }

    func value(in record: Record) -> Value {
        let fields = record.names
        if hint >= 0, hint < fields.count {
            let f = fields[hint]
            for n in names where n == f { return record.values[hint] }
        }
        for n in names {
            if let i = record.index(of: n) { return record.values[i] }
        }
        return .null
    }
}

private extension Value {
    /// An int's value or a size's bytes: the two compare with each other as numbers (`compare`).
    var wholeNumber: Int64? {
        switch self {
        case .int(let x), .size(let x): x
        default: nil
        }
    }
}
