import Foundation
import Hummingbird
import MediaAPI

/// The parsers of what a client sends, each as the routes call it, for the fuzz target
/// (fuzz/server). Package access: not part of the module's API.
package enum RequestParsing {
    /// `GET /v3/media`'s query parameters as a store query; a bad one is a 400 `Problem`.
    package static func listQuery(_ request: Request, maxPageSize: Int, now: Date) throws -> MediaQuery {
        try ListParameters(request: request, maxPageSize: maxPageSize, now: now).query
    }

    /// An upload form (`POST /v3/media`): the `filedata` part is written into `directory` and
    /// removed again; the rest must make an upload. Nil when the Content-Type is not multipart.
    package static func uploadForm(contentType: String, body: RequestBody, directory: URL, maxFileBytes: Int64) async throws -> MediaUpload? {
        guard let boundary = try MultipartForm.boundary(ofContentType: contentType) else { return nil }
        let form = try await MultipartForm.read(
            body, boundary: boundary, fileField: "filedata", directory: directory, maxFileBytes: maxFileBytes,
            maxBodyBytes: MultipartForm.maxBodyBytes(fileBytes: maxFileBytes))
        defer { if let file = form.file { try? FileManager.default.removeItem(at: file.url) } }
        return try MediaRoutes.upload(from: form)
    }

    /// An info update (`PUT /v3/media/{id}/info`) as a multipart form, JSON or a urlencoded form.
    package static func update(contentType: String, body: RequestBody) async throws -> MediaUpdate? {
        if let boundary = try MultipartForm.boundary(ofContentType: contentType) {
            let form = try await MultipartForm.read(body, boundary: boundary, maxBodyBytes: Int64(MediaRoutes.maxInfoBodyBytes))
            return try UpdateFields.update(fromForm: form.fields)
        }
        let text = try await body.collect(upTo: MediaRoutes.maxInfoBodyBytes)
        switch HeaderParameters(contentType).value.lowercased() {
        case "application/json": return try UpdateFields.update(fromJSON: Data(text.readableBytesView))
        case "application/x-www-form-urlencoded": return try UpdateFields.update(fromForm: URLEncodedForm.fields(String(buffer: text)))
        default: return nil
        }
    }

    /// The byte range a `Range` header asks of content of `size` bytes; nil when it is ignored
    /// or cannot be satisfied.
    package static func byteRange(_ header: String, size: Int64) -> ClosedRange<Int64>? {
        if case .satisfiable(let range) = ByteRange.parse(header, size: size) { return range }
        return nil
    }

    /// Whether If-None-Match / If-Modified-Since make a download a 304, and whether If-Range lets a range apply.
    package static func conditions(_ headers: HTTPFields, etag: String?, lastModified: Date?) -> (notModified: Bool, rangeApplies: Bool) {
        (Conditions.notModified(headers, etag: etag, lastModified: lastModified),
         Conditions.rangeApplies(headers, etag: etag, lastModified: lastModified))
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as If-Modified-Since carries it.
    package static func httpDate(_ text: String) -> Date? { HTTPDate.parse(text) }

    package static func formatHTTPDate(_ date: Date) -> String { HTTPDate.format(date) }

    /// The account a request's credentials (Authorization Basic or Bearer, or `api_key`/`api_secret`) name.
    package static func account(for request: Request, accounts: [Account], applications: [Application]) async throws -> String? {
        try await Authenticator(accounts: accounts, applications: applications).account(for: request)
    }
}
