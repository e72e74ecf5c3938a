import Foundation

/// Streams values from JSON text: the elements of a top-level array, or JSON Lines (values
/// separated by white space), one at a time from a `ByteInput`, so a file or pipe of any size
/// is read in bounded memory. When `fields` is given, records keep only those fields: the
/// others are checked as JSON and skipped without being decoded (the pipeline reads no more).
final class JSONReader: @unchecked Sendable {
    private let input: ByteInput
    private var scanner: JSONScanner

    /// `gather`: a slow input (a pipe) may be waited on for a full window; true when the
    /// pipeline shows nothing until the input ends (`fields` narrowed: it ends in an aggregate).
    /// `test`: the next stage's test, run on each value as it is parsed (`ReaderTest`).
    init(_ input: ByteInput, fields: Set<String>? = nil, test: ReaderTest = .none,
         parallel: Bool = ProcessInfo.processInfo.activeProcessorCount > 1, gather: Bool? = nil) {
        self.input = input
        scanner = JSONScanner(keep: fields, test: test)
        self.parallel = parallel
        self.gather = gather ?? (fields != nil)
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
            if parallel, try parseBatch() {
                ahead.add(batch)
                batch = []
                if let e = pendingError {
                    pendingError = nil
                    scanner.finished = true
                    throw e
                }
                continue
            }
            guard let v = try nextOne() else { return }
            ahead.add(v)
        }
    }

    /// Values parsed ahead, two halves of the window at once, handed out in order.
    private var batch: [Value] = []
    private var batchAt = 0
    /// An error met while parsing the batch, thrown once its values are handed out.
    private var pendingError: (any Error)?
    /// Parse a window's second half on another thread (two cores).
    private let parallel: Bool
    private var balance = SplitBalance()
    private let worker = HalfWorker()

    deinit { worker.stop() }
    private let gather: Bool

    /// Windows smaller than this are parsed on one thread.
    static let parallelMinimum = 1 << 17

    /// The next top-level value, reading more input as needed.
    func next() throws -> Value? {
        if batchAt < batch.count {
            defer { batchAt += 1 }
            return batch[batchAt]
        }
        if let e = pendingError {
            pendingError = nil
            scanner.finished = true
            throw e
        }
        if parallel, try parseBatch() { return try next() }
        return try nextOne()
    }

    /// Parses what the window holds in two halves at once: this thread from where the reader is,
    /// another from the first value after a line break past the middle. The second half counts
    /// only when this thread arrives exactly where it began (a value boundary, found by reading
    /// in order); otherwise its work is dropped. So the values and errors are exactly those of
    /// reading in order. False when there was too little to split.
    private func parseBatch() throws -> Bool {
        guard scanner.started, !scanner.finished else { return false }
        // A pipe gives 64 KiB a read: gather a window worth splitting, unless values are wanted
        // as soon as they come (records shown while a producer is still writing).
        while !input.atEnd {
            let remaining = input.bytes.count - scanner.i
            if remaining >= Self.parallelMinimum * 4 || (!gather && !input.isRegularFile) { break }
            let mark = scanner.i
            scanner.i = 0
            ahead?.handOver()
            do { _ = try input.refill(keeping: mark) } catch {
                scanner.finished = true
                throw error
            }
        }
        let b = input.bytes
        guard b.count - scanner.i >= Self.parallelMinimum, let base = b.baseAddress else { return false }
        // The other thread takes the larger part: this one also reads the input (`SplitBalance`).
        let middle = balance.middle(from: scanner.i, to: b.count)
        guard let newline = memchr(base + middle, 10, b.count - middle) else { return false }
        var split = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
        while split < b.count, b[split] == 32 || b[split] == 9 || b[split] == 13 || b[split] == 10 { split += 1 }
        guard split < b.count else { return false }

        scanner.b = b
        scanner.atEnd = input.atEnd
        let half = HalfParse(scanner, from: split)
        worker.run { half.run() }

        batch.removeAll(keepingCapacity: true)
        batchAt = 0
        var aligned = false
        let test = scanner.test
        while true {
            guard let start = scanner.nextValueStart() else { break }
            if start >= split {
                aligned = start == split
                break
            }
            let mark = scanner.i
            do {
                guard let v = try scanner.step() else { break }
                if try test.keeps(v) { batch.append(v) }
            } catch let f as JSONScanner.Failure where f.more {
                scanner.i = mark
                break
            } catch let f as JSONScanner.Failure {
                pendingError = RunError("\(input.name): invalid JSON at byte \(input.base + f.at): \(f.message)")
                break
            } catch {
                // The test failed on this record: the error comes after the records before it.
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
        if aligned, pendingError == nil, let values = half.values {
            if batch.isEmpty { batch = values } else { batch += values }
            scanner = half.scanner
        }
        return handed || !batch.isEmpty || pendingError != nil
    }

    /// The next top-level value on this thread alone.
    private func nextOne() throws -> Value? {
        while true {
            let (mark, started, inArray) = (scanner.i, scanner.started, scanner.inArray)
            do {
                scanner.b = input.bytes
                scanner.atEnd = input.atEnd
                guard let v = try scanner.step() else { return nil }
                if try scanner.test.keeps(v) { return v }
            } catch let f as JSONScanner.Failure where f.more {
                (scanner.started, scanner.inArray) = (started, inArray)
                scanner.i = 0
                ahead?.handOver()
                let more: Bool
                do { more = try input.refill(keeping: mark) } catch {
                    scanner.finished = true
                    throw error
                }
                // At the end, the next pass parses what is there to find what is wrong with it.
                _ = more
            } catch let f as JSONScanner.Failure {
                scanner.finished = true
                throw RunError("\(input.name): invalid JSON at byte \(input.base + f.at): \(f.message)")
            } catch {
                // The test failed on this record.
                scanner.finished = true
                throw error
            }
        }
    }
}

/// The second half of a window, parsed on another thread from a guessed value boundary: the
/// values up to the last one the window holds whole, and where the scanner then stands. nil
/// values when it met an error (reading in order finds it again, at its true place).
private final class HalfParse: @unchecked Sendable {
    private(set) var scanner: JSONScanner
    private(set) var values: [Value]?
    let done = DispatchSemaphore(value: 0)

    init(_ scanner: JSONScanner, from start: Int) {
        self.scanner = scanner
        self.scanner.i = start
        // Its own copies: reference counts that two threads touch at once cost both of them.
        self.scanner.layout = scanner.layout?.copy()
        self.scanner.test = scanner.test.copy()
    }

    func run() {
        var s = scanner
        var out: [Value] = []
        var good = s.i
        let test = s.test
        do {
            let first = try s.element()
            if try test.keeps(first) { out.append(first) }
            good = s.i
            while let v = try s.step() {
                if try test.keeps(v) { out.append(v) }
                good = s.i
            }
            good = s.i
        } catch let f as JSONScanner.Failure where f.more {
            // The window ends inside a value: stop after the last whole one.
            s.finished = false
        } catch {
            done.signal()
            return
        }
        s.i = good
        scanner = s
        values = out
        done.signal()
    }
}

/// The parser over one window of input. A struct parsing in place (its methods mutate it
/// alone), so the per-byte work has no reference counting or exclusivity checks.
struct JSONScanner {
    var b = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    var i = 0
    /// No input follows the window: running out is an error, not a reason to read more.
    var atEnd = false
    let keep: Set<String>?
    var test: ReaderTest
    var started = false
    var inArray = false
    var finished = false
    /// The previous record's keys in order, with which of them are kept and how each is typed:
    /// the next record of a listing has the same ones, matched by bytes without decoding.
    var layout: KeyLayout? {
        didSet { layoutReference = layout.map { Unmanaged.passUnretained($0) } }
    }
    /// `layout`, read without counting a reference once a record (`layout` keeps it alive).
    private var layoutReference: Unmanaged<KeyLayout>?

    init(keep: Set<String>?, test: ReaderTest = .none) {
        self.keep = keep
        self.test = test
    }

    /// Where the next top-level value starts, when the scanner stands between two (after a
    /// value, before its `,` in an array); nil at the end of the array or of the window.
    func nextValueStart() -> Int? {
        guard started, !finished, i < b.count else { return nil }
        guard inArray else { return i }
        guard b[i] == UInt8(ascii: ",") else { return nil }
        var j = i + 1
        while j < b.count, Self.isSpace(b[j]) { j += 1 }
        return j < b.count ? j : nil
    }

    /// A malformed input, or (`more`) the window ended inside a value while more input may follow.
    struct Failure: Error { var message: String; var at: Int; var more = false }

    mutating func step() throws -> Value? {
        if finished { return nil }
        skipSpace()
        if !started {
            guard i < b.count else {
                if atEnd { finished = true; return nil }
                throw Failure(message: "", at: i, more: true)
            }
            started = true
            if b[i] == UInt8(ascii: "[") {
                inArray = true
                i += 1
                skipSpace()
                guard i < b.count else { throw end("the array is not closed") }
                if b[i] == UInt8(ascii: "]") { i += 1; return try close() }
                return try element()
            }
        }
        if inArray {
            guard i < b.count else { throw end("the array is not closed") }
            if b[i] == UInt8(ascii: "]") { i += 1; return try close() }
            guard b[i] == UInt8(ascii: ",") else { throw Failure(message: "expected ',' or ']'", at: i) }
            i += 1
            skipSpace()
            return try element()
        }
        if i >= b.count {
            if atEnd { finished = true; return nil }
            throw Failure(message: "", at: i, more: true)
        }
        return try element()
    }

    /// After the top-level array's `]`: only white space may follow.
    mutating func close() throws -> Value? {
        skipSpace()
        if i < b.count { throw Failure(message: "unexpected text after the array", at: i) }
        if !atEnd { throw Failure(message: "", at: i, more: true) }
        finished = true
        return nil
    }

    /// The window ended inside a value: more may come, or the input is cut short.
    func end(_ message: String) -> Failure {
        Failure(message: message, at: i, more: !atEnd)
    }

    mutating func element() throws -> Value {
        let v = try value(depth: 0)
        // A value must end before the next one starts: `1 2` are two values, `{}{}` are not.
        if !inArray {
            if i == b.count, !atEnd { throw end("") }
            if i < b.count, !Self.isSpace(b[i]) {
                throw Failure(message: "expected white space or a line break between values", at: i)
            }
        }
        skipSpace()
        return v
    }

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 10 || c == 13 || c == 9 }

    @inline(__always) mutating func skipSpace() {
        // Every white-space byte is at most 32: one comparison passes over compact JSON.
        guard i < b.count, b[i] <= 32 else { return }
        while i < b.count, Self.isSpace(b[i]) { i += 1 }
    }

    /// Values nest at most this deep (a hostile file must not exhaust the stack).
    static let maxDepth = 512

    mutating func value(depth: Int) throws -> Value {
        guard i < b.count else { throw end("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try list(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal(.true); return .bool(true)
        case UInt8(ascii: "f"): try literal(.false); return .bool(false)
        case UInt8(ascii: "n"): try literal(.null); return .null
        default: return try number()
        }
    }

    /// JSON's three words, each with its first four bytes as one little-endian word (`fals` for
    /// false), so a literal whole in the window is matched by one comparison.
    enum Literal {
        case null, `true`, `false`

        var text: StaticString {
            switch self {
            case .null: "null"
            case .true: "true"
            case .false: "false"
            }
        }

        var word: UInt32 {
            switch self {
            case .null: 0x6C6C_756E
            case .true: 0x6575_7274
            case .false: 0x736C_6166
            }
        }

        var length: Int { self == .false ? 5 : 4 }
    }

    mutating func list(depth: Int) throws -> Value {
        guard depth <= Self.maxDepth else { throw Failure(message: "values nest deeper than \(Self.maxDepth)", at: i) }
        i += 1
        var items: [Value] = []
        skipSpace()
        guard i < b.count else { throw end("unclosed array") }
        if b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth))
            skipSpace()
            guard i < b.count else { throw end("unclosed array") }
            if b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            guard b[i] == UInt8(ascii: ",") else { throw Failure(message: "expected ',' or ']'", at: i) }
            i += 1
        }
    }

    /// Passes over `literal`. One comparison of a word when it is whole in the window and a byte
    /// that ends a word follows it; otherwise byte by byte, which reports what is wrong.
    @inline(__always) mutating func literal(_ literal: Literal) throws {
        let n = literal.length
        if i + n < b.count, let base = b.baseAddress,
           UInt32(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt32.self)) == literal.word,
           n == 4 || base[i + 4] == UInt8(ascii: "e"), !Self.continuesWord(base[i + n]) {
            i += n
            return
        }
        try spell(literal.text)
    }

    /// `literal`'s slow path: the word's bytes one by one, at the window's end or in bad input.
    private mutating func spell(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        let available = min(n, b.count - i)
        // Four or five bytes: compared here, not by a call to memcmp; the first four at once.
        let w = word.utf8Start
        var j = 0
        if available >= 4, let base = b.baseAddress {
            guard UnsafeRawPointer(base + i).loadUnaligned(as: UInt32.self) == UnsafeRawPointer(w).loadUnaligned(as: UInt32.self) else {
                throw Failure(message: "unexpected character", at: i)
            }
            j = 4
        }
        while j < available {
            guard b[i + j] == w[j] else { throw Failure(message: "unexpected character", at: i) }
            j += 1
        }
        guard available == n else { throw end("unexpected end of input") }
        i += n
        if i == b.count, !atEnd { throw end("") }
        if i < b.count, Self.continuesWord(b[i]) { throw Failure(message: "unexpected character", at: i) }
    }

    @inline(__always) private static func continuesWord(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == UInt8(ascii: "_") || c >= 0x80
    }

    mutating func object(depth: Int) throws -> Value {
        guard depth <= Self.maxDepth else { throw Failure(message: "values nest deeper than \(Self.maxDepth)", at: i) }
        // A record with the previous record's keys, in order, takes the quick path.
        if depth == 1, let layout = layoutReference,
           let record = try layout._withUnsafeGuaranteedRef({ try sameKeys($0) }) { return record }
        // Only top-level records are narrowed to the fields the pipeline reads.
        let keep = depth == 1 ? self.keep : nil
        i += 1
        var values: [Value] = []
        var names: [String] = []
        var keys: [[UInt8]] = []
        var slots: [Int] = []
        var typing: [FieldTyping.Kind] = []
        skipSpace()
        guard i < b.count else { throw end("unclosed object") }
        if b[i] == UInt8(ascii: "}") {
            i += 1
            if depth == 1 { layout = KeyLayout(keys: [], slots: [], typing: [], names: []) }
            return .record(Record(names: [], values: []))
        }
        while true {
            skipSpace()
            guard i < b.count else { throw end("unclosed object") }
            guard b[i] == UInt8(ascii: "\"") else { throw Failure(message: "expected a field name in quotes", at: i) }
            let start = i
            let key = try string()
            let wanted = keep.map { $0.contains(key) } ?? true
            let kind = FieldTyping.kind(of: key)
            if depth == 1 {
                keys.append(Array(b[start + 1..<i - 1]))
                slots.append(wanted ? names.count : -1)
                typing.append(kind)
            }
            if wanted { names.append(key) }
            skipSpace()
            guard i < b.count else { throw end("unclosed object") }
            guard b[i] == UInt8(ascii: ":") else { throw Failure(message: "expected ':'", at: i) }
            i += 1
            skipSpace()
            if wanted {
                values.append(kind.typed(try value(depth: depth)))
            } else {
                try skipValue(depth: depth)
            }
            skipSpace()
            guard i < b.count else { throw end("unclosed object") }
            if b[i] == UInt8(ascii: "}") { i += 1; break }
            guard b[i] == UInt8(ascii: ",") else { throw Failure(message: "expected ',' or '}'", at: i) }
            i += 1
        }
        if depth == 1 {
            // Keys written with escapes are matched only by the full decoder.
            layout = keys.contains { $0.contains(UInt8(ascii: "\\")) } ? nil
                : KeyLayout(keys: keys, slots: slots, typing: typing, names: names)
        }
        return .record(Record(names: names, values: values))
    }

    /// A record whose keys are exactly `layout`'s, in order, compared as bytes (no key is
    /// decoded); nil, with nothing consumed, at the first difference, for `object` to read it
    /// in full. Errors in the values are those `object` would meet at the same bytes.
    private mutating func sameKeys(_ layout: KeyLayout) throws -> Value? {
        guard let base = b.baseAddress else { return nil }
        let start = i
        i += 1
        var values: [Value] = []
        values.reserveCapacity(layout.names.count)
        for k in 0..<layout.count {
            let entry = layout.entries[k]
            // Compact JSON: `,"key":` (the first key without the comma) as one run of bytes.
            if let n = layout.tight(entry, at: base + i, available: b.count &- i) {
                i &+= n
                skipSpace()
                if entry.slot >= 0 {
                    values.append(entry.typing.typed(try value(depth: 1)))
                } else if i < b.count, base[i] == UInt8(ascii: "\"") {
                    try skipString()
                } else {
                    try skipValue(depth: 1)
                }
                continue
            }
            skipSpace()
            if k > 0 {
                guard i < b.count, b[i] == UInt8(ascii: ",") else { i = start; return nil }
                i += 1
                skipSpace()
            }
            // The key with its quotes: `"` then the stored bytes, which end with the closing `"`.
            let key = layout.key(k)
            guard i + 1 + key.count <= b.count, b[i] == UInt8(ascii: "\""),
                  Self.same(base + i + 1, key, wordsFit: i + 1 + (key.count + 7) & ~7 <= b.count) else { i = start; return nil }
            i += 1 + key.count
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { i = start; return nil }
            i += 1
            skipSpace()
            if entry.slot >= 0 {
                values.append(entry.typing.typed(try value(depth: 1)))
            } else {
                try skipValue(depth: 1)
            }
        }
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "}") else { i = start; return nil }
        i += 1
        return .record(Record(names: layout.names, values: values))
    }

    /// Whether the bytes at `p` are `key`'s, eight at a time. `wordsFit`: the input holds whole
    /// words past `p` to the key's length rounded up to eight, so the last, partial word is read
    /// whole and compared under a mask (the key's storage is padded for it).
    @inline(__always) private static func same(_ p: UnsafePointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>, wordsFit: Bool) -> Bool {
        guard let k = key.baseAddress else { return true }
        let n = key.count
        var j = 0
        while j + 8 <= n {
            if UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(k + j).loadUnaligned(as: UInt64.self) { return false }
            j += 8
        }
        if j == n { return true }
        if wordsFit {
            // Little-endian: the tail's bytes are the word's low ones.
            let mask = UInt64.max >> ((8 - (n - j)) * 8)
            let a = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
            let c = UInt64(littleEndian: UnsafeRawPointer(k + j).loadUnaligned(as: UInt64.self))
            return (a ^ c) & mask == 0
        }
        while j < n {
            if p[j] != k[j] { return false }
            j += 1
        }
        return true
    }

    /// Skips one value, checking it is well-formed JSON, without building it.
    mutating func skipValue(depth: Int) throws {
        guard i < b.count else { throw end("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["): _ = try value(depth: depth)
        case UInt8(ascii: "t"): try literal(.true)
        case UInt8(ascii: "f"): try literal(.false)
        case UInt8(ascii: "n"): try literal(.null)
        default: _ = try number()
        }
    }

    /// Skips a string. Plain to its closing quote (the usual case), it is passed over here;
    /// any other goes on in `skipStringRest`.
    @inline(__always) mutating func skipString() throws {
        let start = i
        i += 1
        skipPlain()
        if i < b.count, b[i] == UInt8(ascii: "\"") {
            i += 1
            return
        }
        try skipStringRest(from: start)
    }

    /// The rest of a string `skipPlain` stopped in: the window's last bytes, an escape (checked by
    /// the full decoder from `start`) or a control character.
    private mutating func skipStringRest(from start: Int) throws {
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return }
            if c == UInt8(ascii: "\\") {
                // Checked by the full decoder, which knows every escape's rules.
                i = start
                _ = try string()
                return
            }
            if c < 0x20 { throw Failure(message: "a control character in a string (escape it)", at: i) }
            i += 1
        }
        throw end("unterminated string")
    }

    mutating func string() throws -> String {
        i += 1
        let start = i
        skipPlain()
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
            i += 1
        }
        guard i < b.count else { throw end("unterminated string") }
        if b[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        }
        var out = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw Failure(message: "a control character in a string (escape it)", at: i) }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < b.count else { break }
            let e = b[i + 1]
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: i + 2)
                i += 6
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate pairs with a following low one; alone it is U+FFFD.
                    if i + 6 > b.count, !atEnd { throw end("") }
                    if i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                       let low = try? hex4(at: i + 2), (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                Self.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
                continue
            default: throw Failure(message: "unknown escape '\\\(Character(Unicode.Scalar(e)))'", at: i)
            }
            i += 2
        }
        throw end("unterminated string")
    }

    /// Moves `i` over string bytes that need no care, eight at a time: it stops at the first
    /// `"`, `\\` or control character (or where fewer than eight bytes are left).
    @inline(__always) mutating func skipPlain() {
        guard let base = b.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= b.count {
            // Little-endian order: the lowest flagged bit is the first such byte.
            let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            // A byte's high bit is set in `found` where it is `"` (0x22), `\\` (0x5C) or below 0x20:
            // the lowest such byte is found exactly (bits above it may be set too, and are not used).
            let quote = w ^ (0x22 &* ones), backslash = w ^ (0x5C &* ones)
            let found = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (w &- 0x20 &* ones) & ~w) & high
            if found != 0 {
                i += found.trailingZeroBitCount >> 3
                return
            }
            i += 8
        }
    }

    /// Four hex digits at `at`, as a \u escape's code unit.
    func hex4(at: Int) throws -> UInt32 {
        guard at + 4 <= b.count else { throw Failure(message: "unterminated string", at: i, more: !atEnd) }
        var v: UInt32 = 0
        for j in at..<at + 4 {
            let c = b[j]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 65...70: d = c - 55
            case 97...102: d = c - 87
            default: throw Failure(message: "bad \\u escape (four hex digits expected)", at: at - 2)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private static func appendUTF8(_ s: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(s) { out.append($0) }
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Whole
    /// numbers that fit are ints; the rest (fractions, exponents, big ones) are floats.
    mutating func number() throws -> Value {
        let start = i
        var negative = false
        if b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digitsStart = i
        // Eighteen digits cannot overflow: they are added up unchecked, any more with checks.
        var magnitude: Int64 = 0
        let quick = min(b.count, i + 18)
        while i < quick, b[i] &- 48 < 10 {
            magnitude = magnitude &* 10 &+ Int64(b[i] &- 48)
            i += 1
        }
        var value = negative ? -magnitude : magnitude
        var overflow = false
        while i < b.count, b[i] >= 48, b[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(b[i] - 48)) : m.addingReportingOverflow(Int64(b[i] - 48))
            overflow = overflow || o1 || o2
            value = a
            i += 1
        }
        guard i > digitsStart else {
            if i >= b.count, negative { throw end("unexpected end of input") }
            let c = i < b.count ? b[i] : b[start]
            let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : String(format: "0x%02X", c)
            throw Failure(message: "unexpected character \(shown)", at: i)
        }
        if i - digitsStart > 1, b[digitsStart] == 48 { throw Failure(message: "a number may not start with 0", at: digitsStart) }
        var isFloat = overflow
        if i < b.count, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            let fraction = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            if i == fraction {
                if i >= b.count { throw end("unexpected end of input") }
                throw Failure(message: "expected a digit after '.'", at: i)
            }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let exponent = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            if i == exponent {
                if i >= b.count { throw end("unexpected end of input") }
                throw Failure(message: "expected a digit in the exponent", at: i)
            }
        }
        // A number that reaches the end of the window may go on in the next one.
        if i == b.count, !atEnd { throw end("") }
        if i < b.count, Self.continuesWord(b[i]) || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            throw Failure(message: "unexpected character in a number", at: i)
        }
        if isFloat {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            guard let d = Double(text), d.isFinite else { throw Failure(message: "number out of range '\(text)'", at: start) }
            return .float(d)
        }
        return .int(value)
    }
}

/// A record's keys as its bytes, and for each key the place its value takes in the record (-1:
/// not kept) and how it is typed. Each key is stored as compact JSON writes it, `,"key":` (the
/// first without the comma), so one comparison a word at a time passes over the comma, the key
/// and the colon; the key alone (with its closing quote) is inside it, for JSON with spaces.
/// Immutable, in memory of its own read through pointers, so matching a record does no
/// reference counting; each thread has its own copy (`copy()`).
final class KeyLayout: @unchecked Sendable {
    /// What matching key `k` needs, together in one place: where its compact form's bytes start,
    /// how many whole words it has, the mask of its last, partial word (0: none), its length,
    /// the window it needs (its words rounded up), and its value's slot and typing.
    struct Entry {
        let from: Int
        let words: Int
        let tail: UInt64
        let length: Int
        let span: Int
        let slot: Int
        let typing: FieldTyping.Kind
    }

    let count: Int
    let names: [String]
    let entries: UnsafeMutableBufferPointer<Entry>
    private let keys: [[UInt8]]
    private let bytes: UnsafeMutableBufferPointer<UInt8>

    init(keys: [[UInt8]], slots: [Int], typing: [FieldTyping.Kind], names: [String]) {
        count = keys.count
        self.keys = keys
        self.names = names.unshared
        let compact = keys.enumerated().map { k, key in (k > 0 ? [UInt8(ascii: ",")] : []) + [UInt8(ascii: "\"")] + key + Array("\":".utf8) }
        // Padded by a word: the last key's tail is read as a whole word.
        bytes = .allocate(capacity: compact.reduce(0) { $0 + $1.count } + 8)
        bytes.initialize(repeating: 0)
        entries = .allocate(capacity: max(1, count))
        var at = 0
        for (k, form) in compact.enumerated() {
            let tail = form.count % 8
            entries.initializeElement(at: k, to: Entry(
                from: at, words: form.count / 8, tail: tail == 0 ? 0 : UInt64.max >> ((8 - tail) * 8),
                length: form.count, span: (form.count + 7) & ~7, slot: slots[k], typing: typing[k]))
            for c in form { bytes[at] = c; at += 1 }
        }
    }

    /// The same layout in memory of its own (its names too), for another thread.
    func copy() -> KeyLayout {
        KeyLayout(keys: keys, slots: entries.prefix(count).map(\.slot), typing: entries.prefix(count).map(\.typing), names: names)
    }

    deinit {
        entries.baseAddress?.deinitialize(count: count)
        entries.deallocate()
        bytes.deallocate()
    }

    /// The length of a key's compact form when the bytes at `p` begin with it; nil when they
    /// do not, or when fewer than its whole words are `available` (the caller then reads the key
    /// byte by byte).
    @inline(__always) func tight(_ entry: Entry, at p: UnsafePointer<UInt8>, available: Int) -> Int? {
        guard available >= entry.span, let base = bytes.baseAddress else { return nil }
        var q = UnsafeRawPointer(p), t = UnsafeRawPointer(base + entry.from)
        for _ in 0..<entry.words {
            if q.loadUnaligned(as: UInt64.self) != t.loadUnaligned(as: UInt64.self) { return nil }
            q += 8
            t += 8
        }
        if entry.tail != 0 {
            let a = UInt64(littleEndian: q.loadUnaligned(as: UInt64.self))
            let c = UInt64(littleEndian: t.loadUnaligned(as: UInt64.self))
            if (a ^ c) & entry.tail != 0 { return nil }
        }
        return entry.length
    }

    /// Key `k`'s bytes and its closing quote.
    @inline(__always) func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        let e = entries[k]
        let from = e.from + (k > 0 ? 2 : 1), to = e.from + e.length - 1
        return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(bytes)[from..<to])
    }
}
