/// `avg FIELD`: the mean of a numeric, size or duration field.
struct AvgVerb: Verb {
    static let name = "avg"
    let signature = VerbSignature(name, .aggregate, summary: "the mean of a field (of sizes: a size)",
                                  parameters: [Aggregation.parameter("average")], output: .scalar(.any),
                                  examples: [VerbExample("list | avg size", "the mean item size")])

    func check(_ stage: Stage, input: StreamShape, checker: Checker) -> StreamShape {
        let k = Aggregation.fieldKind(stage, input: input, checker: checker, allowed: [.int, .float, .size, .duration])
        return .scalar(k == .int ? .float : k)
    }

    func run(_ call: VerbCall) async throws -> ValueStream {
        var total = 0.0
        var n = 0
        var kind = ValueKind.float
        try await Aggregation.forEach(call) { v in
            switch v {
            case .int(let i): total += Double(i)
            case .float(let f): total += f
            case .size(let s): total += Double(s); kind = .size
            case .duration(let d): total += d; kind = .duration
            default: throw RunError("avg: cannot average \(v.kind.phrase)")
            }
            n += 1
        }
        guard n > 0 else { return .of([.null]) }
        let mean = total / Double(n)
        switch kind {
        case .size: return .of([.size(Int64(exactly: mean.rounded()) ?? (mean < 0 ? .min : .max))])
        case .duration: return .of([.duration(mean)])
        default: return .of([.float(mean)])
        }
    }
}
