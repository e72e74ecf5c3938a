@testable import MediaShell

/// Parses and checks source as the shell does before running, and renders what it finds.
func diagnose(_ source: String, variables: [String: (kind: ValueKind, shape: StreamShape)] = [:]) -> String {
    var verbs: [String: any Verb] = [:]
    for v in BuiltinVerbs.all { verbs[v.signature.name] = v }
    do {
        _ = try Shell.prepare(SourceText(text: source), verbs: verbs, userVerbs: [:], variables: variables)
        return ""
    } catch let e as ShellError {
        return e.description
    } catch {
        return "\(error)"
    }
}

/// The program a source parses to (no diagnostics expected).
func parse(_ source: String) -> (Program, [Diagnostic]) {
    var signatures: [String: VerbSignature] = [:]
    for v in BuiltinVerbs.all { signatures[v.signature.name] = v.signature }
    return Parser.parse(SourceText(text: source), signatures: signatures)
}
