/// `group [by KEY, …] [with AGG, …]`: one row per value of the keys (or one row for everything),
/// with the aggregates asked for; by default the count and total size.
struct GroupVerb: Verb {
    static let name = "group"
    let signature = VerbSignature(
        name, .aggregate, summary: "one row per value of the keys (largest count first) with aggregates; without 'with': key, count, total_size",
        parameters: [
            .keyword("by", .columns, "KEY…", help: "fields or expressions (date(created)) to group by; without it, one row for everything"),
            .keyword("with", .columns, "AGG…",
                     help: "count, sum(E), avg(E), min(E), max(E), pct (share of all records, %), pct(E) (share of the total of E, %); NAME = AGG names one"),
        ],
        output: .unknownRecords,
        examples: [
            VerbExample("list | group by mime", "how many items, and how many bytes, of each type"),
            VerbExample("list | group by mime with count, sum(size), avg(size), pct(size)", "which types use the most space, as a share of all"),
            VerbExample("list | group by mime with share = pct(size) | sort by share desc", "which types use the most space, as a percentage"),
            VerbExample("list | group with count, sum(size), max(created)", "totals over everything, in one row"),
            VerbExample("list since 14d | group by day = date(created) with count | sort by day", "items per day over two weeks"),
        ])

    /// One aggregate of `with`: what it computes, over which expression, under which name.
    struct Aggregate {
        var kind: Accumulator.Kind
        var argument: Expr?
        var name: String
    }

    /// The aggregates a column asks for, or nil when it is not one.
    static func aggregate(_ c: Column) -> Aggregate? {
        switch c.value.kind {
        case .field(let word):
            guard let kind = Accumulator.Kind(rawValue: word), kind == .count || kind == .pct else { return nil }
            return Aggregate(kind: kind, argument: nil, name: c.name)
        case .call(let word, let args):
            guard let kind = Accumulator.Kind(rawValue: word), args.count == 1 else { return nil }
            var name = c.name
            if !c.isNamed, case .field(let f) = args[0].kind { name = "\(word)_\(f)" }
            return Aggregate(kind: kind, argument: args[0], name: name)
        default: return nil
        }
    }

    /// A `pct` of records counts them; a `pct(E)` adds E up.
    static func accumulator(_ a: Aggregate) -> Accumulator {
        Accumulator(a.kind == .pct ? (a.argument == nil ? .count : .sum) : a.kind)
    }

    static func columns(_ stage: Stage, _ keyword: String) -> [Column] {
        if case .columns(let c)? = stage.argument(keyword)?.value { return c }
        return []
    }

    /// The key columns' names: a single unnamed key is `key`.
    static func keyNames(_ keys: [Column]) -> [String] {
        keys.count == 1 && !keys[0].isNamed ? ["key"] : keys.map(\.name)
    }

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        let keys = Self.columns(stage, "by"), aggregates = Self.columns(stage, "with")
        if !stage.has("by"), !stage.has("with") {
            checker.error("'group' needs 'by KEY' or 'with AGG' (usage: \(signature.usage))", at: stage.verbSpan, hint: "list | group by mime with count, sum(size)")
        }
        var schema: [String: ValueKind] = [:]
        for (name, key) in zip(Self.keyNames(keys), keys) { schema[name] = checker.kind(of: key.value, row: input) }
        guard stage.has("with") else {
            schema["count"] = .int
            schema["total_size"] = .size
            return .records(schema)
        }
        for c in aggregates {
            guard let a = Self.aggregate(c) else {
                checker.error("expected an aggregate: count, sum(E), avg(E), min(E), max(E), pct or pct(E)", at: c.value.span,
                              suggestion: Suggestion.closest(to: c.value.calledName ?? c.name, in: Accumulator.Kind.allCases.map(\.rawValue)))
                continue
            }
            var k = ValueKind.any
            if let arg = a.argument {
                k = checker.kind(of: arg, row: input)
                let allowed = Accumulator.allowed(a.kind)
                if k != .any, k != .null, !allowed.contains(k) {
                    checker.error("cannot \(a.kind.rawValue) \(k.phrase)", at: arg.span, hint: "use \(allowed.map(\.phrase).joined(separator: ", "))")
                }
            }
            if schema[a.name] != nil { checker.error("'\(a.name)' is named twice", at: c.span, hint: "name it: other = \(c.value)") }
            schema[a.name] = Accumulator.resultKind(a.kind, of: k)
        }
        return .records(schema)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let interpreter = call.context.interpreter
        let keyColumns = Self.columns(call.stage, "by")
        let keys = try keyColumns.map { try interpreter.compile($0.value) }
        let asked = Self.columns(call.stage, "with").compactMap(Self.aggregate)
        // Without `with`: the count and the total of media_size, as ever.
        let aggregates = call.stage.has("with") ? asked
            : [Aggregate(kind: .count, argument: nil, name: "count"), Aggregate(kind: .sum, argument: Expr(.field("media_size"), call.stage.span), name: "total_size")]
        let arguments = try aggregates.map { try $0.argument.map(interpreter.compile) }
        var order: [[Value]] = []
        var groups: [[Value]: (rows: Int64, accs: [Accumulator])] = [:]
        var overall = aggregates.map(Self.accumulator)
        var seen = 0
        while let v = try await call.input.next() {
            seen += 1
            if seen & 4095 == 0 { try Task.checkCancellation() }
            guard let r = v.record else { continue }
            let key = try keys.map { try $0(r) }
            var (rows, accs) = groups[key] ?? (0, aggregates.map(Self.accumulator))
            if groups[key] == nil { order.append(key) }
            rows += 1
            for i in aggregates.indices {
                let x = try arguments[i].map { try $0(r) } ?? .bool(true)
                try accs[i].add(x)
                if aggregates[i].kind == .pct { try overall[i].add(x) }
            }
            groups[key] = (rows, accs)
        }
        // Without keys there is always the one row, even over nothing.
        if keys.isEmpty, order.isEmpty {
            order = [[]]
            groups[[]] = (0, aggregates.map(Self.accumulator))
        }
        let names = Self.keyNames(keyColumns) + aggregates.map(\.name)
        let rows = order.enumerated().sorted { a, b in
            let x = groups[a.element]?.rows ?? 0, y = groups[b.element]?.rows ?? 0
            return x != y ? x > y : a.offset < b.offset
        }.map { _, key -> Value in
            let accs = groups[key]?.accs ?? []
            let values = zip(aggregates.indices, accs).map { i, acc -> Value in
                let empty = aggregates[i].argument.flatMap { if case .field(let f) = $0.kind { MediaFields.canonicalName[f].flatMap { MediaFields.kinds[$0] } } else { nil } } ?? .int
                if aggregates[i].kind == .pct {
                    let part = aggregates[i].argument == nil ? Value.int(acc.count) : acc.result(of: empty)
                    return Accumulator.percent(part, of: overall[i].result(of: empty))
                }
                return acc.result(of: empty)
            }
            return .record(Record(names: names, values: key + values))
        }
        return .of(rows)
    }
}

extension Expr {
    /// The function's name, when the expression is a call.
    var calledName: String? { if case .call(let name, _) = kind { name } else { nil } }
}
