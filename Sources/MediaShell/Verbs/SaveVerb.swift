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
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileSink.failure(writing: url, errno: errno) }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// `cannot write /nope/out.csv: No such file or directory (there is no folder /nope)`: the
    /// system's reason, and what it means for the path the user gave.
    static func failure(writing url: URL, errno code: Int32) -> RunError {
        var text = "cannot write \(url.path): \(String(cString: strerror(code)))"
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        if code == ENOENT, !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            text += " (there is no folder \(folder))"
        } else if code == ENOTDIR || (code == ENOENT && !isFolder.boolValue) {
            text += " (\(folder) is not a folder)"
        } else if code == EACCES {
            text += " (the folder \(folder) does not let you write in it)"
        }
        return RunError(text)
    }

    func write(_ text: String) {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch { failure = failure ?? error }
    }

    func close() throws {
        try handle.close()
        if let failure {
            unlink(temporary.path)
            throw RunError("cannot write \(url.path): \(failure.localizedDescription)")
        }
        // rename replaces a file already there in one step.
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw FileSink.failure(writing: url, errno: code)
        }
    }
}
