import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Tracing

/// The HTTP binding of MediaService: the Vonage Media API v3 (`https://api.nexmo.com/v3/media`)
/// or any server speaking it, such as media-server.
public final class MediaHTTPClient: MediaService {
    /// The real Media API.
    public static let vonageEndpoint = URL(string: "https://api.nexmo.com/v3/media")!

    let base: String
    let configuration: Configuration
    let http: HTTPClient
    let retry: RetryPolicy
    let counter = NIOLockedValueBox(0)
    /// Pages asked for before the page before them was read (`Listing.lookAhead`), used or not.
    let pagesAskedAhead = NIOLockedValueBox(0)
    /// Times a listing walked an instant again because items before a page went away (`Listing.Anchor`).
    let instantRewalks = NIOLockedValueBox(0)
    private let credentials: Credentials
    private let applicationToken: ApplicationToken?
    /// `Basic …` for an API key, made once: the same for every request, and encoding it each time
    /// was a measurable share of a bulk delete's CPU.
    private let basicAuthorization: String?

    /// `endpoint` is the media collection's URL (`…/v3/media`). Fails at once, before any request,
    /// when the endpoint is not http(s) or an application's private key is not an RSA PEM key.
    public init(endpoint: URL, credentials: Credentials, configuration: Configuration = Configuration()) throws {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https", endpoint.host != nil else {
            throw MediaError.invalidInput("'\(endpoint.absoluteString)' is not an http(s) URL (expected e.g. https://api.nexmo.com/v3/media)")
        }
        var text = endpoint.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        base = text
        self.credentials = credentials
        self.configuration = configuration
        switch credentials {
        case .apiKey(let key, let secret):
            applicationToken = nil
            basicAuthorization = "Basic " + Data("\(key):\(secret)".utf8).base64EncodedString()
        case .application(let id, let pem):
            applicationToken = try ApplicationToken(applicationID: id, privateKeyPEM: pem)
            basicAuthorization = nil
        }
        retry = RetryPolicy(
            maxAttempts: configuration.maxAttempts, initialBackoff: configuration.initialBackoff,
            maxBackoff: configuration.maxBackoff, maxRetryAfter: configuration.maxRetryAfter)
        var settings = HTTPClient.Configuration()
        settings.timeout = .init(
            connect: .nanoseconds(Int64(configuration.connectTimeout.seconds * 1e9)),
            read: .nanoseconds(Int64(configuration.readTimeout.seconds * 1e9)))
        // Our own loop retries (and counts) failed connections; the pool's silent retries would hide them.
        settings.connectionPool.retryConnectionEstablishment = false
        // The pool's default of 8 connections would queue a bulk action's requests beyond 8.
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnections
        settings.decompression = .disabled
        // The Media API answers where it is asked; a redirect (a moved endpoint, a login page, a
        // proxy) is reported with where it leads (`APIAnswer`), never followed with the credentials.
        settings.redirectConfiguration = .disallow
        // Without a tracer bootstrapped (mediash bootstraps none) the default is the global no-op
        // one: it records nothing, yet each request's URL was parsed again for its span's
        // attributes (~51k instructions a delete). A host program that bootstrapped one keeps its spans.
        if InstrumentationSystem.tracer is NoOpTracer { settings.tracing.tracer = nil }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    /// Closes the connections. Call once, when done with the client.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// HTTP requests sent so far, every retry included.
    public var requestsSent: Int { counter.withLockedValue { $0 } }

    /// The `Authorization` header value.
    func authorization() async throws -> String {
        // An API key's header is made once, at init; an application's token is signed as it expires.
        if let basicAuthorization { return basicAuthorization }
        guard let applicationToken else { throw MediaError.unauthorized("no application key") }
        return "Bearer " + (try await applicationToken.token())
    }

    /// The URL of one item, or of one of its sub-resources (`info`).
    func url(id: String, _ suffix: String = "") throws -> String {
        // `.` and `..` are kept as they are by percent-encoding, and as a path segment they name
        // the folder itself or the one above: `DELETE …/v3/media/..` is `DELETE …/v3` to any proxy
        // or server that resolves dot segments. An id a server lists may be one; it is refused.
        if id == "." || id == ".." {
            throw MediaError.invalidInput("'\(id)' is not a media id: in a URL it would name a folder, not an item (expected a UUID like aaaaaaaa-bbbb-cccc-dddd-0123456789ab)")
        }
        // Ids are UUIDs: when every byte is one percent-encoding would keep, the id is its own
        // escaped form, without building a CharacterSet for each request.
        if !id.isEmpty, id.utf8.allSatisfy(Self.keptInPath) {
            return base + "/" + id + suffix
        }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        guard !id.isEmpty, let escaped = id.addingPercentEncoding(withAllowedCharacters: allowed) else {
            throw MediaError.invalidInput("'\(id)' is not a media id (expected a UUID like aaaaaaaa-bbbb-cccc-dddd-0123456789ab)")
        }
        return base + "/" + escaped + suffix
    }

    /// Whether `addingPercentEncoding(withAllowedCharacters:)` keeps this byte of an id as it is:
    /// ASCII letters and digits and the path characters of `CharacterSet.urlPathAllowed` other
    /// than `/` (`?` and `#` are not in it either).
    static func keptInPath(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "@"): true
        default: false
        }
    }

    /// In order, one page after another; in time windows side by side when the query allows
    /// (`windows` above 1, no limit).
    public func list(_ query: MediaQuery) -> MediaItemSequence {
        if query.windows > 1, query.limit == nil {
            return ParallelListing(client: self, query: query).items()
        }
        return Listing(client: self, query: query).items()
    }

    public func info(id: String) async throws -> MediaItem {
        let url = try url(id: id, "/info")
        return try await perform(.GET, url, id: id, headers: { ["Accept": "application/json"] }) { response, _ in
            try await Self.expect(response, [200])
            let body = try await Self.collect(response)
            do {
                return try Self.decode(MediaItem.self, from: body, what: "media item")
            } catch {
                // A login or proxy page is not an item the API could not word: say whose answer it is.
                let isObject = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) is [String: Any]
                if !isObject { throw APIAnswer.notTheAPI(.GET, url, response, body: body) }
                throw error
            }
        }
    }

    public func update(id: String, _ changes: MediaUpdate) async throws {
        try changes.validate()
        let form = MultipartForm(fields: changes.formFields)
        let url = try url(id: id, "/info")
        try await perform(.PUT, url, id: id, headers: { form.headers }, body: { .bytes(form.bytes()) }) { response, _ in
            try await Self.expect(response, [200, 204])
            try await Self.expectActionAnswer(.PUT, url, response)
        }
    }

    public func delete(id: String) async throws {
        let url = try url(id: id)
        try await perform(.DELETE, url, id: id) { response, attempt in
            // A DELETE whose answer was lost may have worked: the API's 404 when trying again means it did.
            if response.status == .notFound, attempt > 1 {
                let answer = await Self.unexpected(response)
                if APIAnswer.isProblem(url: url, contentType: answer.contentType, body: answer.body) { return }
                throw answer
            }
            try await Self.expect(response, [200, 202, 204])
            try await Self.expectActionAnswer(.DELETE, url, response)
        }
    }

    /// Reads the body of a 2xx answer to an update or delete (1 MiB at most): empty or JSON, or it
    /// is not the API that answered (a login page's 200 would otherwise count as done).
    static func expectActionAnswer(_ method: HTTPMethod, _ url: String, _ response: HTTPClientResponse) async throws {
        let body = try await response.body.collect(upTo: 1024 * 1024)
        let contentType = response.headers.first(name: "Content-Type")
        guard APIAnswer.isActionAnswer(contentType: contentType, body: body) else {
            throw APIAnswer.notTheAPI(method, url, response, body: body)
        }
    }

    /// Decodes a JSON answer; an unreadable one is the server's fault, not ours to retry.
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw MediaError.server(status: 200, message: "the service answered with an unreadable \(what): \(reason(error))")
        }
    }

    /// A decoding error in words: where in the answer (`_embedded.media[3].time_created`) and what.
    static func reason(_ error: any Error) -> String {
        let context: DecodingError.Context
        switch error as? DecodingError {
        case .dataCorrupted(let c)?, .keyNotFound(_, let c)?, .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: context = c
        default: return "\(error)"
        }
        var path = ""
        for key in context.codingPath {
            if let index = key.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
        }
        let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
        return (path.isEmpty ? "" : "at \(path): ") + context.debugDescription + underlying
    }
}
