import Foundation
import MediaAPI

/// One value flowing through a pipeline: a scalar, a list or a record.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// A byte count.
    case size(Int64)
    /// Seconds.
    case duration(Double)
    case datetime(Date)
    case list([Value])
    case record(Record)

    /// The kind of this value, as the checker names kinds.
    public var kind: ValueKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .float: .float
        case .string: .string
        case .size: .size
        case .duration: .duration
        case .datetime: .datetime
        case .list: .list
        case .record: .record
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The record this value is, if it is one.
    public var record: Record? { if case .record(let r) = self { r } else { nil } }

    /// Truthiness for predicates: only `true` passes; null and everything else do not.
    public var isTrue: Bool { if case .bool(true) = self { true } else { false } }
}

/// The kinds of values; `any` when the checker cannot know.
public enum ValueKind: String, Sendable, Hashable {
    case null, bool, int, float, string, size, duration, datetime, list, record, any

    /// Reads as "a size", "an int", … in messages.
    public var phrase: String {
        switch self {
        case .int: "an int"
        case .any: "any value"
        case .null: "null"
        default: "a \(rawValue)"
        }
    }

}

extension Value {
    /// The value a media item field holds, typed by meaning (sizes are sizes, times are datetimes).
    init(_ string: String?) { self = string.map(Value.string) ?? .null }

    /// A media item's text field as the language reads it: absent and "" are both null.
    init(text: String?) {
        if let text, !text.isEmpty { self = .string(text) } else { self = .null }
    }
    init(_ date: Date?) { self = date.map(Value.datetime) ?? .null }
}
