/// `group by FIELD`: one row per value of a field, with the count and total size.
struct GroupVerb: Verb {
    static let name = "group"
    let signature = VerbSignature(
        name, .aggregate, summary: "one row per value of a field: key, count, total_size (largest count first)",
        parameters: [.keyword("by", .fields, "FIELD", required: true, help: "the field to group by")],
        output: .unknownRecords,
        examples: [VerbExample("list | group by mime", "how many items, and how many bytes, of each type")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        return .records(["key": .any, "count": .int, "total_size": .size])
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let access = FieldAccess(call.fields("by").first ?? "")
        let sizeAccess = FieldAccess("media_size")
        var order: [Value] = []
        var groups: [Value: (count: Int64, bytes: Int64)] = [:]
        while let v = try await call.input.next() {
            guard let r = v.record else { continue }
            let key = access.value(in: r)
            if groups[key] == nil { order.append(key) }
            var g = groups[key] ?? (0, 0)
            g.count += 1
            if case .size(let s) = sizeAccess.value(in: r) {
                let (total, overflow) = g.bytes.addingReportingOverflow(s)
                guard !overflow else { throw RunError("group: total size too large") }
                g.bytes = total
            }
            groups[key] = g
        }
        let rows = order.enumerated().sorted { a, b in
            let x = groups[a.element]?.count ?? 0, y = groups[b.element]?.count ?? 0
            return x != y ? x > y : a.offset < b.offset
        }.map { _, key -> Value in
            let g = groups[key] ?? (0, 0)
            return .record(Record(names: ["key", "count", "total_size"], values: [key, .int(g.count), .size(g.bytes)]))
        }
        return .of(rows)
    }
}
