import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore
import NIOHTTP1

/// Whether an answer is the Media API's own. A 404 means "no items" or "already gone" only when it
/// is the API's JSON error document; an HTML or plain-text 404 (a wrong path on a web server, a
/// proxy), a 200 that is not a media page (a login page), a redirect: each is an error that names
/// the request, the status, the content type and the answer's first bytes, so a typo in
/// `--endpoint` can never read as an empty account.
enum APIAnswer {
    /// How many of an answer's first bytes an error shows (escaped).
    static let shownBytes = 96

    /// The media type of `Content-Type`, lower-cased, without parameters; nil when absent.
    static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        let type = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? header
        let trimmed = type.trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `application/json`, `application/problem+json` and any other `…+json`.
    static func isJSON(_ header: String?) -> Bool {
        guard let type = mediaType(header) else { return false }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    /// The API's error document: a JSON object (with a JSON content type) carrying the problem's
    /// `type` or `title` (RFC 9457, as the Media API and media-server send), or the older
    /// `error_title`/`error_text`. A web framework's `{"error": …}` or an empty 404 is not one.
    /// It must also come from one of the API's routes (`isAPIRoute`): a server answers every path
    /// it does not know with a JSON 404 too (media-server does), and `…/v3/medi` is not the list.
    static func isProblem(url: String, contentType: String?, body: ByteBuffer?) -> Bool {
        guard isAPIRoute(url), isJSON(contentType), let body, body.readableBytes > 0,
              let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        else { return false }
        return ["type", "title", "error_title", "error_text"].contains { object[$0] is String }
    }

    /// Whether the URL's path is one of the Media API's routes: `…/v3/media`, `…/v3/media/{id}`
    /// or `…/v3/media/{id}/info`.
    static func isAPIRoute(_ url: String) -> Bool {
        var rest = Substring(url.split(separator: "?", maxSplits: 1).first ?? "")
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let parts = Array(segments)
        for tail in 0...2 {
            let n = parts.count - tail
            guard n >= 2, parts[n - 2] == "v3", parts[n - 1] == "media" else { continue }
            switch tail {
            case 0: return true
            case 1: return !parts[n].isEmpty
            default: return !parts[n].isEmpty && parts[n + 1] == "info"
            }
        }
        return false
    }

    /// A 2xx answer to an update or a delete: empty, or JSON. A page of HTML or text is someone else's.
    static func isActionAnswer(contentType: String?, body: ByteBuffer?) -> Bool {
        guard let body, body.readableBytes > 0 else { return true }
        if isJSON(contentType) { return true }
        // No Content-Type at all: a body that is JSON is taken; anything else is not the API's.
        return contentType == nil && (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) != nil
    }

    /// Whether a list answer is shaped as a media page: a JSON object with at least one of the
    /// HAL page's members (`_embedded`, `media`, `_links`, `count`, `page_index`, `page_size`).
    static func isMediaPage(_ body: ByteBuffer) -> Bool {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else { return false }
        return MediaPage.members.contains { object[$0] != nil }
    }

    /// The request as the error names it: the method and the URL without its query.
    static func request(_ method: HTTPMethod, _ url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return "\(method.rawValue) \(path)"
    }

    /// The error for an answer that is not the Media API's.
    static func notTheAPI(_ method: HTTPMethod, _ url: String, status: Int, contentType: String?,
                          location: String? = nil, body: ByteBuffer?) -> MediaError {
        var text = "not the Media API's answer: \(request(method, url)) gave HTTP \(status)"
        text += ", Content-Type " + (contentType.map { "'\(escaped(Array($0.utf8), limit: 100))'" } ?? "none")
        if let location {
            text += ", redirecting to '\(escaped(Array(location.utf8), limit: 200))' (mediash follows no redirect: "
                + "the credentials would go with it; if that address is the Media API, use it as the endpoint)"
        }
        if let body, body.readableBytes > 0 {
            let bytes = Array(body.readableBytesView.prefix(shownBytes))
            text += ", body starting \"\(escaped(bytes, limit: shownBytes))\"" + (body.readableBytes > shownBytes ? "…" : "")
        } else {
            text += ", empty body"
        }
        if !isAPIRoute(url) { text += "; the path is not one of the Media API's (…/v3/media)" }
        text += "; check the endpoint (expected e.g. \(MediaHTTPClient.vonageEndpoint.absoluteString))"
        return .server(status: status, message: text)
    }

    /// The error for an answer the client could not take as the API's, read from the response.
    static func notTheAPI(_ method: HTTPMethod, _ url: String, _ response: HTTPClientResponse, body: ByteBuffer?) -> MediaError {
        notTheAPI(method, url, status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                  location: response.headers.first(name: "Location"), body: body)
    }

    /// Bytes as printable ASCII: `\n`, `\r`, `\t`, `\"`, `\\`, and `\xNN` for every other byte
    /// outside 0x20–0x7E, so no control, C1 or bidi character of the answer reaches the terminal.
    static func escaped(_ bytes: [UInt8], limit: Int) -> String {
        var out = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
