import Foundation
import Hummingbird
import MediaAPI

extension MediaRoutes {
    /// The form fields an upload takes besides the seven info fields.
    static let uploadFields: Set<String> = ["filename", "info", "url"]

    /// The one answer to every upload by url that could not be fetched, whatever the reason.
    static let urlFetchFailure =
        "the url could not be fetched: this server fetches only from public http(s) addresses that answer with the content; send the file in a 'filedata' part instead"

    /// POST /v3/media: a multipart form with the file in `filedata` (or a `url` to fetch), an optional
    /// `filename` and `info` (JSON of the info fields, which may also come as fields of their own).
    /// The file streams to the store's temporary folder and is moved into the store: never held whole.
    @Sendable func upload(_ request: Request, _ context: MediaRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = try MultipartForm.boundary(ofContentType: contentType) else {
            throw Problem(
                status: .unsupportedMediaType,
                detail: "the body's Content-Type is '\(contentType)'; upload with multipart/form-data and the file in a 'filedata' part")
        }
        let limit = configuration.maxUploadBytes
        let maxBody = MultipartForm.maxBodyBytes(fileBytes: limit)
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > maxBody {
            throw Problem(status: .contentTooLarge, detail: "the upload is \(length) bytes, larger than the limit of \(limit) bytes")
        }
        let form = try await MultipartForm.read(
            request.body, boundary: boundary, fileField: "filedata", directory: store.temporaryDirectory, maxFileBytes: limit,
            maxBodyBytes: maxBody)
        // Once the store has the file it is moved away (or removed by the store on failure); before that it is ours.
        defer { if let file = form.file { try? FileManager.default.removeItem(at: file.url) } }

        let upload = try Self.upload(from: form)
        if case .url = upload.source, !configuration.urlUploads {
            throw Problem.badRequest("uploads by url are turned off on this server; send the file in a 'filedata' part")
        }
        let item: MediaItem
        do {
            // The store fetches a url under this server's policy.
            item = try await store.upload(upload, account: account, consumingFile: true, maxBytes: limit, urlFetch: configuration.urlFetch)
        } catch let error as URLFetchError {
            // The reason (a refused address, a refused connection, a 404) would let a client map the
            // hosts and ports around the server: it goes to the log, the client gets one message for all.
            context.logger.warning("upload by url refused", metadata: ["reason": "\(error)"])
            throw Problem.badRequest(Self.urlFetchFailure)
        } catch let error as MediaError {
            // A file is the server's own received copy: what goes wrong with it (its path, an OS
            // error) is the server's failure, not the client's mistake.
            guard case .file = upload.source else { throw error }
            switch error {
            case .invalidInput(let detail), .storage(let detail): throw Problem.internalFailure(detail)
            default: throw error
            }
        }
        return shape.json(shape.record(item), status: .created, headers: [.location: "/v3/media/\(item.id)/info"])
    }

    /// What the form asks for, checked: exactly one of file and url, known fields only.
    static func upload(from form: MultipartForm) throws -> MediaUpload {
        func field(_ name: String) throws -> String? {
            let values = form.fields.filter { $0.name == name }
            guard values.count <= 1 else { throw Problem.badRequest("the field '\(name)' is given twice") }
            return values.first?.value
        }
        var info = MediaUpdate()
        if let json = try field("info"), !json.trimmingCharacters(in: .whitespaces).isEmpty {
            info = try UpdateFields.update(fromJSON: Data(json.utf8))
        }
        let direct = try UpdateFields.update(fromForm: form.fields, allowing: uploadFields)
        UpdateFields.merge(direct, into: &info)

        let source: MediaUpload.Source
        switch (form.file, try field("url")) {
        case (let file?, nil):
            source = .file(file.url)
            if info.mimeType == nil, let type = file.contentType.map({ HeaderParameters($0).value }),
               type.lowercased() != "application/octet-stream", MediaUpdate.isMIMEType(type) {
                info.mimeType = type
            }
        case (nil, let text?):
            // Only the web: a file:// URL would let a client read the server's own files.
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host?.isEmpty == false
            else {
                throw Problem.badRequest("url '\(text)' is not an http or https URL")
            }
            source = .url(url)
        case (nil, nil):
            throw Problem.badRequest("the form has no file: send it in a 'filedata' part, or give a 'url' to fetch it from")
        case (.some, .some):
            throw Problem.badRequest("the form has both a 'filedata' part and a 'url'; send one of them")
        }
        let fileName = try field("filename").flatMap { $0.isEmpty ? nil : $0 } ?? form.file?.fileName
        let upload = MediaUpload(source: source, fileName: fileName, info: info)
        do {
            try upload.validate()
        } catch let error as MediaError {
            throw Problem.badRequest(error.description)
        }
        return upload
    }
}
