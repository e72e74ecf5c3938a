import Foundation

/// The kinds of tokens the lexer produces.
public enum TokenKind: Sendable, Hashable {
    /// A name: verbs, fields, keywords (`where`, `and`, `desc`), bare words.
    case word
    /// `$name`, `$1`, `$it`, `$args` (the text keeps the `$`; the parser drops it).
    case variable
    case int(Int64)
    case float(Double)
    case size(Int64)
    case duration(Double)
    case datetime(Date)
    case string(String)
    /// `--dry-run` (the text keeps the `--`; the parser drops it).
    case switchFlag
    /// Looks like a number or date but is not a valid one; the reason says why.
    case invalid(String)
    case pipe, semicolon, newline, leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace, comma, dot
    /// `== = != < <= > >= =~ !~ + - * /`
    case op(String)
    /// Any other character; it only means something inside a bare word (`~/backup`).
    case other
    /// A string with no closing quote.
    case unterminatedString
    case end
}

/// One token with its place in the source.
public struct Token: Sendable, Hashable {
    public var kind: TokenKind
    public var span: SourceSpan
    /// The source text of the token.
    public var text: String
    /// True when whitespace (or a line start) comes right before it; bare words end there.
    public var spaceBefore: Bool

    /// True for tokens that end a stage: `|`, `;`, newline, `}`, end of input.
    var endsStage: Bool {
        switch kind {
        case .pipe, .semicolon, .newline, .end, .rightBrace: true
        default: false
        }
    }

    func isWord(_ w: String) -> Bool { kind == .word && text == w }
    func isOp(_ o: String) -> Bool { kind == .op(o) }
}
