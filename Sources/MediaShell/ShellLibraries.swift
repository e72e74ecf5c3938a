import Foundation

extension Shell {
    /// How deeply libraries may source other libraries.
    static let libraryDepthLimit = 16

    /// Reads the libraries a program's `source PATH` statements name, before the program is
    /// checked, and keeps their `def`s, so the lines after a `source` may call them. A library
    /// holds only `def` and `source` statements; its mistakes are reported with its own name and line.
    func loadLibraries(_ text: SourceText, depth: Int = 0, reading: Set<String> = []) throws {
        let snapshot = state.read { $0 }
        var signatures: [String: VerbSignature] = [:]
        for (name, verb) in snapshot.verbs { signatures[name] = verb.signature }
        let (program, _) = Parser.parse(text, signatures: signatures)
        for statement in program.statements {
            guard case .pipeline(let p) = statement, p.stages.count == 1, p.stages[0].verb == SourceVerb.name,
                  let e = p.stages[0].argument("path")?.value.expression else { continue }
            guard case .literal(.string(let path)) = e.kind else {
                throw ShellError([Diagnostic("'source' needs the library's path written out (\"lib.msh\"), not an expression", at: e.span)], source: text, beforeRun: true)
            }
            let url = snapshot.environment.workingDirectory.appendingPathComponent(path).standardizedFileURL
            let file = path.hasPrefix("/") || path.hasPrefix("~") ? URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL : url
            guard depth < Shell.libraryDepthLimit, !reading.contains(file.path) else {
                throw ShellError([Diagnostic("'\(path)' sources itself, or libraries nest more than \(Shell.libraryDepthLimit) deep", at: e.span)], source: text, beforeRun: true)
            }
            guard let data = FileManager.default.contents(atPath: file.path), let body = String(data: data, encoding: .utf8) else {
                throw ShellError([Diagnostic("cannot read the library '\(path)' (\(file.path))", at: e.span)], source: text, beforeRun: true)
            }
            let library = SourceText(name: path, text: body)
            try loadLibraries(library, depth: depth + 1, reading: reading.union([file.path]))
            let now = state.read { $0 }
            let checked = try Shell.prepare(library, verbs: now.verbs, userVerbs: now.userVerbs, variables: [:])
            var definitions: [UserVerbDefinition] = []
            for s in checked.statements {
                switch s {
                case .definition(let d): definitions.append(d)
                case .pipeline(let lp) where lp.stages.count == 1 && lp.stages[0].verb == SourceVerb.name: continue
                default:
                    throw ShellError([Diagnostic("a library holds only def and source statements", at: s.span, hint: "run pipelines as a script: mediash \(path)")],
                                     source: library, beforeRun: true)
                }
            }
            state.update { s in for d in definitions { s.userVerbs[d.name] = d } }
        }
    }
}
