import Foundation

/// Streams records from CSV (RFC 4180) read from a `ByteInput` in bounded memory: the first
/// line names the fields. When `fields` is given, records keep only those columns; the other
/// cells are stepped over without being decoded. Large windows are parsed in two halves at
/// once (see `JSONReader.parseBatch`: the same check that the second half began on a row).
final class CSVReader: @unchecked Sendable {
    private let input: ByteInput
    private var scanner: CSVScanner
    private var finished = false
    private var batch: [Value] = []
    private var batchAt = 0
    private var pendingError: (any Error)?
    private let parallel: Bool

    init(_ input: ByteInput, fields: Set<String>? = nil, parallel: Bool = ProcessInfo.processInfo.activeProcessorCount > 1) {
        self.input = input
        scanner = CSVScanner(name: input.name, keep: fields)
        self.parallel = parallel
    }

    /// With two cores the reader runs ahead on its own thread (`ReadAhead`): the pipeline
    /// evaluates one batch while the next is read and parsed.
    func stream() -> ValueStream {
        ReadAhead.stream(ahead: parallel, next: next, produce: { [self] in try produce(into: $0) })
    }

    /// Where values go when the reader runs ahead; it hands them over before waiting for input.
    private var ahead: ReadAhead?

    /// Every value in order into `ahead`, as `next()` would give them (on the reader's thread).
    private func produce(into ahead: ReadAhead) throws {
        self.ahead = ahead
        while !ahead.abandoned {
            if !finished, scanner.header != nil, try parseBatch() {
                ahead.add(batch)
                batch = []
                if let e = pendingError {
                    pendingError = nil
                    finished = true
                    throw e
                }
                continue
            }
            guard let v = try nextOne() else { return }
            ahead.add(v)
        }
    }

    func next() throws -> Value? {
        if batchAt < batch.count {
            defer { batchAt += 1 }
            return batch[batchAt]
        }
        if let e = pendingError {
            pendingError = nil
            finished = true
            throw e
        }
        if parallel, !finished, scanner.header != nil, try parseBatch() { return try next() }
        return try nextOne()
    }

    private func nextOne() throws -> Value? {
        while !finished {
            let (mark, markLine) = (scanner.i, scanner.line)
            do {
                scanner.b = input.bytes
                scanner.atEnd = input.atEnd
                let row = try scanner.row()
                guard let row else { finished = true; return nil }
                if let record = row { return .record(record) }
            } catch is CSVScanner.More {
                (scanner.i, scanner.line) = (0, markLine)
                ahead?.handOver()
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

    /// Two halves of the window at once: the second from the first line start past the middle,
    /// kept only when reading in order arrives exactly there (a row's start, not inside quotes).
    private func parseBatch() throws -> Bool {
        while !input.atEnd, input.bytes.count - scanner.i < JSONReader.parallelMinimum * 4, input.isRegularFile || scanner.keep != nil {
            let mark = scanner.i
            scanner.i = 0
            ahead?.handOver()
            do { _ = try input.refill(keeping: mark) } catch {
                finished = true
                throw error
            }
        }
        let b = input.bytes
        guard b.count - scanner.i >= JSONReader.parallelMinimum, let base = b.baseAddress else { return false }
        // The other thread takes the larger part: this one also reads the input.
        let middle = scanner.i + (b.count - scanner.i) * 2 / 5
        guard let newline = memchr(base + middle, 10, b.count - middle) else { return false }
        let split = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
        guard split < b.count else { return false }
        scanner.b = b
        scanner.atEnd = input.atEnd
        let half = CSVHalf(scanner, from: split)
        Thread { half.run() }.start()

        batch.removeAll(keepingCapacity: true)
        batchAt = 0
        while scanner.i < split {
            let (mark, markLine) = (scanner.i, scanner.line)
            do {
                guard let row = try scanner.row() else { finished = true; break }
                if let record = row { batch.append(.record(record)) }
            } catch is CSVScanner.More {
                (scanner.i, scanner.line) = (mark, markLine)
                break
            } catch {
                pendingError = error
                break
            }
        }
        // Running ahead, the values before the split are certain: the pipeline takes them while
        // the other half is still being parsed.
        let handed = ahead != nil && !batch.isEmpty
        if handed, let ahead {
            ahead.add(batch)
            batch = []
        }
        // Always joined before the window may move.
        half.done.wait()
        if scanner.i == split, !finished, pendingError == nil, let values = half.values {
            if batch.isEmpty { batch = values } else { batch += values }
            scanner.i = half.scanner.i
            scanner.line += half.scanner.line
        }
        return handed || !batch.isEmpty || pendingError != nil
    }
}

/// The second half of a CSV window, parsed on another thread; `scanner.line` counts the lines
/// it read. nil values when it met an error (reading in order finds it again, at its true line).
private final class CSVHalf: @unchecked Sendable {
    private(set) var scanner: CSVScanner
    private(set) var values: [Value]?
    let done = DispatchSemaphore(value: 0)

    init(_ scanner: CSVScanner, from start: Int) {
        self.scanner = scanner
        self.scanner.i = start
        self.scanner.line = 0
    }

    func run() {
        defer { done.signal() }
        var s = scanner
        var out: [Value] = []
        while true {
            let (mark, markLine) = (s.i, s.line)
            do {
                guard let row = try s.row() else { break }
                if let record = row { out.append(.record(record)) }
            } catch is CSVScanner.More {
                (s.i, s.line) = (mark, markLine)
                break
            } catch {
                return
            }
        }
        scanner = s
        values = out
    }
}

/// The CSV parser over one window of input (a struct parsing in place, like `JSONScanner`).
struct CSVScanner {
    var b = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    var i = 0
    var line = 1
    var atEnd = false
    let name: String
    let keep: Set<String>?
    var header: Header?

    /// The header's fields: the names records get (first place of each name), and for each
    /// column the slot its cell fills (nil: not kept), with how the cell is typed.
    struct Header {
        var names: [String]
        var slots: [Int?]
        var kinds: [FieldTyping.Kind]
    }

    init(name: String, keep: Set<String>?) {
        self.name = name
        self.keep = keep
    }

    /// The window ended inside a row while more input may follow.
    struct More: Error {}

    /// One row: nil at the end of the input, .some(nil) for the header or a blank line.
    mutating func row() throws -> Record?? {
        if i >= b.count {
            if atEnd { return nil }
            throw More()
        }
        guard let header else {
            let line = self.line
            let (columns, _) = try cells()
            let names = try (0..<columns).map { try Self.text(b, starts[$0], ends[$0], quoted[$0], name: name, line: line) }
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
        let line = self.line
        let (columns, blank) = try cells()
        if columns == 1, blank { return .some(nil) }
        var values = [Value](repeating: .null, count: header.names.count)
        for column in 0..<min(columns, header.slots.count) {
            guard let slot = header.slots[column] else { continue }
            values[slot] = FieldTyping.cell(header.kinds[slot], try Self.text(b, starts[column], ends[column], quoted[column], name: name, line: line))
        }
        return .some(Record(names: header.names, values: values))
    }

    /// Where the last row's cells lie (and whether they hold quotes), reused row after row.
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var quoted: [Bool] = []

    /// Reads one row's cells up to and past its line ending, noting where each cell's bytes lie
    /// (only wanted cells are decoded, by the caller). Returns the number of cells and whether
    /// the row was empty.
    private mutating func cells() throws -> (Int, Bool) {
        let b = self.b
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
                        if i + 1 >= b.count, !atEnd { throw More() }
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
            if !ended, !atEnd { throw More() }
            if quoted {
                throw RunError("\(name):\(quoteLine): a quoted cell is never closed (a \" with no closing \")")
            }
            let end = i
            if column < starts.count {
                (starts[column], ends[column], self.quoted[column]) = (start, end, hasQuotes)
            } else {
                starts.append(start)
                ends.append(end)
                self.quoted.append(hasQuotes)
            }
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
                if i >= b.count, !atEnd { throw More() }
                if i < b.count, b[i] == 10 { i += 1 }
            }
            line += lines + 1
            self.i = i
            return (column, end == rowStart)
        }
    }

    /// A cell's text; quotes are taken out (`""` is one quote). Text that is not UTF-8 is an error naming its line.
    static func text(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ hasQuotes: Bool, name: String, line: Int) throws -> String {
        let raw = UnsafeBufferPointer(rebasing: b[start..<end])
        let decoded: String?
        if !hasQuotes {
            // ASCII cannot be invalid: the plain decoder is specialised and quick.
            var ascii = true
            for c in raw where c >= 0x80 { ascii = false; break }
            decoded = ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
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
        guard let decoded else { throw RunError("\(name):\(line): not UTF-8 text") }
        return decoded
    }
}
