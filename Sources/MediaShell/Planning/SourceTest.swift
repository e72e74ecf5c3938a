/// A filter whose whole effect is a test of each record on its own (`where`): the source before
/// it may run the test itself as it reads (see `SourceTesting`).
protocol RecordTesting {
    /// The test, or nil when the stage has none.
    func recordTest(_ stage: Stage) -> Expr?
}

/// A source that reads records on more than one thread (`open`) and runs the next stage's test
/// there, as each record is parsed, in place of that stage: a record the test rejects is
/// dropped on the reader's thread and never reaches the pipeline, so the test runs on every
/// core. An error of the test reaches the pipeline as the stage would have thrown it: after
/// the records before it, in order.
protocol SourceTesting {}

enum SourceTest {
    /// The test of the stage after the source, when the source can run it as it reads.
    static func test(of stages: [CheckedStage]) -> (test: Expr, note: String)? {
        guard stages.count > 1, let source = stages.first, source.verb is any SourceTesting,
              let tester = stages[1].verb as? any RecordTesting, let test = tester.recordTest(stages[1].stage) else { return nil }
        let name = source.verb.signature.name
        return (test, "\(stages[1].stage.text) → done by \(name) as it parses, on every core: records it rejects never reach the pipeline")
    }
}
