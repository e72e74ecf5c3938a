import Foundation
import MediaAPI

/// Pushes what the API can do into the listing query. The verbs decide: a `QuerySource` makes
/// the query, and each `QueryRefining` stage after it absorbs what it can. Everything else runs
/// locally. The planner knows no verb by name.
struct Planner {
    let interpreter: Interpreter

    func plan(_ stages: [CheckedStage]) throws -> Plan {
        guard let source = stages.first, let lister = source.verb as? any QuerySource else {
            return Plan(query: nil, stages: stages, pushedDown: [], sourceFields: FieldProjection.fieldsRead(by: stages.dropFirst()))
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
        return Plan(query: planning.query, stages: [planned] + local + rest, pushedDown: planning.notes)
    }
}
