import Foundation
import Hummingbird

/// A `multipart/form-data` body read as it streams in: small fields kept in memory, the file part
/// (if the caller names one) written straight to a file, so a large upload is never held whole.
struct MultipartForm {
    /// The form's text fields in the order they came.
    var fields: [(name: String, value: String)] = []
    /// The file part, written to disk.
    var file: File?

    struct File {
        var url: URL
        /// The `filename` of the part's Content-Disposition, if any.
        var fileName: String?
        /// The part's own Content-Type, if any.
        var contentType: String?
        var size: Int64
    }

    /// At most this many bytes in one text field, and this many parts in a form.
    static let maxFieldBytes = 64 * 1024
    static let maxParts = 32
    /// At most this many bytes of headers (and boundary line) before a part's body begins.
    static let maxPartHeaderBytes = 16 * 1024
    /// The parser is fed this much at a time, so a refusal comes within this many bytes of a limit.
    private static let sliceBytes = 4096

    /// The most a whole form may take with a file of up to `fileBytes`: the file, the fields and their headers.
    static func maxBodyBytes(fileBytes: Int64) -> Int64 {
        fileBytes + Int64(maxParts * (maxFieldBytes + maxPartHeaderBytes))
    }

    /// The boundary of a `multipart/form-data` Content-Type, or nil when it is another type.
    /// Throws 400 when it is multipart but the boundary is missing or empty.
    static func boundary(ofContentType contentType: String) throws -> String? {
        let parameters = HeaderParameters(contentType)
        guard parameters.value.lowercased() == "multipart/form-data" else { return nil }
        guard let boundary = parameters["boundary"], !boundary.isEmpty, boundary.count <= 200 else {
            throw Problem.badRequest("the multipart/form-data Content-Type has no boundary parameter")
        }
        return boundary
    }

    /// Reads `body`. The part named `fileField` goes to a new file in `directory`, up to `maxFileBytes`
    /// (413 past it); every other part is a text field. A body that breaks off or is not
    /// multipart is a 400. Limits hold as the bytes arrive, with or without a Content-Length: more
    /// than `maxBodyBytes` in all is a 413, a part's headers longer than `maxPartHeaderBytes` a 400.
    /// On error no file is left behind.
    static func read(
        _ body: RequestBody, boundary: String, fileField: String? = nil, directory: URL? = nil, maxFileBytes: Int64 = 0,
        maxBodyBytes: Int64
    ) async throws -> MultipartForm {
        let collector = PartCollector(fileField: fileField, directory: directory, maxFileBytes: maxFileBytes)
        do {
            var parser = MultipartStream(boundary: boundary)
            var total: Int64 = 0
            for try await var chunk in body {
                total += Int64(chunk.readableBytes)
                guard total <= maxBodyBytes else {
                    throw Problem(status: .contentTooLarge, detail: "the body is larger than the \(maxBodyBytes) bytes this request may send")
                }
                while chunk.readableBytes > 0, let slice = chunk.readSlice(length: min(chunk.readableBytes, sliceBytes)) {
                    collector.bytesSinceBody += slice.readableBytes
                    do {
                        try parser.execute(slice) { event in
                            switch event {
                            case .header(let name, let value): collector.header(name: name, value: value)
                            case .body(var buffer): collector.body(&buffer)
                            case .partEnd: collector.partComplete()
                            }
                        }
                    } catch let error as MultipartStream.SyntaxError {
                        throw Problem.badRequest("the multipart body is malformed: \(error)")
                    }
                    if let problem = collector.problem { throw problem }
                    // Headers are all the parser holds in memory that no other limit bounds: refuse them early.
                    guard collector.bytesSinceBody <= maxPartHeaderBytes else {
                        throw Problem.badRequest("a form part's headers are longer than \(maxPartHeaderBytes / 1024) KiB")
                    }
                }
            }
            return try collector.finish(reachedEnd: parser.isFinished, foundBoundary: parser.hasFoundBoundary)
        } catch {
            collector.discard()
            throw error
        }
    }
}

/// Receives the parser's events for one form.
private final class PartCollector {
    let fileField: String?
    let directory: URL?
    let maxFileBytes: Int64

    var form = MultipartForm()
    var problem: Problem?
    /// Bytes given to the parser since the last body bytes or end of a part: boundary lines and headers.
    var bytesSinceBody = 0
    private var headers: [(String, String)] = []
    private var parts = 0
    private var kind: Kind?
    private var fieldBytes: [UInt8] = []
    private var fileHandle: FileHandle?

    private enum Kind {
        case field(String)
        case file
    }

    init(fileField: String?, directory: URL?, maxFileBytes: Int64) {
        self.fileField = fileField
        self.directory = directory
        self.maxFileBytes = maxFileBytes
    }

    func header(name: String, value: String) {
        headers.append((name, value))
    }

    func body(_ buffer: inout ByteBuffer) {
        bytesSinceBody = 0
        guard problem == nil else { return }
        if kind == nil { kind = startPart() }
        switch kind {
        case .field(let name):
            guard fieldBytes.count + buffer.readableBytes <= MultipartForm.maxFieldBytes else {
                problem = Problem(status: .contentTooLarge, detail: "the form field '\(name)' is larger than \(MultipartForm.maxFieldBytes / 1024) KiB")
                return
            }
            fieldBytes.append(contentsOf: buffer.readableBytesView)
        case .file:
            guard var file = form.file, let fileHandle else { return }
            file.size += Int64(buffer.readableBytes)
            form.file = file
            guard file.size <= maxFileBytes else {
                problem = Problem(status: .contentTooLarge, detail: "the file is larger than the upload limit of \(maxFileBytes) bytes")
                return
            }
            do {
                try fileHandle.write(contentsOf: buffer.readableBytesView)
            } catch {
                problem = .internalFailure("cannot write the upload to \(file.url.path): \(error.localizedDescription)")
            }
        case nil:
            return
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
    }

    func partComplete() {
        bytesSinceBody = 0
        guard problem == nil else { return }
        if kind == nil { kind = startPart() }
        switch kind {
        case .field(let name):
            guard let value = String(bytes: fieldBytes, encoding: .utf8) else {
                problem = .badRequest("the form field '\(name)' is not UTF-8 text")
                return
            }
            form.fields.append((name, value))
        case .file:
            try? fileHandle?.close()
            fileHandle = nil
        case nil:
            break
        }
        headers = []
        fieldBytes = []
        kind = nil
    }

    /// Decides, from the part's headers, whether it is a field or the file.
    private func startPart() -> Kind? {
        parts += 1
        guard parts <= MultipartForm.maxParts else {
            problem = .badRequest("the form has more than \(MultipartForm.maxParts) parts")
            return nil
        }
        guard let disposition = headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1 else {
            problem = .badRequest("a form part has no Content-Disposition header (expected form-data; name=\"…\")")
            return nil
        }
        let parameters = HeaderParameters(disposition)
        guard let name = parameters["name"] else {
            problem = .badRequest("a form part's Content-Disposition has no name")
            return nil
        }
        guard name == fileField, let directory else { return .field(name) }
        guard form.file == nil else {
            problem = .badRequest("the form has more than one '\(name)' part; upload one file at a time")
            return nil
        }
        let url = directory.appendingPathComponent("upload-\(UUID().uuidString.lowercased())")
        // 0600: the upload is someone's private recording (the folder is private too).
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = try? FileHandle(forWritingTo: url)
        else {
            problem = .internalFailure("cannot create an upload file in \(directory.path): \(String(cString: strerror(errno)))")
            return nil
        }
        fileHandle = handle
        let contentType = headers.first(where: { $0.0.lowercased() == "content-type" })?.1
        form.file = MultipartForm.File(url: url, fileName: parameters["filename"], contentType: contentType, size: 0)
        return .file
    }

    /// The form, once the body has ended; `reachedEnd` tells whether the closing boundary came.
    /// `--boundary--` alone is a form with no parts.
    func finish(reachedEnd: Bool, foundBoundary: Bool) throws -> MultipartForm {
        if let problem { throw problem }
        if reachedEnd { return form }
        if !foundBoundary {
            throw Problem.badRequest("the multipart body has no parts (or its boundary does not match the Content-Type's)")
        }
        throw Problem.badRequest("the multipart body ends inside a part: the closing boundary is missing")
    }

    func discard() {
        try? fileHandle?.close()
        fileHandle = nil
        if let url = form.file?.url { try? FileManager.default.removeItem(at: url) }
    }
}

/// A header value with `; key=value` parameters (Content-Type, Content-Disposition); quoted values unescaped.
struct HeaderParameters {
    var value: String
    private var parameters: [String: String] = [:]

    init(_ header: String) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted, character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                current.append(character)
            } else if character == ";", !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        value = pieces[0].trimmingCharacters(in: .whitespaces)
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var text = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
            if key.hasSuffix("*"), let decoded = Self.extendedValue(text) {
                parameters[String(key.dropLast())] = decoded
            } else if parameters[key] == nil {
                parameters[key] = text
            }
        }
    }

    subscript(name: String) -> String? { parameters[name] }

    /// RFC 8187's `UTF-8''percent%20encoded` form (`filename*=`).
    private static func extendedValue(_ text: String) -> String? {
        let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return String(pieces[2]).removingPercentEncoding
    }
}
