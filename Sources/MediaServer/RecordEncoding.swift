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
        Self.write(item, legacy: legacy, to: &json)
    }

    /// Writes `item` in either shape (a list page writes its items so, without a WireRecord of each).
    static func write(_ item: MediaItem, legacy: Bool, to json: inout JSONOutput) {
        func milliseconds(_ date: Date?) -> Int64? { date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) } }
        json.object { json in
            if legacy {
                json.member("id", item.id)
                json.member("accountId", item.accountID)
                json.member("storeId", item.storeID)
                json.member("etag", item.etag)
                json.member("mediaSize", item.size)
                json.member("mimeType", item.mimeType)
                json.member("originalFileName", item.originalFileName)
                json.member("title", item.title)
                json.member("description", item.description)
                json.member("metadataPrimary", item.metadataPrimary)
                json.member("metadataSecondary", item.metadataSecondary)
                json.member("publicItem", item.isPublic)
                json.member("maxDownloadsAllowed", item.maxDownloadsAllowed)
                json.member("timesDownloaded", item.timesDownloaded)
                json.member("timeCreated", milliseconds(item.timeCreated))
                json.member("timeLastUpdated", milliseconds(item.timeLastUpdated))
            } else {
                json.member("id", item.id)
                json.member("account_id", item.accountID)
                json.member("store_id", item.storeID)
                json.member("etag", item.etag)
                json.member("media_size", item.size)
                json.member("mime_type", item.mimeType)
                json.member("original_file_name", item.originalFileName)
                json.member("title", item.title)
                json.member("description", item.description)
                json.member("metadata_primary", item.metadataPrimary)
                json.member("metadata_secondary", item.metadataSecondary)
                json.member("public", item.isPublic)
                json.member("max_downloads_allowed", item.maxDownloadsAllowed)
                json.member("times_downloaded", item.timesDownloaded)
                json.member("time_created", time: item.timeCreated)
                json.member("time_last_updated", time: item.timeLastUpdated)
            }
        }
    }
}

/// A coding key for any JSON member name.
struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
