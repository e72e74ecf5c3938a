import Foundation

/// A hand-written recursive-descent parser: one method per grammar rule, the rule in a comment
/// above it. Stage arguments are parsed by the verb's signature. Errors become diagnostics and
/// the parser skips to the next stage, so one run reports every broken stage it can.
public struct Parser {
    private let tokens: [Token]
    private let source: SourceText
    private var position = 0
    /// Open parentheses and brackets: newlines inside them are only spacing.
    private var nesting = 0
    /// Levels of parentheses, lists, `not`, unary minus and pipeline arguments around the
    /// current token; the parser recurses once per level, so it refuses more than `nestingLimit`.
    private var depth = 0
    /// Sub-pipelines open around the current token: in one, a `)` ends the stage too.
    private var openSubpipelines = 0
    private var signatures: [String: VerbSignature]
    /// Token positions of the `(`s that hold a `|` of their own (not one inside a nested bracket):
    /// those open a sub-pipeline. Found in one pass, so deciding is no scan per parenthesis.
    private let pipedParentheses: Set<Int>
    public private(set) var diagnostics: [Diagnostic] = []

    struct Failure: Error {}

    /// How deeply parentheses, lists, `not`, unary minus and pipeline arguments may nest
    /// (`help syntax` says it). Long chains (`a and b and …`) are not nesting: they have no limit.
    public static let nestingLimit = 256
    /// How many pipelines in parentheses may sit inside each other (each is also a level of the
    /// nesting above). A level of them costs the parser and checker many times a parenthesis's
    /// stack, so they have a limit of their own; two or three deep is already a lot to read.
    public static let subpipelineLimit = 16

    public init(_ source: SourceText, signatures: [String: VerbSignature]) {
        self.source = source
        self.tokens = Lexer.tokens(source)
        self.signatures = signatures
        self.pipedParentheses = Parser.pipedParentheses(tokens)
    }

    private static func pipedParentheses(_ tokens: [Token]) -> Set<Int> {
        var open: [(index: Int, kind: TokenKind)] = []
        var piped = Set<Int>()
        for (i, t) in tokens.enumerated() {
            switch t.kind {
            case .leftParen, .leftBracket, .leftBrace: open.append((i, t.kind))
            case .rightParen, .rightBracket, .rightBrace: _ = open.popLast()
            case .pipe: if let last = open.last, last.kind == .leftParen { piped.insert(last.index) }
            default: break
            }
        }
        return piped
    }

    /// Parses a whole program; diagnostics say what went wrong (the program holds what parsed).
    public static func parse(_ source: SourceText, signatures: [String: VerbSignature]) -> (Program, [Diagnostic]) {
        var parser = Parser(source, signatures: signatures)
        let program = parser.program()
        return (program, parser.diagnostics)
    }

    // MARK: Tokens

    private var peek: Token {
        var i = position
        if nesting > 0 { while i < tokens.count - 1, tokens[i].kind == .newline { i += 1 } }
        return tokens[min(i, tokens.count - 1)]
    }

    private func peek(_ ahead: Int) -> Token {
        tokens[min(position + ahead, tokens.count - 1)]
    }

    @discardableResult
    private mutating func advance() -> Token {
        if nesting > 0 { while position < tokens.count - 1, tokens[position].kind == .newline { position += 1 } }
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    private var previousEnd: Int { position > 0 ? tokens[position - 1].span.end : 0 }

    private mutating func fail(_ message: String, at span: SourceSpan, suggestion: String? = nil, hint: String? = nil) -> Failure {
        diagnostics.append(Diagnostic(message, at: span, suggestion: suggestion, hint: hint))
        return Failure()
    }

    /// Consumes a token of this kind or fails saying what was expected.
    private mutating func consume(_ kind: TokenKind, _ expected: String) throws -> Token {
        if peek.kind == kind { return advance() }
        throw fail("expected \(expected), found \(describe(peek))", at: peek.span)
    }

    /// How a token reads in a message: `'foo'`, `end of line`, `end of input`.
    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: "end of input"
        case .newline: "end of line"
        case .string: "string \(t.text)"
        default: "'\(t.text)'"
        }
    }

    /// True at the end of a stage: `|`, `;`, a newline, `}`, the end, or the `)` closing a sub-pipeline.
    private var atStageEnd: Bool { peek.endsStage || (openSubpipelines > 0 && peek.kind == .rightParen) }

    private mutating func skipSeparators() {
        while [.newline, .semicolon].contains(peek.kind) { advance() }
    }

    /// Enters one level of nesting at `t`, or fails past the limit; pair it with `leave()`.
    private mutating func enter(_ t: Token) throws {
        guard depth < Parser.nestingLimit else {
            throw fail("nested too deeply: more than \(Parser.nestingLimit) levels of parentheses, lists, 'not', '-' or pipelines", at: t.span,
                       hint: "split it into steps with 'let'")
        }
        depth += 1
    }

    private mutating func leave() { depth -= 1 }

    /// Skips to the end of the current stage after an error.
    private mutating func recover() {
        nesting = 0
        while !atStageEnd { advance() }
    }

    // MARK: Statements

    // program → separator* ( statement ( separator+ statement )* )? separator* END
    mutating func program() -> Program {
        var statements: [Statement] = []
        skipSeparators()
        while peek.kind != .end {
            if let s = statement() { statements.append(s) }
            if peek.kind == .rightBrace {
                diagnostics.append(Diagnostic("unexpected '}' with no '{' before it", at: peek.span))
                advance()
            } else if !([.newline, .semicolon, .end] as [TokenKind]).contains(peek.kind) {
                diagnostics.append(Diagnostic("expected '|', ';' or end of line, found \(describe(peek))", at: peek.span))
                while !([.newline, .semicolon, .end] as [TokenKind]).contains(peek.kind) { advance() }
            }
            skipSeparators()
        }
        return Program(statements: statements)
    }

    // statement → "let" NAME "=" pipeline | "def" NAME "[" params "]" "{" pipeline "}" | pipeline
    private mutating func statement() -> Statement? {
        if peek.isWord("let"), peek(1).kind == .word { return binding() }
        if peek.isWord("def"), peek(1).kind == .word { return definition() }
        return pipeline().map(Statement.pipeline)
    }

    private mutating func binding() -> Statement? {
        let start = advance().span
        let name = advance()
        guard peek.isOp("=") else {
            diagnostics.append(Diagnostic("expected '=' after 'let \(name.text)', found \(describe(peek))", at: peek.span))
            recover()
            return nil
        }
        advance()
        guard let value = pipeline() else { return nil }
        return .binding(name: name.text, nameSpan: name.span, value: value, span: start.through(value.span))
    }

    // definition → "def" NAME "[" ( NAME ","? )* "]" "{" pipeline "}"
    private mutating func definition() -> Statement? {
        let start = advance().span
        let name = advance()
        do {
            if let existing = signatures[name.text], existing.category != .user {
                throw fail("'\(name.text)' is a built-in verb; choose another name for your verb", at: name.span)
            }
            _ = try consume(.leftBracket, "'[' and the parameter names after 'def \(name.text)'")
            var params: [(String, SourceSpan)] = []
            while peek.kind == .word || peek.kind == .comma || peek.kind == .newline {
                let t = advance()
                if t.kind == .word { params.append((t.text, t.span)) }
            }
            _ = try consume(.rightBracket, "']' to close the parameter list")
            _ = try consume(.leftBrace, "'{' and the verb's pipeline")
            while peek.kind == .newline { advance() }
            // Register first so the body and later statements can call it.
            signatures[name.text] = UserVerb.signature(name: name.text, parameters: params.map(\.0))
            guard let body = pipeline() else { throw Failure() }
            while peek.kind == .newline || peek.kind == .semicolon { advance() }
            let close = try consume(.rightBrace, "'}' to close the body of '\(name.text)'")
            return .definition(UserVerbDefinition(name: name.text, nameSpan: name.span, parameters: params.map { (name: $0.0, span: $0.1) }, body: body, span: start.through(close.span)))
        } catch {
            while !([.newline, .semicolon, .end] as [TokenKind]).contains(peek.kind) { advance() }
            return nil
        }
    }

    // pipeline → stage ( "|" NEWLINE* stage )*
    private mutating func pipeline() -> Pipeline? {
        var stages: [Stage] = []
        var failed = false
        let start = peek.span
        while true {
            if let s = stage() { stages.append(s) } else { failed = true }
            guard peek.kind == .pipe else { break }
            let bar = advance()
            while peek.kind == .newline { advance() }
            if peek.kind == .end || peek.kind == .semicolon || peek.kind == .pipe || (openSubpipelines > 0 && peek.kind == .rightParen) {
                diagnostics.append(Diagnostic("expected a verb after '|', found \(describe(peek))", at: peek.kind == .end ? bar.span : peek.span))
                return nil
            }
        }
        if failed { return nil }
        return Pipeline(stages: stages, span: start.through(stages.last?.span ?? start))
    }

    // stage → VERB argument* | expression
    private mutating func stage() -> Stage? {
        let t = peek
        if t.kind == .pipe || t.endsStage {
            diagnostics.append(Diagnostic("expected a verb, found \(describe(t))", at: t.span))
            return nil
        }
        let callsFunction = peek(1).kind == .leftParen && !peek(1).spaceBefore && signatures[t.text] == nil
        guard t.kind == .word, !["true", "false", "null", "now", "today", "not"].contains(t.text), !callsFunction else {
            return valueStage()
        }
        guard let signature = signatures[t.text] else {
            diagnostics.append(Diagnostic("unknown verb '\(t.text)'", at: t.span,
                                          suggestion: Suggestion.verb(for: t.text, in: signatures.keys)))
            advance()
            recover()
            return nil
        }
        advance()
        do {
            let arguments = try self.arguments(for: signature, verb: t)
            let span = t.span.through(SourceSpan(t.span.start, max(t.span.end, previousEnd)))
            return Stage(verb: t.text, verbSpan: t.span, arguments: arguments, span: span, text: source.text(span))
        } catch {
            recover()
            return nil
        }
    }

    /// A stage that is a value: `$items`, `1MB + 2MB`, `[1, 2]`.
    private mutating func valueStage() -> Stage? {
        do {
            let e = try expression()
            return Stage(verb: ValueVerb.name, verbSpan: e.span, arguments: [Argument(name: "value", value: .expression(e), span: e.span)], span: e.span, text: source.text(e.span))
        } catch {
            recover()
            return nil
        }
    }

    // arguments → ( SWITCH | KEYWORD value | positional )*   as the signature says
    private mutating func arguments(for signature: VerbSignature, verb: Token) throws -> [Argument] {
        var arguments: [Argument] = []
        var positionals = signature.positionals[...]
        while !atStageEnd {
            let t = peek
            if t.kind == .switchFlag {
                let name = String(t.text.dropFirst(2))
                // `--backup DIR`: a keyword that takes a value, written as on the command line.
                if !signature.switches.contains(where: { $0.name == name }), let p = signature.keywords.first(where: { $0.name == name }), p.shape != .flag {
                    advance()
                    if arguments.contains(where: { $0.name == p.name }) { throw fail("'\(p.name)' is given twice", at: t.span) }
                    if atStageEnd {
                        throw fail("expected \(p.placeholder) after '\(t.text)' (\(p.help)), found \(describe(peek))", at: peek.kind == .end ? t.span : peek.span)
                    }
                    let start = peek.span
                    let value = try argumentValue(p)
                    arguments.append(Argument(name: p.name, value: value, span: start.through(SourceSpan(start.start, previousEnd))))
                    continue
                }
                guard let p = signature.switches.first(where: { $0.name == name }) else {
                    throw fail("unknown switch '\(t.text)' for '\(signature.name)'", at: t.span,
                               suggestion: Suggestion.closest(to: name, in: signature.switches.map(\.name)).map { "--" + $0 })
                }
                advance()
                arguments.append(Argument(name: p.name, value: .flag, span: t.span))
                continue
            }
            if t.kind == .word, let p = signature.keywords.first(where: { $0.name == t.text }) {
                advance()
                if arguments.contains(where: { $0.name == p.name }) {
                    throw fail("'\(p.name)' is given twice", at: t.span)
                }
                if p.shape == .flag {
                    arguments.append(Argument(name: p.name, value: .flag, span: t.span))
                } else {
                    if atStageEnd {
                        throw fail("expected \(p.placeholder) after '\(p.name)' (\(p.help)), found \(describe(peek))", at: peek.kind == .end ? t.span : peek.span)
                    }
                    let start = peek.span
                    let value = try argumentValue(p)
                    arguments.append(Argument(name: p.name, value: value, span: start.through(SourceSpan(start.start, previousEnd))))
                }
                continue
            }
            guard let p = positionals.first else {
                let keywordNames = signature.keywords.map(\.name)
                if t.kind == .word, let close = Suggestion.closest(to: t.text, in: keywordNames) {
                    throw fail("unknown keyword '\(t.text)' for '\(signature.name)'", at: t.span, suggestion: close)
                }
                throw fail("unexpected \(describe(t)): '\(signature.name)' takes nothing more here (usage: \(signature.usage))", at: t.span)
            }
            let start = peek.span
            let value = try argumentValue(p)
            arguments.append(Argument(name: p.name, value: value, span: start.through(SourceSpan(start.start, previousEnd))))
            if !p.repeats { positionals = positionals.dropFirst() }
        }
        for p in signature.parameters where p.isRequired && !arguments.contains(where: { $0.name == p.name }) {
            let what = p.style == .keyword ? "'\(p.name) \(p.placeholder)'" : p.placeholder
            throw fail("'\(signature.name)' needs \(what): \(p.help) (usage: \(signature.usage))", at: peek.kind == .end || peek.kind == .newline ? verb.span : peek.span)
        }
        return arguments
    }

    private mutating func argumentValue(_ p: Parameter) throws -> ArgumentValue {
        switch p.shape {
        case .predicate: return .expression(try expression())
        case .value: return .expression(try term())
        case .text: return .expression(try text(p))
        case .any, .settingValue: return .expression(try anyValue())
        case .fields: return .fields(try fields())
        case .sortKeys: return .sortKeys(try sortKeys())
        case .columns: return .columns(try columns())
        case .assignments: return .assignments(try assignments())
        case .pipeline:
            try enter(peek)
            defer { leave() }
            guard let p = pipeline() else { throw Failure() }
            return .pipeline(p)
        case .choice(let words): return .expression(try choice(words))
        case .setting: return .expression(try choice(ShellSettings.names, wanted: "a setting (\(ShellSettings.all.map(\.name).joined(separator: ", ")))"))
        case .flag: return .flag
        }
    }

    /// One of the words, read as a bare word so that `dry-run` (three tokens) is one.
    private mutating func choice(_ words: [String], wanted: String? = nil) throws -> Expr {
        let t = peek
        let wanted = wanted ?? words.map { "'\($0)'" }.joined(separator: " or ")
        guard t.kind == .word else {
            throw fail("expected \(wanted), found \(describe(t))", at: t.span)
        }
        let word = try bareWord("a word")
        guard case .literal(.string(let text)) = word.kind, words.contains(text) else {
            let text = source.text(word.span)
            throw fail("expected \(wanted), found '\(text)'", at: word.span,
                       suggestion: Suggestion.closest(to: text, in: words))
        }
        return word
    }

    // text → STRING | VARIABLE member* | "(" expression ")" | bareword
    private mutating func text(_ p: Parameter) throws -> Expr {
        switch peek.kind {
        case .string, .variable, .leftParen: return try primary()
        case .unterminatedString: return try primary()
        default: return try bareWord(p.placeholder)
        }
    }

    // any → literal-like expression | bareword
    private mutating func anyValue() throws -> Expr {
        switch peek.kind {
        case .int, .float, .size, .duration, .datetime, .string, .variable, .leftParen, .leftBracket, .unterminatedString, .invalid:
            return try term()
        case .op("-") where !peek(1).spaceBefore: return try term()
        case .word where ["true", "false", "null", "now", "today"].contains(peek.text): return try term()
        default: return try bareWord("a value")
        }
    }

    /// Adjacent tokens with no space between them, read as one string: `./backup`, `a1b2-c3`.
    private mutating func bareWord(_ expected: String) throws -> Expr {
        let first = peek
        guard !first.endsStage else {
            throw fail("expected \(expected), found \(describe(first))", at: first.span)
        }
        var end = advance().span.end
        while !peek.spaceBefore, !atStageEnd, peek.kind != .comma, peek.kind != .op("="),
              !(peek.kind == .rightParen || peek.kind == .rightBracket) {
            end = advance().span.end
        }
        let span = SourceSpan(first.span.start, end)
        return Expr(.literal(.string(source.text(span))), span)
    }

    // fields → FIELD ( ","? FIELD )*
    private mutating func fields() throws -> [FieldReference] {
        var out: [FieldReference] = []
        repeat {
            if peek.kind == .comma, !out.isEmpty { advance() }
            let t = peek
            guard t.kind == .word else { throw fail("expected a field name, found \(describe(t))", at: t.span) }
            advance()
            out.append(FieldReference(name: t.text, span: t.span))
        } while peek.kind == .word || peek.kind == .comma
        return out
    }

    // sortKeys → FIELD ( "asc" | "desc" )? ( ","? sortKeys )?
    private mutating func sortKeys() throws -> [SortKey] {
        var keys: [SortKey] = []
        repeat {
            if peek.kind == .comma, !keys.isEmpty { advance() }
            let t = peek
            guard t.kind == .word || t.kind == .leftParen || t.kind == .variable else {
                throw fail("expected a field or expression to sort by, found \(describe(t))", at: t.span)
            }
            let value = try term()
            var descending = false
            if peek.isWord("desc") || peek.isWord("descending") { advance(); descending = true }
            else if peek.isWord("asc") || peek.isWord("ascending") { advance() }
            keys.append(SortKey(value: value, descending: descending))
        } while peek.kind == .word || peek.kind == .comma
        return keys
    }

    // columns → column ( ","? column )*      column → NAME "=" expression | expression
    private mutating func columns() throws -> [Column] {
        var out: [Column] = []
        repeat {
            if peek.kind == .comma, !out.isEmpty { advance() }
            let t = peek
            if t.kind == .word, peek(1).isOp("=") {
                advance()
                advance()
                if atStageEnd || peek.kind == .comma { throw fail("expected an expression after '\(t.text) =', found \(describe(peek))", at: peek.kind == .end ? t.span : peek.span) }
                let value = try expression()
                out.append(Column(name: t.text, isNamed: true, value: value, span: t.span.through(value.span)))
                continue
            }
            let startsValue: Bool
            switch t.kind {
            case .word, .leftParen, .variable, .string, .int, .float, .size, .duration, .datetime, .leftBracket: startsValue = true
            default: startsValue = false
            }
            guard startsValue else {
                throw fail("expected a field, NAME = EXPR or an expression, found \(describe(t))", at: t.span)
            }
            let value = try expression()
            let name: String
            switch value.kind {
            case .field(let f): name = f
            case .member(_, let f): name = f
            default: name = source.text(value.span)
            }
            out.append(Column(name: name, isNamed: false, value: value, span: value.span))
        } while !atStageEnd && !(peek.kind == .word && peek.text == "with")
        return out
    }

    // assignments → ( FIELD "=" term )+
    private mutating func assignments() throws -> [Assignment] {
        var out: [Assignment] = []
        repeat {
            let t = peek
            guard t.kind == .word else { throw fail("expected FIELD=VALUE, found \(describe(t))", at: t.span) }
            advance()
            guard peek.isOp("=") || peek.isOp("==") else {
                throw fail("expected '=' after '\(t.text)' (write FIELD=VALUE), found \(describe(peek))", at: peek.kind == .end ? t.span : peek.span)
            }
            advance()
            if atStageEnd { throw fail("expected a value after '\(t.text)=', found \(describe(peek))", at: peek.kind == .end ? t.span : peek.span) }
            // The value is an expression like any other: a bare name reads the item's field
            // (`title=name`), text is quoted (`title="draft"`).
            out.append(Assignment(field: FieldReference(name: t.text, span: t.span), value: try term()))
            if peek.kind == .comma { advance() }
        } while peek.kind == .word
        return out
    }

    // MARK: Expressions

    // expression → or
    mutating func expression() throws -> Expr { try or() }

    /// A chain of one precedence level as one flat node; a lone operand stays itself.
    private func chain(_ first: Expr, _ steps: [ChainStep]) -> Expr {
        guard let last = steps.last else { return first }
        return Expr(.chain(first, steps), first.span.through(last.operand.span))
    }

    // or → and ( "or" and )*
    private mutating func or() throws -> Expr {
        let first = try and()
        var steps: [ChainStep] = []
        while peek.isWord("or") || peek.isOp("||") {
            advance()
            steps.append(ChainStep(op: .or, operand: try and()))
        }
        return chain(first, steps)
    }

    // and → not ( "and" not )*
    private mutating func and() throws -> Expr {
        let first = try not()
        var steps: [ChainStep] = []
        while peek.isWord("and") {
            advance()
            steps.append(ChainStep(op: .and, operand: try not()))
        }
        return chain(first, steps)
    }

    // not → "not" not | comparison
    private mutating func not() throws -> Expr {
        if peek.isWord("not") {
            let t = advance()
            try enter(t)
            defer { leave() }
            let operand = try not()
            return Expr(.not(operand), t.span.through(operand.span))
        }
        return try comparison()
    }

    // comparison → term ( ( "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~" | "like" | "not"? "in" ) term )?
    private mutating func comparison() throws -> Expr {
        let left = try term()
        let t = peek
        let op: BinaryOperator?
        var negated = false
        switch t.kind {
        case .op("=="), .op("="): op = .equal
        case .op("!="): op = .notEqual
        case .op("<"): op = .less
        case .op("<="): op = .lessOrEqual
        case .op(">"): op = .greater
        case .op(">="): op = .greaterOrEqual
        case .op("=~"): op = .matches
        case .op("!~"): op = .notMatches
        case .word where t.text == "like": op = .like
        case .word where t.text == "in": op = .in
        case .word where t.text == "not" && (peek(1).isWord("in") || peek(1).isWord("like")):
            negated = true
            op = peek(1).isWord("in") ? .in : .like
            advance()
        default: op = nil
        }
        if t.isWord("between") || (t.isWord("not") && peek(1).isWord("between")) {
            return try between(left)
        }
        guard let op else { return left }
        advance()
        if atStageEnd {
            throw fail("expected a value after '\(op.symbol)', found \(describe(peek))", at: peek.kind == .end ? t.span : peek.span)
        }
        let right = try term()
        let node = Expr(.binary(op, left, right), left.span.through(right.span))
        if [.op("=="), .op("="), .op("!="), .op("<"), .op("<="), .op(">"), .op(">=")].contains(peek.kind) {
            throw fail("comparisons do not chain; join them with 'and'", at: peek.span)
        }
        return negated ? Expr(.not(node), node.span) : node
    }

    // between → term "not"? "between" term "and" term
    private mutating func between(_ left: Expr) throws -> Expr {
        let negated = peek.isWord("not")
        if negated { advance() }
        let word = advance()
        if atStageEnd {
            throw fail("expected the low end after 'between', like size between 1MB and 2MB", at: peek.kind == .end ? word.span : peek.span)
        }
        let low = try term()
        guard peek.isWord("and") else {
            throw fail("expected 'and' and the high end after 'between \(low)', found \(describe(peek))", at: peek.kind == .end ? low.span : peek.span,
                       hint: "write it like size between 1MB and 2MB")
        }
        advance()
        let high = try term()
        let node = Expr(.between(left, low, high), left.span.through(high.span))
        return negated ? Expr(.not(node), node.span) : node
    }

    // call → NAME "(" ( expression ( "," expression )* )? ")"
    private mutating func call(_ name: Token) throws -> Expr {
        let open = advance()
        try enter(open)
        defer { leave() }
        nesting += 1
        var args: [Expr] = []
        while peek.kind != .rightParen {
            args.append(try expression())
            if peek.kind == .comma { advance() } else { break }
        }
        let close = peek
        guard close.kind == .rightParen else {
            throw fail("expected ',' or ')' in the arguments of '\(name.text)', found \(describe(close))", at: close.span)
        }
        nesting -= 1
        advance()
        return Expr(.call(name.text, args), name.span.through(close.span))
    }

    // term → factor ( ( "+" | "-" ) factor )*
    private mutating func term() throws -> Expr {
        let first = try factor()
        var steps: [ChainStep] = []
        while peek.isOp("+") || peek.isOp("-") {
            let op: BinaryOperator = advance().text == "+" ? .add : .subtract
            steps.append(ChainStep(op: op, operand: try factor()))
        }
        return chain(first, steps)
    }

    // factor → unary ( ( "*" | "/" ) unary )*
    private mutating func factor() throws -> Expr {
        let first = try unary()
        var steps: [ChainStep] = []
        while peek.isOp("*") || peek.isOp("/") {
            let op: BinaryOperator = advance().text == "*" ? .multiply : .divide
            steps.append(ChainStep(op: op, operand: try unary()))
        }
        return chain(first, steps)
    }

    // unary → "-" unary | primary
    private mutating func unary() throws -> Expr {
        if peek.isOp("-") {
            let t = advance()
            try enter(t)
            defer { leave() }
            let operand = try unary()
            if case .literal(let v) = operand.kind {
                switch v {
                case .int(let i): return Expr(.literal(.int(-i)), t.span.through(operand.span))
                case .float(let f): return Expr(.literal(.float(-f)), t.span.through(operand.span))
                case .duration(let d): return Expr(.literal(.duration(-d)), t.span.through(operand.span))
                default: break
                }
            }
            return Expr(.negate(operand), t.span.through(operand.span))
        }
        return try primary()
    }

    /// True at a `(` that holds a pipeline: it has a `|` of its own, or starts with a source verb
    /// (`(list since 7d)`) or one of the user's verbs, not called as a function.
    private var opensSubpipeline: Bool {
        var i = position
        while i < tokens.count - 1, tokens[i].kind == .newline { i += 1 }
        if pipedParentheses.contains(i) { return true }
        var next = i + 1
        while next < tokens.count - 1, tokens[next].kind == .newline { next += 1 }
        let first = tokens[next]
        guard first.kind == .word, let signature = signatures[first.text], signature.name != ValueVerb.name,
              signature.category == .source || signature.category == .user else { return false }
        let after = tokens[min(next + 1, tokens.count - 1)]
        return !((after.kind == .leftParen && !after.spaceBefore) || after.kind == .dot)
    }

    // subpipeline → "(" pipeline ")"
    // In a function of its own: the parser recurses through it once per level of nesting.
    @inline(never)
    private mutating func subpipeline() throws -> Expr {
        let open = advance()
        guard openSubpipelines < Parser.subpipelineLimit else {
            throw fail("nested too deeply: more than \(Parser.subpipelineLimit) pipelines in parentheses inside each other", at: open.span,
                       hint: "split it into steps with 'let'")
        }
        try enter(open)
        defer { leave() }
        nesting += 1
        openSubpipelines += 1
        defer { openSubpipelines -= 1 }
        let start = diagnostics.count
        guard let inner = pipeline() else {
            // The stage's error is said; skip to this parenthesis's end so the outer stage goes on.
            if diagnostics.count == start { diagnostics.append(Diagnostic("expected a pipeline after '('", at: open.span)) }
            throw Failure()
        }
        let close = peek
        guard close.kind == .rightParen else {
            throw fail("expected '|' or ')' to close the pipeline in '(' at column \(source.location(of: open.span.start).column), found \(describe(close))", at: close.span)
        }
        nesting -= 1
        advance()
        return Expr(.subpipeline(Subpipeline(inner)), open.span.through(close.span))
    }

    // primary → literal | FIELD | VARIABLE ( "." FIELD )* | "(" expression ")" | "[" ( expression ( "," expression )* )? "]"
    private mutating func primary() throws -> Expr {
        let t = peek
        switch t.kind {
        case .int(let i): advance(); return Expr(.literal(.int(i)), t.span)
        case .float(let f): advance(); return Expr(.literal(.float(f)), t.span)
        case .size(let s): advance(); return Expr(.literal(.size(s)), t.span)
        case .duration(let d): advance(); return Expr(.literal(.duration(d)), t.span)
        case .datetime(let d): advance(); return Expr(.literal(.datetime(d)), t.span)
        case .string(let s): advance(); return Expr(.literal(.string(s)), t.span)
        case .unterminatedString:
            throw fail("unterminated string: no closing \(t.text.hasPrefix("'") ? "'" : "\"")", at: SourceSpan(t.span.start, t.span.start + 1))
        case .invalid(let reason):
            var suggestion: String?
            if reason.hasPrefix("unknown unit") {
                let unit = String(t.text.drop { $0.isNumber || $0 == "." })
                if let hint = Units.calendarHint(unit) {
                    // Not a typo of MB: months and years have no fixed length.
                    throw fail("\(reason) in '\(t.text)'", at: t.span, hint: hint)
                }
                suggestion = Suggestion.closest(to: unit, in: Units.spelled).map { String(t.text.prefix { $0.isNumber || $0 == "." }) + $0 }
                throw fail("\(reason) in '\(t.text)' (sizes: B KB MB GB TB KiB MiB GiB TiB; durations: ms s m h d w)", at: t.span, suggestion: suggestion)
            }
            throw fail(reason, at: t.span)
        case .word:
            advance()
            switch t.text {
            case "true": return Expr(.literal(.bool(true)), t.span)
            case "false": return Expr(.literal(.bool(false)), t.span)
            case "null": return Expr(.literal(.null), t.span)
            case "now": return Expr(.now, t.span)
            case "today": return Expr(.today, t.span)
            case "and", "or", "like", "in", "between":
                throw fail("expected a value before '\(t.text)'", at: t.span)
            default:
                if let first = t.text.unicodeScalars.first, CharacterSet.decimalDigits.contains(first) {
                    throw fail("'\(t.text)' is not a number, size or duration", at: t.span, hint: "quote it if it is text: \"\(t.text)\"")
                }
                if peek.kind == .leftParen, !peek.spaceBefore || ExpressionFunctions.named(t.text) != nil {
                    return try call(t)
                }
                return Expr(.field(t.text), t.span)
            }
        case .variable:
            advance()
            var e = Expr(.variable(String(t.text.dropFirst())), t.span)
            var members = 0
            while peek.kind == .dot, !peek.spaceBefore {
                // Each member is a level of the tree; as deep as nesting may go, and no deeper.
                members += 1
                if members > Parser.nestingLimit {
                    throw fail("more than \(Parser.nestingLimit) '.' in a row", at: peek.span)
                }
                advance()
                let name = peek
                guard name.kind == .word, !name.spaceBefore else {
                    throw fail("expected a field name after '.', found \(describe(name))", at: name.span)
                }
                advance()
                e = Expr(.member(e, name.text), e.span.through(name.span))
            }
            return e
        case .leftParen where opensSubpipeline:
            return try subpipeline()
        case .leftParen:
            advance()
            try enter(t)
            defer { leave() }
            nesting += 1
            let inner = try expression()
            let close = peek
            guard close.kind == .rightParen else {
                throw fail("expected ')' to close the '(' at column \(source.location(of: t.span.start).column), found \(describe(close))", at: close.span)
            }
            nesting -= 1
            advance()
            return Expr(inner.kind, t.span.through(close.span))
        case .leftBracket:
            advance()
            try enter(t)
            defer { leave() }
            nesting += 1
            var items: [Expr] = []
            while peek.kind != .rightBracket {
                items.append(try expression())
                if peek.kind == .comma { advance() } else { break }
            }
            let close = peek
            guard close.kind == .rightBracket else {
                throw fail("expected ',' or ']' in the list, found \(describe(close))", at: close.span)
            }
            nesting -= 1
            advance()
            return Expr(.list(items), t.span.through(close.span))
        default:
            throw fail("expected a value (a number, size, duration, date, string, field or $variable), found \(describe(t))", at: t.span)
        }
    }
}
