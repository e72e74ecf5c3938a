import Foundation

/// The shell's state between runs, behind a lock: verbs, variables, user verbs, settings.
final class ShellState: ShellControl, @unchecked Sendable {
    struct Snapshot {
        var environment: ShellEnvironment
        var verbs: [String: any Verb]
        var userVerbs: [String: UserVerbDefinition] = [:]
        var variables: [String: Value] = [:]
        var variableShapes: [String: StreamShape] = [:]
        var lastIDs: [String] = []
        var exitCode: Int32?

        func variableKinds(arguments: [String]) -> [String: (kind: ValueKind, shape: StreamShape)] {
            var out: [String: (kind: ValueKind, shape: StreamShape)] = [:]
            for (name, v) in variables { out[name] = (v.kind, variableShapes[name] ?? .records(nil)) }
            for (i, a) in arguments.enumerated() {
                let v = ScriptArgument.value(a)
                out[String(i + 1)] = (v.kind, .scalar(v.kind))
            }
            return out
        }
    }

    private let lock = NSLock()
    private var snapshot: Snapshot

    init(environment: ShellEnvironment) {
        var verbs: [String: any Verb] = [:]
        for v in BuiltinVerbs.all { verbs[v.signature.name] = v }
        snapshot = Snapshot(environment: environment, verbs: verbs)
    }

    func read<T>(_ body: (Snapshot) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(snapshot)
    }

    func update(_ body: (inout Snapshot) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body(&snapshot)
    }

    // MARK: ShellControl

    var signatures: [VerbSignature] {
        read { s in
            s.verbs.values.map(\.signature).filter { $0.name != ValueVerb.name }
                + s.userVerbs.values.map { UserVerb.signature(name: $0.name, parameters: $0.parameters.map(\.name)) }
        }.sorted { $0.name < $1.name }
    }

    /// `set output json`, `set concurrency 16`, `set dry-run true`, `set yes true`.
    func set(_ name: String, _ value: Value) throws {
        let change = try ShellState.setting(name, value)
        update { change(&$0.environment) }
    }

    /// What `set NAME VALUE` changes, or why it cannot; `set` asks before running when the value is a literal.
    static func setting(_ name: String, _ value: Value) throws -> (inout ShellEnvironment) -> Void {
        switch (name, value) {
        case ("output", .string(let s)):
            guard let f = OutputFormat(rawValue: s) else { throw RunError("output must be one of table, json, jsonl, csv, not '\(s)'") }
            return { $0.output = f }
        case ("concurrency", .int(let n)):
            guard n >= 1, n <= 1024 else { throw RunError("concurrency must be between 1 and 1024, not \(n)") }
            return { $0.concurrency = Int(n) }
        case ("dry-run", .bool(let b)), ("dryrun", .bool(let b)):
            return { $0.dryRun = b }
        case ("yes", .bool(let b)):
            return { $0.assumeYes = b }
        case ("width", .int(let n)):
            return { $0.terminalWidth = n > 0 ? Int(n) : nil }
        default:
            let names = ShellState.settings
            if !names.contains(name) {
                throw RunError("unknown setting '\(name)'" + (Suggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" } ?? "") + " (settings: \(names.joined(separator: ", ")))")
            }
            throw RunError("'\(name)' cannot be set to \(value.kind.phrase) \(value.humanText)")
        }
    }

    static let settings = ["output", "concurrency", "dry-run", "yes", "width"]

    func requestExit(_ code: Int32) {
        update { $0.exitCode = code }
    }

    func explain(_ pipeline: Pipeline, context: EvaluationContext) throws -> String {
        let s = read { $0 }
        let checker = Checker(verbs: s.verbs, userVerbs: s.userVerbs, variables: s.variableKinds(arguments: s.environment.arguments))
        let stages = checker.check(pipeline)
        let plan = try Planner(interpreter: context.interpreter).plan(stages)
        return ExplainRenderer.render(plan)
    }
}

/// A script argument: a literal when it reads as one (`1MB`, `7d`, `42`, `2026-11-01`), else a string.
enum ScriptArgument {
    static func value(_ text: String) -> Value {
        let tokens = Lexer.tokens(SourceText(text: text))
        guard tokens.count == 2, tokens[0].span == SourceSpan(0, text.utf8.count) else { return .string(text) }
        switch tokens[0].kind {
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .size(let s): return .size(s)
        case .duration(let d): return .duration(d)
        case .datetime(let d): return .datetime(d)
        case .word where text == "true": return .bool(true)
        case .word where text == "false": return .bool(false)
        default: return .string(text)
        }
    }
}
