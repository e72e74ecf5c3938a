/// Runs a plan: starts each stage over the stream of the one before it. Nothing is pulled until
/// the renderer pulls the last stream, so rows flow one at a time from source to output.
enum Evaluator {
    static func run(_ plan: Plan, context: EvaluationContext) async throws -> ValueStream {
        var stream = ValueStream.empty
        for (i, stage) in plan.stages.enumerated() {
            try Task.checkCancellation()
            let call = VerbCall(stage: stage.stage, input: stream, context: context, query: i == 0 ? plan.query : nil,
                                fieldsRead: i == 0 ? plan.sourceFields : nil, test: i == 0 ? plan.sourceTest : nil)
            stream = try await stage.verb.run(call)
        }
        return stream
    }
}
