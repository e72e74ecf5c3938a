import Foundation
import MediaAPI

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
    private var balance = SplitBalance()
    private let worker = HalfWorker()

    deinit { worker.stop() }

    /// `test`: the next stage's test, run on each record as it is parsed (`ReaderTest`).
    init(_ input: ByteInput, fields: Set<String>? = nil, test: ReaderTest = .none,
         parallel: Bool = ProcessInfo.processInfo.activeProcessorCount > 1) {
        self.input = input
        scanner = CSVScanner(name: input.name, keep: fields, test: test)
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
                if let record = row, try scanner.test.keeps(record) { return .record(record) }
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
        // The other thread takes the larger part: this one also reads the input (`SplitBalance`).
        let middle = balance.middle(from: scanner.i, to: b.count)
        guard let newline = memchr(base + middle, 10, b.count - middle) else { return false }
        let split = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
        guard split < b.count else { return false }
        scanner.b = b
        scanner.atEnd = input.atEnd
        let half = CSVHalf(scanner, from: split)
        worker.run { half.run() }

        batch.removeAll(keepingCapacity: true)
        batchAt = 0
        let test = scanner.test
        while scanner.i < split {
            let (mark, markLine) = (scanner.i, scanner.line)
            do {
                guard let row = try scanner.row() else { finished = true; break }
                if let record = row, try test.keeps(record) { batch.append(.record(record)) }
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
        balance.join(half.done)
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
        // Its own copies: reference counts that two threads touch at once cost both of them,
        // and cell marks are written as each row is read.
        self.scanner.test = scanner.test.copy()
        self.scanner.header = scanner.header?.copy()
        self.scanner.marks = CellMarks()
    }

    func run() {
        defer { done.signal() }
        var s = scanner
        var out: [Value] = []
        let test = s.test
        while true {
            let (mark, markLine) = (s.i, s.line)
            do {
                guard let row = try s.row() else { break }
                if let record = row, try test.keeps(record) { out.append(.record(record)) }
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
    var test: ReaderTest
    var header: CSVHeader?
    /// Where the row's cells lie; each thread's scanner has its own (`CSVHalf` gives it one).
    var marks = CellMarks()

    init(name: String, keep: Set<String>?, test: ReaderTest = .none) {
        self.name = name
        self.keep = keep
        self.test = test
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
            let m = self.marks
            let names = try (0..<columns).map { try Self.text(b, m.starts[$0], m.ends[$0], m.quoted[$0], name: name, line: line) }
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
            self.header = CSVHeader(names: unique, slots: slots.map { $0 ?? -1 }, kinds: kinds)
            return .some(nil)
        }
        let line = self.line
        let (columns, blank) = try cells()
        if columns == 1, blank { return .some(nil) }
        let marks = self.marks
        // The kept columns' cells in order, null where the row ends before the column.
        var values: [Value] = []
        values.reserveCapacity(header.keptCount)
        for k in 0..<header.keptCount {
            let column = header.keptColumns[k]
            guard column < columns else {
                values.append(.null)
                continue
            }
            values.append(try Self.cell(b, marks.starts[column], marks.ends[column], marks.quoted[column], header.kinds[header.slots[column]],
                                        name: name, line: line))
        }
        if header.inOrder { return .some(Record(names: header.names, values: values)) }
        // A name repeated: the later cell the row has wins.
        var placed = [Value](repeating: .null, count: header.names.count)
        for k in 0..<header.keptCount where header.keptColumns[k] < columns { placed[header.slots[header.keptColumns[k]]] = values[k] }
        return .some(Record(names: header.names, values: placed))
    }


    /// Reads one row's cells up to and past its line ending, noting where each cell's bytes lie
    /// (only wanted cells are decoded, by the caller). Returns the number of cells and whether
    /// the row was empty.
    private mutating func cells() throws -> (Int, Bool) {
        if let row = plainRow() { return row }
        let b = self.b
        let marks = self.marks
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
                if !quoted { i = Self.plainEnd(b, from: i) }
                guard i < b.count else { break }
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
            marks.set(column, start, end, hasQuotes)
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

    /// A row without quotes, read a word at a time: every `,`, `"`, CR and LF in a word is found
    /// at once, and each ends a cell. nil, with nothing consumed, at a quote or where fewer than
    /// eight bytes are left before the row's end: `cells` then reads the row byte by byte.
    @inline(__always) private mutating func plainRow() -> (Int, Bool)? {
        guard let base = b.baseAddress else { return nil }
        let marks = self.marks
        let rowStart = i
        var cellStart = i
        var column = 0
        var j = i
        while j + 8 <= b.count {
            var found = Self.separators(WordBytes.load(base + j))
            while found != 0 {
                let at = j + WordBytes.first(found)
                found &= found &- 1
                let c = base[at]
                if c == UInt8(ascii: ",") {
                    marks.set(column, cellStart, at, false)
                    column += 1
                    cellStart = at + 1
                    continue
                }
                guard c != UInt8(ascii: "\"") else { return nil }
                // CR or LF: the row ends (CR LF as one line end; a CR at the window's end may
                // be followed by an LF not read yet).
                var next = at + 1
                if c == 13 {
                    guard next < b.count else { return nil }
                    if base[next] == 10 { next += 1 }
                }
                marks.set(column, cellStart, at, false)
                line += 1
                i = next
                return (column + 1, at == rowStart)
            }
            j += 8
        }
        return nil
    }

    /// The high bit of each byte of `w` that is `,`, `"`, CR or LF.
    @inline(__always) private static func separators(_ w: UInt64) -> UInt64 {
        WordBytes.equal(w, UInt8(ascii: ",")) | WordBytes.equal(w, UInt8(ascii: "\"")) | WordBytes.equal(w, 10) | WordBytes.equal(w, 13)
    }

    /// The first `,`, `"`, CR or LF at or after `from`, looking eight bytes at a time; where
    /// fewer than eight are left, the first of those bytes (the caller reads them one by one).
    @inline(__always) static func plainEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = b.baseAddress else { return from }
        var i = from
        while i + 8 <= b.count {
            let found = separators(WordBytes.load(base + i))
            if found != 0 { return i + WordBytes.first(found) }
            i += 8
        }
        return i
    }

    /// A cell's value, typed as `FieldTyping.cell` types it; a whole number of up to 18 digits
    /// without quotes is read from its bytes, with no text made for it.
    @inline(__always)
    static func cell(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ hasQuotes: Bool, _ kind: FieldTyping.Kind,
                     name: String, line: Int) throws -> Value {
        if !hasQuotes {
            if start == end { return .null }
            var j = start
            let negative = b[j] == UInt8(ascii: "-")
            if negative || b[j] == UInt8(ascii: "+") { j += 1 }
            if end - j >= 1, end - j <= 18 {
                var v: Int64 = 0
                while j < end, b[j] &- 48 < 10 {
                    v = v * 10 + Int64(b[j] &- 48)
                    j += 1
                }
                if j == end { return kind.typed(.int(negative ? -v : v)) }
            }
            // `FieldTyping.cell` makes a number of more digits, true, false, or a number with a
            // dot; anything else is text, which the bytes alone tell.
            if !Self.mayBeNumberOrBool(b, start, end) { return kind.typed(.string(try text(b, start, end, false, name: name, line: line))) }
        }
        return FieldTyping.cell(kind, try text(b, start, end, hasQuotes, name: name, line: line))
    }

    /// Whether an unquoted cell's bytes could read as something other than text: a sign and
    /// digits only, a dot anywhere, or exactly `true` or `false`.
    private static func mayBeNumberOrBool(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard let base = b.baseAddress else { return true }
        if memchr(base + start, Int32(UInt8(ascii: ".")), end - start) != nil { return true }
        var j = start
        if b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+") { j += 1 }
        var digits = j < end
        while j < end, digits {
            digits = b[j] &- 48 < 10
            j += 1
        }
        if digits { return true }
        let n = end - start
        return (n == 4 && memcmp(base + start, "true", 4) == 0) || (n == 5 && memcmp(base + start, "false", 5) == 0)
    }

    /// A cell's text; quotes are taken out (`""` is one quote). Text that is not UTF-8 is an error naming its line.
    static func text(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ hasQuotes: Bool, name: String, line: Int) throws -> String {
        let raw = UnsafeBufferPointer(rebasing: b[start..<end])
        let decoded: String?
        if !hasQuotes {
            // ASCII cannot be invalid: the plain decoder is specialised and quick.
            var ascii = true
            var j = 0
            if let p = raw.baseAddress {
                // Eight bytes at a time: any byte with its high bit set is not ASCII.
                while j + 8 <= raw.count, UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { j += 8 }
            }
            while j < raw.count, ascii {
                ascii = raw[j] < 0x80
                j += 1
            }
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

/// A CSV header: the names records get (first place of each name), and for each column the
/// slot its cell fills (-1: not kept) and how the cell is typed. Immutable; read through
/// pointers, so a row does no reference counting for it. Each thread has its own copy, so
/// the names every record shares are counted by one thread only.
final class CSVHeader: @unchecked Sendable {
    let names: [String]
    let count: Int
    let slots: UnsafeMutableBufferPointer<Int>
    let kinds: UnsafeMutableBufferPointer<FieldTyping.Kind>
    /// The columns whose cells are kept, in order.
    let keptColumns: UnsafeMutableBufferPointer<Int>
    let keptCount: Int
    /// The k-th kept column fills slot k (no name repeats): a row's values are appended.
    let inOrder: Bool

    init(names: [String], slots: [Int], kinds: [FieldTyping.Kind]) {
        self.names = names.unshared
        count = slots.count
        self.slots = .allocate(capacity: slots.count)
        _ = self.slots.initialize(from: slots)
        self.kinds = .allocate(capacity: kinds.count)
        _ = self.kinds.initialize(from: kinds)
        let kept = slots.indices.filter { slots[$0] >= 0 }
        keptCount = kept.count
        inOrder = kept.enumerated().allSatisfy { k, column in slots[column] == k }
        keptColumns = .allocate(capacity: max(1, kept.count))
        _ = keptColumns.initialize(from: kept)
    }

    func copy() -> CSVHeader { CSVHeader(names: names, slots: Array(slots), kinds: Array(kinds)) }

    deinit {
        slots.deallocate()
        kinds.deallocate()
        keptColumns.deallocate()
    }
}

/// Where the cells of the row being read lie, and whether they hold quotes: reused row after
/// row, grown as a row needs, written through pointers (no copy-on-write checks per cell).
final class CellMarks: @unchecked Sendable {
    private(set) var starts = UnsafeMutablePointer<Int>.allocate(capacity: 16)
    private(set) var ends = UnsafeMutablePointer<Int>.allocate(capacity: 16)
    private(set) var quoted = UnsafeMutablePointer<Bool>.allocate(capacity: 16)
    private var capacity = 16

    @inline(__always) func set(_ column: Int, _ start: Int, _ end: Int, _ hasQuotes: Bool) {
        if column >= capacity { grow() }
        starts[column] = start
        ends[column] = end
        quoted[column] = hasQuotes
    }

    private func grow() {
        let more = capacity * 2
        let (s, e, q) = (UnsafeMutablePointer<Int>.allocate(capacity: more), UnsafeMutablePointer<Int>.allocate(capacity: more),
                         UnsafeMutablePointer<Bool>.allocate(capacity: more))
        s.update(from: starts, count: capacity)
        e.update(from: ends, count: capacity)
        q.update(from: quoted, count: capacity)
        starts.deallocate()
        ends.deallocate()
        quoted.deallocate()
        (starts, ends, quoted, capacity) = (s, e, q, more)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        quoted.deallocate()
    }
}
