import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore
import NIOHTTP1

/// A multipart/form-data body: text fields, then optionally one file streamed from disk,
/// so an upload never holds the file in memory.
struct MultipartForm: Sendable {
    struct FilePart: Sendable {
        var field: String
        var fileName: String
        /// Nil leaves the type to the service (it guesses from the file name).
        var contentType: String?
        var url: URL
        var size: Int64
    }

    var fields: [(name: String, value: String)]
    var file: FilePart?
    let boundary = "mediash-" + UUID().uuidString

    init(fields: [(name: String, value: String)], file: FilePart? = nil) {
        self.fields = fields
        self.file = file
    }

    var headers: HTTPHeaders {
        ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
    }

    /// Everything before the file's bytes.
    private var head: [UInt8] {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n\(value)\r\n"
        }
        if let file {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(file.field))\"; filename=\"\(Self.quoted(file.fileName))\"\r\n"
            if let type = file.contentType { text += "Content-Type: \(type)\r\n" }
            text += "\r\n"
        }
        return Array(text.utf8)
    }

    /// Everything after the file's bytes.
    private var tail: [UInt8] {
        Array(((file == nil ? "" : "\r\n") + "--\(boundary)--\r\n").utf8)
    }

    /// The whole body in memory (forms without a file).
    func bytes() -> ByteBuffer {
        ByteBuffer(bytes: head + tail)
    }

    /// The body as a stream of known length; each call reopens the file, so a retry sends it afresh.
    func body() -> HTTPClientRequest.Body {
        let head = head, tail = tail
        guard let file else { return .bytes(ByteBuffer(bytes: head + tail)) }
        let length = Int64(head.count + tail.count) + file.size
        return .stream(FormStream(head: head, file: file.url, tail: tail), length: .known(length))
    }

    /// Quotes and newlines cannot appear inside a quoted header parameter.
    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}

/// The head, the file in chunks, then the tail.
private struct FormStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let head: [UInt8]
    let file: URL
    let tail: [UInt8]

    func makeAsyncIterator() -> Iterator {
        Iterator(head: head, file: file, tail: tail)
    }

    struct Iterator: AsyncIteratorProtocol {
        enum Stage { case head, file, tail, done }
        let head: [UInt8]
        let file: URL
        let tail: [UInt8]
        var stage = Stage.head
        var handle: FileHandle?

        init(head: [UInt8], file: URL, tail: [UInt8]) {
            self.head = head
            self.file = file
            self.tail = tail
        }

        mutating func next() async throws -> ByteBuffer? {
            switch stage {
            case .head:
                stage = .file
                do {
                    handle = try FileHandle(forReadingFrom: file)
                } catch {
                    throw MediaError.invalidInput("cannot read '\(file.path)': \(error.localizedDescription)")
                }
                return ByteBuffer(bytes: head)
            case .file:
                if let chunk = try handle?.read(upToCount: 256 * 1024), !chunk.isEmpty {
                    return ByteBuffer(bytes: chunk)
                }
                try? handle?.close()
                handle = nil
                stage = .tail
                return ByteBuffer(bytes: tail)
            case .tail, .done:
                stage = .done
                return nil
            }
        }
    }
}
