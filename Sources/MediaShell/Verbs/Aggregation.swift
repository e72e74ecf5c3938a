/// What `sum`, `avg`, `min` and `max` share: one field, read from every record.
struct Aggregation {
    static func parameter(_ what: String) -> Parameter {
        .positional("field", .fields, "FIELD", help: "the field to \(what)")
    }

    /// Checks the field and returns its kind.
    static func fieldKind(_ stage: Stage, input: StreamShape, checker: Checker, allowed: [ValueKind]) -> ValueKind {
        guard case .fields(let refs)? = stage.argument("field")?.value, let ref = refs.first else { return .any }
        if refs.count > 1 { checker.error("'\(stage.verb)' takes one field", at: refs[1].span) }
        let k = checker.field(ref, in: input)
        if k != .any, !allowed.contains(k) {
            checker.error("cannot \(stage.verb) \(k.phrase) field '\(ref.name)'", at: ref.span, hint: "use a field holding \(allowed.map(\.phrase).joined(separator: ", "))")
        }
        return k
    }

    /// Calls `body` with every non-null value of the field.
    static func forEach(_ call: VerbCall, _ body: (Value) throws -> Void) async throws {
        let access = FieldAccess(call.fields("field").first ?? "")
        while let v = try await call.input.next() {
            let x = v.record.map { access.value(in: $0) } ?? v
            if !x.isNull { try body(x) }
        }
    }

    /// Runs one accumulator over the field of every record: what `sum`, `avg`, `min`, `max` print.
    static func run(_ kind: Accumulator.Kind, _ call: VerbCall) async throws -> ValueStream {
        var acc = Accumulator(kind)
        try await forEach(call) { try acc.add($0) }
        let field = call.fields("field").first ?? ""
        return .of([acc.result(of: MediaFields.canonicalName[field].flatMap { MediaFields.kinds[$0] } ?? .int)])
    }
}

/// One running aggregate. Of no values: `count` is 0, `sum` is the zero of the field's kind
/// (`0 B` for sizes), `avg`, `min` and `max` are null (nothing in a table, `null` in JSON).
struct Accumulator {
    enum Kind: String, CaseIterable { case count, sum, avg, min, max, pct }

    /// The kinds each aggregate reads.
    static func allowed(_ kind: Kind) -> [ValueKind] {
        switch kind {
        case .count: []
        case .sum, .avg, .pct: [.int, .float, .size, .duration]
        case .min, .max: [.int, .float, .size, .duration, .datetime, .string]
        }
    }

    /// The result's kind, from the kind of what it reads.
    static func resultKind(_ kind: Kind, of k: ValueKind) -> ValueKind {
        switch kind {
        case .count: .int
        case .pct: .float
        case .avg: k == .int ? .float : k
        default: k
        }
    }

    let kind: Kind
    private(set) var count: Int64 = 0
    private(set) var total: Value?
    private var mean = 0.0
    private var meanKind = ValueKind.float
    private var best: Value?

    init(_ kind: Kind) { self.kind = kind }

    /// Adds a value (null values are not added: they do not count).
    mutating func add(_ v: Value) throws {
        guard !v.isNull else { return }
        count += 1
        switch kind {
        case .count: break
        case .sum, .pct:
            do { total = try total.map { try Value.arithmetic(.add, $0, v) } ?? v } catch let e as OperationError { throw RunError("\(kind.rawValue): \(e.message)") }
        case .avg:
            switch v {
            case .int(let i): mean += Double(i)
            case .float(let f): mean += f
            case .size(let s): mean += Double(s); meanKind = .size
            case .duration(let d): mean += d; meanKind = .duration
            default: throw RunError("avg: cannot average \(v.kind.phrase)")
            }
        case .min, .max:
            guard let b = best else { best = v; return }
            guard let c = Value.compare(v, b) else { throw RunError("\(kind.rawValue): cannot compare \(v.kind.phrase) with \(b.kind.phrase)") }
            if c == (kind == .min ? .orderedAscending : .orderedDescending) { best = v }
        }
    }

    /// The aggregate; `emptyKind` is the kind a sum of nothing is a zero of.
    func result(of emptyKind: ValueKind) -> Value {
        switch kind {
        case .count: return .int(count)
        case .sum, .pct:
            if let total { return total }
            switch emptyKind {
            case .size: return .size(0)
            case .duration: return .duration(0)
            case .float: return .float(0)
            default: return .int(0)
            }
        case .avg:
            guard count > 0 else { return .null }
            let m = mean / Double(count)
            switch meanKind {
            case .size: return .size(Int64(exactly: m.rounded()) ?? (m < 0 ? .min : .max))
            case .duration: return .duration(m)
            default: return .float(m)
            }
        case .min, .max: return best ?? .null
        }
    }

    /// `part` as a percentage of `whole`, two decimals; null when the whole is zero.
    static func percent(_ part: Value, of whole: Value) -> Value {
        guard let p = part.magnitude, let w = whole.magnitude, w != 0 else { return .null }
        return .float((p / w * 10_000).rounded() / 100)
    }
}

extension Value {
    /// A number, size or duration as a plain number.
    var magnitude: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let f): f
        case .size(let s): Double(s)
        case .duration(let d): d
        default: nil
        }
    }
}
