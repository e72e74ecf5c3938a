import Foundation
import Hummingbird
import MediaAPI
import MediaStore

extension MediaRoutes {
    /// GET (and HEAD) /v3/media/{id}: the content streamed from its file, with validators and ranges.
    /// A download is counted only when bytes from the start are sent, so resuming with a Range
    /// does not spend a second download, and conditional or HEAD requests spend none.
    func download(_ request: Request, _ context: MediaRequestContext, counted: Bool) async throws -> Response {
        let id = try Self.id(context)
        // Anonymous callers reach only public items; the store decides (401 / 404 / 403 for a spent limit).
        var (item, content) = try await store.openDownload(id: id, account: context.account, counted: false)
        let etag = item.etag.map { "\"\($0)\"" }
        // Content never changes after upload, so it was last modified when it was created.
        let lastModified = item.timeCreated
        var headers: HTTPFields = [
            .acceptRanges: "bytes",
            .cacheControl: item.isPublic ? "public, no-cache" : "private, no-cache",
        ]
        if let etag { headers[.eTag] = etag }
        if let lastModified { headers[.lastModified] = HTTPDate.format(lastModified) }

        if Conditions.notModified(request.headers, etag: etag, lastModified: lastModified) {
            return Response(status: .notModified, headers: headers)
        }

        let size = item.size
        var range: ClosedRange<Int64>?
        if let header = request.headers[.range], Conditions.rangeApplies(request.headers, etag: etag, lastModified: lastModified) {
            switch ByteRange.parse(header, size: size) {
            case .satisfiable(let r): range = r
            case .ignored: range = nil
            case .unsatisfiable:
                throw Problem(
                    status: .rangeNotSatisfiable, detail: "the range '\(header)' lies outside the \(size) bytes of media item '\(id)'",
                    headers: [.contentRange: "bytes */\(size)"])
            }
        }
        if counted, (range?.lowerBound ?? 0) == 0 {
            (item, content) = try await store.openDownload(id: id, account: context.account, counted: true)
        }

        headers[.contentType] = item.mimeType.flatMap { MediaUpdate.isMIMEType($0) ? $0 : nil } ?? "application/octet-stream"
        headers[.contentDisposition] = Self.disposition(item.originalFileName ?? id)
        let status: HTTPResponse.Status
        let bytes: ClosedRange<Int64>?
        if let range {
            status = .partialContent
            bytes = range
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
        } else {
            status = .ok
            bytes = size > 0 ? 0...(size - 1) : nil
        }
        let length = bytes.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        headers[.contentLength] = String(length)
        guard request.method != .head, let bytes else {
            return Response(status: status, headers: headers, body: .init())
        }
        switch content {
        case .file(let file):
            let body = try await FileIO().loadFile(
                path: file.path, range: Int(bytes.lowerBound)...Int(bytes.upperBound), context: context)
            return Response(status: status, headers: headers, body: body)
        case .chunks(let read):
            let pieces = read(bytes).map { ByteBuffer(bytes: $0) }
            return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: pieces))
        }
    }

    /// `attachment` with the original name: ASCII in `filename`, the exact name in `filename*`.
    static func disposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

/// The conditional request headers of a download (RFC 9110 §13).
enum Conditions {
    /// If-None-Match (weak comparison), or else If-Modified-Since to the second.
    static func notModified(_ headers: HTTPFields, etag: String?, lastModified: Date?) -> Bool {
        if let ifNoneMatch = headers[.ifNoneMatch] {
            guard let etag else { return false }
            return ifNoneMatch.split(separator: ",").contains { tag in
                let tag = tag.trimmingCharacters(in: .whitespaces)
                return tag == "*" || opaque(tag) == opaque(etag)
            }
        }
        if let text = headers[.ifModifiedSince], let since = HTTPDate.parse(text), let lastModified {
            return lastModified.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970
        }
        return false
    }

    /// False when If-Range names another version, so the whole content is sent instead of a range.
    static func rangeApplies(_ headers: HTTPFields, etag: String?, lastModified: Date?) -> Bool {
        guard let ifRange = headers[.ifRange]?.trimmingCharacters(in: .whitespaces) else { return true }
        if ifRange.hasPrefix("\"") { return ifRange == etag }
        if let date = HTTPDate.parse(ifRange), let lastModified {
            return lastModified.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        }
        return false
    }

    private static func opaque(_ tag: String) -> String {
        tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
    }
}

/// A single `bytes=` range of a Range header.
enum ByteRange: Equatable {
    case satisfiable(ClosedRange<Int64>)
    /// Not one we serve (another unit, several ranges, bad syntax): RFC 9110 says send the whole content.
    case ignored
    case unsatisfiable

    static func parse(_ header: String, size: Int64) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes=") else { return .ignored }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .ignored }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int64? { s.isEmpty || !s.allSatisfy(\.isASCII) ? nil : Int64(s) }
        if first.isEmpty {
            guard let suffix = number(last) else { return .ignored }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - suffix)...(size - 1))
        }
        guard let start = number(first) else { return .ignored }
        if last.isEmpty {
            return start < size ? .satisfiable(start...(size - 1)) : .unsatisfiable
        }
        guard let end = number(last), start <= end else { return .ignored }
        return start < size ? .satisfiable(start...min(end, size - 1)) : .unsatisfiable
    }
}
