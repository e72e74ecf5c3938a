/// A table for people: human sizes and times, column widths from the data, cut to the terminal
/// width. The first rows fix the widths, so long streams print as they arrive.
struct TableRenderer: Renderer {
    var width: Int?
    /// Rows read before the widths are fixed.
    static let sample = 200

    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        if case .scalar = shape {
            if let v = try await stream.next() { sink.write(v.humanText + "\n") }
            return
        }
        var head: [Value] = []
        while head.count < Self.sample, let v = try await stream.next() { head.append(v) }
        if head.isEmpty { return }
        var columns: [String] = []
        var seen = Set<String>()
        for v in head {
            for n in (v.record?.names ?? ["value"]) where !seen.contains(n) {
                seen.insert(n)
                columns.append(n)
            }
        }
        var widths = columns.map(\.count)
        let cells = head.map { row in columns.map { Self.text(row, $0) } }
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        if let width { widths = Self.fit(widths, into: width) }
        let right = columns.enumerated().map { i, c in head.contains { if case .size? = $0.record?[c] { true } else if case .int? = $0.record?[c] { true } else { false } } }
        func line(_ row: [String]) -> String {
            var parts: [String] = []
            for (i, c) in row.enumerated() {
                let w = widths[i]
                let cut = c.count > w ? String(c.prefix(max(0, w - 1))) + "…" : c
                let pad = String(repeating: " ", count: max(0, w - cut.count))
                parts.append(right[i] ? pad + cut : cut + pad)
            }
            var s = parts.joined(separator: "  ")
            while s.last == " " { s.removeLast() }
            return s + "\n"
        }
        sink.write(line(columns))
        sink.write(line(widths.map { String(repeating: "─", count: $0) }))
        var out = ""
        for row in cells { out += line(row) }
        sink.write(out)
        out = ""
        var pending = 0
        while let v = try await stream.next() {
            out += line(columns.map { Self.text(v, $0) })
            pending += 1
            if pending == 100 {
                sink.write(out)
                out = ""
                pending = 0
            }
        }
        if !out.isEmpty { sink.write(out) }
    }

    static func text(_ row: Value, _ column: String) -> String {
        guard let r = row.record else { return column == "value" ? row.humanText : "" }
        return (r[column] ?? .null).humanText.replacingOccurrences(of: "\n", with: " ")
    }

    /// Shrinks the widest columns until the table fits (each keeps at least 4 characters).
    static func fit(_ widths: [Int], into total: Int) -> [Int] {
        var w = widths
        func sum() -> Int { w.reduce(0, +) + 2 * max(0, w.count - 1) }
        while sum() > total, let i = w.indices.max(by: { w[$0] < w[$1] }), w[i] > 4 {
            w[i] -= 1
        }
        return w
    }
}
