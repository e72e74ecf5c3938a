import Foundation

/// A media record's fields as a writer reads them: text as UTF-8 where it lies, the rest as
/// numbers. A `MediaItem` has them, and so does a row a store is in the middle of reading, lent
/// for one call: media-server writes its list page from the rows, without a `MediaItem` (and its
/// strings) made and freed for each (that was ~90,000 of a page of 20's ~820,000 instructions).
public protocol MediaFields {
    /// Calls `body` with `field`'s UTF-8 (valid UTF-8, lent for the call), or nil when the record has none.
    func withText<R>(_ field: MediaTextField, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R
    /// The fields that are not text.
    var numbers: MediaNumbers { get }
}

/// A media record's text fields.
public enum MediaTextField: Int, CaseIterable, Sendable {
    case id, accountID, storeID, etag, mimeType, originalFileName, title, description
    case metadataPrimary, metadataSecondary
}

/// A media record's fields that are not text; times in whole milliseconds since 1970 (`MediaTime.milliseconds`).
public struct MediaNumbers: Sendable, Equatable {
    public var size: Int64
    public var isPublic: Bool
    public var maxDownloadsAllowed: Int
    public var timesDownloaded: Int
    public var timeCreated: Int64?
    public var timeLastUpdated: Int64?

    public init(
        size: Int64, isPublic: Bool, maxDownloadsAllowed: Int, timesDownloaded: Int, timeCreated: Int64?, timeLastUpdated: Int64?
    ) {
        self.size = size
        self.isPublic = isPublic
        self.maxDownloadsAllowed = maxDownloadsAllowed
        self.timesDownloaded = timesDownloaded
        self.timeCreated = timeCreated
        self.timeLastUpdated = timeLastUpdated
    }
}

/// Writes a page's items as a store reads them (`MediaServerStore.page(…writer:options:)`): made
/// in the store's read, handed each row in order, then finished into an output that leaves it.
public protocol MediaPageWriter: ~Copyable {
    associatedtype Options: Sendable
    associatedtype Output: Sendable
    /// A writer for a page of at most `rows` items.
    init(options: Options, rows: Int)
    /// The next item; `fields` are lent for this call only.
    mutating func write(_ fields: some MediaFields)
    consuming func finish() -> Output
}

// Inlinable, so a writer in another module is specialized for `MediaItem`: called generically,
// each field cost a lookup of generic metadata (+2% of an info request's instructions).
extension MediaItem: MediaFields {
    @inlinable public func withText<R>(_ field: MediaTextField, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        let text: String? =
            switch field {
            case .id: id
            case .accountID: accountID
            case .storeID: storeID
            case .etag: etag
            case .mimeType: mimeType
            case .originalFileName: originalFileName
            case .title: title
            case .description: description
            case .metadataPrimary: metadataPrimary
            case .metadataSecondary: metadataSecondary
            }
        guard var text else { return body(nil) }
        // A native string lends its UTF-8 where it lies; only another kind (bridged) is made native first.
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return text.withUTF8(body)
    }

    @inlinable public var numbers: MediaNumbers {
        MediaNumbers(
            size: size, isPublic: isPublic, maxDownloadsAllowed: maxDownloadsAllowed, timesDownloaded: timesDownloaded,
            timeCreated: timeCreated.map(MediaTime.milliseconds), timeLastUpdated: timeLastUpdated.map(MediaTime.milliseconds))
    }

    /// The item `fields` describe (a store's row, read into strings of its own).
    @inlinable public init(_ fields: some MediaFields) {
        func string(_ field: MediaTextField) -> String? {
            fields.withText(field) { utf8 in utf8.map { String(decoding: $0, as: UTF8.self) } }
        }
        let n = fields.numbers
        self.init(
            id: string(.id) ?? "", accountID: string(.accountID), storeID: string(.storeID), etag: string(.etag),
            size: n.size, mimeType: string(.mimeType), originalFileName: string(.originalFileName), title: string(.title),
            description: string(.description), metadataPrimary: string(.metadataPrimary),
            metadataSecondary: string(.metadataSecondary), isPublic: n.isPublic, maxDownloadsAllowed: n.maxDownloadsAllowed,
            timesDownloaded: n.timesDownloaded, timeCreated: n.timeCreated.map(MediaTime.date(milliseconds:)),
            timeLastUpdated: n.timeLastUpdated.map(MediaTime.date(milliseconds:)))
    }
}

/// The writer that keeps the items (`MediaServerStore.page`'s own answer).
public struct MediaItemsWriter: MediaPageWriter {
    private var items: [MediaItem] = []

    public init(options: Void, rows: Int) {
        items.reserveCapacity(rows)
    }

    public mutating func write(_ fields: some MediaFields) {
        items.append(MediaItem(fields))
    }

    public consuming func finish() -> [MediaItem] { items }
}
