import MediaAPI

/// Gives fields read from files their meaning back: `media_size` is a size and `time_created`
/// a datetime again, so `open saved.json | where size > 1MB` compares as `list` would.
enum FieldTyping {
    private static let sizeFields: Set<String> = ["media_size", "size", "total_size", "mediaSize"]
    private static let timeFields: Set<String> = ["time_created", "time_last_updated", "created", "updated", "time", "timeCreated", "timeLastUpdated"]

    /// How a field's values are typed, decided once per field name (readers cache it per key).
    enum Kind: Sendable {
        case plain, size, time

        @inline(__always) func typed(_ value: Value) -> Value {
            switch (self, value) {
            case (.size, .int(let i)): return .size(i)
            case (.time, .string(let s)): return MediaTime.parse(s).map(Value.datetime) ?? value
            default: return value
            }
        }
    }

    static func kind(of name: String) -> Kind {
        sizeFields.contains(name) ? .size : timeFields.contains(name) ? .time : .plain
    }

    /// For CSV cells, which are all text: numbers, booleans and empty cells get their kinds.
    static func cell(_ kind: Kind, _ text: String) -> Value {
        if text.isEmpty { return .null }
        if let i = Int64(text) { return kind.typed(.int(i)) }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        // The dot first: most text is no number, and parsing it as one costs more.
        if text.utf8.contains(UInt8(ascii: ".")), let d = Double(text) { return .float(d) }
        return kind.typed(.string(text))
    }
}
