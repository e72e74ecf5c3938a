/// `where PRED`: keeps the records for which the predicate is true.
struct WhereVerb: Verb {
    static let name = "where"
    let signature = VerbSignature(
        name, .filter, summary: "keep records for which a test is true",
        parameters: [.positional("predicate", .predicate, "PRED", help: "a test: size > 1MB and mime =~ \"wav\", name like \"*.mp3\", mime in [\"audio/wav\"]")],
        output: .same,
        examples: [
            VerbExample("list | where size > 1MB | select name size", "items bigger than a megabyte"),
            VerbExample("list | where name like \"*.wav\" and not public | count", "private WAV files"),
            VerbExample("list | where created < now - 30d or mime in [\"audio/mpeg\"] | count", "old items, or MP3s"),
        ])

    func run(_ call: VerbCall) async throws -> ValueStream {
        guard let test = try call.predicate("predicate") else { return call.input }
        let input = call.input
        return ValueStream {
            while let v = try await input.next() {
                if try test(v.record).isTrue { return v }
            }
            return nil
        }
    }
}
