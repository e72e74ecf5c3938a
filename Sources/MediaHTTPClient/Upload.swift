import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore
import NIOHTTP1

extension MediaHTTPClient {
    public func upload(_ upload: MediaUpload) async throws -> MediaItem {
        try upload.validate()
        var fields: [(name: String, value: String)] = [("filename", upload.effectiveFileName)]
        if let info = try Self.infoJSON(upload.info) { fields.append(("info", info)) }
        var file: MultipartForm.FilePart?
        switch upload.source {
        case .url(let source):
            fields.append(("url", source.absoluteString))
        case .file(let path):
            file = MultipartForm.FilePart(
                field: "filedata", fileName: upload.effectiveFileName,
                contentType: upload.info.mimeType,
                url: path, size: try Self.regularFileSize(path))
        }
        let form = MultipartForm(fields: fields, file: file)
        return try await perform(
            .POST, base, repeatability: .onlyIfNotReceived,
            headers: { form.headers.adding("Accept", "application/json") }, body: { form.body() }
        ) { response, _ in
            try await Self.expect(response, [200, 201])
            let body = try await Self.collect(response)
            if let item = try? JSONDecoder().decode(MediaItem.self, from: Data(body.readableBytesView)) { return item }
            // Some deployments answer 201 with only a Location: fetch the record it names.
            guard let id = Self.id(fromLocation: response.headers.first(name: "Location")) else {
                throw MediaError.server(status: Int(response.status.code), message: "the upload was accepted but the answer names no media item")
            }
            return try await self.info(id: id)
        }
    }

    /// The `info` part: the upload's information as the JSON object the API takes, or nil when empty.
    static func infoJSON(_ info: MediaUpdate) throws -> String? {
        guard !info.isEmpty else { return nil }
        var object: [String: Any] = [:]
        for (name, value) in info.formFields { object[name] = value }
        if let isPublic = info.isPublic { object["public"] = isPublic }
        if let limit = info.maxDownloadsAllowed { object["max_downloads_allowed"] = limit }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The size of a local file to upload; a clear error when it is missing or a directory.
    static func regularFileSize(_ path: URL) throws -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw MediaError.invalidInput("cannot upload '\(path.path)': no such file")
        }
        guard !isDirectory.boolValue else {
            throw MediaError.invalidInput("cannot upload '\(path.path)': it is a directory (upload the files in it one by one)")
        }
        guard FileManager.default.isReadableFile(atPath: path.path),
              let size = (try? FileManager.default.attributesOfItem(atPath: path.path))?[.size] as? NSNumber else {
            throw MediaError.invalidInput("cannot upload '\(path.path)': it cannot be read (check its permissions)")
        }
        return size.int64Value
    }

    /// `…/v3/media/{id}` or `…/v3/media/{id}/info` → id.
    static func id(fromLocation location: String?) -> String? {
        guard let location, let url = URL(string: location) else { return nil }
        var parts = url.path.split(separator: "/").map(String.init)
        if parts.last == "info" { parts.removeLast() }
        guard let last = parts.last, last != "media" else { return nil }
        return last.removingPercentEncoding ?? last
    }
}

extension HTTPHeaders {
    func adding(_ name: String, _ value: String) -> HTTPHeaders {
        var copy = self
        copy.add(name: name, value: value)
        return copy
    }
}
