import Foundation
import Hummingbird
import MediaAPI

/// How records go on the wire: the seed's snake_case shape, or the older camelCase one with epoch-ms times.
struct RecordShape: Sendable {
    var legacy: Bool

    func record(_ item: MediaItem) -> WireRecord { WireRecord(item: item, legacy: legacy) }

    /// A JSON answer.
    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let data = try JSONEncoder().encode(value)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// One media record as the server answers it.
struct WireRecord: Encodable {
    let item: MediaItem
    let legacy: Bool

    func encode(to encoder: any Encoder) throws {
        guard legacy else { return try item.encode(to: encoder) }
        var c = encoder.container(keyedBy: NameKey.self)
        func put<T: Encodable>(_ value: T?, _ name: String) throws {
            if let value { try c.encode(value, forKey: NameKey(name)) }
        }
        func milliseconds(_ date: Date?) -> Int64? { date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) } }
        try put(item.id, "id")
        try put(item.accountID, "accountId")
        try put(item.storeID, "storeId")
        try put(item.etag, "etag")
        try put(item.size, "mediaSize")
        try put(item.mimeType, "mimeType")
        try put(item.originalFileName, "originalFileName")
        try put(item.title, "title")
        try put(item.description, "description")
        try put(item.metadataPrimary, "metadataPrimary")
        try put(item.metadataSecondary, "metadataSecondary")
        try put(item.isPublic, "publicItem")
        try put(item.maxDownloadsAllowed, "maxDownloadsAllowed")
        try put(item.timesDownloaded, "timesDownloaded")
        try put(milliseconds(item.timeCreated), "timeCreated")
        try put(milliseconds(item.timeLastUpdated), "timeLastUpdated")
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
