/// How a stage depends on the order of the records it is given, so that `list` may page time
/// windows side by side (items in any order) when nothing after it needs them in order.
public enum OrderUse: Sendable, Equatable {
    /// Passes records on in the order they came (or fewer of them, or reshaped): the order
    /// matters as much as it does to what comes after it.
    case passes
    /// Its effect and result are the same in any order (`count`, `sum`): nothing after it
    /// sees the order. Actions are not: their rows come in their items' order.
    case ignores
}

/// A verb that can say how it uses the order of its input; a stage whose verb is not one needs it.
protocol OrderReading {
    /// nil when this stage needs its records in order after all.
    func orderUse(_ stage: Stage) -> OrderUse?
}

enum ListingOrder {
    /// The stage after which the source's order no longer matters, when there is one: every
    /// stage before it passes records on, and it ignores their order. nil when some record
    /// reaches the output, or a stage that needs the order.
    static func orderEnds(after stages: ArraySlice<CheckedStage>) -> CheckedStage? {
        for s in stages {
            guard let reader = s.verb as? any OrderReading, let use = reader.orderUse(s.stage) else { return nil }
            if use == .ignores { return s }
        }
        return nil
    }
}
