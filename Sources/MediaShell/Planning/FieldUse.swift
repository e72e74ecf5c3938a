/// What a stage does with the fields of the records it is given, so that a source reading a
/// file (`open`) builds only the fields the rest of the pipeline reads.
enum FieldUse: Sendable, Equatable {
    /// Reads these fields and passes its records on as they came (or fewer of them).
    case passes(Set<String>)
    /// Reads these fields; nothing after it sees the records (an aggregate's result).
    case ends(Set<String>)
}

/// A verb that can say which fields it reads; a stage whose verb is not one reads whole records.
protocol FieldReading {
    /// nil when the stage needs whole records after all (a predicate reading `$it`).
    func fieldUse(_ stage: Stage) -> FieldUse?
}

enum FieldProjection {
    /// The fields the stages after a source read, under every name a record may carry them by
    /// (`size` and `media_size`); nil when some record reaches a stage or the output whole.
    static func fieldsRead(by stages: ArraySlice<CheckedStage>) -> Set<String>? {
        var names = Set<String>()
        for s in stages {
            guard let reader = s.verb as? any FieldReading, let use = reader.fieldUse(s.stage) else { return nil }
            switch use {
            case .passes(let f): names.formUnion(f)
            case .ends(let f): return withAliases(names.union(f))
            }
        }
        return nil
    }

    private static func withAliases(_ names: Set<String>) -> Set<String> {
        var all = names
        for n in names {
            if let canonical = MediaFields.canonicalName[n] {
                all.insert(canonical)
                if let alias = MediaFields.aliasOf[canonical] { all.insert(alias) }
            }
            if let alias = MediaFields.aliasOf[n] { all.insert(alias) }
        }
        return all
    }
}

extension Expr {
    /// The fields the expression reads from the current record; nil when it reads the whole
    /// record (`$it`). (A loop, not recursion, like `isLiteral`.)
    var fieldsRead: Set<String>? {
        var names = Set<String>()
        var pending = [self]
        while let e = pending.popLast() {
            switch e.kind {
            case .field(let name): names.insert(name)
            case .variable(let name): if name == "it" { return nil }
            // A pipeline in parentheses: whatever it reads, the record stays whole.
            case .subpipeline: return nil
            case .member(let base, let name):
                if case .variable("it") = base.kind { names.insert(name) } else { pending.append(base) }
            default: pending += e.operands
            }
        }
        return names
    }
}
