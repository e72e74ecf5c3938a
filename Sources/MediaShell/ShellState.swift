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
            s.verbs.values.map(\.signature).filter(\.isListed)
                + s.userVerbs.values.map { UserVerb.signature(name: $0.name, parameters: $0.parameters.map(\.name)) }
        }.sorted { $0.name < $1.name }
    }

    /// `set output json`, `set concurrency 16`, `set dry-run true`: by the settings table. A
    /// setting the host pinned (a command-line flag) stays; the note returned says so.
    func set(_ name: String, _ value: Value) throws -> String? {
        guard let setting = ShellSettings.named(name) else { throw RunError(ShellSettings.unknown(name)) }
        let checked = try setting.validate(value)
        return read({ $0.environment.pinned.contains(setting.name) }) ? pinnedNote(setting, checked) : {
            update { setting.apply(&$0.environment, checked) }
            return nil
        }()
    }

    private func pinnedNote(_ setting: ShellSetting, _ value: Value) -> String {
        let kept = read { setting.current($0.environment) }
        return "set \(setting.name) \(value.humanText): the command line's --\(setting.name) \(kept.humanText) stays (flags win)"
    }

    func requestExit(_ code: Int32) {
        update { $0.exitCode = code }
    }

    func explain(_ pipeline: Pipeline, context: EvaluationContext) throws -> String {
        let s = read { $0 }
        let checker = Checker(verbs: s.verbs, userVerbs: s.userVerbs, variables: s.variableKinds(arguments: s.environment.arguments))
        let stages = checker.check(pipeline)
        return try ExplainRenderer.render(stages, subpipelines: checker.subpipelines, interpreter: context.interpreter, concurrency: context.environment.concurrency)
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
