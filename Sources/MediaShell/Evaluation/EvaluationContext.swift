import Foundation
import MediaAPI

/// What the shell offers verbs that reach back into it (`set`, `help`, `explain`, `history`, `exit`).
protocol ShellControl: Sendable {
    var signatures: [VerbSignature] { get }
    /// Returns a note when the setting is pinned by the host and stays as it was.
    func set(_ name: String, _ value: Value) throws -> String?
    func requestExit(_ code: Int32)
    func explain(_ pipeline: Pipeline, context: EvaluationContext) throws -> String
}

/// Everything one statement's run needs: the service, settings, clock, variables and sinks.
public final class EvaluationContext: @unchecked Sendable {
    public let service: any MediaService
    public let environment: ShellEnvironment
    public let interpreter: Interpreter
    /// Where summary lines and warnings go (stderr).
    public let err: any TextSink
    let control: ShellControl
    /// What went wrong in this statement's run, shared by every context derived from it.
    private let outcome: RunFailures

    convenience init(service: any MediaService, environment: ShellEnvironment, interpreter: Interpreter, err: any TextSink, control: ShellControl) {
        self.init(service: service, environment: environment, interpreter: interpreter, err: err, control: control, outcome: RunFailures())
    }

    private init(service: any MediaService, environment: ShellEnvironment, interpreter: Interpreter, err: any TextSink, control: ShellControl,
                 outcome: RunFailures) {
        self.service = service
        self.environment = environment
        self.interpreter = interpreter
        self.err = err
        self.control = control
        self.outcome = outcome
    }

    public var now: Date { interpreter.now }

    /// The same run with another interpreter (one that knows more sub-pipelines' values).
    func with(_ interpreter: Interpreter) -> EvaluationContext {
        EvaluationContext(service: service, environment: environment, interpreter: interpreter, err: err, control: control, outcome: outcome)
    }

    public func resolve(path: String) -> URL {
        var p = path
        if p == "~" || p.hasPrefix("~/") {
            p = (ProcessInfo.processInfo.environment["HOME"] ?? "/") + p.dropFirst()
        }
        if p.hasPrefix("/") { return URL(fileURLWithPath: p).standardizedFileURL }
        return environment.workingDirectory.appendingPathComponent(p).standardizedFileURL
    }

    /// An action item failed: the run ends with failure once the pipeline is done.
    func noteFailures(_ n: Int) {
        outcome.lock.withLock { outcome.failedItems += n }
    }

    var hasFailures: Bool {
        outcome.lock.withLock { outcome.failedItems > 0 }
    }

    /// The statement fails with this error once its output is shown whole (a dry run that a
    /// real run's guard would refuse: the preview first, then the refusal).
    func failAfterOutput(_ error: any Error) {
        outcome.lock.withLock { if outcome.afterOutput == nil { outcome.afterOutput = error } }
    }

    /// Throws what `failAfterOutput` kept, if anything.
    func throwDeferredFailure() throws {
        if let error = outcome.lock.withLock({ outcome.afterOutput }) { throw error }
    }
}

/// The failures of one statement's run, kept under a lock.
private final class RunFailures: @unchecked Sendable {
    let lock = NSLock()
    var failedItems = 0
    var afterOutput: (any Error)?
}
