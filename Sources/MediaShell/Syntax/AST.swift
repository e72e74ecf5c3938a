import Foundation

/// A whole program: statements in order.
public struct Program: Sendable {
    public var statements: [Statement]
}

/// One statement, with its span.
public enum Statement: Sendable {
    case pipeline(Pipeline)
    /// `let NAME = PIPELINE` (or an expression: `let limit = 1MB`).
    case binding(name: String, nameSpan: SourceSpan, value: Pipeline, span: SourceSpan)
    /// `def NAME [PARAMS] { PIPELINE }`.
    case definition(UserVerbDefinition)

    public var span: SourceSpan {
        switch self {
        case .pipeline(let p): p.span
        case .binding(_, _, _, let span): span
        case .definition(let d): d.span
        }
    }
}

/// A user verb: its name, parameter names and body.
public struct UserVerbDefinition: Sendable {
    public var name: String
    public var nameSpan: SourceSpan
    public var parameters: [(name: String, span: SourceSpan)]
    public var body: Pipeline
    public var span: SourceSpan
}

/// Stages joined by `|`; or a lone expression (`let x = 1MB`, `$list`).
public struct Pipeline: Sendable {
    public var stages: [Stage]
    public var span: SourceSpan
}

/// One verb and its arguments, bound by the verb's signature while parsing.
public struct Stage: Sendable {
    public var verb: String
    public var verbSpan: SourceSpan
    public var arguments: [Argument]
    public var span: SourceSpan
    /// The stage as written (for `explain`).
    public var text: String

    /// The argument given for a parameter, if any.
    public func argument(_ name: String) -> Argument? { arguments.first { $0.name == name } }
    /// Every argument given for a repeating parameter.
    public func arguments(_ name: String) -> [Argument] { arguments.filter { $0.name == name } }
    public func has(_ name: String) -> Bool { arguments.contains { $0.name == name } }
}

/// One argument, named by the parameter it fills.
public struct Argument: Sendable {
    public var name: String
    public var value: ArgumentValue
    public var span: SourceSpan
}

/// What an argument holds, by the shape its parameter declares.
public enum ArgumentValue: Sendable {
    case expression(Expr)
    case fields([FieldReference])
    case sortKeys([SortKey])
    case columns([Column])
    case assignments([Assignment])
    case pipeline(Pipeline)
    /// A switch or a flag keyword: present.
    case flag

    public var expression: Expr? { if case .expression(let e) = self { e } else { nil } }
}

/// A field named in a stage (`select size name`).
public struct FieldReference: Sendable, Hashable {
    public var name: String
    public var span: SourceSpan
}

/// `EXPR [asc|desc]` in `sort by`.
public struct SortKey: Sendable {
    public var value: Expr
    public var descending: Bool

    /// The field sorted by, when the key is a plain field name.
    public var field: FieldReference? {
        if case .field(let name) = value.kind { return FieldReference(name: name, span: value.span) }
        return nil
    }
}

/// `NAME = EXPR`, or an expression named by itself (`size`, `lower(name)`), in `select` and `group`.
public struct Column: Sendable {
    public var name: String
    /// True when written `NAME = EXPR`.
    public var isNamed: Bool
    public var value: Expr
    public var span: SourceSpan
}

/// `FIELD=VALUE` in `update set`.
public struct Assignment: Sendable {
    public var field: FieldReference
    public var value: Expr
}

/// An expression with its span.
public indirect enum ExprKind: Sendable {
    case literal(Value)
    /// A field of the current record (`size`, `media_size`).
    case field(String)
    /// `$name`, `$it`, `$1`, `$args`.
    case variable(String)
    /// `$it.size`, `$x.name`.
    case member(Expr, String)
    case list([Expr])
    case now
    case today
    case negate(Expr)
    case not(Expr)
    /// A comparison, match or `in`: these do not chain.
    case binary(BinaryOperator, Expr, Expr)
    /// `a and b and c`, `1 + 2 - 3`: operators of one precedence applied left to right. Kept flat,
    /// so a generated predicate of thousands of terms is one wide node, not a tree thousands deep.
    case chain(Expr, [ChainStep])
    /// `lower(name)`, `round(x, 1)`: a function of the language (`help functions`).
    case call(String, [Expr])
    /// `size between 1MB and 2MB`: both bounds included.
    case between(Expr, Expr, Expr)
    /// `(list | group by etag | where count > 1 | select key)`: a pipeline in parentheses, whose
    /// results are a value. It runs once, before the pipeline it sits in.
    case subpipeline(Subpipeline)
}

/// A pipeline written as a value. A class: one run computes each sub-pipeline once, and
/// finds its value again by this object's identity wherever the expression was copied to.
public final class Subpipeline: Sendable {
    public let pipeline: Pipeline

    public init(_ pipeline: Pipeline) { self.pipeline = pipeline }

    var id: ObjectIdentifier { ObjectIdentifier(self) }

    /// The pipeline as written, stage by stage.
    var text: String { pipeline.stages.map(\.text).joined(separator: " | ") }
}

/// One `OPERATOR operand` of a chain.
public struct ChainStep: Sendable {
    public var op: BinaryOperator
    public var operand: Expr
}

public struct Expr: Sendable {
    public var kind: ExprKind
    public var span: SourceSpan

    public init(_ kind: ExprKind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// Binary operators, loosest first by group.
public enum BinaryOperator: String, Sendable, CaseIterable {
    case or, and
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, matches, notMatches, like, `in`
    case add, subtract, multiply, divide

    public var symbol: String {
        switch self {
        case .or: "or"
        case .and: "and"
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        case .matches: "=~"
        case .notMatches: "!~"
        case .like: "like"
        case .in: "in"
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        }
    }

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }
}

extension Expr {
    /// True when the expression reads no field or variable: its value is known before running.
    /// (A loop, not recursion: it may be asked of a tree before its depth is checked.)
    var isLiteral: Bool {
        var pending = [self]
        while let e = pending.popLast() {
            switch e.kind {
            case .field, .variable, .member, .subpipeline: return false
            default: pending += e.operands
            }
        }
        return true
    }

    /// True when a pipeline in parentheses is part of it (its value needs a run).
    var containsSubpipeline: Bool {
        var pending = [self]
        while let e = pending.popLast() {
            switch e.kind {
            case .subpipeline: return true
            case .member(let base, _): pending.append(base)
            default: pending += e.operands
            }
        }
        return false
    }

    /// The expressions this one is made of (none for a leaf; a member's base is not one of
    /// them, nor is a pipeline in parentheses, whose expressions belong to its own pipeline).
    var operands: [Expr] {
        switch kind {
        case .field, .variable, .member, .subpipeline, .literal, .now, .today: []
        case .list(let items): items
        case .negate(let x), .not(let x): [x]
        case .binary(_, let l, let r): [l, r]
        case .chain(let first, let steps): [first] + steps.map(\.operand)
        case .call(_, let args): args
        case .between(let x, let lo, let hi): [x, lo, hi]
        }
    }
}

extension Expr: CustomStringConvertible {
    /// The expression as source text (for `explain`).
    public var description: String {
        switch kind {
        case .literal(let v): return v.sourceText
        case .field(let f): return f
        case .variable(let v): return "$" + v
        case .member(let e, let f): return "\(e).\(f)"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .now: return "now"
        case .today: return "today"
        case .negate(let e):
            let operand = e.wrapped(below: BinaryOperator.negatePrecedence)
            return operand.hasPrefix("-") ? "- " + operand : "-" + operand
        case .not(let e): return "not " + e.wrapped(below: BinaryOperator.notPrecedence)
        case .binary(let op, let l, let r):
            return "\(l.wrapped(below: op.precedence + 1)) \(op.symbol) \(r.wrapped(below: op.precedence + 1))"
        case .chain(let first, let steps):
            let level = steps.first?.op.precedence ?? 0
            var text = first.wrapped(below: level)
            for step in steps {
                text += " \(step.op.symbol) " + step.operand.wrapped(below: level + 1)
            }
            return text
        case .call(let name, let args):
            return name + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case .between(let x, let lo, let hi):
            let level = BinaryOperator.equal.precedence + 1
            return "\(x.wrapped(below: level)) between \(lo.wrapped(below: level)) and \(hi.wrapped(below: level))"
        case .subpipeline(let sub): return "(" + sub.text + ")"
        }
    }

    /// How tightly the expression binds: its operator's precedence, or above every operator.
    var precedence: Int {
        switch kind {
        case .binary(let op, _, _): op.precedence
        case .chain(_, let steps): steps.first?.op.precedence ?? BinaryOperator.negatePrecedence
        case .not: BinaryOperator.notPrecedence
        case .between: BinaryOperator.equal.precedence
        case .negate: BinaryOperator.negatePrecedence
        default: BinaryOperator.negatePrecedence + 1
        }
    }

    /// The text, in parentheses when it binds more loosely than `level` (`a - (b - c)`).
    func wrapped(below level: Int) -> String {
        precedence < level ? "(\(description))" : description
    }
}

extension BinaryOperator {
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .add, .subtract: 4
        case .multiply, .divide: 5
        default: 3
        }
    }

    /// `not` binds looser than a comparison (`not a == b` is `not (a == b)`), tighter than `and`.
    static let notPrecedence = 3
    /// Unary minus binds tighter than every binary operator.
    static let negatePrecedence = 6
}
