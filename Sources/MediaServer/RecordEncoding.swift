import Foundation
import Hummingbird
import MediaAPI

/// How records go on the wire: the seed's snake_case shape, or the older camelCase one with epoch-ms times.
struct RecordShape: Sendable {
    var legacy: Bool

    func record(_ item: MediaItem) -> WireRecord { WireRecord(item: item, legacy: legacy) }

    /// A JSON answer.
    func json(_ value: some JSONWritable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        var json = JSONOutput()
        value.write(to: &json)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: json.written)))
    }
}

/// One media record as the server answers it: the seed's shape (as `MediaItem` encodes it), or
/// the older camelCase one with epoch-millisecond times.
struct WireRecord: JSONWritable {
    let item: MediaItem
    let legacy: Bool

    func write(to json: inout JSONOutput) {
        Self.write(fields: item, legacy: legacy, to: &json)
    }

    /// Writes a record from its fields (a `MediaItem`, or a row the store is reading).
    static func write(fields: some MediaFields, legacy: Bool, to json: inout JSONOutput) {
        let names = legacy ? WireNames.legacy : WireNames.seed
        let numbers = fields.numbers
        json.object { json in
            func text(_ name: StaticString, _ field: MediaTextField) {
                fields.withText(field) { utf8 in json.member(name, utf8: utf8) }
            }
            text("id", .id)
            text(names.accountID, .accountID)
            text(names.storeID, .storeID)
            text("etag", .etag)
            json.member(names.size, numbers.size)
            text(names.mimeType, .mimeType)
            text(names.originalFileName, .originalFileName)
            text("title", .title)
            text("description", .description)
            text(names.metadataPrimary, .metadataPrimary)
            text(names.metadataSecondary, .metadataSecondary)
            json.member(names.isPublic, numbers.isPublic)
            json.member(names.maxDownloadsAllowed, numbers.maxDownloadsAllowed)
            json.member(names.timesDownloaded, numbers.timesDownloaded)
            // The older shape's times are epoch milliseconds; the seed's, ISO 8601 text.
            if legacy {
                json.member(names.timeCreated, numbers.timeCreated)
                json.member(names.timeLastUpdated, numbers.timeLastUpdated)
            } else {
                json.member(names.timeCreated, milliseconds: numbers.timeCreated)
                json.member(names.timeLastUpdated, milliseconds: numbers.timeLastUpdated)
            }
        }
    }
}

/// The member names that differ between the seed's snake_case shape and the older camelCase one.
struct WireNames {
    var accountID, storeID, size, mimeType, originalFileName, metadataPrimary, metadataSecondary: StaticString
    var isPublic, maxDownloadsAllowed, timesDownloaded, timeCreated, timeLastUpdated: StaticString

    static let seed = WireNames(
        accountID: "account_id", storeID: "store_id", size: "media_size", mimeType: "mime_type",
        originalFileName: "original_file_name", metadataPrimary: "metadata_primary", metadataSecondary: "metadata_secondary",
        isPublic: "public", maxDownloadsAllowed: "max_downloads_allowed", timesDownloaded: "times_downloaded",
        timeCreated: "time_created", timeLastUpdated: "time_last_updated")

    static let legacy = WireNames(
        accountID: "accountId", storeID: "storeId", size: "mediaSize", mimeType: "mimeType",
        originalFileName: "originalFileName", metadataPrimary: "metadataPrimary", metadataSecondary: "metadataSecondary",
        isPublic: "publicItem", maxDownloadsAllowed: "maxDownloadsAllowed", timesDownloaded: "timesDownloaded",
        timeCreated: "timeCreated", timeLastUpdated: "timeLastUpdated")
}

/// A list page's items, written as the store reads them: the objects of `_embedded.media`, comma-separated.
struct PageItemsWriter: MediaPageWriter, ~Copyable {
    private var json: JSONOutput
    private let legacy: Bool

    init(options legacy: Bool, rows: Int) {
        json = JSONOutput(capacity: 64 + 512 * min(rows, 100))
        self.legacy = legacy
    }

    mutating func write(_ fields: some MediaFields) {
        WireRecord.write(fields: fields, legacy: legacy, to: &json)
    }

    consuming func finish() -> [UInt8] { json.bytes }
}

/// A coding key for any JSON member name.
struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
