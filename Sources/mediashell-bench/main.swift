import Foundation
import MediaAPI
import MediaShell
import MediaStore

/// Runs one MediaShell program over a throwaway embedded store and prints its results, for
/// benchmarks that time the language itself (`open items.json | where … | count`).
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

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mediashell-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
do {
    let store = try MediaStore(directory: directory)
    var environment = ShellEnvironment()
    environment.standardInput = 0
    let shell = Shell(service: store.service(account: "local"), environment: environment)
    let outcome = await shell.run(source, out: StandardStream(handle: .standardOutput), err: StandardStream(handle: .standardError))
    exit(outcome.status.rawValue)
} catch {
    FileHandle.standardError.write(Data("mediashell-bench: \(error)\n".utf8))
    exit(1)
}
