/// `last N`: the last N records (keeps only N in memory).
struct LastVerb: Verb {
    static let name = "last"
    let signature = VerbSignature(
        name, .filter, summary: "keep the last N records",
        parameters: [.positional("count", .value([.int]), "N", required: false, help: "how many (default 1)")],
        output: .same,
        examples: [VerbExample("list | last 2 | select name", "the two oldest items")])

    func run(_ call: VerbCall) async throws -> ValueStream {
        let n = try call.count("count", default: 1)
        guard n > 0 else { return .empty }
        var ring: [Value] = []
        ring.reserveCapacity(min(n, 1024)) // n may be far more than the stream holds
        var start = 0
        while let v = try await call.input.next() {
            if ring.count < n { ring.append(v) } else {
                ring[start] = v
                start = (start + 1) % n
            }
        }
        return .of(Array(ring[start...] + ring[..<start]))
    }
}
