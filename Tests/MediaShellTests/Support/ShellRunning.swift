import Foundation
import MediaAPI
@testable import MediaShell

/// A shell over a fixture's folder and clock, and a run that captures both streams: the suites
/// that drive actions conform to get them.
protocol ShellRunning {}

extension ShellRunning {
    func shell(_ f: Fixture, _ service: any MediaService, _ configure: (inout ShellEnvironment) -> Void = { _ in }) -> Shell {
        var env = ShellEnvironment(now: { Fixture.now }, workingDirectory: f.directory)
        configure(&env)
        return Shell(service: service, environment: env)
    }

    func run(_ shell: Shell, _ source: String) async -> (out: String, err: String, outcome: RunOutcome) {
        let out = TextBuffer(), err = TextBuffer()
        let outcome = await shell.run(source, out: out, err: err)
        return (out.text, err.text, outcome)
    }
}
