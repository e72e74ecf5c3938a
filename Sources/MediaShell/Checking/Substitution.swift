/// Replaces a user verb's `$param` references with the expressions its caller gave.
enum Substitution {
    static func apply(_ bindings: [String: Expr], to stage: Stage) -> Stage {
        var s = stage
        s.arguments = stage.arguments.map { a in
            var a = a
            switch a.value {
            case .expression(let e): a.value = .expression(apply(bindings, to: e))
            case .assignments(let list): a.value = .assignments(list.map { Assignment(field: $0.field, value: apply(bindings, to: $0.value)) })
            case .sortKeys(let keys): a.value = .sortKeys(keys.map { SortKey(value: apply(bindings, to: $0.value), descending: $0.descending) })
            case .columns(let columns):
                a.value = .columns(columns.map { Column(name: $0.name, isNamed: $0.isNamed, value: apply(bindings, to: $0.value), span: $0.span) })
            case .pipeline(let p): a.value = .pipeline(Pipeline(stages: p.stages.map { apply(bindings, to: $0) }, span: p.span))
            default: break
            }
            return a
        }
        return s
    }

    static func apply(_ bindings: [String: Expr], to e: Expr) -> Expr {
        switch e.kind {
        case .variable(let name): return bindings[name] ?? e
        case .member(let base, let f): return Expr(.member(apply(bindings, to: base), f), e.span)
        case .list(let items): return Expr(.list(items.map { apply(bindings, to: $0) }), e.span)
        case .negate(let x): return Expr(.negate(apply(bindings, to: x)), e.span)
        case .not(let x): return Expr(.not(apply(bindings, to: x)), e.span)
        case .binary(let op, let l, let r): return Expr(.binary(op, apply(bindings, to: l), apply(bindings, to: r)), e.span)
        case .chain(let first, let steps):
            return Expr(.chain(apply(bindings, to: first), steps.map { ChainStep(op: $0.op, operand: apply(bindings, to: $0.operand)) }), e.span)
        case .call(let name, let args): return Expr(.call(name, args.map { apply(bindings, to: $0) }), e.span)
        case .between(let x, let lo, let hi): return Expr(.between(apply(bindings, to: x), apply(bindings, to: lo), apply(bindings, to: hi)), e.span)
        case .subpipeline(let sub): return apply(bindings, to: sub, e.span)
        default: return e
        }
    }

    /// A new sub-pipeline (each call of a user verb runs its own), its stages substituted.
    @inline(never)
    private static func apply(_ bindings: [String: Expr], to sub: Subpipeline, _ span: SourceSpan) -> Expr {
        let p = sub.pipeline
        return Expr(.subpipeline(Subpipeline(Pipeline(stages: p.stages.map { apply(bindings, to: $0) }, span: p.span))), span)
    }
}
