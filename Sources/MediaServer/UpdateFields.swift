import Foundation
import MediaAPI

/// The seven fields `PUT /v3/media/{id}/info` takes (and an upload's `info`), read from a form or from JSON.
enum UpdateFields {
    static let names = ["title", "description", "metadata_primary", "metadata_secondary", "mime_type", "public", "max_downloads_allowed"]

    /// From form fields, all text. Another field name is a 400 unless `allowing` lists it.
    static func update(fromForm fields: [(name: String, value: String)], allowing others: Set<String> = []) throws -> MediaUpdate {
        var update = MediaUpdate()
        var seen = Set<String>()
        for (name, value) in fields {
            if others.contains(name) { continue }
            guard seen.insert(name).inserted else { throw Problem.badRequest("the field '\(name)' is given twice") }
            try set(name, .text(value), in: &update, extra: others)
        }
        try validated(update)
        return update
    }

    /// From a JSON object with the same names; `public` may be a boolean and `max_downloads_allowed` a number.
    static func update(fromJSON data: Data) throws -> MediaUpdate {
        let fields: JSONFields
        do {
            fields = try JSONDecoder().decode(JSONFields.self, from: data)
        } catch DecodingError.typeMismatch {
            throw Problem.badRequest("the JSON body must be an object with fields like {\"title\": \"…\", \"public\": true}")
        } catch {
            // Not the decoder's own text: it names Swift types and internals, not the client's mistake.
            throw Problem.badRequest("the body is not JSON: send an object like {\"title\": \"…\", \"public\": true}")
        }
        var update = MediaUpdate()
        for (name, value) in fields.values.sorted(by: { $0.0 < $1.0 }) {
            try set(name, value, in: &update, extra: [])
        }
        try validated(update)
        return update
    }

    /// `overrides`' fields replace `base`'s; the others stay.
    static func merge(_ overrides: MediaUpdate, into base: inout MediaUpdate) {
        if let v = overrides.title { base.title = v }
        if let v = overrides.description { base.description = v }
        if let v = overrides.metadataPrimary { base.metadataPrimary = v }
        if let v = overrides.metadataSecondary { base.metadataSecondary = v }
        if let v = overrides.mimeType { base.mimeType = v }
        if let v = overrides.isPublic { base.isPublic = v }
        if let v = overrides.maxDownloadsAllowed { base.maxDownloadsAllowed = v }
    }

    /// A value as it arrived: form text, or one of JSON's types.
    enum Value: Sendable {
        case text(String)
        case bool(Bool)
        case number(Double)
        case other
    }

    /// A JSON object's members. A null is refused like any other wrong type: to leave a field as it is, leave it out.
    private struct JSONFields: Decodable {
        var values: [(String, Value)] = []

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: NameKey.self)
            for key in c.allKeys {
                let value: Value =
                    if let flag = try? c.decode(Bool.self, forKey: key) { .bool(flag) }
                    else if let number = try? c.decode(Double.self, forKey: key) { .number(number) }
                    else if let text = try? c.decode(String.self, forKey: key) { .text(text) }
                    else { .other }
                values.append((key.stringValue, value))
            }
        }
    }

    private static func set(_ name: String, _ value: Value, in update: inout MediaUpdate, extra: Set<String>) throws {
        switch name {
        case "title": update.title = try text(value, name)
        case "description": update.description = try text(value, name)
        case "metadata_primary": update.metadataPrimary = try text(value, name)
        case "metadata_secondary": update.metadataSecondary = try text(value, name)
        case "mime_type": update.mimeType = try text(value, name)
        case "public":
            switch value {
            case .bool(let flag): update.isPublic = flag
            case .text(let text):
                switch text {
                case "true": update.isPublic = true
                case "false": update.isPublic = false
                default: throw Problem.badRequest("public '\(text)' is not a boolean: use true or false")
                }
            default: throw Problem.badRequest("public must be true or false")
            }
        case "max_downloads_allowed":
            let number: Int?
            switch value {
            case .number(let d): number = d.rounded() == d && abs(d) < 1e15 ? Int(d) : nil
            case .text(let text): number = Int(text.trimmingCharacters(in: .whitespaces))
            default: number = nil
            }
            guard let number, (0...Int(Int32.max)).contains(number) else {
                throw Problem.badRequest("max_downloads_allowed must be a whole number from 0 (unlimited) to \(Int32.max)")
            }
            update.maxDownloadsAllowed = number
        default:
            let expected = (names + extra.sorted()).joined(separator: ", ")
            throw Problem.badRequest("unknown field '\(name)'; the fields are \(expected)")
        }
    }

    private static func text(_ value: Value, _ name: String) throws -> String {
        guard case .text(let text) = value else { throw Problem.badRequest("\(name) must be text") }
        return text
    }

    private static func validated(_ update: MediaUpdate) throws {
        do {
            try update.validate()
        } catch let error as MediaError {
            throw Problem.badRequest(error.description)
        }
    }
}
