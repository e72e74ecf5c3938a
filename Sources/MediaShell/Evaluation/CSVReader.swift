import Foundation

/// Streams records from CSV (RFC 4180) read from a `ByteInput` in bounded memory: the first
/// line names the fields. When `fields` is given, records keep only those columns; the other
/// cells are stepped over without being decoded.
final class CSVReader: @unchecked Sendable {
    private let input: ByteInput
    private let keep: Set<String>?
    private var i = 0
    private var line = 1
    private var finished = false
    private var header: Header?
    private var count = 0

    /// The header's fields: the names records get (first place of each name), and for each
    /// column the slot its cell fills (nil: not kept), with how the cell is typed.
    private struct Header {
        var names: [String]
        var slots: [Int?]
        var kinds: [FieldTyping.Kind]
    }

    init(_ input: ByteInput, fields: Set<String>? = nil) {
        self.input = input
        keep = fields
    }

    func stream() -> ValueStream {
        ValueStream { [self] in
            count += 1
            if count & 4095 == 0 { try Task.checkCancellation() }
            return try next()
        }
    }

    /// The window ended inside a row while more input may follow.
    private struct More: Error {}

    func next() throws -> Value? {
        while !finished {
            let (mark, markLine) = (i, line)
            do {
                let row = try self.row(input.bytes)
                guard let row else { finished = true; return nil }
                if let record = row { return .record(record) }
            } catch is More {
                (i, line) = (0, markLine)
                do { _ = try input.refill(keeping: mark) } catch {
                    finished = true
                    throw error
                }
            } catch {
                finished = true
                throw error
            }
        }
        return nil
    }

    /// One row: nil at the end of the input, .some(nil) for the header or a blank line.
    private func row(_ b: UnsafeBufferPointer<UInt8>) throws -> Record?? {
        if i >= b.count {
            if input.atEnd { return nil }
            throw More()
        }
        guard let header else {
            var names: [String] = []
            _ = try cells(b) { _, start, end, quoted in names.append(try self.text(b, start, end, quoted)) }
            var unique: [String] = []
            var slots: [Int?] = []
            for n in names {
                guard keep.map({ $0.contains(n) }) ?? true else { slots.append(nil); continue }
                if let at = unique.firstIndex(of: n) { slots.append(at) } else {
                    slots.append(unique.count)
                    unique.append(n)
                }
            }
            var kinds = [FieldTyping.Kind](repeating: .plain, count: unique.count)
            for (k, n) in unique.enumerated() { kinds[k] = FieldTyping.kind(of: n) }
            self.header = Header(names: unique, slots: slots, kinds: kinds)
            return .some(nil)
        }
        var values = [Value](repeating: .null, count: header.names.count)
        let (columns, blank) = try cells(b) { column, start, end, quoted in
            guard column < header.slots.count, let slot = header.slots[column] else { return }
            values[slot] = FieldTyping.cell(header.kinds[slot], try self.text(b, start, end, quoted))
        }
        if columns == 1, blank { return .some(nil) }
        return .some(Record(names: header.names, values: values))
    }

    /// Reads one row's cells up to and past its line ending, calling `cell` with each column's
    /// number and where its bytes lie (whether they hold quotes): only wanted cells are decoded.
    /// Returns the number of cells and whether the row was empty.
    private func cells(_ b: UnsafeBufferPointer<UInt8>, _ cell: (Int, Int, Int, Bool) throws -> Void) throws -> (Int, Bool) {
        // A local cursor: the per-byte loop touches no stored property.
        var i = self.i
        let rowStart = i
        var column = 0
        var quoteLine = line
        var lines = 0
        while true {
            // One cell: plain bytes, or with quotes (which may hold commas, quotes and line breaks).
            let start = i
            var quoted = false
            var hasQuotes = false
            var ended = false
            while i < b.count {
                let c = b[i]
                if quoted {
                    if c == UInt8(ascii: "\"") {
                        if i + 1 >= b.count, !input.atEnd { throw More() }
                        if i + 1 < b.count, b[i + 1] == UInt8(ascii: "\"") { i += 2; continue }
                        quoted = false
                    } else if c == 10 {
                        lines += 1
                    }
                    i += 1
                    continue
                }
                if c == UInt8(ascii: ",") || c == 10 || c == 13 { ended = true; break }
                if c == UInt8(ascii: "\"") {
                    quoted = true
                    hasQuotes = true
                    quoteLine = line + lines
                }
                i += 1
            }
            if !ended, !input.atEnd { throw More() }
            if quoted {
                throw RunError("\(input.name):\(quoteLine): a quoted cell is never closed (a \" with no closing \")")
            }
            let end = i
            try cell(column, start, end, hasQuotes)
            column += 1
            guard ended else {
                line += lines
                self.i = i
                return (column, end == rowStart)
            }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == 13 {
                if i >= b.count, !input.atEnd { throw More() }
                if i < b.count, b[i] == 10 { i += 1 }
            }
            line += lines + 1
            self.i = i
            return (column, end == rowStart)
        }
    }

    /// A cell's text; quotes are taken out (`""` is one quote). Text that is not UTF-8 is an error naming its line.
    private func text(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ hasQuotes: Bool) throws -> String {
        let raw = UnsafeBufferPointer(rebasing: b[start..<end])
        let decoded: String?
        if !hasQuotes {
            decoded = String(validating: raw, as: UTF8.self)
        } else {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var quoted = false
            var j = 0
            while j < raw.count {
                let c = raw[j]
                if c == UInt8(ascii: "\"") {
                    if quoted, j + 1 < raw.count, raw[j + 1] == UInt8(ascii: "\"") { out.append(c); j += 2; continue }
                    quoted.toggle()
                } else {
                    out.append(c)
                }
                j += 1
            }
            decoded = String(validating: out, as: UTF8.self)
        }
        guard let decoded else { throw RunError("\(input.name):\(line): not UTF-8 text") }
        return decoded
    }
}
