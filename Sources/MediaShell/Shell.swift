import Foundation
import MediaAPI

/// How a run ended, as an exit status.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// A runtime error, or an action item failed.
    case failure = 1
    /// A syntax or checking error: nothing ran.
    case usage = 2
    case interrupted = 130
}

/// The outcome of `Shell.run`.
public struct RunOutcome: Sendable, Hashable {
    public var status: ExitStatus
    /// The line of the statement that failed, if one did.
    public var failedLine: Int?
    /// Set when the program ran `exit [N]`: the host should exit with this code.
    public var exitCode: Int32?
}

/// What `completions(line:cursor:)` offers.
public struct Completions: Sendable, Hashable {
    /// Candidate words for the text being typed.
    public var candidates: [String]
    /// Where the word being completed starts (a character offset in the line).
    public var replacingFrom: Int
    /// True when the host should complete a file path here (after upload, download to, open, save).
    public var wantsPath: Bool
}

/// The mediash language, embedded: make one with a `MediaService`, optionally `register` verbs,
/// then `run` source text. State (let bindings, def verbs, settings) lasts between runs.
public final class Shell: Sendable {
    private let service: any MediaService
    let state: ShellState

    public init(service: any MediaService, environment: ShellEnvironment) {
        self.service = service
        self.state = ShellState(environment: environment)
    }

    /// Adds a host-defined verb (replacing a built-in one of the same name).
    public func register(_ verb: any Verb) {
        state.update { $0.verbs[verb.signature.name] = verb }
    }

    /// Every verb's signature, built-in, registered and defined, by name.
    public var verbs: [VerbSignature] { state.signatures }

    /// Runs a program, writing results to `out` and diagnostics to `err`. Never throws.
    public func run(_ source: String, sourceName: String = "<input>", out: any TextSink, err: any TextSink) async -> RunOutcome {
        await run(SourceText(name: sourceName, text: source), out: out, err: err)
    }

    /// Runs a program whose lines may start deeper in a file (a runbook's block): messages name the file's lines.
    public func run(_ text: SourceText, out: any TextSink, err: any TextSink) async -> RunOutcome {
        await run(text, out: out, err: err) { _ in true }
    }

    /// Runs only a program's `let`, `def` and `set` statements, with every action in them only
    /// reporting: what a runbook's blocks before `--from` leave behind, without their work.
    public func runDefinitions(_ text: SourceText, out: any TextSink, err: any TextSink) async -> RunOutcome {
        let dryRun = state.read { $0.environment.dryRun }
        state.update { $0.environment.dryRun = true }
        defer { state.update { $0.environment.dryRun = dryRun } }
        return await run(text, out: out, err: err) { statement in
            switch statement {
            case .binding, .definition: true
            case .pipeline(let p): p.stages.count == 1 && p.stages.first?.verb == SetVerb.name
            }
        }
    }

    /// Changes the host's settings and hooks between runs.
    public func configure(_ body: (inout ShellEnvironment) -> Void) {
        state.update { body(&$0.environment) }
    }

    private func run(_ text: SourceText, out: any TextSink, err: any TextSink, keep: (Statement) -> Bool) async -> RunOutcome {
        let sourceName = text.name
        let program: Program
        do {
            program = try prepare(text)
        } catch let e as ShellError {
            err.write(e.description)
            return RunOutcome(status: .usage, failedLine: e.diagnostics.first.map { text.line(of: $0.span.start) })
        } catch {
            err.write("error: \(TerminalText.escaped("\(error)", keepingLines: true))\n")
            return RunOutcome(status: .usage)
        }
        var failed = false
        // One run id for the whole program (a runbook's block is a program of its own): the
        // journal groups by it, `undo` reverses by it.
        let runID = ShellRun.newID(now: state.read { $0.environment.now() })
        state.update { $0.environment.runID = runID }
        for statement in program.statements where keep(statement) {
            if Task.isCancelled { return RunOutcome(status: .interrupted) }
            let line = text.line(of: statement.span.start)
            state.update { $0.environment.statementOrigin = ShellRun.origin(sourceName, line: line, runbook: $0.environment.origin) }
            do {
                let hadFailures = try await execute(statement, source: text, out: out, err: err)
                if hadFailures { failed = true }
                if let code = state.read({ $0.exitCode }) {
                    state.update { $0.exitCode = nil }
                    return RunOutcome(status: code == 0 && !failed ? .success : .failure, exitCode: code)
                }
            } catch is CancellationError {
                err.write("interrupted\n")
                return RunOutcome(status: .interrupted)
            } catch {
                if Task.isCancelled {
                    err.write("interrupted\n")
                    return RunOutcome(status: .interrupted)
                }
                let line = text.line(of: statement.span.start)
                // The message may carry a server's text: shown, never acted on by the terminal.
                err.write("\(sourceName):\(line): error: \(TerminalText.escaped(Shell.message(error), keepingLines: true))\n")
                return RunOutcome(status: (error as? RunError)?.isUsage == true ? .usage : .failure, failedLine: line)
            }
        }
        return RunOutcome(status: failed ? .failure : .success)
    }

    /// Runs a program and returns the values of its last statement. Throws a `ShellError`
    /// (with diagnostics) when it does not parse or check, or a `RunError`/`MediaError` when running fails.
    public func evaluate(_ source: String) async throws -> [Value] {
        let text = SourceText(text: source)
        let program = try prepare(text)
        var last: [Value] = []
        for statement in program.statements {
            switch statement {
            case .pipeline(let p):
                let (stream, _, context, _) = try await start(p, source: text, err: DiscardSink())
                last = try await stream.collect()
                try context.throwDeferredFailure()
                if context.hasFailures { throw RunError("some items failed") }
            default:
                _ = try await execute(statement, source: text, out: DiscardSink(), err: DiscardSink())
                last = []
            }
        }
        return last
    }

    /// Parses and checks programs in order without running any, as if each ran after the one
    /// before (their `let` and `def` carry): a runbook's blocks. One entry per program: its
    /// problems, or nil.
    public func check(_ texts: [SourceText]) -> [ShellError?] {
        let snapshot = state.read { $0 }
        let checker = Checker(verbs: snapshot.verbs, userVerbs: snapshot.userVerbs,
                              variables: snapshot.variableKinds(arguments: snapshot.environment.arguments))
        return texts.map { text in
            let found = Shell.check(text, verbs: snapshot.verbs, checker: checker).1
            return found.isEmpty ? nil : ShellError(Shell.unique(found), source: text, beforeRun: true)
        }
    }

    /// The plan of each statement of programs that would run in order (a runbook's blocks), as
    /// `explain` shows it; runs nothing. A plan that needs a value known only when earlier
    /// statements have run says so. Throws the first program's problems when one does not check.
    public func explain(_ texts: [SourceText]) throws -> [String] {
        let snapshot = state.read { $0 }
        let context = makeContext(snapshot, err: DiscardSink())
        var interpreter = context.interpreter
        let checker = Checker(verbs: snapshot.verbs, userVerbs: snapshot.userVerbs, variables: snapshot.variableKinds(arguments: snapshot.environment.arguments))
        return try texts.map { text in
            let (program, found) = Shell.check(text, verbs: snapshot.verbs, checker: checker)
            if !found.isEmpty { throw ShellError(Shell.unique(found), source: text, beforeRun: true) }
            var out = ""
            for statement in program.statements {
                let line = text.line(of: statement.span.start)
                let pipeline: Pipeline
                switch statement {
                case .definition(let d):
                    out += "line \(line): def \(d.name)\n"
                    continue
                case .binding(let name, _, let p, _):
                    out += "line \(line): let \(name) = \(text.text(p.span))\n"
                    pipeline = p
                    // `let keep = $1`, `let limit = 5MB`: a value that sends no request is worked
                    // out, so later plans (in this block or the next) use it as a run would.
                    if let value = Shell.constantValue(of: p, interpreter: interpreter) {
                        interpreter.variables[name] = value
                        out += "  the value \(value.sourceText), sends no request\n"
                        continue
                    }
                case .pipeline(let p):
                    out += "line \(line): \(text.text(p.span))\n"
                    pipeline = p
                }
                do {
                    checker.forgetSubpipelines()
                    let stages = checker.check(pipeline)
                    let plan = try ExplainRenderer.render(stages, subpipelines: checker.subpipelines, interpreter: interpreter, concurrency: context.environment.concurrency)
                    for row in plan.split(separator: "\n") { out += "  \(row)\n" }
                } catch {
                    out += "  (planned when it runs: \(Shell.message(error)))\n"
                }
            }
            return out
        }
    }

    /// What a program would do, read from its text before it runs: whether any statement (or a
    /// `def` it declares) deletes, and whether it sets its own `max-delete`. Programs that do not
    /// parse count as neither; running them reports the error.
    public func deletionFacts(_ texts: [SourceText]) -> (deletes: Bool, setsMaxDelete: Bool) {
        let snapshot = state.read { $0 }
        var signatures: [String: VerbSignature] = [:]
        for (name, verb) in snapshot.verbs { signatures[name] = verb.signature }
        for (name, def) in snapshot.userVerbs { signatures[name] = UserVerb.signature(name: name, parameters: def.parameters.map(\.name)) }
        var deletes = false
        var setsLimit = false
        for text in texts {
            let (program, _) = Parser.parse(text, signatures: signatures)
            for statement in program.statements {
                let stages: [Stage]
                switch statement {
                case .pipeline(let p), .binding(_, _, let p, _): stages = p.stages
                case .definition(let d):
                    stages = d.body.stages
                    signatures[d.name] = UserVerb.signature(name: d.name, parameters: d.parameters.map(\.name))
                }
                for stage in stages {
                    if stage.verb == DeleteVerb.name { deletes = true }
                    if stage.verb == SetVerb.name, case .literal(.string(ShellSettings.maxDelete.name))? = stage.argument("name")?.value.expression?.kind {
                        // `set max-delete none` lifts the limit; any other value sets one.
                        if case .literal(.string("none"))? = stage.argument("value")?.value.expression?.kind { continue }
                        setsLimit = true
                    }
                }
            }
        }
        return (deletes, setsLimit)
    }

    /// The value of a pipeline that is one expression of literals and known variables, with no
    /// pipeline in parentheses (nothing that would send a request); nil otherwise.
    static func constantValue(of p: Pipeline, interpreter: Interpreter) -> Value? {
        guard p.stages.count == 1, p.stages[0].verb == ValueVerb.name,
              let e = p.stages[0].argument("value")?.value.expression, !e.containsSubpipeline else { return nil }
        return try? interpreter.compile(e)(nil)
    }

    /// True when the text is an unfinished statement (ends in `|`, or an open bracket, brace or quote).
    public func isIncomplete(_ source: String) -> Bool {
        let tokens = Lexer.tokens(SourceText(text: source))
        var depth = 0
        var last: TokenKind?
        for t in tokens {
            switch t.kind {
            case .unterminatedString: return true
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            case .newline, .end: break
            default: break
            }
            if t.kind != .newline && t.kind != .end { last = t.kind }
        }
        return depth > 0 || last == .pipe
    }

    /// Completions at a cursor (a character offset in `line`).
    public func completions(line: String, cursor: Int) -> Completions {
        let state = self.state.read { $0 }
        return Completer(signatures: verbs, lastIDs: state.lastIDs, variables: state.variables.keys.sorted())
            .complete(line: line, cursor: cursor)
    }

    // MARK: Running

    private func prepare(_ text: SourceText) throws -> Program {
        try loadLibraries(text)
        let snapshot = state.read { $0 }
        return try Shell.prepare(text, verbs: snapshot.verbs, userVerbs: snapshot.userVerbs,
                                 variables: snapshot.variableKinds(arguments: snapshot.environment.arguments))
    }

    /// Parses and checks a whole program before any of it runs; throws every problem found.
    static func prepare(_ text: SourceText, verbs: [String: any Verb], userVerbs: [String: UserVerbDefinition],
                        variables: [String: (kind: ValueKind, shape: StreamShape)]) throws -> Program {
        let checker = Checker(verbs: verbs, userVerbs: userVerbs, variables: variables)
        let (program, all) = check(text, verbs: verbs, checker: checker)
        if !all.isEmpty { throw ShellError(Shell.unique(all), source: text, beforeRun: true) }
        return program
    }

    /// Parses a program and checks it with `checker`, which keeps the program's `let` and `def`
    /// for what comes after. Returns the program and every problem found, in source order.
    static func check(_ text: SourceText, verbs: [String: any Verb], checker: Checker) -> (Program, [Diagnostic]) {
        var signatures: [String: VerbSignature] = [:]
        for (name, verb) in verbs { signatures[name] = verb.signature }
        for (name, def) in checker.userVerbs { signatures[name] = UserVerb.signature(name: name, parameters: def.parameters.map(\.name)) }
        let before = checker.diagnostics.count
        let (program, syntaxErrors) = Parser.parse(text, signatures: signatures)
        for statement in program.statements {
            switch statement {
            case .pipeline(let p): _ = checker.check(p)
            case .binding(let name, _, let p, _):
                let shape = checker.check(p).last?.output ?? .nothing
                if case .scalar(let k) = shape { checker.variables[name] = (k, shape) } else { checker.variables[name] = (.list, shape) }
            case .definition(let d):
                checker.userVerbs[d.name] = d
                let scope = checker.variables
                for p in d.parameters { checker.variables[p.name] = (.any, .records(nil)) }
                // Parameters are unknown until called; each call is checked again with its arguments.
                _ = checker.check(d.body, input: checker.definitionInput(d))
                checker.variables = scope
            }
        }
        let all = (syntaxErrors + checker.diagnostics.dropFirst(before)).sorted { $0.span.start < $1.span.start }
        return (program, all)
    }

    private static func unique(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }

    /// Runs one statement; true when an action item failed.
    private func execute(_ statement: Statement, source: SourceText, out: any TextSink, err: any TextSink) async throws -> Bool {
        switch statement {
        case .definition(let d):
            state.update { $0.userVerbs[d.name] = d }
            return false
        case .binding(let name, _, let p, _):
            let (stream, shape, context, _) = try await start(p, source: source, err: err)
            let values = try await stream.collect()
            try context.throwDeferredFailure()
            let value: Value = if case .scalar = shape { values.first ?? .null } else { .list(values) }
            state.update {
                $0.variables[name] = value
                $0.variableShapes[name] = shape
            }
            return context.hasFailures
        case .pipeline(let p):
            let (stream, shape, context, rendered) = try await start(p, source: source, err: err)
            if shape == .nothing {
                while try await stream.next() != nil {}
                try context.throwDeferredFailure()
                return context.hasFailures
            }
            let format = rendered ?? state.read { $0.environment.output } ?? .table
            let recorder = IDRecorder(stream)
            try await format.renderer(terminalWidth: state.read { $0.environment.terminalWidth }, timeZone: state.read { $0.environment.timeZone }).render(recorder.stream, shape: shape, to: out)
            if !recorder.ids.isEmpty { state.update { $0.lastIDs = recorder.ids } }
            try context.throwDeferredFailure()
            return context.hasFailures
        }
    }

    /// Checks, plans and starts a pipeline; returns its output stream, its shape, and the format
    /// its last stage renders in when that is an output verb.
    private func start(_ pipeline: Pipeline, source: SourceText, err: any TextSink) async throws -> (ValueStream, StreamShape, EvaluationContext, OutputFormat?) {
        let snapshot = state.read { $0 }
        let checker = Checker(verbs: snapshot.verbs, userVerbs: snapshot.userVerbs, variables: snapshot.variableKinds(arguments: snapshot.environment.arguments))
        let stages = checker.check(pipeline)
        if !checker.diagnostics.isEmpty { throw ShellError(checker.diagnostics, source: source, beforeRun: true) }
        let context = try await Subpipelines.run(checker.subpipelines, context: makeContext(snapshot, err: err))
        let plan = try Planner(interpreter: context.interpreter, concurrency: context.environment.concurrency).plan(stages)
        let stream = try await Evaluator.run(plan, context: context)
        var rendered: OutputFormat?
        if case .rendered(let format)? = stages.last?.verb.signature.output { rendered = format }
        return (stream, stages.last?.output ?? .nothing, context, rendered)
    }

    private func makeContext(_ snapshot: ShellState.Snapshot, err: any TextSink) -> EvaluationContext {
        let env = snapshot.environment
        var variables = snapshot.variables
        for (i, a) in env.arguments.enumerated() { variables[String(i + 1)] = ScriptArgument.value(a) }
        variables["args"] = .list(env.arguments.map(ScriptArgument.value))
        return EvaluationContext(service: service, environment: env, interpreter: Interpreter(variables: variables, now: env.now(), timeZone: env.timeZone), err: err, control: state)
    }

    static func message(_ error: any Error) -> String {
        if let e = error as? MediaError { return e.description }
        if let e = error as? RunError { return e.description }
        if let e = error as? ShellError { return e.description }
        return (error as? LocalizedError)?.errorDescription ?? "\(error)"
    }
}

/// Discards text (for `evaluate`).
struct DiscardSink: TextSink {
    func write(_ text: String) {}
}

/// Remembers the ids of the last results shown, for completion after `info`.
private final class IDRecorder: @unchecked Sendable {
    private let source: ValueStream
    private(set) var ids: [String] = []

    init(_ source: ValueStream) { self.source = source }

    /// Only ids that are plain words are offered: completion types what it offers into the
    /// user's line, and an id from a server or a file could hold a pipe, a quote or an escape.
    static func isPlain(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
            default: false
            }
        }
    }

    var stream: ValueStream {
        ValueStream { [self] in
            let v = try await source.next()
            if ids.count < 1000, case .string(let id)? = v?.record?["id"], Self.isPlain(id) { ids.append(id) }
            return v
        }
    }
}

/// Run ids and origins, as the journal records them.
enum ShellRun {
    /// `r20261207_164012_3fa1`: when the run began (UTC) and four random hex digits; one word
    /// in the language, so `undo r20261207_164012_3fa1` needs no quotes.
    static func newID(now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = ShellEnvironment.utc
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let random = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "r\(c.year ?? 0)\(two(c.month))\(two(c.day))_\(two(c.hour))\(two(c.minute))\(two(c.second))_"
            + String(repeating: "0", count: 4 - random.count) + random
    }

    /// `-c`, `REPL`, `script.msh:12`, `runbook.md:40 "## Heading"`.
    static func origin(_ sourceName: String, line: Int, runbook: ActionOrigin?) -> String {
        if let runbook {
            return "\(runbook.runbook):\(line)" + (runbook.title.map { " \"\($0)\"" } ?? "")
        }
        switch sourceName {
        case "-c": return "-c"
        case "<repl>": return "REPL"
        default: return "\(sourceName):\(line)"
        }
    }
}
