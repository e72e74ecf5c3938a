import Foundation
import MediaMemory
import MediaShell

/// The `open` target: any bytes as the file `open` reads, as JSON (an array or JSON Lines) and
/// as CSV, through the real verb (the reader, field typing) and two renderers, and with a
/// `where` the reader does itself on narrowed records.
/// A crash, a hang or a leak is a bug; a bad file must only give an error.
final class OpenFiles: @unchecked Sendable {
    static let shared = OpenFiles()
    let folder: URL
    let shell: Shell

    private init() {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        folder = base.appendingPathComponent("mediash-fuzz-open-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        shell = Shell(service: MemoryMediaService(), environment: ShellEnvironment(now: { now }, terminalWidth: 80, workingDirectory: folder))
        atexit { try? FileManager.default.removeItem(at: OpenFiles.shared.folder) }
    }

    func read(_ input: Data) async {
        // Whole records, then a where the reader does itself on records narrowed to two fields.
        for (file, program) in [("input.json", "open input.json"), ("input.csv", "open input.csv | json"),
                                ("input.json", #"open input.json | where size > 1KB and name =~ "a" | count"#),
                                ("input.csv", #"open input.csv | where size > 1KB or mime =~ "wav" | count"#)] {
            guard (try? input.write(to: folder.appendingPathComponent(file))) != nil else { continue }
            _ = await shell.run(program, out: TextBuffer(), err: TextBuffer())
        }
    }
}
