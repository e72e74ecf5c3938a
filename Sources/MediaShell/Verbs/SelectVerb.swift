/// `select FIELD | NAME = EXPR …`: keeps only these fields, in this order, or computes new ones.
struct SelectVerb: Verb, OrderReading {
    static let name = "select"
    let signature = VerbSignature(
        name, .filter, summary: "keep only these fields, in this order, or compute fields (NAME = EXPR)",
        parameters: [.positional("fields", .columns, "FIELD|NAME=EXPR", repeats: true,
                                 help: "field names (aliases work: size, name, created…) or NAME = EXPR (mb = size / 1MB)")],
        output: .same,
        examples: [
            VerbExample("list | first 1 | select id name size", "a narrow view"),
            VerbExample("list | first 2 | select name, mb = size / 1MB, age = (now - created) / 1d", "size in megabytes and age in days"),
        ])

    static func columns(_ stage: Stage) -> [Column] {
        stage.arguments("fields").flatMap { a -> [Column] in
            if case .columns(let c) = a.value { return c }
            return []
        }
    }

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        var schema: [String: ValueKind] = [:]
        var seen: Set<String> = []
        for c in Self.columns(stage) {
            let k = checker.kind(of: c.value, row: input)
            if !seen.insert(c.name).inserted {
                checker.error("'\(c.name)' is selected twice", at: c.span, hint: "name one of them: other = \(c.value)")
            }
            schema[c.name] = k
        }
        return .records(input.schema == nil ? nil : schema)
    }

    func orderUse(_ stage: Stage) -> OrderUse? { .passes }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let columns = Self.columns(call.stage)
        let names = columns.map(\.name)
        let compiled = try columns.map { try call.context.interpreter.compile($0.value) }
        let input = call.input
        return ValueStream {
            guard let v = try await input.next() else { return nil }
            guard let r = v.record else { return v }
            return .record(Record(names: names, values: try compiled.map { try $0(r) }))
        }
    }
}
