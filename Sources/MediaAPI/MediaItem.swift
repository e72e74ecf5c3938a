import Foundation

/// One media item as the Media API v3 describes it (the seed's `Media` schema, plus `title` and `description`).
///
/// Decoding reads the seed's snake_case shape (ISO 8601 times, with or without
/// milliseconds) and the older camelCase shape (`mediaSize`, `publicItem`,
/// times as epoch milliseconds). Unknown fields are ignored; missing optional
/// fields are not errors. Encoding always writes the seed's shape.
public struct MediaItem: Sendable, Hashable, Identifiable, Codable {
    public var id: String
    public var accountID: String?
    public var storeID: String?
    /// MD5 hex of the content.
    public var etag: String?
    /// Content length in bytes (`media_size`).
    public var size: Int64
    public var mimeType: String?
    public var originalFileName: String?
    public var title: String?
    public var description: String?
    public var metadataPrimary: String?
    public var metadataSecondary: String?
    /// Downloadable without authentication (`public`).
    public var isPublic: Bool
    /// 0 means unlimited.
    public var maxDownloadsAllowed: Int
    public var timesDownloaded: Int
    public var timeCreated: Date?
    public var timeLastUpdated: Date?

    public init(
        id: String,
        accountID: String? = nil,
        storeID: String? = nil,
        etag: String? = nil,
        size: Int64 = 0,
        mimeType: String? = nil,
        originalFileName: String? = nil,
        title: String? = nil,
        description: String? = nil,
        metadataPrimary: String? = nil,
        metadataSecondary: String? = nil,
        isPublic: Bool = false,
        maxDownloadsAllowed: Int = 0,
        timesDownloaded: Int = 0,
        timeCreated: Date? = nil,
        timeLastUpdated: Date? = nil
    ) {
        self.id = id
        self.accountID = accountID
        self.storeID = storeID
        self.etag = etag
        self.size = size
        self.mimeType = mimeType
        self.originalFileName = originalFileName
        self.title = title
        self.description = description
        self.metadataPrimary = metadataPrimary
        self.metadataSecondary = metadataSecondary
        self.isPublic = isPublic
        self.maxDownloadsAllowed = maxDownloadsAllowed
        self.timesDownloaded = timesDownloaded
        self.timeCreated = timeCreated
        self.timeLastUpdated = timeLastUpdated
    }

    /// The largest `media_size` decoding accepts: 2^53 − 1 bytes.
    public static let largestSize: Int64 = (1 << 53) - 1

    /// True when a download limit is set and has been reached.
    public var isDownloadLimitReached: Bool {
        maxDownloadsAllowed > 0 && timesDownloaded >= maxDownloadsAllowed
    }

    /// Each field's wire names: the seed's snake_case first, then the older camelCase ones.
    /// (Package access: the HTTP client's list-page reader reads the same names.)
    package enum Field: Int, CaseIterable, Sendable {
        case id, accountID, storeID, etag, size, mimeType, originalFileName, title, description
        case metadataPrimary, metadataSecondary, isPublic, maxDownloadsAllowed, timesDownloaded
        case timeCreated, timeLastUpdated

        package var names: [String] {
            switch self {
            case .id: ["id"]
            case .accountID: ["account_id", "accountId"]
            case .storeID: ["store_id", "storeId"]
            case .etag: ["etag", "eTag", "ETag"]
            case .size: ["media_size", "mediaSize"]
            case .mimeType: ["mime_type", "mimeType"]
            case .originalFileName: ["original_file_name", "originalFileName"]
            case .title: ["title"]
            case .description: ["description"]
            case .metadataPrimary: ["metadata_primary", "metadataPrimary"]
            case .metadataSecondary: ["metadata_secondary", "metadataSecondary"]
            case .isPublic: ["public", "publicItem", "isPublic"]
            case .maxDownloadsAllowed: ["max_downloads_allowed", "maxDownloadsAllowed"]
            case .timesDownloaded: ["times_downloaded", "timesDownloaded"]
            case .timeCreated: ["time_created", "timeCreated"]
            case .timeLastUpdated: ["time_last_updated", "timeLastUpdated"]
            }
        }

        var seedName: String { names[0] }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        func key(_ field: Field) -> WireKey? {
            field.names.lazy.map(WireKey.init(stringValue:)).first { c.contains($0) && !((try? c.decodeNil(forKey: $0)) ?? true) }
        }
        func string(_ field: Field) throws -> String? {
            guard let k = key(field) else { return nil }
            if let s = try? c.decode(String.self, forKey: k) { return s }
            if let i = try? c.decode(Int64.self, forKey: k) { return String(i) }
            return try c.decode(String.self, forKey: k)
        }
        func integer(_ field: Field) throws -> Int64? {
            guard let k = key(field) else { return nil }
            if let i = try? c.decode(Int64.self, forKey: k) { return i }
            if let d = try? c.decode(Double.self, forKey: k), d.rounded() == d, abs(d) < 9.2e18 { return Int64(d) }
            if let s = try? c.decode(String.self, forKey: k), let i = Int64(s.trimmingCharacters(in: .whitespaces)) { return i }
            throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "\(k.stringValue): expected an integer")
        }
        /// A byte count: 0 to 2^53 − 1 (9 PB, the integers JSON readers hold exactly), so that
        /// adding up the sizes of many items cannot overflow.
        func size(_ field: Field) throws -> Int64? {
            guard let k = key(field), let n = try integer(field) else { return nil }
            guard (0...Self.largestSize).contains(n) else {
                throw DecodingError.dataCorruptedError(
                    forKey: k, in: c,
                    debugDescription: "\(k.stringValue) \(n) is out of range (a size must lie between 0 and \(Self.largestSize) bytes)")
            }
            return n
        }
        func bool(_ field: Field) throws -> Bool? {
            guard let k = key(field) else { return nil }
            if let b = try? c.decode(Bool.self, forKey: k) { return b }
            if let s = try? c.decode(String.self, forKey: k) {
                switch s.lowercased() {
                case "true", "1", "yes": return true
                case "false", "0", "no", "": return false
                default: break
                }
            }
            if let i = try? c.decode(Int.self, forKey: k) { return i != 0 }
            throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "expected a boolean")
        }
        func date(_ field: Field) throws -> Date? {
            guard let k = key(field) else { return nil }
            // Years 0001–9999 only: what the API's format can write back, and what formatting,
            // sorting and arithmetic on times can hold without overflowing.
            func inRange(_ date: Date, _ shown: String) throws -> Date {
                guard MediaTime.isRepresentable(date) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: k, in: c,
                        debugDescription: "\(k.stringValue) \(shown) is out of range (a time must lie in the years 0001 to 9999)")
                }
                return date
            }
            // The seed's shape (a string) first: a failed decode builds an error, which costs more
            // than the rest of the item.
            guard let s = try? c.decode(String.self, forKey: k) else {
                let ms = try c.decode(Double.self, forKey: k)
                return try inRange(Date(timeIntervalSince1970: ms / 1000), "\(ms)")
            }
            if let d = MediaTime.parse(s) { return try inRange(d, "'\(s)'") }
            if let ms = Double(s) { return try inRange(Date(timeIntervalSince1970: ms / 1000), "'\(s)'") }
            throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "\(k.stringValue): expected an ISO 8601 time or epoch milliseconds, got '\(s)'")
        }

        guard let id = try string(.id), !id.isEmpty else {
            throw DecodingError.keyNotFound(WireKey(stringValue: "id"), .init(codingPath: c.codingPath, debugDescription: "a media item needs an id"))
        }
        self.init(
            id: id,
            accountID: try string(.accountID),
            storeID: try string(.storeID),
            etag: try string(.etag),
            size: try size(.size) ?? 0,
            mimeType: try string(.mimeType),
            originalFileName: try string(.originalFileName),
            title: try string(.title),
            description: try string(.description),
            metadataPrimary: try string(.metadataPrimary),
            metadataSecondary: try string(.metadataSecondary),
            isPublic: try bool(.isPublic) ?? false,
            maxDownloadsAllowed: Int(clamping: try integer(.maxDownloadsAllowed) ?? 0),
            timesDownloaded: Int(clamping: try integer(.timesDownloaded) ?? 0),
            timeCreated: try date(.timeCreated),
            timeLastUpdated: try date(.timeLastUpdated)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        func put<T: Encodable>(_ value: T?, _ field: Field) throws {
            if let value { try c.encode(value, forKey: WireKey(stringValue: field.seedName)) }
        }
        try put(id, .id)
        try put(accountID, .accountID)
        try put(storeID, .storeID)
        try put(etag, .etag)
        try put(size, .size)
        try put(mimeType, .mimeType)
        try put(originalFileName, .originalFileName)
        try put(title, .title)
        try put(description, .description)
        try put(metadataPrimary, .metadataPrimary)
        try put(metadataSecondary, .metadataSecondary)
        try put(isPublic, .isPublic)
        try put(maxDownloadsAllowed, .maxDownloadsAllowed)
        try put(timesDownloaded, .timesDownloaded)
        try put(timeCreated.map(MediaTime.format), .timeCreated)
        try put(timeLastUpdated.map(MediaTime.format), .timeLastUpdated)
    }
}

/// A coding key for any wire name.
struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
