import Foundation
import MediaAPI

/// An ordered set of named fields: a media item, a result row, or a row read from a file.
public struct Record: Sendable, Hashable {
    public private(set) var names: [String]
    public private(set) var values: [Value]

    public init(names: [String], values: [Value]) {
        self.names = names
        self.values = values
    }

    public init(_ pairs: KeyValuePairs<String, Value>) {
        self.init(names: pairs.map(\.key), values: pairs.map(\.value))
    }

    public init(pairs: [(String, Value)]) {
        self.init(names: pairs.map(\.0), values: pairs.map(\.1))
    }

    /// The field called `name`, or through its alias (`size` finds `media_size`); nil when absent.
    public subscript(name: String) -> Value? {
        if let i = index(of: name) { return values[i] }
        if let canonical = MediaFields.canonicalName[name], canonical != name, let i = index(of: canonical) { return values[i] }
        if let alias = MediaFields.aliasOf[name], let i = index(of: alias) { return values[i] }
        return nil
    }

    func index(of name: String) -> Int? {
        // Lengths first: a name of another length is passed over without a call to compare it.
        let length = name.utf8.count
        var i = 0
        while i < names.count {
            if names[i].utf8.count == length, names[i] == name { return i }
            i += 1
        }
        return nil
    }

    /// Sets a field, adding it at the end when new.
    public mutating func set(_ name: String, _ value: Value) {
        if let i = index(of: name) { values[i] = value } else {
            names.append(name)
            values.append(value)
        }
    }

    /// Drops these fields (aliases resolve).
    public func rejecting(_ fields: [String]) -> Record {
        let drop = Set(fields.flatMap { [$0, MediaFields.canonicalName[$0] ?? $0] })
        var r = Record(names: [], values: [])
        for (n, v) in zip(names, values) where !drop.contains(n) { r.set(n, v) }
        return r
    }

    /// The media item this record describes, when it has an id.
    public var mediaItem: MediaItem? {
        guard case .string(let id)? = self["id"] else { return nil }
        var item = MediaItem(id: id)
        if case .size(let s)? = self["media_size"] { item.size = s } else if case .int(let s)? = self["media_size"] { item.size = s }
        if case .string(let s)? = self["original_file_name"] { item.originalFileName = s }
        if case .string(let s)? = self["etag"] { item.etag = s }
        if case .string(let s)? = self["mime_type"] { item.mimeType = s }
        return item
    }
}

extension Record {
    /// A media item as a record under the seed's field names, typed by meaning.
    public init(_ item: MediaItem) {
        // Empty is null: a text field left out, sent as null or sent as "" reads the same.
        self.init(names: MediaFields.seedNames, values: [
            .string(item.id), Value(text: item.accountID), Value(text: item.storeID), Value(text: item.etag),
            .size(item.size), Value(text: item.mimeType), Value(text: item.originalFileName), Value(text: item.title),
            Value(text: item.description), Value(text: item.metadataPrimary), Value(text: item.metadataSecondary),
            .bool(item.isPublic), .int(Int64(item.maxDownloadsAllowed)), .int(Int64(item.timesDownloaded)),
            Value(item.timeCreated), Value(item.timeLastUpdated),
        ])
    }
}
