import Foundation

/// The fields of a media record: the seed's names, their kinds, and the short aliases users type.
public enum MediaFields {
    /// The seed's names in the order records show them.
    public static let seedNames = [
        "id", "account_id", "store_id", "etag", "media_size", "mime_type", "original_file_name", "title",
        "description", "metadata_primary", "metadata_secondary", "public", "max_downloads_allowed",
        "times_downloaded", "time_created", "time_last_updated",
    ]

    /// Short name → seed name.
    public static let aliases: [String: String] = [
        "size": "media_size", "created": "time_created", "updated": "time_last_updated",
        "name": "original_file_name", "mime": "mime_type", "downloads": "times_downloaded",
    ]

    /// Seed name → short name.
    static let aliasOf: [String: String] = Dictionary(uniqueKeysWithValues: aliases.map { ($1, $0) })

    /// Any name users may type → the seed name.
    static let canonicalName: [String: String] = {
        var map = aliases
        for n in seedNames { map[n] = n }
        return map
    }()

    /// Each seed field's kind.
    public static let kinds: [String: ValueKind] = [
        "id": .string, "account_id": .string, "store_id": .string, "etag": .string, "media_size": .size,
        "mime_type": .string, "original_file_name": .string, "title": .string, "description": .string,
        "metadata_primary": .string, "metadata_secondary": .string, "public": .bool,
        "max_downloads_allowed": .int, "times_downloaded": .int, "time_created": .datetime,
        "time_last_updated": .datetime,
    ]

    /// Fields of a media record, aliases included, with their kinds.
    public static let schema: [String: ValueKind] = {
        var s = kinds
        for (alias, seed) in aliases { s[alias] = kinds[seed] }
        return s
    }()

    /// The fields `update set` may change, by any of their names → seed name.
    public static let updatable: [String: String] = {
        var m: [String: String] = [:]
        for seed in ["title", "description", "metadata_primary", "metadata_secondary", "mime_type", "public", "max_downloads_allowed"] {
            m[seed] = seed
        }
        m["mime"] = "mime_type"
        return m
    }()
}
