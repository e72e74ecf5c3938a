/// The parts of a Markdown file a runbook needs, read by CommonMark's rules for fenced code
/// blocks and headings: fences of ``` or ~~~ (three or more), indented up to three spaces,
/// closed by a fence of the same character at least as long; ATX (`## Title`) and setext
/// headings. Everything else is prose. Works on any bytes: it never traps.
public struct MarkdownDocument: Sendable {
    /// A fenced code block.
    public struct Fence: Sendable, Hashable {
        /// The info string after the opening fence, trimmed (`mediash name=remove-large`).
        public var info: String
        /// 1-based line of the opening fence.
        public var line: Int
        /// 1-based line of the first content line (the line after the opening fence).
        public var contentLine: Int
        /// The content lines, as written (the fence's indentation is kept, so columns match the file).
        public var content: [String]
        /// The nearest heading above the fence, as written (`## Remove large files`); nil when none.
        public var heading: String?

        /// The first word of the info string: the block's language.
        public var language: String {
            String(info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" }).first ?? "")
        }

        /// `key=value` attributes after the language (`name=remove-large`, also `{name=x}` or `name="x"`).
        public var attributes: [String: String] {
            var out: [String: String] = [:]
            let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" || $0 == "}" || $0 == "," }).dropFirst()
            for word in words {
                guard let eq = word.firstIndex(of: "=") else { continue }
                let key = String(word[..<eq])
                var value = String(word[word.index(after: eq)...])
                if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                    value = String(value.dropFirst().dropLast())
                }
                if !key.isEmpty, out[key] == nil { out[key] = value }
            }
            return out
        }
    }

    /// A fence that is never closed: CommonMark runs it to the end of the file, which for a
    /// runbook would hide every block after it, so it is an error.
    public struct UnclosedFence: Error, Sendable, Hashable {
        public var line: Int
        public var fence: String
    }

    public private(set) var fences: [Fence] = []

    public init(_ text: String) throws(UnclosedFence) {
        // Lines by their \n bytes, as SourceText counts them (a \r before one is dropped).
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        var heading: String?
        var open: (char: Character, length: Int, fence: Fence)?
        // The open fence's lines, appended in place: a copy of `open` per line (`if var current =
        // open`) copied the whole block each time, and a 40,000-line fence took 8 times as long
        // as a 10,000-line one.
        var content: [String] = []
        var previousIsText = false
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if let current = open {
                if Self.closes(line, char: current.char, length: current.length) {
                    var fence = current.fence
                    fence.content = content
                    content = []
                    fences.append(fence)
                    open = nil
                } else {
                    content.append(line)
                }
                previousIsText = false
                continue
            }
            if let (char, length, info) = Self.opening(line) {
                open = (char, length, Fence(info: info, line: number, contentLine: number + 1, content: [], heading: heading))
                content = []
                previousIsText = false
                continue
            }
            if let atx = Self.atxHeading(line) {
                heading = atx
                previousIsText = false
                continue
            }
            if previousIsText, index > 0, Self.isSetextUnderline(line) {
                let title = Self.trim(lines[index - 1])
                heading = (line.contains("=") ? "# " : "## ") + title
                previousIsText = false
                continue
            }
            previousIsText = !Self.trim(line).isEmpty && Self.indentation(line) < 4
        }
        if let open { throw UnclosedFence(line: open.fence.line, fence: String(repeating: open.char, count: open.length)) }
    }

    /// Leading spaces (a tab counts as reaching the next multiple of four).
    static func indentation(_ line: String) -> Int {
        var n = 0
        for c in line {
            if c == " " { n += 1 } else if c == "\t" { n += 4 - n % 4 } else { break }
        }
        return n
    }

    /// An opening fence: up to three spaces, three or more ` or ~, and an info string (which,
    /// after backticks, may hold no backtick).
    static func opening(_ line: String) -> (Character, Int, String)? {
        guard indentation(line) < 4 else { return nil }
        let rest = line.drop(while: { $0 == " " || $0 == "\t" })
        guard let char = rest.first, char == "`" || char == "~" else { return nil }
        let run = rest.prefix(while: { $0 == char })
        guard run.count >= 3 else { return nil }
        let info = Self.trim(rest.dropFirst(run.count))
        if char == "`", info.contains("`") { return nil }
        return (char, run.count, info)
    }

    /// A closing fence: up to three spaces, at least `length` of `char`, then only spaces.
    static func closes(_ line: String, char: Character, length: Int) -> Bool {
        guard indentation(line) < 4 else { return false }
        let rest = line.drop(while: { $0 == " " || $0 == "\t" })
        let run = rest.prefix(while: { $0 == char })
        return run.count >= length && rest.dropFirst(run.count).allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// `## Title` (one to six #, then a space or the end), with closing #s dropped.
    static func atxHeading(_ line: String) -> String? {
        guard indentation(line) < 4 else { return nil }
        let rest = line.drop(while: { $0 == " " })
        let hashes = rest.prefix(while: { $0 == "#" })
        guard (1...6).contains(hashes.count) else { return nil }
        let after = rest.dropFirst(hashes.count)
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        var title = Self.trim(after)
        let closing = title.reversed().prefix(while: { $0 == "#" }).count
        if closing > 0 {
            let kept = title.dropLast(closing)
            if kept.isEmpty || kept.last == " " || kept.last == "\t" { title = Self.trim(kept) }
        }
        return String(hashes) + (title.isEmpty ? "" : " " + title)
    }

    /// A line of only `=` or only `-` (up to three spaces before, spaces after).
    static func isSetextUnderline(_ line: String) -> Bool {
        guard indentation(line) < 4 else { return false }
        let body = Self.trim(line)
        guard let c = body.first, c == "=" || c == "-" else { return false }
        return body.allSatisfy { $0 == c }
    }

    /// Without spaces and tabs at either end.
    static func trim(_ text: some StringProtocol) -> String {
        let chars = Array(text)
        var start = 0, end = chars.count
        while start < end, chars[start] == " " || chars[start] == "\t" { start += 1 }
        while end > start, chars[end - 1] == " " || chars[end - 1] == "\t" { end -= 1 }
        return String(chars[start..<end])
    }
}
