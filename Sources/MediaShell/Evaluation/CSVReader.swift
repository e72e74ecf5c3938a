import Foundation

/// Streams records from CSV (RFC 4180): the first line names the fields.
struct CSVReader {
    let text: String
    let name: String

    init(data: Data, name: String) throws {
        guard let text = String(data: data, encoding: .utf8) else { throw RunError("\(name) is not UTF-8 text") }
        self.text = text
        self.name = name
    }

    func stream() throws -> ValueStream {
        var scalars = text.unicodeScalars[...]
        var line = 1
        let name = self.name
        guard let header = try Self.row(&scalars, line: &line, name: name) else { return .empty }
        return ValueStream {
            while let cells = try Self.row(&scalars, line: &line, name: name) {
                if cells.count == 1, cells[0].isEmpty { continue }
                var r = Record(names: [], values: [])
                for (k, name) in header.enumerated() { r.set(name, FieldTyping.cell(name, k < cells.count ? cells[k] : "")) }
                return .record(r)
            }
            return nil
        }
    }

    /// One row's cells, consuming its line ending; nil at the end of the text. `line` counts the
    /// lines read (a quoted cell may hold several); a quote never closed is an error naming its line.
    static func row(_ s: inout Substring.UnicodeScalarView, line: inout Int, name: String) throws -> [String]? {
        guard !s.isEmpty else { return nil }
        var quoteLine = line
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var quoted = false
        while let c = s.first {
            s.removeFirst()
            if quoted {
                if c == "\n" { line += 1 }
                if c == "\"" {
                    if s.first == "\"" { s.removeFirst(); cell.append("\"") } else { quoted = false }
                } else { cell.append(c) }
                continue
            }
            switch c {
            case "\"":
                quoted = true
                quoteLine = line
            case ",": cells.append(String(cell)); cell = String.UnicodeScalarView()
            case "\r": if s.first == "\n" { s.removeFirst() }; fallthrough
            case "\n":
                line += 1
                cells.append(String(cell))
                return cells
            default: cell.append(c)
            }
        }
        if quoted { throw RunError("\(name):\(quoteLine): a quoted cell is never closed (a \" with no closing \")") }
        cells.append(String(cell))
        return cells
    }
}
