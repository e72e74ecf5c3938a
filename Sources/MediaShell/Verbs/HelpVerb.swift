/// `help [VERB|TOPIC]`: the verbs by group, one verb's usage, parameters and examples — all from
/// signatures — or a page on the language itself (`help def`, `help let`, `help syntax`, `help fields`).
struct HelpVerb: Verb {
    static let name = "help"
    let signature = VerbSignature(
        name, .shell, summary: "list the verbs, or explain one (or a topic: " + HelpTopics.names.joined(separator: ", ") + ")",
        parameters: [.positional("topic", .text(.topic), "VERB|TOPIC", required: false, help: "the verb or topic to explain")],
        output: .scalar(.string),
        examples: [
            VerbExample("help first", "how to use 'first'"),
            VerbExample("help def", "how to make a verb of your own"),
        ])

    /// An unknown verb or topic is found before anything runs.
    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        checker.checkArguments(stage, signature, input: input)
        if let e = stage.argument("topic")?.value.expression, case .literal(.string(let wanted)) = e.kind {
            let known = Array(checker.verbs.keys) + Array(checker.userVerbs.keys) + HelpTopics.names
            if !known.contains(wanted) {
                checker.error("no verb or topic '\(wanted)'", at: e.span, suggestion: Suggestion.closest(to: wanted, in: known.sorted()), hint: "help lists them all")
            }
        }
        return signature.output.shape(after: input)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        let all = call.context.control.signatures
        guard let wanted = try call.value("topic")?.humanText else { return .of([.string(String(Self.overview(all).dropLast()))]) }
        if let sig = all.first(where: { $0.name == wanted }) { return .of([.string(String(Self.page(sig).dropLast()))]) }
        if let page = HelpTopics.page(wanted) { return .of([.string(page)]) }
        let close = Suggestion.closest(to: wanted, in: all.map(\.name) + HelpTopics.names)
        throw RunError("no verb or topic '\(wanted)'" + (close.map { " — did you mean '\($0)'?" } ?? "") + " (help lists them all)")
    }

    static func overview(_ all: [VerbSignature]) -> String {
        var out = "mediash verbs (help VERB for one):\n"
        for category in VerbCategory.allCases {
            let verbs = all.filter { $0.category == category }
            guard !verbs.isEmpty else { continue }
            out += "\n\(category.heading):\n"
            for v in verbs {
                out += category == .user ? "  \(v.name)\n" : "  \(v.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(v.summary)\n"
            }
        }
        out += "\ntopics (help TOPIC): \(HelpTopics.names.joined(separator: ", "))\n"
        out += "\nPipelines: list since 7d | where size > 1MB | sort by size desc | first 10\n"
        return out
    }

    static func page(_ sig: VerbSignature) -> String {
        var out = "\(sig.name) — \(sig.summary)\n\nusage: \(sig.usage)\n"
        if !sig.parameters.isEmpty {
            out += "\nparameters:\n"
            for p in sig.parameters {
                out += "  \(p.heading.padding(toLength: 22, withPad: " ", startingAt: 0)) \(p.help)\n"
            }
        }
        if !sig.examples.isEmpty {
            out += "\nexamples:\n"
            for e in sig.examples { out += "  \(e.source)\n      \(e.description)\n" }
        }
        return out
    }
}

/// The pages `help` gives on the language rather than on a verb.
enum HelpTopics {
    static let pages: [(name: String, text: String)] = [
        ("syntax", """
            syntax — how a line reads

              list since 7d | where size > 1MB | first 5    stages joined by |; each starts with a verb
              statement; statement                           ; or a new line ends a statement
              # comment                                      to the end of the line
              "text"  'text'                                 strings; \\n \\t \\" escapes in double quotes
              10  1.5  1MB  512KiB  7d  90m  2026-11-01      numbers, sizes, durations, datetimes
              true  false  null  [1, 2]  now  today          other values
              $name  $1  $args  $it                          variables (see help let)
              (expr)                                         an expression where a word is expected
              (list | group by etag | select key)            a pipeline's results as a value: one value
                                                             (list | count), else a list (one field: its
                                                             values); it only reads, and runs once, first
              lower(name)  date(created)                     functions (see help functions)
              --dry-run  --yes                               switches of actions

            operators, tightest first:
              -x  not x          * /          + -
              == != < <= > >=  =~ !~ (regular expression: "wav" or /wav/i ignoring case)
              like (glob *, ?; ignores case)  in (list)  x between LOW and HIGH (both included)
              and                or

            limits: chains of and, or, +, * … may be as long as you like; parentheses, lists, not
            and - nest at most \(Parser.nestingLimit) deep (pipelines in parentheses at most \(Parser.subpipelineLimit) inside each other),
            and a pipeline has at most \(Checker.pipelineStageLimit) stages
            (a check error with a caret past either: split the work into steps with let)
            """),
        ("functions", "functions — what expressions may call (a null argument gives null, except to coalesce)\n\n"
            + ExpressionFunctions.all.map { "  \($0.usage.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.help)" }.joined(separator: "\n")
            + "\n\nexamples:\n" + ExpressionFunctions.all.map { "  \($0.example.source)\n      \($0.example.description)" }.joined(separator: "\n")
            + "\n\nDates are read in the shell's zone (TZ; UTC when unset): date(created), weekday(created), today."),
        ("fields", """
            fields — what a media record holds (short names in brackets)

            """ + MediaFields.seedNames.map { seed in
                let alias = MediaFields.aliasOf[seed].map { " (\($0))" } ?? ""
                return "  \((seed + alias).padding(toLength: 34, withPad: " ", startingAt: 0)) \((MediaFields.kinds[seed] ?? .any).phrase)"
            }.joined(separator: "\n") + """


            where, sort by, select, reject, group by and the aggregates name fields;
            $it is the whole record (where $it.size > 1MB).
            """),
        ("let", """
            let — name a value or a pipeline's results

              let NAME = PIPELINE
              let big = list | where size > 10MB     the results, a list
              let limit = 5MB                         one value
              $big | count                            a list's elements as a source
              list | where size > $limit

            Script arguments are $1, $2, … and $args (all of them); bindings last for the session.
            """),
        ("def", """
            def — make a verb of your own

              def NAME [PARAM, …] { PIPELINE }
              def big [limit] { where size > $limit }
              list | big 1MB | count

            The body is checked when defined and again at each call with its arguments; a body that
            starts with a source (list, info) is a source itself. Built-in verbs cannot be redefined.
            """),
        ("runbooks", """
            runbooks — a Markdown file is a program

              mediash cleanup.md 7d              run its ```mediash blocks in order, in one shell
              mediash --dry-run cleanup.md 7d    every action only reports
              mediash --explain cleanup.md 7d    each block's plan; nothing runs
              mediash --only NAME cleanup.md     one block (```mediash name=NAME)
              mediash --from NAME cleanup.md     that block and the ones after it
              mediash --step cleanup.md          ask y(es) / n(o, skip) / q(uit) before each block

            Prose and blocks of other languages never run. let and def carry from block to block;
            $1, … and $args are the arguments after the file, as for scripts. Every block is
            checked before the first runs (a mistake: exit 2, file:line:column and the heading
            above the block); the first block that fails stops the runbook (exit 1). With --only
            or --from, the blocks before run only their let, def and set statements, with any
            action in them only reporting. On a terminal each block is shown before it runs; at
            the end a table gives each block's line, heading, status, items acted on and time.
            The journal records the runbook and block line of every item.

            Guard rails: set max-delete N (or --max-delete N, or max_delete = N in a profile):
            a delete that would touch more than N items deletes none and stops before its first
            request; set max-update N likewise for the items an update would change. Options on
            the command line win over set in a script or runbook, and go before the file.
            """),
    ]

    static var names: [String] { pages.map(\.name) }

    static func page(_ name: String) -> String? { pages.first { $0.name == name }?.text }
}
