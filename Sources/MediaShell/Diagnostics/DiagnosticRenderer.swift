/// Renders diagnostics as people read them: place, message, the source line, a caret under the bad text.
public enum DiagnosticRenderer {
    /// ```
    /// <input>:1:17: error: unknown verb 'delte' — did you mean 'delete'?
    ///   1 | list since 7d | delte
    ///     |                 ^^^^^
    /// ```
    public static func render(_ diagnostic: Diagnostic, in source: SourceText) -> String {
        let loc = source.location(of: diagnostic.span.start)
        let lineText = String(decoding: source.bytes[loc.lineStart..<loc.lineEnd], as: UTF8.self)
        let endOffset = Swift.min(diagnostic.span.end, loc.lineEnd)
        let width = Swift.max(1, endOffset > diagnostic.span.start
            ? String(decoding: source.bytes[diagnostic.span.start..<endOffset], as: UTF8.self).count : 1)
        let gutter = String(loc.line)
        let pad = String(repeating: " ", count: gutter.count)
        // A generated line can be a megabyte long: show the stretch around the caret.
        var shown = lineText, caretColumn = loc.column, caretWidth = width
        if lineText.count > 2 * window {
            let from = Swift.max(0, loc.column - 1 - window / 2)
            let cut = lineText.dropFirst(from)
            shown = (from > 0 ? "…" : "") + cut.prefix(window) + (cut.count > window ? "…" : "")
            caretColumn = loc.column - from + (from > 0 ? 1 : 0)
            caretWidth = Swift.min(width, window - (loc.column - 1 - from))
        }
        var out = "\(source.name):\(loc.line):\(loc.column): error: \(diagnostic.description)\n"
        out += " \(gutter) | \(shown.replacingOccurrences(of: "\t", with: " "))\n"
        out += " \(pad) | \(String(repeating: " ", count: caretColumn - 1))\(String(repeating: "^", count: Swift.max(1, caretWidth)))"
        if let hint = diagnostic.hint { out += " \(hint)" }
        return out + "\n"
    }

    /// Characters of a long line shown around the caret.
    static let window = 120

    public static func render(_ diagnostics: [Diagnostic], in source: SourceText) -> String {
        diagnostics.map { render($0, in: source) }.joined()
    }
}
