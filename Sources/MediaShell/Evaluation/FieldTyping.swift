import MediaAPI

/// Gives fields read from files their meaning back: `media_size` is a size and `time_created`
/// a datetime again, so `open saved.json | where size > 1MB` compares as `list` would.
enum FieldTyping {
    private static let sizeFields: Set<String> = ["media_size", "size", "total_size", "mediaSize"]
    private static let timeFields: Set<String> = ["time_created", "time_last_updated", "created", "updated", "time", "timeCreated", "timeLastUpdated"]

    static func typed(_ name: String, _ value: Value) -> Value {
        switch value {
        case .int(let i) where sizeFields.contains(name): return .size(i)
        case .string(let s) where timeFields.contains(name): return MediaTime.parse(s).map(Value.datetime) ?? value
        default: return value
        }
    }

    /// For CSV cells, which are all text: numbers, booleans and empty cells get their kinds.
    static func cell(_ name: String, _ text: String) -> Value {
        if text.isEmpty { return .null }
        if let i = Int64(text) { return typed(name, .int(i)) }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let d = Double(text), text.contains(".") { return .float(d) }
        return typed(name, .string(text))
    }
}
