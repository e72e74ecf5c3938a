import Foundation
import MediaMemory
import MediaShell

/// Runs one MediaShell program over an empty in-memory service and prints its results, for
/// benchmarks that time the language itself (`open items.json | where … | count`): no store,
/// no network stack linked in, so its release build is quick.
/// Usage: mediashell-bench SOURCE   (`open -` reads standard input)
let arguments = CommandLine.arguments.dropFirst()
guard let source = arguments.first else {
    FileHandle.standardError.write(Data("usage: mediashell-bench SOURCE\n".utf8))
    exit(2)
}

struct StandardStream: TextSink {
    let handle: FileHandle
    func write(_ text: String) { handle.write(Data(text.utf8)) }
}

var environment = ShellEnvironment()
environment.standardInput = 0
let shell = Shell(service: MemoryMediaService(account: "local"), environment: environment)
let outcome = await shell.run(source, out: StandardStream(handle: .standardOutput), err: StandardStream(handle: .standardError))
exit(outcome.status.rawValue)
