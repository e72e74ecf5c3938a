import Foundation
import NIOCore

/// A streaming `multipart/form-data` parser (RFC 7578, RFC 2046 §5.1.1), fed the body as it arrives.
///
/// Our own, not MultipartKit's: MultipartKit 4.7.1 traps (index out of range) on a byte of 0x80 or more
/// in a part's header name, so any client could end the server with one request (the server fuzz target
/// found it). This one has no input that traps, and says what is wrong.
///
/// It reports each part's headers, then its body in pieces, then the part's end. Bytes before the first
/// boundary (the preamble) and after the closing one (the epilogue) are ignored. It holds back at most a
/// delimiter's length of body and one header line; the caller bounds how long a header line may grow.
struct MultipartStream {
    enum Event {
        case header(name: String, value: String)
        case body(ByteBuffer)
        case partEnd
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    private enum State {
        /// Looking for the first boundary.
        case preamble
        /// Just after a boundary: `--` ends the form, CRLF (after optional spaces) starts a part.
        case afterBoundary
        /// Reading a part's header lines up to the empty one.
        case headers
        /// Reading a part's content up to the next boundary.
        case body
        /// After the closing boundary: everything is ignored.
        case epilogue
    }

    private static let cr: UInt8 = 13, lf: UInt8 = 10, hyphen: UInt8 = 45, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58

    /// CRLF `--` boundary: how every boundary but possibly the first is written.
    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes received but not yet consumed. The preamble starts with a CRLF of our own, so a boundary at the
    /// very start of the body is found like any other.
    private var pending: [UInt8] = [cr, lf]

    init(boundary: String) {
        delimiter = [Self.cr, Self.lf, Self.hyphen, Self.hyphen] + Array(boundary.utf8)
    }

    /// True once the closing boundary has been read.
    var isFinished: Bool {
        if case .epilogue = state { return true }
        return false
    }

    /// True once the first boundary has been read.
    var hasFoundBoundary: Bool {
        if case .preamble = state { return false }
        return true
    }

    /// Parses the next piece of the body, reporting what it completes.
    mutating func execute(_ buffer: ByteBuffer, _ report: (Event) -> Void) throws {
        if case .epilogue = state { return }
        pending.append(contentsOf: buffer.readableBytesView)
        var start = 0
        defer { pending.removeFirst(start) }
        while true {
            switch state {
            case .preamble:
                guard let found = find(delimiter, from: start) else {
                    // Keep only what could still be the start of the boundary.
                    start = max(start, pending.count - (delimiter.count - 1))
                    return
                }
                start = found + delimiter.count
                state = .afterBoundary
            case .afterBoundary:
                var index = start
                while index < pending.count, pending[index] == Self.space || pending[index] == Self.tab { index += 1 }
                guard index < pending.count else { return }
                guard pending[index] == Self.hyphen || pending[index] == Self.cr else {
                    throw SyntaxError(description: "a boundary is followed by neither a line break nor '--'")
                }
                guard index + 2 <= pending.count else { return }
                switch (pending[index], pending[index + 1]) {
                case (Self.hyphen, Self.hyphen):
                    start = pending.count
                    state = .epilogue
                    return
                case (Self.cr, Self.lf):
                    start = index + 2
                    state = .headers
                default:
                    throw SyntaxError(description: "a boundary is followed by neither a line break nor '--'")
                }
            case .headers:
                guard let end = find([Self.cr, Self.lf], from: start) else { return }
                let line = pending[start..<end]
                start = end + 2
                if line.isEmpty {
                    state = .body
                } else {
                    report(try Self.header(line))
                }
            case .body:
                if let found = find(delimiter, from: start) {
                    if found > start { report(.body(ByteBuffer(bytes: pending[start..<found]))) }
                    report(.partEnd)
                    start = found + delimiter.count
                    state = .afterBoundary
                } else {
                    // All but the last delimiter-length bytes are content for certain.
                    let safe = max(start, pending.count - (delimiter.count - 1))
                    if safe > start { report(.body(ByteBuffer(bytes: pending[start..<safe]))) }
                    start = safe
                    return
                }
            case .epilogue:
                start = pending.count
                return
            }
        }
    }

    /// `Name: value`; the name an RFC 7230 token, the value without control characters but tab.
    private static func header(_ line: ArraySlice<UInt8>) throws -> Event {
        guard let colon = line.firstIndex(of: colon) else {
            throw SyntaxError(description: "a part's header line has no ':'")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw SyntaxError(description: "a part's header name is empty or not a token (letters, digits and !#$%&'*+-.^_`|~)")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == space || first == tab { value = value.dropFirst() }
        while let last = value.last, last == space || last == tab { value = value.dropLast() }
        guard value.allSatisfy({ $0 == tab || ($0 >= 32 && $0 != 127) }) else {
            throw SyntaxError(description: "a part's header value has a control character")
        }
        return .header(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// The index where `needle` first occurs in `pending` at or after `from`.
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, pending.count - from >= needle.count else { return nil }
        return pending.withUnsafeBufferPointer { haystack -> Int? in
            guard let base = haystack.baseAddress else { return nil }
            var index = from
            let last = haystack.count - needle.count
            while index <= last {
                // memchr finds the candidate first byte quickly; the rest is compared in place.
                guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + index, needle, needle.count) == 0 { return index }
                index += 1
            }
            return nil
        }
    }
}
