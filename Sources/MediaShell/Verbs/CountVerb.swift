/// `count`: how many values came in.
struct CountVerb: Verb, FieldReading, OrderReading {
    static let name = "count"
    let signature = VerbSignature(name, .aggregate, summary: "count the records", output: .scalar(.int),
                                  examples: [VerbExample("list | where mime =~ \"audio\" | count", "how many audio items")])

    func fieldUse(_ stage: Stage) -> FieldUse? { .ends([]) }

    func orderUse(_ stage: Stage) -> OrderUse? { .ignores }

    func run(_ call: VerbCall) async throws -> ValueStream {
        var n: Int64 = 0
        while try await call.input.next() != nil {
            n += 1
            if n & 4095 == 0 { try Task.checkCancellation() }
        }
        return .of([.int(n)])
    }
}
