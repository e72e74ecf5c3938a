/// The signature of a verb made with `def`: its parameters are positional values.
enum UserVerb {
    static func signature(name: String, parameters: [String]) -> VerbSignature {
        VerbSignature(name, .user, summary: "your verb (def \(name) [\(parameters.joined(separator: ", "))])",
                      parameters: [.positional("arguments", .any, parameters.isEmpty ? "ARG" : parameters.map { $0.uppercased() }.joined(separator: " "), required: false, repeats: true, help: parameters.joined(separator: ", "))],
                      output: .same)
    }
}
