/// CSV (RFC 4180): a header from the first record's fields; exact integers and ISO times.
struct CSVRenderer: Renderer {
    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        var columns: [String]?
        while let v = try await stream.next() {
            guard case .record(let r) = v else {
                if columns == nil { columns = ["value"]; sink.write("value\n") }
                sink.write(Self.cell(v.exactText) + "\n")
                continue
            }
            if columns == nil {
                columns = r.names
                sink.write(r.names.map(Self.cell).joined(separator: ",") + "\n")
            }
            sink.write((columns ?? []).map { Self.cell((r[$0] ?? .null).exactText) }.joined(separator: ",") + "\n")
        }
    }

    static func cell(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
