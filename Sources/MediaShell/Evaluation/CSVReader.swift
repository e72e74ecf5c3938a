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
        guard let header = Self.row(&scalars) else { return .empty }
        return ValueStream {
            while let cells = Self.row(&scalars) {
                if cells.count == 1, cells[0].isEmpty { continue }
                var r = Record(names: [], values: [])
                for (k, name) in header.enumerated() { r.set(name, FieldTyping.cell(name, k < cells.count ? cells[k] : "")) }
                return .record(r)
            }
            return nil
        }
    }

    /// One row's cells, consuming its line ending; nil at the end of the text.
    static func row(_ s: inout Substring.UnicodeScalarView) -> [String]? {
        guard !s.isEmpty else { return nil }
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var quoted = false
        while let c = s.first {
            s.removeFirst()
            if quoted {
                if c == "\"" {
                    if s.first == "\"" { s.removeFirst(); cell.append("\"") } else { quoted = false }
                } else { cell.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": cells.append(String(cell)); cell = String.UnicodeScalarView()
            case "\r": if s.first == "\n" { s.removeFirst() }; fallthrough
            case "\n":
                cells.append(String(cell))
                return cells
            default: cell.append(c)
            }
        }
        cells.append(String(cell))
        return cells
    }
}
