import Foundation
import MediaAPI

/// A verb of the language. Built-in verbs and host-registered ones are alike: a signature
/// (the truth for help, completion, parsing and checking) and a way to run.
public protocol Verb: Sendable {
    var signature: VerbSignature { get }
    /// Checks what the signature alone cannot (kinds of assignments, fields a verb reads) and
    /// says what the verb emits. The default checks by the signature.
    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape
    /// Starts the verb over its input; the stream it returns is pulled by the next stage.
    func run(_ call: VerbCall) async throws -> ValueStream
}

extension Verb {
    public func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        return signature.output.shape(after: input)
    }
}

extension OutputShape {
    func shape(after input: StreamShape) -> StreamShape {
        switch self {
        case .same, .rendered: input
        case .media: .records(MediaFields.schema)
        case .results: .records(StreamShape.results)
        case .scalar(let k): .scalar(k)
        case .unknownRecords: .records(nil)
        case .nothing: .nothing
        }
    }
}

/// One run of a verb: its arguments, its input and the shell around it.
public struct VerbCall: Sendable {
    public let stage: Stage
    public let input: ValueStream
    public let context: EvaluationContext
    /// For `list`: the query the planner made (bounds, order and limit pushed down).
    public let query: MediaQuery?
    /// For a source: the only fields the rest of the pipeline reads (nil: all of them), so a
    /// reader may leave the others out of its records.
    public let fieldsRead: Set<String>?
    /// For a `SourceTesting` source: the next stage's test, to run on each record as it is read.
    public var test: Expr? = nil

    public func has(_ name: String) -> Bool { stage.has(name) }

    /// The value of an argument that names no fields (`first 10`, `since 7d`); nil when not given.
    public func value(_ name: String) throws -> Value? {
        guard let e = stage.argument(name)?.value.expression else { return nil }
        return try context.interpreter.compile(e)(nil)
    }

    /// The values of a repeating argument (`info ID…`).
    public func values(_ name: String) throws -> [Value] {
        try stage.arguments(name).compactMap(\.value.expression).map { try context.interpreter.compile($0)(nil) }
    }

    /// An argument compiled to run against each record (`where`'s predicate).
    public func predicate(_ name: String) throws -> CompiledExpression? {
        guard let e = stage.argument(name)?.value.expression else { return nil }
        return try context.interpreter.compile(e)
    }

    public func fields(_ name: String) -> [String] {
        stage.arguments(name).flatMap { a -> [String] in
            if case .fields(let f) = a.value { return f.map(\.name) }
            return []
        }
    }

    /// An int argument that must be zero or more (`first N`).
    public func count(_ name: String, default fallback: Int) throws -> Int {
        guard let v = try value(name) else { return fallback }
        guard case .int(let n) = v, n >= 0, n <= Int64(Int32.max) else {
            throw RunError("\(name) must be a whole number, 0 or more, not \(v.humanText)")
        }
        return Int(n)
    }

    /// A path argument resolved against the shell's working directory.
    public func path(_ name: String) throws -> URL? {
        guard let v = try value(name) else { return nil }
        return context.resolve(path: v.humanText)
    }
}

/// A failure while running, with a message for the user.
public struct RunError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// A mistake in how the program was asked to run, found before any request: exit status 2.
    public var isUsage = false
    public init(_ message: String, usage: Bool = false) {
        description = message
        isUsage = usage
    }
}
