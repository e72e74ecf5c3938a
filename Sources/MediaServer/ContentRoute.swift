import Foundation
import Hummingbird
import MediaAPI
import NIOPosix

extension MediaRoutes {
    /// GET (and HEAD) /v3/media/{id}: the content streamed from its file, with validators and ranges.
    /// Every GET that sends content, whole or any range of it, counts as one download (the rule is
    /// MediaStore.openContent's); HEAD, 304 and 416 answers send none and are not counted.
    @Sendable func download(_ request: Request, _ context: MediaRequestContext) async throws -> Response {
        let id = try Self.id(context)
        // Anonymous callers reach only public items; the store decides (401 / 404 / 403 for a spent limit).
        var item = try await store.contentInfo(id: id, account: context.account)
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
        // The content is opened (and the download counted) only now that bytes will be sent. A delete
        // that won the race makes this a 404; one that comes later cannot shorten the answer.
        var content: MediaContent?
        if request.method != .head {
            let opened = try await store.openDownload(id: id, account: context.account)
            item = opened.item
            content = opened.content
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
        guard let content, let bytes else {
            return Response(status: status, headers: headers, body: .init())
        }
        switch content {
        case .chunks(let read):
            let pieces = read(bytes).map { ByteBuffer(bytes: $0) }
            return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: pieces))
        case .reader(let read):
            return Response(status: status, headers: headers, body: Self.body(of: read, bytes))
        }
    }

    /// Streams `bytes` of an open content file, a chunk at a time, reading off the event loops.
    static func body(of read: @escaping @Sendable (Int64, Int) throws -> Data, _ bytes: ClosedRange<Int64>) -> ResponseBody {
        let chunk = 128 * 1024
        return ResponseBody(contentLength: Int(bytes.upperBound - bytes.lowerBound + 1)) { writer in
            var offset = bytes.lowerBound
            while offset <= bytes.upperBound {
                let count = Int(min(Int64(chunk), bytes.upperBound - offset + 1))
                let start = offset
                let data = try await NIOThreadPool.singleton.runIfActive { try read(start, count) }
                guard !data.isEmpty else {
                    throw MediaError.storage("the content file of media item ended before its recorded size")
                }
                try await writer.write(ByteBuffer(bytes: data))
                offset += Int64(data.count)
            }
            try await writer.finish(nil)
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
