import Foundation

/// `open PATH`: records from a saved listing (JSON array, JSON Lines or CSV), streamed.
struct OpenVerb: Verb {
    static let name = "open"
    let signature = VerbSignature(
        name, .source, summary: "read records from a JSON, JSONL or CSV file (media fields get their kinds back)",
        parameters: [.positional("path", .text(.path), "PATH", help: "the file; its format comes from the extension")],
        output: .unknownRecords,
        examples: [VerbExample("open listing.jsonl | where size > 1MB | count", "filter a saved listing")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        return .records(nil)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let url = try call.path("path") else { return .empty }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw RunError("cannot read \(url.path): \(error.localizedDescription)")
        }
        switch url.pathExtension.lowercased() {
        case "csv": return try CSVReader(data: data, name: url.lastPathComponent).stream()
        default: return JSONReader(data: data, name: url.lastPathComponent).stream()
        }
    }
}
