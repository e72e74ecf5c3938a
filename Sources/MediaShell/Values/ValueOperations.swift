import Foundation

/// Why an operation on two values failed at run time (the checker catches most of these first).
struct OperationError: Error, Sendable {
    var message: String
}

extension Value {
    /// Orders two values of comparable kinds; nil when the kinds do not compare.
    /// Ints compare with floats, and with sizes as byte counts.
    public static func compare(_ a: Value, _ b: Value) -> ComparisonResult? {
        func order<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult { x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame) }
        switch (a, b) {
        case (.int(let x), .int(let y)), (.size(let x), .size(let y)), (.size(let x), .int(let y)), (.int(let x), .size(let y)):
            return order(x, y)
        case (.float(let x), .float(let y)): return order(x, y)
        case (.int(let x), .float(let y)): return order(Double(x), y)
        case (.float(let x), .int(let y)): return order(x, Double(y))
        case (.string(let x), .string(let y)): return order(x, y)
        case (.bool(let x), .bool(let y)): return order(x ? 1 : 0, y ? 1 : 0)
        case (.duration(let x), .duration(let y)): return order(x, y)
        case (.datetime(let x), .datetime(let y)): return order(x, y)
        case (.null, .null): return .orderedSame
        default: return nil
        }
    }

    /// Equality by meaning: `1MB == 1000000B`, `1 == 1.0`; different kinds are unequal.
    public static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.record(let x), .record(let y)): return x == y
        default: return compare(a, b) == .orderedSame
        }
    }

    /// Sorting order across kinds: nulls last, then by kind, then by value.
    static func sortOrder(_ a: Value, _ b: Value) -> ComparisonResult {
        if let c = compare(a, b) { return c }
        if a.isNull { return .orderedDescending }
        if b.isNull { return .orderedAscending }
        return a.kind.rawValue < b.kind.rawValue ? .orderedAscending : .orderedDescending
    }

    /// `+ - * /` by meaning: sizes and durations keep their unit, datetimes move by durations.
    static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        if a.isNull || b.isNull { return .null }
        switch (op, a, b) {
        case (.add, .int(let x), .int(let y)): return .int(try checked(x.addingReportingOverflow(y)))
        case (.subtract, .int(let x), .int(let y)): return .int(try checked(x.subtractingReportingOverflow(y)))
        case (.multiply, .int(let x), .int(let y)): return .int(try checked(x.multipliedReportingOverflow(by: y)))
        case (.divide, .int(let x), .int(let y)):
            guard y != 0 else { throw OperationError(message: "division by zero") }
            // Int64.min / -1 is the one quotient that does not fit.
            let (quotient, overflow) = x.dividedReportingOverflow(by: y)
            if overflow { throw OperationError(message: "number too large") }
            return quotient * y == x ? .int(quotient) : .float(Double(x) / Double(y))
        case (_, .int, .float), (_, .float, .int), (_, .float, .float):
            guard let x = a.number, let y = b.number else { break }
            return .float(try finite(floating(op, x, y)))
        case (.add, .size(let x), .size(let y)): return .size(try checked(x.addingReportingOverflow(y)))
        case (.subtract, .size(let x), .size(let y)): return .size(try checked(x.subtractingReportingOverflow(y)))
        case (.multiply, .size(let x), _) where b.number != nil: return .size(try sizeOf(Double(x) * (b.number ?? 0)))
        case (.multiply, _, .size(let y)) where a.number != nil: return .size(try sizeOf(Double(y) * (a.number ?? 0)))
        case (.divide, .size(let x), _) where b.number != nil:
            guard let y = b.number, y != 0 else { throw OperationError(message: "division by zero") }
            return .size(try sizeOf(Double(x) / y))
        case (.divide, .size(let x), .size(let y)):
            guard y != 0 else { throw OperationError(message: "division by zero") }
            return .float(Double(x) / Double(y))
        case (.add, .duration(let x), .duration(let y)): return .duration(try durationOf(x + y))
        case (.subtract, .duration(let x), .duration(let y)): return .duration(try durationOf(x - y))
        case (.multiply, .duration(let x), _) where b.number != nil: return .duration(try durationOf(x * (b.number ?? 0)))
        case (.multiply, _, .duration(let y)) where a.number != nil: return .duration(try durationOf(y * (a.number ?? 0)))
        case (.divide, .duration(let x), _) where b.number != nil:
            guard let y = b.number, y != 0 else { throw OperationError(message: "division by zero") }
            return .duration(try durationOf(x / y))
        case (.divide, .duration(let x), .duration(let y)):
            guard y != 0 else { throw OperationError(message: "division by zero") }
            return .float(try finite(x / y))
        case (.add, .datetime(let d), .duration(let s)), (.add, .duration(let s), .datetime(let d)): return .datetime(try dateOf(d.addingTimeInterval(s)))
        case (.subtract, .datetime(let d), .duration(let s)): return .datetime(try dateOf(d.addingTimeInterval(-s)))
        case (.subtract, .datetime(let x), .datetime(let y)): return .duration(try durationOf(x.timeIntervalSince(y)))
        case (.add, .string(let x), .string(let y)): return .string(x + y)
        default: break
        }
        throw OperationError(message: "cannot apply '\(op.symbol)' to \(a.kind.phrase) and \(b.kind.phrase)")
    }

    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let f): f
        default: nil
        }
    }

    private static func checked(_ r: (partialValue: Int64, overflow: Bool)) throws -> Int64 {
        if r.overflow { throw OperationError(message: "number too large") }
        return r.partialValue
    }

    /// Durations stay within about 285 million years, so every conversion to whole units fits an Int64.
    static let durationLimit: Double = 9e15

    private static func durationOf(_ d: Double) throws -> Double {
        guard d.isFinite, abs(d) < durationLimit else { throw OperationError(message: "duration too large") }
        return d
    }

    /// Dates stay within a duration's reach of 1970, so formatting one never overflows.
    private static func dateOf(_ d: Date) throws -> Date {
        guard abs(d.timeIntervalSince1970) < durationLimit else { throw OperationError(message: "date out of range") }
        return d
    }

    private static func finite(_ d: Double) throws -> Double {
        guard d.isFinite else { throw OperationError(message: "number too large") }
        return d
    }

    /// Negation; the smallest int has no positive twin.
    static func negate(_ v: Value) throws -> Value {
        switch v {
        case .int(let i):
            guard i != .min else { throw OperationError(message: "number too large") }
            return .int(-i)
        case .size(let s):
            guard s != .min else { throw OperationError(message: "size too large") }
            return .size(-s)
        case .float(let f): return .float(-f)
        case .duration(let d): return .duration(-d)
        case .null: return .null
        default: throw OperationError(message: "cannot negate \(v.kind.phrase)")
        }
    }

    private static func sizeOf(_ d: Double) throws -> Int64 {
        guard d.isFinite, abs(d) < 9.2e18 else { throw OperationError(message: "size too large") }
        return Int64(d.rounded())
    }

    private static func floating(_ op: BinaryOperator, _ x: Double, _ y: Double) throws -> Double {
        switch op {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide:
            guard y != 0 else { throw OperationError(message: "division by zero") }
            return x / y
        default: throw OperationError(message: "'\(op.symbol)' is not arithmetic")
        }
    }
}
