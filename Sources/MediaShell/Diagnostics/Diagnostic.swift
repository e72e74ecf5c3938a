/// A problem found in a program, as a value: where, what, and what would fix it.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    public var message: String
    public var span: SourceSpan
    /// A closer word the user probably meant ("did you mean 'delete'?").
    public var suggestion: String?
    /// A hint on how to fix it, printed under the caret.
    public var hint: String?

    public init(_ message: String, at span: SourceSpan, suggestion: String? = nil, hint: String? = nil) {
        self.message = message
        self.span = span
        self.suggestion = suggestion
        self.hint = hint
    }

    /// The message with its suggestion: `unknown verb 'delte' — did you mean 'delete'?`.
    public var description: String {
        if let suggestion { return "\(message) — did you mean '\(suggestion)'?" }
        return message
    }
}

/// A failed program: its diagnostics, ready to render against the source.
public struct ShellError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var source: SourceText
    /// True when the problem was found before anything ran (syntax or checking).
    public var beforeRun: Bool

    public init(_ diagnostics: [Diagnostic], source: SourceText, beforeRun: Bool) {
        self.diagnostics = diagnostics
        self.source = source
        self.beforeRun = beforeRun
    }

    /// At most `shownLimit` diagnostics: a generated program can have thousands of the same mistake.
    public var description: String {
        let shown = DiagnosticRenderer.render(Array(diagnostics.prefix(ShellError.shownLimit)), in: source)
        let more = diagnostics.count - ShellError.shownLimit
        return more > 0 ? shown + "… and \(more) more error\(more == 1 ? "" : "s")\n" : shown
    }

    static let shownLimit = 20
}
