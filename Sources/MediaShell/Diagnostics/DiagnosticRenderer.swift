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
        var out = "\(source.name):\(loc.line):\(loc.column): error: \(diagnostic.description)\n"
        out += " \(gutter) | \(lineText.replacingOccurrences(of: "\t", with: " "))\n"
        out += " \(pad) | \(String(repeating: " ", count: loc.column - 1))\(String(repeating: "^", count: width))"
        if let hint = diagnostic.hint { out += " \(hint)" }
        return out + "\n"
    }

    public static func render(_ diagnostics: [Diagnostic], in source: SourceText) -> String {
        diagnostics.map { render($0, in: source) }.joined()
    }
}
