import Foundation
import MediaAPI

/// JSON written straight into bytes, for the answers the server gives most (records and list
/// pages). JSONEncoder builds a tree of boxed values and walks it again; for a page of 20
/// records that was nearly half the server's time per request. (media-server's access log
/// writes its lines with it too: JSONSerialization's sorted keys went through ICU collation,
/// nearly a third of the server's time in a bulk delete.)
///
/// The bytes are written into storage of its own through a pointer: a `[UInt8]` checked its
/// uniqueness and capacity at every append, a third of the instructions of writing a list page.
/// Not copyable, so the storage has one owner, freed when the output goes.
package struct JSONOutput: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Whether the container being written needs a comma before its next member.
    private var needsComma = false

    package init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// The bytes written so far.
    package var bytes: [UInt8] { Array(written) }

    /// The bytes written so far, for as long as the output is not changed.
    package var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// Room for `count` bytes in all, so a large answer is not copied as it grows.
    mutating func reserve(_ total: Int) {
        if total > capacity { grow(to: total) }
    }

    private mutating func grow(to needed: Int) {
        var larger = capacity * 2
        while larger < needed { larger *= 2 }
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        storage.initialize(from: start, count: count)
        start.deallocate()
        start = storage
        capacity = larger
    }

    /// Where the next `n` bytes go; the caller writes them and then adds `n` to `count`.
    @inline(__always) private mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < n { grow(to: count + n) }
        return start + count
    }

    @inline(__always) private mutating func put(_ byte: UInt8) {
        room(1).pointee = byte
        count += 1
    }

    @inline(__always) private mutating func put(_ source: UnsafePointer<UInt8>, _ n: Int) {
        room(n).initialize(from: source, count: n)
        count += n
    }

    @inline(__always) private mutating func put(_ a: UInt8, _ b: UInt8) {
        let p = room(2)
        p[0] = a
        p[1] = b
        count += 2
    }

    package mutating func object(_ body: (inout JSONOutput) -> Void) {
        container(UInt8(ascii: "{"), UInt8(ascii: "}"), body)
    }

    mutating func array(_ body: (inout JSONOutput) -> Void) {
        container(UInt8(ascii: "["), UInt8(ascii: "]"), body)
    }

    private mutating func container(_ open: UInt8, _ close: UInt8, _ body: (inout JSONOutput) -> Void) {
        separate()
        put(open)
        needsComma = false
        body(&self)
        put(close)
        needsComma = true
    }

    /// A member's name, one of the server's own: written as it is, with nothing to escape (the
    /// names are ASCII letters, digits and `_`, checked in debug builds). Its value is written next.
    mutating func key(_ name: StaticString) {
        assert(name.utf8CodeUnitCount > 0 && UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount).allSatisfy {
            $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
        }, "a JSON member name of the server's own needs no escaping")
        separate()
        let n = name.utf8CodeUnitCount
        let p = room(n + 3)
        p[0] = UInt8(ascii: "\"")
        (p + 1).initialize(from: name.utf8Start, count: n)
        p[n + 1] = UInt8(ascii: "\"")
        p[n + 2] = UInt8(ascii: ":")
        count += n + 3
        needsComma = false
    }

    /// A member whose name comes from elsewhere (the access log's fields): the name is escaped as a value is.
    package mutating func member(named name: String, _ value: String?) {
        guard let value else { return }
        separate()
        string(name)
        put(UInt8(ascii: ":"))
        string(value)
        needsComma = true
    }

    package mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
        needsComma = true
    }

    mutating func member(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        key(name)
        integer(value)
        needsComma = true
    }

    /// Values another `JSONOutput` wrote (comma-separated when several), as the next ones of this
    /// container: a list page's items, written while the store read them.
    mutating func written(_ values: [UInt8]) {
        guard !values.isEmpty else { return }
        separate()
        values.withUnsafeBufferPointer { values in
            if let base = values.baseAddress { put(base, values.count) }
        }
        needsComma = true
    }

    /// A string from UTF-8 bytes lent in place (a row's text as the store read it).
    mutating func member(_ name: StaticString, utf8: UnsafeBufferPointer<UInt8>?) {
        guard let utf8 else { return }
        key(name)
        string(utf8)
        needsComma = true
    }

    /// A time given in milliseconds since 1970 (`MediaTime.milliseconds` of a Date), written as the
    /// API writes times (`MediaTime`), straight into the bytes.
    mutating func member(_ name: StaticString, milliseconds: Int64?) {
        guard let milliseconds else { return }
        key(name)
        let p = room(MediaTime.length + 2)
        p[0] = UInt8(ascii: "\"")
        MediaTime.write(milliseconds: milliseconds, into: p + 1)
        p[MediaTime.length + 1] = UInt8(ascii: "\"")
        count += MediaTime.length + 2
        needsComma = true
    }

    mutating func member(_ name: StaticString, _ value: Int) {
        member(name, Int64(value))
    }

    mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        let literal: StaticString = value ? "true" : "false"
        put(literal.utf8Start, literal.utf8CodeUnitCount)
        needsComma = true
    }

    @inline(__always) private mutating func separate() {
        if needsComma { put(UInt8(ascii: ",")) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// An integer in decimal digits, without making a String of it.
    private mutating func integer(_ value: Int64) {
        if value < 0 { put(UInt8(ascii: "-")) }
        // The magnitude as UInt64, so Int64.min has one too (at most 20 digits), written backwards.
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let p = room(digits)
        var index = digits
        repeat {
            index -= 1
            p[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        count += digits
    }

    /// A JSON string: quote, backslash and control characters escaped; the rest (slashes and
    /// non-ASCII, U+2028 and U+2029 included) as it is, in UTF-8. Runs between escapes are
    /// copied whole from the string's own UTF-8 storage.
    private mutating func string(_ value: String) {
        // A native string lends its UTF-8 where it lies; only another kind (bridged) is made native first.
        if value.utf8.withContiguousStorageIfAvailable({ utf8 in string(utf8) }) == nil {
            var copy = value
            copy.withUTF8 { utf8 in string(utf8) }
        }
    }

    private mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        put(UInt8(ascii: "\""))
        if let base = utf8.baseAddress {
            let count = utf8.count
            var start = 0
            var index = 0
            while true {
                // The next byte to escape: eight bytes at a time (one word-wide test for a quote, a
                // backslash or a control), then byte by byte in the last few.
                var found = count
                while index + 8 <= count {
                    let word = WordBytes.load(base + index)
                    let flags = WordBytes.equal(word, UInt8(ascii: "\"")) | WordBytes.equal(word, UInt8(ascii: "\\"))
                        | WordBytes.control(word)
                    if flags != 0 {
                        found = index + WordBytes.first(flags)
                        break
                    }
                    index += 8
                }
                if found == count {
                    while index < count, !Self.escaped(base[index]) { index += 1 }
                    found = index
                }
                guard found < count else { break }
                put(base + start, found - start)
                escape(base[found])
                start = found + 1
                index = start
            }
            put(base + start, count - start)
        }
        put(UInt8(ascii: "\""))
    }

    /// Whether a JSON string must escape `byte`: a quote, a backslash or a C0 control.
    private static func escaped(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): put(UInt8(ascii: "\\"), UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): put(UInt8(ascii: "\\"), UInt8(ascii: "\\"))
        case 0x0A: put(UInt8(ascii: "\\"), UInt8(ascii: "n"))
        case 0x0D: put(UInt8(ascii: "\\"), UInt8(ascii: "r"))
        case 0x09: put(UInt8(ascii: "\\"), UInt8(ascii: "t"))
        default:
            put(UInt8(ascii: "\\"), UInt8(ascii: "u"))
            put(UInt8(ascii: "0"), UInt8(ascii: "0"))
            put(Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0x0F)])
        }
    }
}

/// What the server writes with `JSONOutput`.
protocol JSONWritable {
    func write(to json: inout JSONOutput)
}
