import Foundation
import MediaAPI

/// Pushes what the API can do into the listing query. The verbs decide: a `QuerySource` makes
/// the query, and each `QueryRefining` stage after it absorbs what it can. Everything else runs
/// locally. The planner knows no verb by name.
struct Planner {
    let interpreter: Interpreter
    /// Time windows `list` may page side by side when nothing after it needs the order (the
    /// concurrency setting, or the `concurrency N` of the action that ends the order).
    let concurrency: Int

    func plan(_ stages: [CheckedStage]) throws -> Plan {
        guard let source = stages.first, let lister = source.verb as? any QuerySource else {
            var plan = Plan(query: nil, stages: stages, pushedDown: [], sourceFields: FieldProjection.fieldsRead(by: stages.dropFirst()))
            if let (test, note) = SourceTest.test(of: stages) {
                // The source does the stage's work (its fields are already in `sourceFields`).
                plan.sourceTest = test
                plan.pushedDown.append(note)
                plan.stages.remove(at: 1)
            }
            return plan
        }
        var planning = QueryPlanning(interpreter: interpreter)
        planning.query = try lister.query(for: source.stage, planning: &planning)
        var local: [CheckedStage] = []
        var rest = stages.dropFirst()
        scan: while let next = rest.first, let refining = next.verb as? any QueryRefining {
            switch try refining.refine(next, planning: &planning) {
            case .absorbed: break
            case .narrowed(let kept):
                local.append(kept)
                planning.noteLocal()
            case .stop: break scan
            }
            rest = rest.dropFirst()
        }
        // The source's arguments are in the query now.
        var planned = source
        planned.stage.arguments = []
        let stagesAfter = local + rest
        if planning.query.limit == nil, let ending = ListingOrder.orderEnds(after: stagesAfter[...]) {
            var windows = concurrency
            if case .int(let n)? = try? planning.constant(ending.stage.argument("concurrency")) { windows = Int(n) }
            planning.query.windows = min(max(1, windows), ShellSettings.concurrencyRange.upperBound)
        }
        return Plan(query: planning.query, stages: [planned] + stagesAfter, pushedDown: planning.notes)
    }
}
