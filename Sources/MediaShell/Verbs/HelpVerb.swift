/// `help [VERB]`: the verbs by group, or one verb's usage, parameters and examples — all from signatures.
struct HelpVerb: Verb {
    static let name = "help"
    let signature = VerbSignature(
        name, .shell, summary: "list the verbs, or explain one",
        parameters: [.positional("verb", .text, "VERB", required: false, help: "the verb to explain")],
        output: .scalar(.string),
        examples: [VerbExample("help first", "how to use 'first'")])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let all = call.context.control.signatures
        guard let wanted = try call.value("verb")?.humanText else { return .of([.string(Self.overview(all))]) }
        guard let sig = all.first(where: { $0.name == wanted }) else {
            let close = Suggestion.closest(to: wanted, in: all.map(\.name))
            throw RunError("no verb '\(wanted)'" + (close.map { " — did you mean '\($0)'?" } ?? "") + " (help lists them all)")
        }
        return .of([.string(Self.page(sig))])
    }

    static func overview(_ all: [VerbSignature]) -> String {
        var out = "mediash verbs (help VERB for one):\n"
        for category in VerbCategory.allCases {
            let verbs = all.filter { $0.category == category && !$0.summary.hasPrefix("user verb") }
            guard !verbs.isEmpty else { continue }
            out += "\n\(category.rawValue)s:\n"
            for v in verbs { out += "  \(v.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(v.summary)\n" }
        }
        let user = all.filter { $0.summary.hasPrefix("user verb") }
        if !user.isEmpty { out += "\nyour verbs:\n" + user.map { "  \($0.name)\n" }.joined() }
        out += "\nPipelines: list since 7d | where size > 1MB | sort by size desc | first 10\n"
        return out
    }

    static func page(_ sig: VerbSignature) -> String {
        var out = "\(sig.name) — \(sig.summary)\n\nusage: \(sig.usage)\n"
        if !sig.parameters.isEmpty {
            out += "\nparameters:\n"
            for p in sig.parameters {
                let head: String = switch p.style {
                case .switchFlag: "--\(p.name)"
                case .keyword: p.shape == .flag ? p.name : "\(p.name) \(p.placeholder)"
                case .positional: p.placeholder
                }
                out += "  \(head.padding(toLength: 22, withPad: " ", startingAt: 0)) \(p.help)\n"
            }
        }
        if !sig.examples.isEmpty {
            out += "\nexamples:\n"
            for e in sig.examples { out += "  \(e.source)\n      \(e.description)\n" }
        }
        return out
    }
}
