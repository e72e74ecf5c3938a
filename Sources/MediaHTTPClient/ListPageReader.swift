import Foundation
import MediaAPI

/// Reads the items of a list page straight from its bytes, for the answers servers give almost
/// always: `{"_embedded": {"media": [ {…}, … ]}, …}` with strings, integers, booleans and ISO 8601
/// times where MediaItem expects them. JSONDecoder and MediaItem's lenient `init(from:)` cost
/// ~25 µs an item, more than a page's round trip leaves to spare; this reads one in a few.
///
/// It is a shortcut, never a second set of rules: it returns nil for anything it does not read
/// exactly as the Codable path would (another shape, a number where a string goes, a time given
/// in epoch milliseconds, an escape it does not take, a duplicate key, invalid JSON, nesting
/// deeper than `maxDepth`), and the caller then decodes with the Codable path, which reads the
/// odd shapes and words the errors. So whatever it returns is what JSONDecoder would have
/// returned (the fuzz target "client" checks exactly that). It never traps: every byte is read
/// through `byte(_:)`, which answers 0 (not valid anywhere it is looked for) past the end.
enum ListPageReader {
    /// The deepest nesting it walks through (unknown members' values included).
    static let maxDepth = 32

    static func items(_ body: UnsafeRawBufferPointer) -> [MediaItem]? {
        items(body, atMost: .max)
    }

    /// The same, but it stops reading at the item after `atMost` and returns the `atMost + 1`
    /// items read so far, the rest of the page unread and unchecked: a page larger than asked
    /// is refused by its caller (`Listing`), which must never take those items for a page.
    static func items(_ body: UnsafeRawBufferPointer, atMost: Int) -> [MediaItem]? {
        var reader = Reader(bytes: body.bindMemory(to: UInt8.self))
        reader.maxItems = atMost
        let page = reader.page()
        return reader.overflow ?? page
    }

    static func items(_ body: Data) -> [MediaItem]? {
        body.withUnsafeBytes { items($0) }
    }

    /// A known member name: its bytes, its field and which of the field's names it is (0 = the seed's).
    fileprivate struct Name {
        var bytes: [UInt8]
        var field: Int
        var rank: Int
    }

    fileprivate static let names: [Name] = MediaItem.Field.allCases.flatMap { field in
        field.names.enumerated().map { Name(bytes: Array($0.element.utf8), field: field.rawValue, rank: $0.offset) }
    }

    fileprivate static let fieldCount = MediaItem.Field.allCases.count
}

/// A value as read, before it becomes a field.
private enum Scalar {
    case string(String)
    case integer(Int64)
    case bool(Bool)
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Reading stops at the item after this many (`overflow` then holds the items read).
    var maxItems = Int.max
    var overflow: [MediaItem]?

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    @inline(__always) func byte(_ at: Int) -> UInt8 {
        at >= 0 && at < bytes.count ? bytes[at] : 0
    }

    mutating func skipSpace() {
        while true {
            switch byte(i) {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard byte(i) == c else { return false }
        i += 1
        return true
    }

    /// `open`, then elements separated by commas up to `close` (an object's members or an
    /// array's values), each read by `element`; false at the first thing out of place.
    mutating func sequence(_ open: UInt8, _ close: UInt8, _ element: (inout Reader) -> Bool) -> Bool {
        guard take(open) else { return false }
        var first = true
        while true {
            if take(close) { return true }
            if !first { guard take(UInt8(ascii: ",")) else { return false } }
            first = false
            guard element(&self) else { return false }
        }
    }

    /// `{"_embedded": {"media": [items]}, other members…}` and nothing after it.
    mutating func page() -> [MediaItem]? {
        var items: [MediaItem]?
        let read = sequence(UInt8(ascii: "{"), UInt8(ascii: "}")) { r in
            guard let key = r.keyRange() else { return false }
            if r.equals(key, "_embedded") {
                guard items == nil, let embedded = r.embedded() else { return false }
                items = embedded
                return true
            }
            // Only another `_embedded` or a top-level `media` could change what the page holds.
            return !r.equals(key, "media") && r.skipValue(depth: 1)
        }
        skipSpace()
        guard read, i == bytes.count else { return nil }
        return items
    }

    /// `{"media": [items], other members…}`.
    mutating func embedded() -> [MediaItem]? {
        var items: [MediaItem]?
        let read = sequence(UInt8(ascii: "{"), UInt8(ascii: "}")) { r in
            guard let key = r.keyRange() else { return false }
            guard r.equals(key, "media") else { return r.skipValue(depth: 2) }
            guard items == nil else { return false }
            var list: [MediaItem] = []
            let listed = r.sequence(UInt8(ascii: "["), UInt8(ascii: "]")) { r in
                guard let item = r.item() else { return false }
                list.append(item)
                if list.count > r.maxItems {
                    r.overflow = list
                    return false
                }
                return true
            }
            items = list
            return listed
        }
        return read ? items : nil
    }

    /// One item object. For each field, the first of its names holding a value other than null, as MediaItem's decoder takes it.
    mutating func item() -> MediaItem? {
        // By field: the rank of the name its value came from, and the value.
        var found = [(rank: Int, value: Scalar)?](repeating: nil, count: ListPageReader.fieldCount)
        var seen: [Int] = []
        let read = sequence(UInt8(ascii: "{"), UInt8(ascii: "}")) { r in
            guard let key = r.keyRange() else { return false }
            guard let name = ListPageReader.names.firstIndex(where: { r.equals(key, $0.bytes) }) else {
                return r.skipValue(depth: 4)
            }
            // A name twice: which one JSONDecoder keeps is its business, not a guess of ours.
            guard !seen.contains(name) else { return false }
            seen.append(name)
            let known = ListPageReader.names[name]
            r.skipSpace()
            if r.literal("null") { return true }
            guard let value = r.scalar() else { return false }
            if let held = found[known.field], held.rank < known.rank { return true }
            found[known.field] = (known.rank, value)
            return true
        }
        return read ? makeItem(found.map { $0?.value }) : nil
    }

    func makeItem(_ values: [Scalar?]) -> MediaItem? {
        func string(_ field: MediaItem.Field) -> String?? {
            switch values[field.rawValue] {
            case nil: return .some(nil)
            case .string(let s)?: return .some(s)
            default: return nil
            }
        }
        func integer(_ field: MediaItem.Field) -> Int64?? {
            switch values[field.rawValue] {
            case nil: return .some(nil)
            case .integer(let n)?: return .some(n)
            default: return nil
            }
        }
        func time(_ field: MediaItem.Field) -> Date?? {
            switch values[field.rawValue] {
            case nil: return .some(nil)
            case .string(let s)?:
                guard let date = MediaTime.parse(s), MediaTime.isRepresentable(date) else { return nil }
                return .some(date)
            default: return nil
            }
        }
        guard let id = string(.id), let id, !id.isEmpty,
              let accountID = string(.accountID), let storeID = string(.storeID), let etag = string(.etag),
              let size = integer(.size), (0...MediaItem.largestSize).contains(size ?? 0),
              let mimeType = string(.mimeType), let originalFileName = string(.originalFileName),
              let title = string(.title), let description = string(.description),
              let metadataPrimary = string(.metadataPrimary), let metadataSecondary = string(.metadataSecondary),
              let maxDownloads = integer(.maxDownloadsAllowed), let timesDownloaded = integer(.timesDownloaded),
              let timeCreated = time(.timeCreated), let timeLastUpdated = time(.timeLastUpdated)
        else { return nil }
        let isPublic: Bool
        switch values[MediaItem.Field.isPublic.rawValue] {
        case nil: isPublic = false
        case .bool(let b)?: isPublic = b
        default: return nil
        }
        return MediaItem(
            id: id, accountID: accountID, storeID: storeID, etag: etag, size: size ?? 0, mimeType: mimeType,
            originalFileName: originalFileName, title: title, description: description, metadataPrimary: metadataPrimary,
            metadataSecondary: metadataSecondary, isPublic: isPublic, maxDownloadsAllowed: Int(clamping: maxDownloads ?? 0),
            timesDownloaded: Int(clamping: timesDownloaded ?? 0), timeCreated: timeCreated, timeLastUpdated: timeLastUpdated)
    }

    // MARK: - Values

    /// A string, an integer or a boolean (not null: the caller took it).
    mutating func scalar() -> Scalar? {
        switch byte(i) {
        case UInt8(ascii: "\""): return string().map(Scalar.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        default: return integer().map(Scalar.integer)
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        for k in 0..<count where byte(i + k) != word.utf8Start[k] { return false }
        i += count
        return true
    }

    /// `-?(0|[1-9][0-9]*)` within Int64, with no fraction or exponent after it.
    mutating func integer() -> Int64? {
        var k = i
        let negative = byte(k) == UInt8(ascii: "-")
        if negative { k += 1 }
        guard (0x30...0x39).contains(byte(k)) else { return nil }
        if byte(k) == 0x30, (0x30...0x39).contains(byte(k + 1)) { return nil }
        var value: Int64 = 0
        while (0x30...0x39).contains(byte(k)) {
            let digit = Int64(byte(k) - 0x30)
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            k += 1
        }
        switch byte(k) {
        case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
        default: break
        }
        i = k
        return value
    }

    /// A member name and its colon: the range of its bytes (names with escapes are not read here).
    mutating func keyRange() -> Range<Int>? {
        skipSpace()
        guard byte(i) == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var k = start
        while true {
            let b = byte(k)
            if b == UInt8(ascii: "\"") { break }
            guard b >= 0x20, b != UInt8(ascii: "\\"), b < 0x80 else { return nil }
            k += 1
        }
        i = k + 1
        guard take(UInt8(ascii: ":")) else { return nil }
        return start..<k
    }

    func equals(_ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        for k in 0..<range.count where byte(range.lowerBound + k) != name.utf8Start[k] { return false }
        return true
    }

    func equals(_ range: Range<Int>, _ name: [UInt8]) -> Bool {
        guard range.count == name.count else { return false }
        for k in 0..<name.count where byte(range.lowerBound + k) != name[k] { return false }
        return true
    }

    /// A string value, escapes decoded; nil for invalid UTF-8, a raw control character or a lone surrogate.
    mutating func string() -> String? {
        guard byte(i) == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var k = start
        var plain = true
        while true {
            let b = byte(k)
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                plain = false
                k += 2
                continue
            }
            guard b >= 0x20 else { return nil }
            k += 1
        }
        guard k <= bytes.count else { return nil }
        i = k + 1
        if plain {
            return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<k]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(k - start)
        var j = start
        while j < k {
            let b = byte(j)
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                j += 1
                continue
            }
            let e = byte(j + 1)
            j += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(j) else { return nil }
                j += 4
                var scalar = UInt32(unit)
                if (0xD800..<0xDC00).contains(unit) {
                    guard byte(j) == UInt8(ascii: "\\"), byte(j + 1) == UInt8(ascii: "u"), let low = hex4(j + 2),
                          (0xDC00..<0xE000).contains(low) else { return nil }
                    j += 6
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00..<0xE000).contains(unit) {
                    return nil
                }
                guard let s = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(s)).utf8))
            default: return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    func hex4(_ at: Int) -> UInt16? {
        var value: UInt16 = 0
        for k in 0..<4 {
            let b = byte(at + k)
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Steps over any valid JSON value, no deeper than `maxDepth`.
    mutating func skipValue(depth: Int) -> Bool {
        guard depth <= ListPageReader.maxDepth else { return false }
        skipSpace()
        switch byte(i) {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "{"):
            return sequence(UInt8(ascii: "{"), UInt8(ascii: "}")) { r in
                r.skipSpace()
                return r.string() != nil && r.take(UInt8(ascii: ":")) && r.skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            return sequence(UInt8(ascii: "["), UInt8(ascii: "]")) { r in r.skipValue(depth: depth + 1) }
        default: return number()
        }
    }

    /// Steps over a number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    mutating func number() -> Bool {
        var k = i
        func digits() -> Bool {
            let from = k
            while (0x30...0x39).contains(byte(k)) { k += 1 }
            return k > from
        }
        if byte(k) == UInt8(ascii: "-") { k += 1 }
        if byte(k) == 0x30 { k += 1 } else if !digits() { return false }
        if byte(k) == UInt8(ascii: ".") {
            k += 1
            guard digits() else { return false }
        }
        if byte(k) == UInt8(ascii: "e") || byte(k) == UInt8(ascii: "E") {
            k += 1
            if byte(k) == UInt8(ascii: "+") || byte(k) == UInt8(ascii: "-") { k += 1 }
            guard digits() else { return false }
        }
        i = k
        return true
    }
}
