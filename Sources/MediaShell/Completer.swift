/// Completions from the signatures: verbs at a stage start, keywords and switches of the current
/// verb, field names where a verb takes fields, ids after `info`, and paths where files go.
struct Completer {
    let signatures: [VerbSignature]
    let lastIDs: [String]
    let variables: [String]

    func complete(line: String, cursor: Int) -> Completions {
        let chars = Array(line)
        let cursor = max(0, min(cursor, chars.count))
        var start = cursor
        while start > 0, !" \t|;(".contains(chars[start - 1]) { start -= 1 }
        let word = String(chars[start..<cursor])
        let before = String(chars[..<start])
        let stageText = before.split(separator: "|", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        let words = stageText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func result(_ options: [String], path: Bool = false) -> Completions {
            Completions(candidates: options.filter { $0.hasPrefix(word) }.sorted(), replacingFrom: start, wantsPath: path)
        }
        if word.hasPrefix("$") { return result(variables.map { "$" + $0 } + ["$it", "$args"]) }
        guard let verbName = words.first, let sig = signatures.first(where: { $0.name == verbName }) else {
            return result(signatures.map(\.name) + (words.isEmpty && before.trimmingCharacters(in: .whitespaces).isEmpty ? ["let", "def"] : []))
        }
        let previous = words.last ?? ""
        if word.hasPrefix("-") { return result(sig.switches.map { "--" + $0.name }) }
        if (verbName == "upload" || verbName == "open" || verbName == "save") || (verbName == "download" && previous == "to") {
            return result([], path: true)
        }
        if verbName == "info" { return result(lastIDs) }
        if previous == "order" { return result(["asc", "desc"]) }
        if verbName == "help" { return result(signatures.map(\.name)) }
        if verbName == "set", words.count == 1 { return result(ShellState.settings) }
        if verbName == "set", previous == "output" { return result(OutputFormat.allCases.map(\.rawValue)) }
        let takesFields = ["where", "select", "reject", "sum", "avg", "min", "max"].contains(verbName) || ["by", "set"].contains(previous)
            || (verbName == "sort" && words.count >= 2) || (verbName == "update" && words.contains("set"))
        var options = sig.keywords.map(\.name).filter { !words.contains($0) } + sig.switches.map { "--" + $0.name }
        if takesFields { options += MediaFields.schema.keys.sorted() }
        if verbName == "where" { options += ["and", "or", "not", "like", "in", "now", "today"] }
        if verbName == "sort", words.count >= 3 { options += ["asc", "desc"] }
        return result(options)
    }
}
