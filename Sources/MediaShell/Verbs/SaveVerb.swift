import Foundation

/// `save PATH`: writes the results to a file, in the format its extension names.
struct SaveVerb: Verb {
    static let name = "save"
    let signature = VerbSignature(
        name, .output, summary: "write the results to a file: .json, .jsonl or .csv (open reads it back)",
        parameters: [.positional("path", .text(.path), "PATH", help: "the file to write")],
        output: .nothing,
        examples: [VerbExample("list | save listing.jsonl", "keep a listing to work on offline")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        if case .expression(let e)? = stage.argument("path")?.value, case .literal(.string(let p)) = e.kind,
           !["json", "jsonl", "ndjson", "csv"].contains((p as NSString).pathExtension.lowercased()) {
            checker.error("cannot tell the format of '\(p)'", at: e.span, hint: "end the name in .json, .jsonl or .csv")
        }
        return .nothing
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let url = try call.path("path") else { return .empty }
        let format: OutputFormat
        switch url.pathExtension.lowercased() {
        case "json": format = .json
        case "jsonl", "ndjson": format = .jsonl
        case "csv": format = .csv
        default: throw RunError("cannot tell the format of '\(url.lastPathComponent)': end the name in .json, .jsonl or .csv")
        }
        let sink = try FileSink(url)
        try await format.renderer(terminalWidth: nil).render(call.input, shape: .records(nil), to: sink)
        try sink.close()
        return .empty
    }
}

/// Writes text to a file through a temporary name, renamed into place when complete.
final class FileSink: TextSink, @unchecked Sendable {
    private let url: URL
    private let temporary: URL
    private let handle: FileHandle
    private var failure: (any Error)?

    init(_ url: URL) throws {
        self.url = url
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw RunError("cannot write \(url.path)")
        }
        handle = try FileHandle(forWritingTo: temporary)
    }

    func write(_ text: String) {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch { failure = failure ?? error }
    }

    func close() throws {
        try handle.close()
        if let failure { throw RunError("cannot write \(url.path): \(failure.localizedDescription)") }
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}
