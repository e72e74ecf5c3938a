import Foundation

/// `open PATH`: records from a saved listing (JSON array, JSON Lines or CSV), streamed in
/// bounded memory. `open -` reads standard input. Only the fields the rest of the pipeline
/// reads are built (`open f.json | where size > 1MB | count` decodes no names or times), and a
/// `where` right after it is done as records are parsed, on every core (`SourceTesting`).
struct OpenVerb: Verb, SourceTesting {
    static let name = "open"
    static let formats = ["json", "jsonl", "csv"]
    let signature = VerbSignature(
        name, .source, summary: "read records from a JSON, JSONL or CSV file, or from standard input (media fields get their kinds back)",
        parameters: [
            .positional("path", .text(.path), "PATH", help: "the file, or - for standard input; its format comes from the extension (.csv is CSV, anything else JSON)"),
            .keyword("as", .choice(OpenVerb.formats), "json|jsonl|csv",
                     help: "the format, whatever the name; for - without it, input starting with [ or { is JSON, anything else CSV"),
        ],
        output: .unknownRecords,
        examples: [VerbExample("open listing.jsonl | where size > 1MB | count", "filter a saved listing")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        return .records(nil)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let path = try call.value("path")?.humanText else { return .empty }
        let format = try call.value("as")?.humanText
        let input: ByteInput
        if path == "-" {
            guard let fd = call.context.environment.standardInput else {
                throw RunError("open -: there is no standard input to read here (the program itself came from it); pipe the data into mediash -c '…' or name a file")
            }
            input = ByteInput(descriptor: fd, name: "<stdin>")
        } else {
            input = try ByteInput(url: call.context.resolve(path: path))
        }
        let csv: Bool
        switch format {
        case "csv"?: csv = true
        case _?: csv = false
        case nil where path == "-": csv = try !Self.startsLikeJSON(input)
        case nil: csv = (path as NSString).pathExtension.lowercased() == "csv"
        }
        let test = try ReaderTest(call.test, call.context.interpreter)
        return csv ? CSVReader(input, fields: call.fieldsRead, test: test).stream()
            : JSONReader(input, fields: call.fieldsRead, test: test).stream()
    }

    /// Reads until the first byte that is not white space: `[` or `{` start JSON.
    private static func startsLikeJSON(_ input: ByteInput) throws -> Bool {
        var at = 0
        while true {
            let b = input.bytes
            while at < b.count, b[at] == 32 || b[at] == 10 || b[at] == 13 || b[at] == 9 { at += 1 }
            if at < b.count { return b[at] == UInt8(ascii: "[") || b[at] == UInt8(ascii: "{") }
            if try !input.refill(keeping: 0) { return false }
        }
    }
}
