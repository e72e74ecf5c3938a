import Foundation
import Hummingbird
import NIOCore
import MediaAPI
import MediaServer

/// The `server` target: media-server's parsing of what a client sends. The first byte picks the
/// parser, the rest is its text: the list query, an upload form and an info update (multipart,
/// JSON, urlencoded; the body split into chunks as it streams in), `Range`, the conditional
/// headers and HTTP dates, and credentials (Authorization Basic/Bearer, api_key/api_secret).
/// Besides not crashing, each answer is checked against what the parser promises.
final class ServerParsing: @unchecked Sendable {
    static let shared = ServerParsing()
    let uploads: URL
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let maxPageSize = 100
    static let accounts = [Account(apiKey: "acct", apiSecret: "s3cret")]
    /// The public half of the key that signed the Bearer tokens in the corpus (fuzz/corpus/server).
    static let applications = [Application(id: "app-1", accountKey: "acct", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA+j2Iw27ZNjKWc6PT87zD
Vqci9IVNVjfT8OJAhh6Z825YZiDZ9kTRXsMTZYyENg7El9bUoZP7n1Sh880z+mzd
jH7PMECEeML7opNZYCn3mK73ABiDACbvEznNYr2iioEVZGI4K0vY7xMZovkFi0Ej
DCrledv5EyGf+HqKA143K633MgaLag6fQzUV/9w0j079IYTrKX3UzuzgA9zxMtAq
8jf4fC8ECAIhRwBhBfqbr7CvfbfXDPavr2Djhwh7fjDVuyDZMfvJIMhoghlXdDM2
oybQMXUspl2QoPcrwrbuUQbPmL0d85mcQF1NsoGJqimdbkuQLhhBzcxux7fFSjM2
3wIDAQAB
-----END PUBLIC KEY-----
""")]

    private init() {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        uploads = base.appendingPathComponent("mediash-fuzz-server-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try? FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ServerParsing.shared.uploads) }
    }

    func parse(selector: UInt8, _ payload: Data) async {
        let text = String(decoding: payload, as: UTF8.self)
        switch selector % 7 {
        case 0: listQuery(text)
        case 1: await uploadForm(payload)
        case 2: await update(payload)
        case 3: range(text)
        case 4: conditions(text)
        case 5: await authorization(headers: [.authorization: text], path: "/v3/media")
        default: await authorization(headers: [:], path: "/v3/media?" + text)
        }
    }

    static func request(_ path: String, _ headers: HTTPFields = [:], body: RequestBody = RequestBody(buffer: ByteBuffer())) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: path, headerFields: headers), body: body)
    }

    func listQuery(_ text: String) {
        guard let query = try? RequestParsing.listQuery(Self.request("/v3/media?" + text), maxPageSize: Self.maxPageSize, now: Self.now) else { return }
        require((1...Self.maxPageSize).contains(query.pageSize), "page size \(query.pageSize) outside 1...\(Self.maxPageSize)")
        if let start = query.startTime, let end = query.endTime { require(start <= end, "start \(start) after end \(end)") }
    }

    /// The first line is the Content-Type, the second byte of the payload sizes the body's chunks.
    private func form(_ payload: Data) -> (contentType: String, body: RequestBody) {
        let newline = payload.firstIndex(of: UInt8(ascii: "\n")) ?? payload.endIndex
        let contentType = String(decoding: payload[..<newline], as: UTF8.self)
        let rest = payload[newline...].dropFirst()
        let chunkSize = max(1, Int(rest.first ?? 0) * 4)
        var chunks: [ByteBuffer] = []
        var start = rest.startIndex
        while start < rest.endIndex {
            let end = min(rest.endIndex, start + chunkSize)
            chunks.append(ByteBuffer(bytes: rest[start..<end]))
            start = end
        }
        let stream = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        return (contentType, RequestBody(asyncSequence: stream))
    }

    func uploadForm(_ payload: Data) async {
        let (contentType, body) = form(payload)
        let upload = try? await RequestParsing.uploadForm(contentType: contentType, body: body, directory: uploads, maxFileBytes: 4096)
        if let upload { require((try? upload.validate()) != nil, "an accepted upload does not validate: \(upload)") }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: uploads.path)) ?? []
        require(left.isEmpty, "an upload form left files behind: \(left)")
    }

    func update(_ payload: Data) async {
        let (contentType, body) = form(payload)
        guard let update = try? await RequestParsing.update(contentType: contentType, body: body) else { return }
        require((try? update.validate()) != nil, "an accepted update does not validate: \(update)")
    }

    func range(_ header: String) {
        for size: Int64 in [0, 1, 1000, Int64.max] {
            guard let range = RequestParsing.byteRange(header, size: size) else { continue }
            require(range.lowerBound >= 0 && range.upperBound < size, "range \(range) outside content of \(size) bytes")
        }
    }

    /// Three lines: If-None-Match, If-Modified-Since, If-Range.
    func conditions(_ text: String) {
        let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        var headers = HTTPFields()
        if lines.count > 0, !lines[0].isEmpty { headers[.ifNoneMatch] = lines[0] }
        if lines.count > 1 { headers[.ifModifiedSince] = lines[1] }
        if lines.count > 2 { headers[.ifRange] = lines[2] }
        let modified = Date(timeIntervalSince1970: 784_111_777)
        for (etag, lastModified) in [("\"d41d8cd98f00b204e9800998ecf8427e\"", modified), (nil, nil)] as [(String?, Date?)] {
            _ = RequestParsing.conditions(headers, etag: etag, lastModified: lastModified)
        }
        for line in lines {
            guard let date = RequestParsing.httpDate(line) else { continue }
            let again = RequestParsing.httpDate(RequestParsing.formatHTTPDate(date))
            require(again == date, "'\(line)' reads as \(date), which formats as '\(RequestParsing.formatHTTPDate(date))'")
        }
    }

    func authorization(headers: HTTPFields, path: String) async {
        guard let account = try? await RequestParsing.account(for: Self.request(path, headers), accounts: Self.accounts, applications: Self.applications) else { return }
        require(account == "acct", "credentials named an account that does not exist: \(account)")
    }
}
