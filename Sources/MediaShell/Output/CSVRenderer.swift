/// CSV (RFC 4180): a header from the first record's fields; exact integers and ISO times.
///
/// A CSV file is `cat`ed to terminals and opened in spreadsheets long after it was written, so by
/// default (`-o csv`, the `csv` verb, `save x.csv`) text from elsewhere is made safe for both,
/// wherever it goes: every character that steers a terminal (C0 controls but the line feed, DEL,
/// C1 controls, bidirectional marks and overrides: `TerminalText.steers`) is written as its
/// escape `\u{1b}`, and a text cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
/// return, which are escaped anyway) gets a `'` in front, so a spreadsheet shows it as text and
/// never runs it as a formula (OWASP's "CSV injection" advice). Numbers are never changed: `-5`
/// stays a number. `-o csv-exact` (`exact`) writes every character as it is, for a program to read.
struct CSVRenderer: Renderer {
    var exact = false

    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        var columns: [String]?
        while let v = try await stream.next() {
            guard case .record(let r) = v else {
                if columns == nil { columns = ["value"]; sink.write("value\n") }
                sink.write(cell(v) + "\n")
                continue
            }
            if columns == nil {
                columns = r.names
                sink.write(r.names.map { cell(text: $0) }.joined(separator: ",") + "\n")
            }
            sink.write((columns ?? []).map { cell(r[$0] ?? .null) }.joined(separator: ",") + "\n")
        }
    }

    /// A value's cell: text is made safe unless `exact`; numbers, times and the rest are as they print.
    func cell(_ value: Value) -> String {
        if case .string(let s) = value { return cell(text: s) }
        return Self.cell(value.exactText)
    }

    func cell(text: String) -> String {
        exact ? Self.cell(text) : Self.cell(Self.safe(text))
    }

    /// The text with steering characters escaped (line feeds kept: a quoted cell holds them) and
    /// a formula's first character disarmed by a leading `'`.
    static func safe(_ text: String) -> String {
        var out = text
        if !text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x0A }) {
            out = ""
            out.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars {
                if scalar != "\n", TerminalText.steers(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) { out = "'" + out }
        return out
    }

    /// What makes a spreadsheet read a cell as a formula (OWASP: = + - @ tab CR).
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// RFC 4180 quoting.
    static func cell(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
