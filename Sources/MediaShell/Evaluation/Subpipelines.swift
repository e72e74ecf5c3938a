/// Runs a pipeline's sub-pipelines, each once, inner ones first, before the pipeline itself.
enum Subpipelines {
    /// A context whose interpreter knows each sub-pipeline's value.
    static func run(_ subpipelines: [CheckedSubpipeline], context: EvaluationContext) async throws -> EvaluationContext {
        guard !subpipelines.isEmpty else { return context }
        var current = context
        for sub in subpipelines {
            try Task.checkCancellation()
            let plan = try Planner(interpreter: current.interpreter, concurrency: current.environment.concurrency).plan(sub.stages)
            let results = try await Evaluator.run(plan, context: current).collect()
            var interpreter = current.interpreter
            interpreter.subpipelineValues[sub.subpipeline.id] = sub.value(of: results)
            current = current.with(interpreter)
        }
        return current
    }
}
