import Dispatch
import Foundation
import LineEditor
import Synchronization

/// Routes Ctrl-C (SIGINT). While a line is being typed it drops the line; while a pipeline
/// runs it cancels the pipeline's Task, and the shell stays. A second Ctrl-C on a pipeline
/// that has not stopped yet, or one with nothing to stop, ends mediash with status 130.
final class Interrupts: Sendable {
    private enum Target {
        case none
        case lineEditor(LineEditor.Interrupter)
        case pipeline(cancel: @Sendable () -> Void, pressed: Bool)
    }

    private let target = Mutex<Target>(.none)
    private nonisolated(unsafe) let source: any DispatchSourceSignal

    init() {
        // The signal is taken from its default action so Dispatch can deliver it as an event.
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.interrupt() }
        source.resume()
    }

    /// Runs `work` as a Task that Ctrl-C cancels.
    func cancellable<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await work() }
        target.withLock { $0 = .pipeline(cancel: { task.cancel() }, pressed: false) }
        let value = await task.value
        target.withLock { $0 = .none }
        return value
    }

    /// While `editor` reads a line, Ctrl-C wakes it.
    func reading<T>(with interrupter: LineEditor.Interrupter, _ body: () throws -> T) rethrows -> T {
        target.withLock { $0 = .lineEditor(interrupter) }
        defer { target.withLock { $0 = .none } }
        return try body()
    }

    private func interrupt() {
        let action: () -> Void = target.withLock { state in
            switch state {
            case .lineEditor(let interrupter):
                return { interrupter.interrupt() }
            case .pipeline(let cancel, false):
                state = .pipeline(cancel: cancel, pressed: true)
                return cancel
            case .pipeline(_, true), .none:
                return { Interrupts.exitInterrupted() }
            }
        }
        action()
    }

    static func exitInterrupted() -> Never {
        FileHandle.standardError.write(Data("\nmediash: interrupted\n".utf8))
        exit(130)
    }
}
