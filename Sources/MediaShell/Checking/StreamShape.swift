/// What flows between two stages, as far as the checker can know before running.
public enum StreamShape: Sendable, Hashable {
    /// No input (the start of a pipeline).
    case nothing
    /// Records with these fields and kinds; nil when unknown until run time (`open`).
    case records([String: ValueKind]?)
    /// A single value (`count`, `sum`).
    case scalar(ValueKind)

    /// Rows actions emit.
    static let results: [String: ValueKind] = ["id": .string, "name": .string, "size": .size, "status": .string, "error": .string, "path": .string, "change": .string]

    var schema: [String: ValueKind]? {
        if case .records(let s) = self { return s }
        return nil
    }
}
