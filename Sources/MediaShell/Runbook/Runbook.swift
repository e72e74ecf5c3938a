/// A Markdown file read as a program: its fenced blocks tagged `mediash`, in order. Prose and
/// other blocks (`bash`, `json`, untagged) are never run.
public struct Runbook: Sendable {
    /// One ```` ```mediash ```` block.
    public struct Block: Sendable {
        /// The line of its opening fence.
        public var line: Int
        /// `name=…` in its info string.
        public var name: String?
        /// The nearest heading above it, as written (`## Remove large files`).
        public var heading: String?
        /// Its text, numbered as the file's lines.
        public var source: SourceText

        /// How messages and the summary name it: its heading, else its name, else its line.
        public var title: String { heading ?? name.map { "name=\($0)" } ?? "block at line \(line)" }
    }

    /// A runbook that cannot be run as written.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The file as messages name it.
    public let name: String
    public let blocks: [Block]

    /// The info string's language that marks a block to run.
    public static let language = "mediash"

    public init(name: String, text: String) throws(Problem) {
        self.name = name
        let document: MarkdownDocument
        do {
            document = try MarkdownDocument(text)
        } catch {
            throw Problem(description: "\(name):\(error.line): error: this \(error.fence) fence is never closed: add a closing \(error.fence) line (every block after it would be hidden)")
        }
        var blocks: [Block] = []
        var seen: [String: Int] = [:]
        for fence in document.fences where fence.language == Self.language {
            let blockName = fence.attributes["name"]
            if let blockName {
                if let first = seen[blockName] {
                    throw Problem(description: "\(name):\(fence.line): error: a block named '\(blockName)' is already at line \(first): names must differ")
                }
                seen[blockName] = fence.line
            }
            let text = fence.content.joined(separator: "\n")
            blocks.append(Block(line: fence.line, name: blockName, heading: fence.heading,
                                source: SourceText(name: name, text: text, firstLine: fence.contentLine)))
        }
        self.blocks = blocks
    }

    /// True for a path a runbook is read from: `.md` or `.markdown`.
    public static func isRunbook(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".md") || lower.hasSuffix(".markdown")
    }

    /// The index of the block called `name`, or a problem that lists the names there are.
    public func index(of name: String, for option: String) throws(Problem) -> Int {
        if let i = blocks.firstIndex(where: { $0.name == name }) { return i }
        let names = blocks.compactMap(\.name)
        let close = Suggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" } ?? ""
        let known = names.isEmpty ? "no block has a name= (write ```mediash name=NAME)" : "names: \(names.joined(separator: ", "))"
        throw Problem(description: "\(option) \(name): no block of \(self.name) has that name\(close) (\(known))")
    }
}
