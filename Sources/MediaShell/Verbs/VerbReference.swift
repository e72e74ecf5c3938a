import Foundation

/// The verb section of `docs/language.md`, written from the signatures alone (as `help` is), so
/// the reference cannot drift from the verbs: a test compares the file with this text.
public enum VerbReference {
    public static let begin = "<!-- verbs: generated from the signatures; do not edit by hand -->"
    public static let end = "<!-- end of generated verbs -->"

    /// Markdown for every listed, built-in and registered verb, by group.
    public static func markdown(_ signatures: [VerbSignature]) -> String {
        var out = begin + "\n"
        for category in VerbCategory.allCases where category != .user {
            let verbs = signatures.filter { $0.category == category && $0.isListed }.sorted { $0.name < $1.name }
            guard !verbs.isEmpty else { continue }
            out += "\n### \(category.heading.prefix(1).uppercased() + category.heading.dropFirst())\n"
            for sig in verbs {
                out += "\n#### `\(sig.name)`\n\n\(sig.summary.prefix(1).uppercased() + sig.summary.dropFirst()).\n\n"
                out += "    \(sig.usage)\n"
                if !sig.parameters.isEmpty {
                    out += "\n| parameter | meaning |\n|---|---|\n"
                    for p in sig.parameters {
                        let help = p.help.split(separator: "\n").map { $0.drop(while: { $0 == " " }) }.joined(separator: "; ")
                        out += "| `\(p.heading)` | \(help.replacingOccurrences(of: "|", with: "\\|")) |\n"
                    }
                }
                if !sig.examples.isEmpty {
                    out += "\nExamples:\n\n"
                    for e in sig.examples { out += "    \(e.source)\n        # \(e.description)\n" }
                }
            }
        }
        out += functions
        return out + "\n" + end + "\n"
    }

    /// The functions expressions may call, from their declarations (as `help functions` is).
    static var functions: String {
        var out = "\n### Functions\n\nIn any expression (`where`, `select`, `sort by`, `group by`, `update set`); a null argument gives null, except to `coalesce`.\n\n"
        out += "| function | result |\n|---|---|\n"
        for f in ExpressionFunctions.all { out += "| `\(f.usage)` | \(f.help) |\n" }
        out += "\nExamples:\n\n"
        for f in ExpressionFunctions.all { out += "    \(f.example.source)\n        # \(f.example.description)\n" }
        return out
    }
}
