/// The test of a `where` right after `open`, run by the reader on each record as it is parsed,
/// on the reader's threads (`SourceTesting`). It throws what the `where` would throw, and the
/// readers pass an error on as they pass on a parse error: after the records before it, in
/// order. Each thread holds a copy of its own (`copy()`).
final class ReaderTest: @unchecked Sendable {
    private let expression: Expr?
    private let interpreter: Interpreter?
    /// Not optional (`expression` says whether there is a test): an optional closure is kept in
    /// its most general form, and each call would pass through a conversion.
    private let test: CompiledExpression

    /// No test: every record is kept.
    static var none: ReaderTest { ReaderTest(nil, nil, test: { _ in .bool(true) }) }

    private init(_ expression: Expr?, _ interpreter: Interpreter?, test: @escaping CompiledExpression) {
        self.expression = expression
        self.interpreter = interpreter
        self.test = test
    }

    /// Compiled expressions hold only constants, thread-safe patterns and fixed lookups: copies
    /// may run at the same time.
    convenience init(_ expression: Expr?, _ interpreter: Interpreter) throws {
        guard let expression else {
            self.init(nil, nil, test: { _ in .bool(true) })
            return
        }
        self.init(expression, interpreter, test: try interpreter.compile(expression))
    }

    /// The same test compiled again, for another thread: closures and the patterns they hold are
    /// reference counted, and two threads counting one object slow each other down.
    func copy() -> ReaderTest {
        guard let expression, let interpreter else { return ReaderTest(nil, nil, test: test) }
        guard let again = try? interpreter.compile(expression) else { return self }
        return ReaderTest(expression, interpreter, test: again)
    }

    /// Whether `where` keeps the value: only when its test is true (as `WhereVerb` decides).
    @inline(__always) func keeps(_ value: Value) throws -> Bool {
        guard expression != nil else { return true }
        return try test(value.record).isTrue
    }

    @inline(__always) func keeps(_ record: Record) throws -> Bool {
        guard expression != nil else { return true }
        return try test(record).isTrue
    }
}
