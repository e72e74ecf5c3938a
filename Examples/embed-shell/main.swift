// Embedding the mediash language in a program of your own: a Shell over a MediaService (here
// the embedded store, in a temporary folder), a verb of the host's, `run` and `evaluate`.
// `swift run embed-shell`; a test in mediashTests runs it and checks what it prints.
import Foundation
import MediaAPI
import MediaShell
import MediaStore

/// `tag LABEL`: the host's verb; it adds a field to each record that passes through.
struct TagVerb: Verb {
    let signature = VerbSignature(
        "tag", .filter, summary: "add a tag field to each record",
        parameters: [.positional("label", .text(.words), "LABEL", help: "the tag")],
        output: .unknownRecords,
        examples: [VerbExample("list | tag keep", "tag every item")])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let label = try call.value("label")?.humanText ?? ""
        let input = call.input
        return ValueStream {
            guard case .record(var r)? = try await input.next() else { return nil }
            r.set("tag", .string(label))
            return .record(r)
        }
    }
}

/// Writes to standard output.
struct StandardOutput: TextSink {
    func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embed-shell-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: folder) }
let store = try MediaStore(directory: folder.appendingPathComponent("store"))
let service = store.service(account: "local")
for (name, bytes) in [("a.wav", 2_000_000), ("b.txt", 10), ("c.wav", 500)] {
    let file = folder.appendingPathComponent(name)
    try Data(repeating: 7, count: bytes).write(to: file)
    _ = try await service.upload(MediaUpload(source: .file(file)))
}

let shell = Shell(service: service, environment: ShellEnvironment(workingDirectory: folder))
shell.register(TagVerb())

// run: output to sinks, an exit status back.
let outcome = await shell.run("list | where name like \"*.wav\" | sort by size | tag audio | select name size tag | csv",
                              out: StandardOutput(), err: StandardOutput())
print("status:", outcome.status)

// evaluate: values back.
let big = try await shell.evaluate("list | where size > 1MB | count")
print("bigger than 1MB:", big.map(\.humanText).joined())
