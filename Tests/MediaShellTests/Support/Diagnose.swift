import Testing
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

/// The predicate of a pipeline's second stage (`list | where …`), parsed without errors.
func predicate(_ source: String) throws -> Expr {
    let (program, errors) = parse(source)
    #expect(errors.isEmpty, "\(errors)")
    guard case .pipeline(let p)? = program.statements.first, p.stages.count > 1,
          let e = p.stages[1].argument("predicate")?.value.expression else { throw RunError("no predicate in \(source)") }
    return e
}
