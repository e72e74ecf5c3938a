import Foundation

/// What to list: order and time bounds. Unlike the HTTP API, no bounds means every item, not the last week.
public struct MediaQuery: Sendable, Hashable {
    public enum Order: String, Sendable, Hashable, CaseIterable {
        case ascending, descending
    }

    /// By `time_created`; the API's default is descending (newest first).
    public var order: Order
    /// Items created at or after this time.
    public var startTime: Date?
    /// Items created at or before this time.
    public var endTime: Date?
    /// How many items to ask for per page; a binding may be given fewer per page.
    public var pageSize: Int
    /// At most this many items will be consumed; a binding sizes pages by it and fetches no page past it.
    public var limit: Int?
    /// How many disjoint time windows a binding may page side by side. 1 (the default) lists
    /// in `order`; above 1 the consumer takes the items in any order (`count`, `delete`), each
    /// still exactly once. A binding that cannot list in parallel lists in order. Ignored with a `limit`.
    public var windows: Int

    public init(order: Order = .descending, startTime: Date? = nil, endTime: Date? = nil, pageSize: Int = 100, limit: Int? = nil, windows: Int = 1) {
        self.order = order
        self.startTime = startTime
        self.endTime = endTime
        self.pageSize = pageSize
        self.limit = limit
        self.windows = windows
    }

    /// True when `date` lies within the bounds (both inclusive).
    public func contains(_ date: Date) -> Bool {
        if let startTime, date < startTime { return false }
        if let endTime, date > endTime { return false }
        return true
    }
}

/// Changes to an item's information; nil leaves a field as it is. The seven fields `PUT /v3/media/{id}/info` takes.
public struct MediaUpdate: Sendable, Hashable {
    public var title: String?
    public var description: String?
    public var metadataPrimary: String?
    public var metadataSecondary: String?
    public var mimeType: String?
    public var isPublic: Bool?
    /// 0 means unlimited.
    public var maxDownloadsAllowed: Int?

    public init(
        title: String? = nil, description: String? = nil, metadataPrimary: String? = nil,
        metadataSecondary: String? = nil, mimeType: String? = nil, isPublic: Bool? = nil,
        maxDownloadsAllowed: Int? = nil
    ) {
        self.title = title
        self.description = description
        self.metadataPrimary = metadataPrimary
        self.metadataSecondary = metadataSecondary
        self.mimeType = mimeType
        self.isPublic = isPublic
        self.maxDownloadsAllowed = maxDownloadsAllowed
    }

    /// True when it changes nothing.
    public var isEmpty: Bool { self == MediaUpdate() }

    /// The fields it sets, by their wire names (`title`, `public`, `max_downloads_allowed`, …) as text.
    public var formFields: [(name: String, value: String)] {
        var fields: [(String, String)] = []
        if let title { fields.append(("title", title)) }
        if let description { fields.append(("description", description)) }
        if let metadataPrimary { fields.append(("metadata_primary", metadataPrimary)) }
        if let metadataSecondary { fields.append(("metadata_secondary", metadataSecondary)) }
        if let mimeType { fields.append(("mime_type", mimeType)) }
        if let isPublic { fields.append(("public", isPublic ? "true" : "false")) }
        if let maxDownloadsAllowed { fields.append(("max_downloads_allowed", String(maxDownloadsAllowed))) }
        return fields
    }

    /// Checks the values a server would refuse; throws `MediaError.invalidInput`.
    public func validate() throws {
        // Text is stored as text: PostgreSQL refuses U+0000 in it, so every binding refuses it up front alike.
        for (name, value) in formFields where value.unicodeScalars.contains("\u{0}") {
            throw MediaError.invalidInput("\(name) may not contain the NUL character (U+0000)")
        }
        if let maxDownloadsAllowed, maxDownloadsAllowed < 0 {
            throw MediaError.invalidInput("max_downloads_allowed must be 0 (unlimited) or more, not \(maxDownloadsAllowed)")
        }
        if let mimeType, !MediaUpdate.isMIMEType(mimeType) {
            throw MediaError.invalidInput("'\(mimeType)' is not a MIME type (expected type/subtype, like audio/wav)")
        }
    }

    /// Applies the changes to an item (does not touch `timeLastUpdated`).
    public func apply(to item: inout MediaItem) {
        if let title { item.title = title }
        if let description { item.description = description }
        if let metadataPrimary { item.metadataPrimary = metadataPrimary }
        if let metadataSecondary { item.metadataSecondary = metadataSecondary }
        if let mimeType { item.mimeType = mimeType }
        if let isPublic { item.isPublic = isPublic }
        if let maxDownloadsAllowed { item.maxDownloadsAllowed = maxDownloadsAllowed }
    }

    /// `type/subtype`, each a non-empty token.
    public static func isMIMEType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let token = { (s: Substring) in
            !s.isEmpty && s.allSatisfy { c in c.isASCII && (c.isLetter || c.isNumber || "!#$&^_.+-;= ".contains(c)) }
        }
        return token(parts[0]) && token(parts[1])
    }
}

/// A new item: its content from a local file or a URL the service fetches, and its information.
public struct MediaUpload: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// A local file, streamed.
        case file(URL)
        /// A URL the service fetches the content from.
        case url(URL)
    }

    public var source: Source
    /// The original file name to record; defaults to the file's own name (or the URL's last component).
    public var fileName: String?
    /// Title, description, metadata, public, mime type, download limit.
    public var info: MediaUpdate

    public init(source: Source, fileName: String? = nil, info: MediaUpdate = MediaUpdate()) {
        self.source = source
        self.fileName = fileName
        self.info = info
    }

    /// Checks the values a server would refuse (the information's, and a NUL in the file name); throws `MediaError.invalidInput`.
    public func validate() throws {
        if let fileName, fileName.unicodeScalars.contains("\u{0}") {
            throw MediaError.invalidInput("filename may not contain the NUL character (U+0000)")
        }
        try info.validate()
    }

    /// The name the item will be recorded under.
    public var effectiveFileName: String {
        if let fileName, !fileName.isEmpty { return fileName }
        switch source {
        case .file(let url), .url(let url):
            let last = url.lastPathComponent
            return last.isEmpty || last == "/" ? "upload" : last
        }
    }
}

/// How `download` treats a file already at the destination.
public struct DownloadOptions: Sendable, Hashable {
    /// Continue a partial download left at `<destination>.partial` instead of starting again.
    public var resume: Bool
    /// When the destination already holds content whose MD5 equals the item's ETag, fetch nothing.
    public var skipIfUnchanged: Bool

    public init(resume: Bool = true, skipIfUnchanged: Bool = true) {
        self.resume = resume
        self.skipIfUnchanged = skipIfUnchanged
    }

    /// Where a download in progress is written before it is renamed into place.
    public static func partialURL(for destination: URL) -> URL {
        destination.deletingLastPathComponent().appendingPathComponent(destination.lastPathComponent + ".partial")
    }
}

/// What a download did.
public struct DownloadResult: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// The whole content was fetched.
        case downloaded
        /// A partial file was completed.
        case resumed
        /// The destination already held this content; nothing was fetched.
        case unchanged
    }

    public var outcome: Outcome
    /// Bytes transferred by this call (0 when unchanged).
    public var bytesTransferred: Int64
    /// The ETag of the content now at the destination.
    public var etag: String?

    public init(outcome: Outcome, bytesTransferred: Int64, etag: String?) {
        self.outcome = outcome
        self.bytesTransferred = bytesTransferred
        self.etag = etag
    }
}
