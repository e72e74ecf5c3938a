/// Completions from the signatures alone: verbs at a stage start; then the line is walked along
/// the verb's parameters, and the shape of the one being typed says what fits there (fields,
/// paths, ids, settings, choices). No verb is known here by name.
struct Completer {
    let signatures: [VerbSignature]
    let lastIDs: [String]
    let variables: [String]
    /// Words that are not verbs but start a statement (`let`, `def`).
    static let statementWords = ["let", "def"]
    /// The words of a test besides field names.
    static let predicateWords = ["and", "or", "not", "like", "in", "now", "today"]

    func complete(line: String, cursor: Int) -> Completions {
        let chars = Array(line)
        let cursor = max(0, min(cursor, chars.count))
        var start = cursor
        while start > 0, !" \t|;(".contains(chars[start - 1]) { start -= 1 }
        let word = String(chars[start..<cursor])
        let before = String(chars[..<start])
        let stageText = before.split(whereSeparator: { $0 == "|" || $0 == ";" }).last.map(String.init) ?? ""
        var words = stageText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func result(_ options: [String], path: Bool = false) -> Completions {
            Completions(candidates: Array(Set(options.filter { $0.hasPrefix(word) })).sorted(), replacingFrom: start, wantsPath: path)
        }
        if word.hasPrefix("$") { return result(variables.map { "$" + $0 } + ["$it", "$args"]) }
        // A verb whose argument is a pipeline (`explain …`): complete that pipeline's stage.
        while let first = words.first, let sig = signature(first), sig.positionals.first?.shape == .pipeline, words.count > 1 {
            words.removeFirst()
        }
        guard let verbName = words.first, let sig = signature(verbName) else {
            let atStart = before.trimmingCharacters(in: .whitespaces).isEmpty || before.last == ";"
            return result(signatures.filter(\.isListed).map(\.name) + (atStart ? Self.statementWords : []))
        }
        if word.hasPrefix("-") { return result(sig.switches.map { "--" + $0.name }) }
        let place = Place(sig, arguments: Array(words.dropFirst()))
        var options: [String] = []
        if place.newArgument {
            options += sig.keywords.filter { !place.usedKeywords.contains($0.name) }.map(\.name) + sig.switches.map { "--" + $0.name }
        }
        let fields = MediaFields.schema.keys.sorted()
        switch place.parameter?.shape {
        case .text(.path)?: return result([], path: true)
        case .text(.mediaID)?: options += lastIDs
        case .text(.topic)?: options += signatures.filter(\.isListed).map(\.name) + HelpTopics.names
        case .text(.words)?: break
        case .setting?: options += ShellSettings.all.map(\.name)
        case .settingValue?:
            options += place.previousValue.flatMap(ShellSettings.named)?.completions ?? []
        case .choice(let choices)?: options += choices
        case .fields?, .columns?: options += fields
        case .predicate?: options += fields + Self.predicateWords
        case .sortKeys?: options += fields + (place.filled > 0 ? ["asc", "desc"] : [])
        case .assignments?: options += MediaFields.updatable.keys.sorted()
        case .value?, .any?, .pipeline?, .flag?, nil: break
        }
        return result(options)
    }

    private func signature(_ name: String) -> VerbSignature? {
        signatures.first { $0.name == name && $0.isListed }
    }

    /// Where the word being typed falls in a verb's parameters.
    struct Place {
        /// The parameter the word is a value of; nil where only a keyword or switch may start.
        var parameter: Parameter?
        /// Words already given to that parameter.
        var filled = 0
        /// The last word of the positional before it (`output` in `set output …`).
        var previousValue: String?
        var usedKeywords: Set<String> = []
        /// True where a keyword or switch may start too.
        var newArgument = true

        init(_ sig: VerbSignature, arguments: [String]) {
            var positionals = sig.positionals[...]
            var current: Parameter?
            var lastPositionalWord: String?
            func full(_ p: Parameter?, _ filled: Int) -> Bool {
                guard let p else { return true }
                return !p.shape.spansWords && !p.repeats && filled >= 1
            }
            func nextPositional() -> Parameter? {
                guard let p = positionals.first else { return nil }
                if !p.repeats { positionals = positionals.dropFirst() }
                return p
            }
            for w in arguments {
                if w.hasPrefix("--") { continue }
                if let k = sig.keywords.first(where: { $0.name == w }), !usedKeywords.contains(w) {
                    usedKeywords.insert(w)
                    current = k.shape == .flag ? nil : k
                    filled = 0
                    continue
                }
                if full(current, filled) {
                    if let c = current, c.style == .positional { previousValue = lastPositionalWord }
                    current = nextPositional()
                    filled = 0
                }
                filled += 1
                if current?.style == .positional { lastPositionalWord = w }
            }
            if full(current, filled) {
                previousValue = lastPositionalWord
                current = positionals.first
                filled = 0
            }
            parameter = current
            // A keyword's value must come first; a value of many words may be followed by more.
            if let current {
                newArgument = current.style == .keyword ? current.shape.spansWords && filled > 0 : filled > 0 || !current.isRequired
            }
        }
    }
}

extension ParameterShape {
    /// True when a value of this shape runs over several words (`size > 1MB`, `name size`).
    var spansWords: Bool {
        switch self {
        case .predicate, .fields, .sortKeys, .assignments, .pipeline, .columns: true
        default: false
        }
    }
}
