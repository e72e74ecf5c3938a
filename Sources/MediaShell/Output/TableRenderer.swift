import Foundation

/// A table for people: human sizes and times, column widths from the data, cut to the terminal
/// width. The first rows fix the widths, so long streams print as they arrive.
struct TableRenderer: Renderer {
    var width: Int?
    /// Times show in this zone, and the header of a column of times names it: `created (UTC)`.
    var timeZone: TimeZone = ShellEnvironment.utc
    /// Rows read before the widths are fixed.
    static let sample = 200

    func render(_ stream: ValueStream, shape: StreamShape, to sink: any TextSink) async throws {
        if case .scalar = shape {
            // A scalar (help, explain, a value) keeps its lines; what steers the terminal is escaped.
            if let v = try await stream.next(), !v.isNull {
                let text = if case .datetime(let d) = v { Value.humanDate(d, in: timeZone) + " " + Self.zoneName(timeZone) } else { v.humanText }
                sink.write(TerminalText.escaped(text, keepingLines: true) + "\n")
            }
            return
        }
        var head: [Value] = []
        while head.count < Self.sample, let v = try await stream.next() { head.append(v) }
        if head.isEmpty {
            // On a terminal, nothing found says so; an action's own summary line already does.
            if width != nil, shape.schema != StreamShape.results { sink.write("no items\n") }
            return
        }
        var columns: [String] = []
        var seen = Set<String>()
        for v in head {
            for n in (v.record?.names ?? ["value"]) where !seen.contains(n) {
                seen.insert(n)
                columns.append(n)
            }
        }
        let times = columns.map { c in head.contains { if case .datetime? = $0.record?[c] { true } else { false } } }
        var headers = zip(columns, times).map { c, isTime in TerminalText.escaped(c) + (isTime ? " (\(Self.zoneName(timeZone)))" : "") }
        var widths = headers.map(\.count)
        var cells = head.map { row in columns.map { Self.text(row, $0, in: timeZone) } }
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        var hidden: [String] = []
        if let width {
            // Columns someone picked are all shown, cut to fit. Whole media items carry more
            // columns than a terminal holds: the ones that matter most are shown uncut, the rest
            // named in a note at the end.
            var minimums = widths.map { min($0, 4) }
            if columns.filter({ Self.precedence[$0] != nil }).count >= 10 {
                minimums = columns.indices.map { i in
                    // Ids are for copying and times are read whole: neither is cut.
                    let whole = columns[i] == "id" || head.contains { if case .datetime? = $0.record?[columns[i]] { true } else { false } }
                    return whole ? widths[i] : min(widths[i], max(8, min(columns[i].count, 12)))
                }
                let comfortable = widths.indices.map { max(minimums[$0], min(widths[$0], 24)) }
                let kept = Self.columnsThatFit(columns, minimums: minimums, comfortable: comfortable, into: width)
                if kept.count < columns.count {
                    hidden = columns.indices.filter { !kept.contains($0) }.map { columns[$0] }
                        .sorted { (Self.precedence[$0] ?? .max) < (Self.precedence[$1] ?? .max) }
                    columns = kept.map { columns[$0] }
                    headers = kept.map { headers[$0] }
                    widths = kept.map { widths[$0] }
                    minimums = kept.map { minimums[$0] }
                    cells = cells.map { row in kept.map { row[$0] } }
                }
            }
            widths = Self.fit(widths, minimums: minimums, into: width)
        }
        let right = columns.enumerated().map { i, c in head.contains { switch $0.record?[c] { case .size?, .int?, .float?: true; default: false } } }
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
        sink.write(line(headers))
        sink.write(line(widths.map { String(repeating: "─", count: $0) }))
        var out = ""
        for row in cells { out += line(row) }
        sink.write(out)
        out = ""
        var pending = 0
        while let v = try await stream.next() {
            out += line(columns.map { Self.text(v, $0, in: timeZone) })
            pending += 1
            if pending == 100 {
                sink.write(out)
                out = ""
                pending = 0
            }
        }
        if !out.isEmpty { sink.write(out) }
        if !hidden.isEmpty { sink.write(Self.hiddenNote(hidden.map { TerminalText.escaped($0) }, width: width ?? 80) + "\n") }
    }

    /// `(+11 columns: account_id, store_id, … — select picks, json shows all)`, within the width.
    static func hiddenNote(_ hidden: [String], width: Int) -> String {
        let tail = " — select picks, json shows all)"
        var names = hidden.joined(separator: ", ")
        let room = max(10, width - tail.count - "(+\(hidden.count) columns: ".count)
        if names.count > room { names = String(names.prefix(room - 1)) + "…" }
        return "(+\(hidden.count) column\(hidden.count == 1 ? "" : "s"): \(names)\(tail)"
    }

    /// The order columns give way in when a table is too wide for the terminal: a media item's
    /// id, name, size and time first; other columns (a select, an action's rows) rank by position.
    static let precedence: [String: Int] = Dictionary(uniqueKeysWithValues: [
        "id", "original_file_name", "media_size", "time_created", "title", "mime_type", "public", "times_downloaded",
        "description", "time_last_updated", "max_downloads_allowed", "metadata_primary", "metadata_secondary", "etag",
        "account_id", "store_id",
    ].enumerated().map { ($1, $0) })

    /// The indices of the columns to show, in their order: all of them when they fit at their
    /// minimum widths, else the most important that fit at a comfortable width (at least one).
    static func columnsThatFit(_ columns: [String], minimums: [Int], comfortable: [Int], into total: Int) -> [Int] {
        let all = Array(columns.indices)
        func needed(_ kept: [Int], _ widths: [Int]) -> Int { kept.map { widths[$0] }.reduce(0, +) + 2 * max(0, kept.count - 1) }
        guard needed(all, minimums) > total else { return all }
        let ranked = all.sorted { a, b in
            let ra = precedence[columns[a]] ?? a, rb = precedence[columns[b]] ?? b
            return ra != rb ? ra < rb : a < b
        }
        var kept: [Int] = []
        for i in ranked where kept.isEmpty || needed(kept + [i], comfortable) <= total {
            kept.append(i)
        }
        return kept.sorted()
    }

    /// A cell as shown: on one line, with the characters that steer a terminal escaped.
    static func text(_ row: Value, _ column: String, in zone: TimeZone = ShellEnvironment.utc) -> String {
        guard let r = row.record else { return column == "value" ? TerminalText.escaped(row.humanText) : "" }
        let v = r[column] ?? .null
        if case .datetime(let d) = v { return Value.humanDate(d, in: zone) }
        return TerminalText.escaped(v.humanText.replacingOccurrences(of: "\n", with: " "))
    }

    /// `UTC`, or the zone's name (`Europe/Berlin`).
    static func zoneName(_ zone: TimeZone) -> String {
        zone.secondsFromGMT() == 0 && ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z"].contains(zone.identifier) ? "UTC" : zone.identifier
    }

    /// Shrinks the widest columns until the table fits, none below its minimum.
    static func fit(_ widths: [Int], minimums: [Int], into total: Int) -> [Int] {
        var w = widths
        func sum() -> Int { w.reduce(0, +) + 2 * max(0, w.count - 1) }
        while sum() > total, let i = w.indices.filter({ w[$0] > minimums[$0] }).max(by: { w[$0] < w[$1] }) {
            w[i] -= 1
        }
        return w
    }
}
