import Foundation
import LineEditor
import MediaShell

/// Tab completion at the REPL: the shell's proposals (verbs, keywords, switches, fields, ids),
/// or file names where the shell says a path goes.
enum Completion {
    /// `cursor` and the result's word start count Unicode scalars, as the line editor does;
    /// the shell counts characters.
    static func propose(shell: Shell, line: String, cursor: Int) -> LineEditor.Completions {
        let scalars = line.unicodeScalars
        let cursorIndex = scalars.index(scalars.startIndex, offsetBy: min(cursor, scalars.count))
        let characterCursor = line.distance(from: line.startIndex, to: cursorIndex)
        let proposal = shell.completions(line: line, cursor: characterCursor)
        let start = line.index(line.startIndex, offsetBy: min(max(0, proposal.replacingFrom), characterCursor))
        let wordStart = scalars.distance(from: scalars.startIndex, to: start)
        guard proposal.wantsPath else {
            return LineEditor.Completions(wordStart: wordStart, candidates: proposal.candidates)
        }
        let typed = String(line[start..<cursorIndex])
        return LineEditor.Completions(wordStart: wordStart, candidates: paths(startingWith: typed))
    }

    /// Files and directories whose path starts with `typed` (directories end in `/`).
    static func paths(startingWith typed: String) -> [String] {
        let unquoted = typed.hasPrefix("\"") || typed.hasPrefix("'") ? String(typed.dropFirst()) : typed
        let slash = unquoted.lastIndex(of: "/")
        let directoryPart = slash.map { String(unquoted[...$0]) } ?? ""
        let namePart = slash.map { String(unquoted[unquoted.index(after: $0)...]) } ?? unquoted
        let directory = directoryPart.isEmpty ? "." : expandingTilde(directoryPart)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names
            .filter { $0.hasPrefix(namePart) && (namePart.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .map { name in
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                return directoryPart + name + (isDirectory.boolValue ? "/" : "")
            }
    }
}
