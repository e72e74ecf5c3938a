/// `source PATH`: the `def`s of a library file, usable on the lines after it. The file is read
/// when the program is checked, before anything runs (see `Shell.loadLibraries`), so a script's
/// later lines are checked against the library's verbs; running the statement does nothing more.
struct SourceVerb: Verb {
    static let name = "source"
    let signature = VerbSignature(
        name, .shell, summary: "read the def statements of a library file, so its verbs can be used (read before anything runs)",
        parameters: [.positional("path", .text(.path), "PATH", help: "the library: def statements and comments (and other source lines)")],
        output: .nothing,
        examples: [VerbExample("source lib.msh; list | big 50KB | count", "use a verb a library defines")])

    func run(_ call: VerbCall) async throws -> ValueStream { .empty }
}
