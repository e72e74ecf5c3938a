/// A pipeline in parentheses, checked: its stages, and the kind of value it gives.
struct CheckedSubpipeline: Sendable {
    let subpipeline: Subpipeline
    let stages: [CheckedStage]

    var shape: StreamShape { stages.last?.output ?? .nothing }

    /// Records of exactly one field give that field's values (`select key`), as SQL's
    /// `IN (SELECT key …)` does: what `in` needs.
    var givesFieldValues: Bool {
        if case .records(let schema?) = shape { return schema.count == 1 }
        return false
    }

    /// One value (`count`, `avg size`) is itself; records are a list.
    var kind: ValueKind {
        if case .scalar(let k) = shape { return k }
        return .list
    }

    /// The value, from what the pipeline gave. Records whose fields are known only now (`open`)
    /// give their field's values when each has exactly one.
    func value(of results: [Value]) -> Value {
        if case .scalar = shape { return results.first ?? .null }
        let oneField = givesFieldValues || (shape == .records(nil) && results.allSatisfy { $0.record?.values.count == 1 })
        if oneField { return .list(results.map { $0.record?.values.first ?? $0 }) }
        return .list(results)
    }
}
