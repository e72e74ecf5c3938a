import Foundation
import MediaAPI

/// An item an action works on: from a media record, a result row, or a bare id.
public struct ActionTarget: Sendable {
    public var id: String
    public var name: String?
    public var size: Int64?
    public var item: MediaItem?

    /// Reads a target from a stream value; nil when the value is neither an item nor an id.
    init?(_ value: Value) {
        switch value {
        case .string(let id) where !id.isEmpty:
            self.id = id
        case .record(let r):
            guard let item = r.mediaItem else { return nil }
            self.id = item.id
            self.item = item
            self.name = item.originalFileName ?? { if case .string(let n)? = r["name"] { return n } else { return nil } }()
            if case .size(let s)? = r["media_size"] ?? r["size"] { self.size = s }
        default:
            return nil
        }
    }
}

/// What one item's action did.
struct ActionOutcome: Sendable {
    var status: String
    var bytes: Int64
    var path: String?
    var note: String?
}
