/// A range of UTF-8 bytes in the source text; every token and syntax node has one.
public struct SourceSpan: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest span covering both.
    public func through(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(Swift.min(start, other.start), Swift.max(end, other.end))
    }
}

/// The text being run and its name (`<input>`, a script path), for locating spans.
public struct SourceText: Sendable {
    public let name: String
    public let bytes: [UInt8]
    /// The line number of the text's first line in its file (a runbook block starts deep in its Markdown file).
    public let firstLine: Int

    /// Where each line starts (byte offsets, ascending), so a statement's line is found in
    /// O(log n): a program of 500,000 statements asks it once per statement.
    private let lineStarts: [Int]

    public init(name: String = "<input>", text: String, firstLine: Int = 1) {
        self.name = name
        self.bytes = Array(text.utf8)
        self.firstLine = firstLine
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// The 1-based line (in its file) of a byte offset.
    public func line(of offset: Int) -> Int {
        let offset = Swift.max(0, Swift.min(offset, bytes.count))
        // The last line start at or before the offset.
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + firstLine
    }

    public func text(_ span: SourceSpan) -> String {
        let s = Swift.max(0, Swift.min(span.start, bytes.count)), e = Swift.max(s, Swift.min(span.end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int, lineStart: Int, lineEnd: Int) {
        let offset = Swift.max(0, Swift.min(offset, bytes.count))
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        var lineEnd = offset
        while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        return (line + firstLine - 1, column, lineStart, lineEnd)
    }
}
