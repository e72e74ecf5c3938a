import AsyncHTTPClient
import Crypto
import Foundation
import MediaAPI
import NIOCore
import NIOHTTP1

extension MediaHTTPClient {
    public func download(id: String, to destination: URL, options: DownloadOptions) async throws -> DownloadResult {
        let partial = DownloadOptions.partialURL(for: destination)
        if !options.resume { try? FileManager.default.removeItem(at: partial) }
        // The MD5 of what is already at the destination: the API's ETag is the content's MD5.
        let localETag = options.skipIfUnchanged && FileManager.default.fileExists(atPath: destination.path)
            ? try ContentFile.md5(of: destination) : nil
        let url = try url(id: id)

        return try await perform(
            .GET, url, id: id,
            headers: {
                var headers = HTTPHeaders()
                if let localETag { headers.add(name: "If-None-Match", value: "\"\(localETag)\"") }
                let have = ContentFile.size(of: partial)
                if have > 0 { headers.add(name: "Range", value: "bytes=\(have)-") }
                return headers
            }
        ) { response, _ in
            let etag = ContentFile.etag(response.headers.first(name: "ETag"))
            switch response.status.code {
            case 304:
                try? FileManager.default.removeItem(at: partial)
                return DownloadResult(outcome: .unchanged, bytesTransferred: 0, etag: localETag ?? etag)
            case 416:
                // The partial file does not fit the content (it changed, or is already whole): start over.
                try? FileManager.default.removeItem(at: partial)
                throw RestartRequest(reason: "the server would not continue the partial download")
            case 206:
                let have = ContentFile.size(of: partial)
                guard ContentFile.rangeStart(response.headers.first(name: "Content-Range")) == have else {
                    try? FileManager.default.removeItem(at: partial)
                    throw RestartRequest(reason: "the server sent a range that does not continue the partial download")
                }
                let written = try await ContentFile.write(response.body, to: partial, appending: true)
                // A resumed file is only as good as its two halves: check it against the ETag.
                let whole = try ContentFile.md5(of: partial)
                if let etag, ContentFile.isMD5(etag), etag != whole {
                    try? FileManager.default.removeItem(at: partial)
                    throw RestartRequest(reason: "the resumed download does not match the item's ETag")
                }
                try ContentFile.move(partial, to: destination)
                return DownloadResult(outcome: .resumed, bytesTransferred: written, etag: etag ?? whole)
            case 200:
                // A login or proxy page served in place of the content: HTML with no ETag (the API
                // gives every item's content its MD5 as ETag) is not written as the recording.
                if etag == nil, APIAnswer.mediaType(response.headers.first(name: "Content-Type")) == "text/html" {
                    var start: ByteBuffer?
                    for try await chunk in response.body { start = chunk; break }
                    throw APIAnswer.notTheAPI(.GET, url, response, body: start)
                }
                let written = try await ContentFile.write(response.body, to: partial, appending: false)
                try ContentFile.move(partial, to: destination)
                return DownloadResult(outcome: .downloaded, bytesTransferred: written, etag: etag)
            default:
                try await Self.expect(response, [200])
                throw MediaError.server(status: Int(response.status.code), message: "unexpected answer to a download")
            }
        }
    }
}

/// Local files of a download: hashing, appending a streamed body, renaming into place.
enum ContentFile {
    static func size(of url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// MD5 hex of a file, read in chunks.
    static func md5(of url: URL) throws -> String {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var hash = Insecure.MD5()
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hash.update(data: chunk)
            }
            return hash.finalize().map { String(format: "%02x", $0) }.joined()
        } catch {
            throw MediaError.storage("cannot read '\(url.path)': \(error.localizedDescription)")
        }
    }

    /// Writes the body to `url` as it arrives; returns the bytes written. Errors of the body
    /// stream (a dropped connection) pass through so the request is retried and resumed.
    static func write(_ body: HTTPClientResponse.Body, to url: URL, appending: Bool) async throws -> Int64 {
        let handle: FileHandle
        do {
            if !appending || !FileManager.default.fileExists(atPath: url.path) {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw CocoaError(.fileWriteNoPermission)
                }
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw MediaError.storage("cannot write '\(url.path)': \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var written: Int64 = 0
        for try await chunk in body {
            do {
                try handle.write(contentsOf: Data(chunk.readableBytesView))
            } catch {
                throw MediaError.storage("cannot write '\(url.path)': \(error.localizedDescription)")
            }
            written += Int64(chunk.readableBytes)
        }
        // On disk before it can be renamed into place, so a power cut never leaves a whole-looking
        // destination with missing bytes.
        do {
            try handle.synchronize()
        } catch {
            throw MediaError.storage("cannot write '\(url.path)': \(error.localizedDescription)")
        }
        return written
    }

    /// Renames the finished (synced) download over the destination in one step and syncs the folder.
    static func move(_ partial: URL, to destination: URL) throws {
        try DurableFile.move(partial, to: destination)
    }

    /// `"abc"` or `W/"abc"` → `abc`.
    static func etag(_ header: String?) -> String? {
        guard var text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func isMD5(_ text: String) -> Bool {
        text.count == 32 && text.allSatisfy(\.isHexDigit)
    }

    /// The first byte of `Content-Range: bytes 100-199/200`.
    static func rangeStart(_ header: String?) -> Int64? {
        guard let header, let range = header.split(separator: " ").last,
              let start = range.split(separator: "-").first else { return nil }
        return Int64(start)
    }
}
